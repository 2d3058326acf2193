from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qingyuan.core"
    verbose_name = "公共"

    def ready(self):
        from . import signals  # noqa: F401  (login/logout audit)
