from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from qingyuan.api.models import PartnerSystem
from qingyuan.core import audit
from qingyuan.regions.models import Unit


class Command(BaseCommand):
    help = "为对接系统签发接口密钥（密钥只显示这一次，系统只保存其摘要）"

    def add_arguments(self, parser):
        parser.add_argument("name", help="对接系统名称，如“苏州12345热线平台”")
        parser.add_argument("unit_id", type=int, help="对接单位编号：地点无法识别的线索交由该单位分派")
        parser.add_argument(
            "--days", type=int, default=None, help="密钥有效天数，默认 QINGYUAN_PARTNER_KEY_DAYS（365）"
        )

    def handle(self, *args, name, unit_id, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("有效天数（--days）应为正整数")
        unit = Unit.objects.filter(pk=unit_id).select_related("region").first()
        if unit is None:
            raise CommandError(f"单位编号 {unit_id} 不存在")
        if PartnerSystem.objects.filter(name=name).exists():
            raise CommandError(f"对接系统“{name}”已存在；如需更换密钥请用 partner_rotate")
        with transaction.atomic():
            partner, key = PartnerSystem.issue(name=name, unit=unit, days=days)
            # The hash stays out of the audit row too: it is all an attacker needs to test guesses.
            audit.record(
                action=audit.AuditAction.CREATE,
                target=partner,
                after=audit.snapshot(partner, exclude=("key_hash",)),
                region_code=unit.region_id,
            )
        self.stdout.write(self.style.SUCCESS(f"已创建对接系统“{partner.name}”（对接单位：{unit.name}）"))
        self.stdout.write(f"有效期至：{timezone.localtime(partner.expires_at):%Y-%m-%d %H:%M}")
        self.stdout.write("接口密钥（只显示这一次，请妥善转交对方，不要通过聊天工具发送）：")
        self.stdout.write(key)
