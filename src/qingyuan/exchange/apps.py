from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Penalty-record exchange between regions' platforms: a signed export feed and a verifying, idempotent import of external penalties."""

    name = "qingyuan.exchange"
    verbose_name = "处罚信息共享"
