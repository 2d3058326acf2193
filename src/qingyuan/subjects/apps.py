from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "qingyuan.subjects"
    verbose_name = "监管对象"
