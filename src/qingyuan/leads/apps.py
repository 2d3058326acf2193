from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "qingyuan.leads"
    verbose_name = "线索与投诉举报"
