"""Partner systems (e.g. a 12345 hotline platform) that exchange data through the API with a key."""

import hashlib
import secrets

from django.db import models
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

    class Meta:
        verbose_name = _("对接系统")
        verbose_name_plural = _("对接系统")

    def __str__(self):
        return self.name

    @classmethod
    def issue(cls, *, name: str, unit) -> tuple["PartnerSystem", str]:
        """Create a partner and return its key, shown once and never stored in clear."""
        key = "qy_" + secrets.token_urlsafe(32)
        partner = cls.objects.create(name=name, unit=unit, key_prefix=key[:8], key_hash=hash_key(key))
        return partner, key
