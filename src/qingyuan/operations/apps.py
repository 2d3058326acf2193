from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "qingyuan.operations"
    verbose_name = "联动执法与督查抽查"
