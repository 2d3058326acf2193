from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "qingyuan.portal"
    verbose_name = "公众服务"
