from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "qingyuan.cases"
    verbose_name = "案件办理"

    def ready(self):
        from . import national  # noqa: F401  (the national_export job kind, known to the task workers too)
