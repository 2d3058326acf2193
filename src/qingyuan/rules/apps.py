from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "qingyuan.rules"
    verbose_name = "法律规则"
