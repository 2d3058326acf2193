from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "qingyuan.registry"
    verbose_name = "持证机构与人员"

    def ready(self):
        from . import jobs  # noqa: F401  (the registry_import job kind, known to the task workers too)
