"""Partner systems (e.g. a 12345 hotline platform) that exchange data through the API with a key."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class PartnerSystem(models.Model):
    """One key per partner system; only its hash is stored. Leads it sends are routed like any other."""

    name = models.CharField(_("系统名称"), max_length=100, unique=True)
    unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("对接单位"),
        on_delete=models.PROTECT,
        related_name="partner_systems",
        help_text=_("无法识别地点的线索交由该单位分派"),
    )
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("密钥有效期至"), help_text=_("到期后密钥失效，须更换（partner_rotate）")
    )
    # After a rotation the previous key keeps working until previous_expires_at, so the partner can
    # deploy the new key without an outage; then it stops for good.
    previous_key_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    previous_expires_at = models.DateTimeField(_("旧密钥停用时间"), null=True, blank=True, editable=False)
    rotated_at = models.DateTimeField(_("最近更换密钥时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("对接系统")
        verbose_name_plural = _("对接系统")

    def __str__(self):
        return self.name

    @staticmethod
    def new_key() -> str:
        return "qy_" + secrets.token_urlsafe(32)

    @staticmethod
    def default_expiry():
        return timezone.now() + timedelta(days=settings.QINGYUAN_PARTNER_KEY_DAYS)

    @classmethod
    def issue(cls, *, name: str, unit, days: int | None = None) -> tuple["PartnerSystem", str]:
        """Create a partner and return its key, shown once and never stored in clear."""
        key = cls.new_key()
        expires = timezone.now() + timedelta(days=days) if days else cls.default_expiry()
        partner = cls.objects.create(
            name=name, unit=unit, key_prefix=key[:8], key_hash=hash_key(key), expires_at=expires
        )
        return partner, key

    def rotate(self, *, overlap_days: int, days: int | None = None) -> str:
        """A new key; the current one keeps working for overlap_days (0: stops now). Returns the new key."""
        now = timezone.now()
        key = self.new_key()
        self.previous_key_hash = self.key_hash
        self.previous_expires_at = min(now + timedelta(days=overlap_days), self.expires_at)
        self.key_hash = hash_key(key)
        self.key_prefix = key[:8]
        self.expires_at = now + timedelta(days=days) if days else self.default_expiry()
        self.rotated_at = now
        self.save()
        return key

    @classmethod
    def by_key(cls, key: str):
        """The partner holding this key as its current or previous one, and which of the two it is."""
        digest = hash_key(key)
        partner = (
            cls.objects.select_related("unit__region")
            .filter(Q(key_hash=digest) | Q(previous_key_hash=digest))
            .first()
        )
        if partner is None:
            return None, False
        return partner, partner.key_hash == digest
