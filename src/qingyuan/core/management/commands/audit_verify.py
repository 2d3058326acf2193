from django.core.management.base import BaseCommand, CommandError

from qingyuan.core.audit import verify_and_anchor


class Command(BaseCommand):
    help = (
        "校验审计日志哈希链（带密钥的 HMAC）并与库外检查点逐一比对，指出第一条被篡改或缺失的记录、"
        "末尾被截断或整链被改写的位置；校验通过则为当前链头写入新的检查点"
    )

    def handle(self, *args, **options):
        checked, broken, _reason = verify_and_anchor()
        if broken is not None:
            raise CommandError(str(broken))
        self.stdout.write(self.style.SUCCESS(f"审计日志完好：共校验 {checked} 条"))
