import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qingyuan.exchange import services


class Command(BaseCommand):
    help = (
        "登记（或更新）要拉取的外地平台：名称、地址、对方签名公钥；对方签发给本平台的接口密钥从标准输入读取"
        "（不放在命令行里，以免留在命令历史中）"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="对方平台名称，如“上海市卫生健康监督平台”")
        parser.add_argument("base_url", help="对方平台地址，如 https://qingyuan.sh.example/")
        parser.add_argument("public_key", help="对方 exchange_public_key 显示的公钥")
        parser.add_argument("--inactive", action="store_true", help="登记但暂不拉取")

    def handle(self, *args, name, base_url, public_key, inactive=False, **options):
        if sys.stdin.isatty():
            self.stdout.write("请输入对方签发给本平台的接口密钥：")
        key = sys.stdin.readline().strip()
        try:
            peer = services.peer_save(
                name=name, base_url=base_url, partner_key=key, public_key=public_key, active=not inactive
            )
        except ValidationError as error:
            raise CommandError(
                "；".join(f"{k}：{'、'.join(v)}" for k, v in error.message_dict.items())
            ) from None
        self.stdout.write(self.style.SUCCESS(f"已登记共享平台“{peer.name}”"))
