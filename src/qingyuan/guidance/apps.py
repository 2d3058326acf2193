from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    """Public guidance per region: recognising illegal practice, how to report, hotlines and reward rules, written by administrators with preview, publication dates and history."""

    name = "qingyuan.guidance"
    verbose_name = "办事指南"
