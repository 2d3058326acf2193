from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "qingyuan.inspections"
    verbose_name = "监督检查与证据"
