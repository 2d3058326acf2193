from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "qingyuan.cases"
    verbose_name = "案件办理"
