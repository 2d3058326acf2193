from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from qingyuan.accounts.roles import ADMIN_ROLES

from .models import PartnerSystem

# What a partner system may read besides its own leads: the licence register of its unit's
# jurisdiction, which the law has published anyway. Case files, inspections and subjects are the
# authorities' own and stay closed to partners (docs/api.md "对接系统能读取什么").
PARTNER_PERMS = frozenset({"registry.view"})
# last_used_at is written at most this often per partner, not on every call.
LAST_USED_EVERY = timedelta(minutes=1)


class PartnerPrincipal:
    """The request.user of a partner system's call: not a person, holds no role."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    role = "partner"
    pk = None

    def __init__(self, partner: PartnerSystem):
        self.partner = partner
        self.unit = partner.unit
        self.username = f"partner:{partner.name}"

    def get_username(self):
        return self.username

    def can(self, perm: str) -> bool:
        return perm in PARTNER_PERMS

    def __str__(self):
        return self.username


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Partner <key>` — one key per partner system (SECURITY.md: no shared accounts)."""

    keyword = "Partner"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="ignore")
        if not header.startswith(self.keyword + " "):
            return None
        key = header[len(self.keyword) + 1 :].strip()
        partner, current = PartnerSystem.by_key(key) if key else (None, False)
        if partner is None or not partner.is_active:
            raise exceptions.AuthenticationFailed("对接密钥无效或已停用")
        now = timezone.now()
        if not current and (partner.previous_expires_at is None or partner.previous_expires_at <= now):
            stopped = timezone.localtime(partner.previous_expires_at or now)
            raise exceptions.AuthenticationFailed(
                f"该对接密钥已更换，旧密钥已于{stopped:%Y-%m-%d %H:%M}停止使用，请使用新密钥"
            )
        if current and partner.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                f"对接密钥已于{timezone.localtime(partner.expires_at):%Y-%m-%d}过期，请联系管理员更换密钥"
            )
        if partner.last_used_at is None or partner.last_used_at < now - LAST_USED_EVERY:
            PartnerSystem.objects.filter(pk=partner.pk).update(last_used_at=now)
        return PartnerPrincipal(partner), partner

    def authenticate_header(self, request):
        return self.keyword


class UserTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` for officers' own scripts, with two limits DRF lacks: the three
    administrator roles are refused (they have no business with case data, and a token would skip
    their two-factor login), and a token expires QINGYUAN_API_TOKEN_DAYS after it was issued."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if user.role in ADMIN_ROLES:
            raise exceptions.AuthenticationFailed("管理员账号不能使用接口令牌，请在网页中登录")
        days = settings.QINGYUAN_API_TOKEN_DAYS
        if token.created < timezone.now() - timedelta(days=days):
            raise exceptions.AuthenticationFailed(f"接口令牌已过期（有效期{days}天），请重新申请")
        return user, token
