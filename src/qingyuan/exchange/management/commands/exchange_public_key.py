from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qingyuan.exchange import signing


class Command(BaseCommand):
    help = "显示本平台处罚信息共享的签名公钥（交给对方平台登记，用于验签）"

    def handle(self, *args, **options):
        if not settings.QINGYUAN_EXCHANGE_ENABLED:
            raise CommandError("本平台未开启处罚信息共享（QINGYUAN_EXCHANGE_ENABLED）")
        public = signing.public_key_b64()
        self.stdout.write(f"公钥（Ed25519，Base64）：{public}")
        self.stdout.write(f"密钥编号 keyid：{signing.key_id(public)}")
