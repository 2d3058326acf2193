from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "qingyuan.registry"
    verbose_name = "持证机构与人员"
