from django.apps import AppConfig


class PublicationConfig(AppConfig):
    """Public entries for served penalty decisions (行政处罚法 第48条, 双公示), their changes and withdrawals."""

    name = "qingyuan.publication"
    verbose_name = "行政处罚公示"
