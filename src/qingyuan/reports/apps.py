from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "qingyuan.reports"
    verbose_name = "统计报表"

    def ready(self):
        # The job kinds (ledger_import, report_export), known to the task workers too.
        from . import jobs  # noqa: F401
        from .ledger import jobs as ledger_jobs  # noqa: F401
