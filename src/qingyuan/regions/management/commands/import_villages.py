from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingyuan.regions.services import regions_import_local


class Command(BaseCommand):
    help = "从CSV导入乡镇（9位）和村/社区（12位）统计用区划代码，整文件成功或整文件不导入"

    def add_arguments(self, parser):
        parser.add_argument("csv_file")

    def handle(self, *args, csv_file, **options):
        try:
            summary = regions_import_local(actor=None, file_bytes=Path(csv_file).read_bytes())
        except ValidationError as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"新增 {summary['created']}，更新 {summary['updated']}"))
