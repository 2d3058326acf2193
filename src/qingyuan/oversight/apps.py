from django.apps import AppConfig


class OversightConfig(AppConfig):
    """挂牌督办 and 督导: an upper level's supervision of major cases and lagging regions."""

    name = "qingyuan.oversight"
    verbose_name = "挂牌督办"
