from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qingyuan.exchange import export


class Command(BaseCommand):
    help = "把新作出、变更、撤销的非法行医处罚记录写入共享日志（定时任务 exchange.log_refresh 也做这件事）"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="全量核对，不只看上次之后改动的案件")

    def handle(self, *args, full=False, **options):
        if not settings.QINGYUAN_EXCHANGE_ENABLED:
            raise CommandError("本平台未开启处罚信息共享（QINGYUAN_EXCHANGE_ENABLED）")
        added = export.refresh_log(full=full)
        self.stdout.write(self.style.SUCCESS(f"新增共享记录版本 {added} 条"))
