from django.core.management.base import BaseCommand, CommandError

from qingyuan.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链，指出第一条被篡改或缺失的记录"

    def handle(self, *args, **options):
        checked, broken, reason = verify_chain()
        if broken is not None:
            raise CommandError(f"审计日志第 {broken.pk} 条校验失败：{reason}（此前 {checked} 条完好）")
        self.stdout.write(self.style.SUCCESS(f"审计日志完好：共校验 {checked} 条"))
