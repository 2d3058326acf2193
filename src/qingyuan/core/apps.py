from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qingyuan.core"
    verbose_name = "公共"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .dbfiles import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="qingyuan.core.dbfiles")
        from . import (
            lists,  # noqa: F401  (the list_export job kind, known to the task workers too)
            signals,  # noqa: F401  (login/logout audit)
        )
