"""Setting up the exchange: which partner systems may read our feed, which platforms we read.
Each write in one transaction with its audit row; run by a system administrator (exchange.manage)
or by the management commands on the server."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qingyuan.core import audit

from . import signing
from .models import ExchangePeer, ExchangeSubscription


def _require(actor):
    if actor is not None and not actor.can("exchange.manage"):
        raise PermissionDenied("只有系统管理员可以设置处罚信息共享")


@transaction.atomic
def subscription_set(*, actor=None, partner, active: bool = True) -> ExchangeSubscription:
    """Allow (or stop) a partner system reading the penalty feed."""
    _require(actor)
    subscription, created = ExchangeSubscription.objects.select_for_update().get_or_create(
        partner=partner, defaults={"is_active": active}
    )
    before = None if created else {"is_active": subscription.is_active}
    if not created and subscription.is_active != active:
        subscription.is_active = active
        subscription.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE if created else audit.AuditAction.UPDATE,
        target=subscription,
        before=before,
        after={"partner": partner.name, "is_active": subscription.is_active},
    )
    return subscription


@transaction.atomic
def peer_save(
    *, actor=None, name: str, base_url: str, partner_key: str, public_key: str, active: bool = True
):
    """Register (or update) a platform whose feed we read. The partner key it issued us is stored
    encrypted and never written to the audit log."""
    _require(actor)
    name, base_url, partner_key, public_key = (v.strip() for v in (name, base_url, partner_key, public_key))
    errors = {}
    if not name:
        errors["name"] = "请填写对方平台名称"
    if not base_url.startswith(("https://", "http://")):
        errors["base_url"] = "对方平台地址应以 https:// 开头"
    if not partner_key:
        errors["partner_key"] = "请填写对方签发给本平台的接口密钥"
    if not signing.valid_public_key(public_key):
        errors["public_key"] = "签名公钥应为对方 exchange_public_key 命令显示的 Base64 值（32 字节）"
    if errors:
        raise ValidationError(errors)
    peer = ExchangePeer.objects.select_for_update().filter(name=name).first()
    before = audit.snapshot(peer, exclude=("partner_key",)) if peer else None
    if peer is None:
        peer = ExchangePeer(name=name)
    peer.base_url, peer.partner_key, peer.public_key, peer.is_active = (
        base_url,
        partner_key,
        public_key,
        active,
    )
    peer.full_clean()
    peer.save()
    b, a = audit.diff(before, audit.snapshot(peer, exclude=("partner_key",)))
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE if before is None else audit.AuditAction.UPDATE,
        target=peer,
        before=b,
        after=a,
    )
    return peer
