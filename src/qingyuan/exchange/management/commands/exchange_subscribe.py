from django.core.management.base import BaseCommand, CommandError

from qingyuan.api.models import PartnerSystem
from qingyuan.exchange import services


class Command(BaseCommand):
    help = "允许（或停止）某个对接系统读取本平台的处罚信息共享数据；对接系统先用 partner_issue 签发密钥"

    def add_arguments(self, parser):
        parser.add_argument("partner", help="对接系统名称（partner_issue 时所用）")
        parser.add_argument("--stop", action="store_true", help="停止该系统读取")

    def handle(self, *args, partner, stop=False, **options):
        found = PartnerSystem.objects.filter(name=partner).first()
        if found is None:
            raise CommandError(f"没有名为“{partner}”的对接系统，请先用 partner_issue 签发密钥")
        services.subscription_set(partner=found, active=not stop)
        what = "已停止" if stop else "已允许"
        self.stdout.write(self.style.SUCCESS(f"{what}“{partner}”读取处罚信息共享数据"))
