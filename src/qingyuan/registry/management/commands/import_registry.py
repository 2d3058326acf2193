import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingyuan.accounts.models import User
from qingyuan.registry.importing import import_institutions, import_practitioners


class Command(BaseCommand):
    help = "从 CSV 或 XLSX 文件导入医疗机构或执业人员（整文件校验，有错则整文件不导入）"

    def add_arguments(self, parser):
        parser.add_argument(
            "kind",
            choices=["institutions", "practitioners"],
            help="institutions（医疗机构）或 practitioners（执业人员）",
        )
        parser.add_argument("file", help="CSV 或 XLSX 文件路径")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="文件格式（默认按扩展名判断）")
        parser.add_argument(
            "--user", help="记入审计日志的操作人账号；导入范围限于其辖区（不填则为系统操作，不限辖区）"
        )

    def handle(self, *args, kind, file, format=None, user=None, **options):
        actor = None
        if user:
            try:
                actor = User.objects.select_related("unit__region").get(username=user)
            except User.DoesNotExist:
                raise CommandError(f"账号“{user}”不存在") from None
        started = time.monotonic()

        def progress(done, total):
            elapsed = time.monotonic() - started
            if done == total:
                self.stdout.write(f"已校验全部 {done} 行（{elapsed:.0f} 秒），正在写入…")
            else:
                self.stdout.write(f"已校验 {done}{f' / {total}' if total else ''} 行（{elapsed:.0f} 秒）")

        importer = import_institutions if kind == "institutions" else import_practitioners
        try:
            result = importer(actor=actor, path=file, fmt=format, progress=progress)
        except PermissionDenied as exc:
            raise CommandError(f"账号“{user}”：{exc}，未写入任何数据") from None
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"导入失败，未写入任何数据（{len(exc.messages)} 条错误信息，见上）") from None
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{file}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：共 {result.total} 行，新增 {result.created}，更新 {result.updated}，"
                f"未变 {result.unchanged}（{time.monotonic() - started:.1f} 秒）"
            )
        )
