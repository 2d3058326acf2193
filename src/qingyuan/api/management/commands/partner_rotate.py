from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from qingyuan.api.models import PartnerSystem
from qingyuan.core import audit

SECRET_FIELDS = ("key_hash", "previous_key_hash")


class Command(BaseCommand):
    help = "更换对接系统的接口密钥：打印新密钥；旧密钥在过渡期内继续有效，期满停用"

    def add_arguments(self, parser):
        parser.add_argument("name", help="对接系统名称")
        parser.add_argument(
            "--overlap-days",
            type=int,
            default=None,
            help="旧密钥继续有效的天数，默认 QINGYUAN_PARTNER_KEY_OVERLAP_DAYS（7）；0 为立即停用（密钥泄露时）",
        )
        parser.add_argument(
            "--days", type=int, default=None, help="新密钥有效天数，默认 QINGYUAN_PARTNER_KEY_DAYS（365）"
        )

    def handle(self, *args, name, overlap_days=None, days=None, **options):
        overlap = settings.QINGYUAN_PARTNER_KEY_OVERLAP_DAYS if overlap_days is None else overlap_days
        if overlap < 0:
            raise CommandError("过渡天数（--overlap-days）不能为负数")
        if days is not None and days < 1:
            raise CommandError("有效天数（--days）应为正整数")
        with transaction.atomic():
            partner = PartnerSystem.objects.select_for_update().filter(name=name).first()
            if partner is None:
                raise CommandError(f"对接系统“{name}”不存在")
            if not partner.is_active:
                raise CommandError(f"对接系统“{name}”已停用，请先在管理后台启用")
            before = audit.snapshot(partner, exclude=SECRET_FIELDS)
            key = partner.rotate(overlap_days=overlap, days=days)
            # The hashes stay out of the audit row: they are all an attacker needs to test guesses.
            audit.record(
                action=audit.AuditAction.UPDATE,
                target=partner,
                before=before,
                after=audit.snapshot(partner, exclude=SECRET_FIELDS),
                region_code=partner.unit.region_id,
            )
        old_until = timezone.localtime(partner.previous_expires_at)
        self.stdout.write(self.style.SUCCESS(f"已为对接系统“{partner.name}”更换密钥"))
        self.stdout.write(f"旧密钥继续有效至：{old_until:%Y-%m-%d %H:%M}")
        self.stdout.write(f"新密钥有效期至：{timezone.localtime(partner.expires_at):%Y-%m-%d %H:%M}")
        self.stdout.write("新接口密钥（只显示这一次，请妥善转交对方，不要通过聊天工具发送）：")
        self.stdout.write(key)
