from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qingyuan.core"
    verbose_name = "公共"

    def ready(self):
        from . import (
            lists,  # noqa: F401  (the list_export job kind, known to the task workers too)
            signals,  # noqa: F401  (login/logout audit)
        )
