from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "qingyuan.api"
    verbose_name = "数据交换接口"
