from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from qingyuan.accounts.roles import ADMIN_ROLES

from .models import PartnerSystem, hash_key


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
        return False

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
        partner = PartnerSystem.objects.select_related("unit__region").filter(key_hash=hash_key(key)).first()
        if partner is None or not partner.is_active:
            raise exceptions.AuthenticationFailed("对接密钥无效或已停用")
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
