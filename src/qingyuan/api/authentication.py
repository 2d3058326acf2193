from rest_framework import authentication, exceptions

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
