from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "qingyuan.campaigns"
    verbose_name = "专项行动"
