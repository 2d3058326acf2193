from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingyuan.accounts.models import User
from qingyuan.reports.ledger import FLAT, SHEETS, ledger_import
from qingyuan.reports.ledger_views import counts_text


class Command(BaseCommand):
    help = "导入历史台账：按模板填写的 Excel 整份台账，或一张表的 CSV（整文件校验，有错则整文件不导入）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件（.xlsx 整份台账，或 .csv 单张表）")
        parser.add_argument(
            "--user", required=True, help="导入人账号：记录人、承办单位和辖区按此账号，并记入审计日志"
        )
        parser.add_argument(
            "--kind",
            choices=[s.key for s in (*SHEETS, FLAT)],
            help="CSV 文件是哪张表：" + "，".join(f"{s.key}（{s.name}）" for s in (*SHEETS, FLAT)),
        )

    def handle(self, *args, file, user, kind=None, **options):
        try:
            actor = User.objects.select_related("unit__region").get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"账号“{user}”不存在") from None
        try:
            with open(file, "rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{file}") from None
        try:
            record = ledger_import(actor=actor, content=content, file_name=file, kind=kind)
        except PermissionDenied as exc:
            raise CommandError(f"账号“{user}”：{exc}，未写入任何数据") from None
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"导入失败，未写入任何数据（{len(exc.messages)} 条错误信息，见上）") from None
        self.stdout.write(self.style.SUCCESS(f"导入完成：{counts_text(record)}（导入记录#{record.pk}）"))
        for warning in record.warnings:
            self.stdout.write(f"提示：{warning}")
