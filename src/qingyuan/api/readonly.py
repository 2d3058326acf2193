"""What the read endpoints of subjects, inspections, cases, decisions and referrals share.

Each is scoped exactly like its pages: the page's permission (`view_perm`, checked with
user.can) and the model's `visible_to(user)`, so a record outside the caller's jurisdiction is 404,
the same as a missing one. Partner systems hold none of these permissions (api/authentication.py
PARTNER_PERMS): they get 403. Lists page and sync through api/pagination.py.

Free text written by officers (facts, findings, reasons) may quote an ID or a phone number; it
leaves through `ScrubbedTextField`, which masks them the way the pages mask stored numbers.
"""

from __future__ import annotations

import re

from rest_framework import permissions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication

from qingyuan.core.crypto import mask
from qingyuan.portal.redaction import ID_NUMBER_RE, LANDLINE_RE, MOBILE_RE

from .authentication import PartnerKeyAuthentication, UserTokenAuthentication


def scrub(text: str) -> str:
    text = ID_NUMBER_RE.sub(lambda m: mask(m.group(0)), text or "")
    for pattern in (MOBILE_RE, LANDLINE_RE):
        text = pattern.sub(lambda m: mask(re.sub(r"\D", "", m.group(0)), 3, 2), text)
    return text


class ScrubbedTextField(serializers.CharField):
    """Officers' free text with ID and phone numbers masked (3205**********1234, 139******78)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return scrub(str(value or ""))


class CanView(permissions.BasePermission):
    """The view's `view_perm`, the permission its pages require."""

    def has_permission(self, request, view):
        user = request.user
        allowed = bool(user and user.is_authenticated and user.can(view.view_perm))
        if not allowed:
            self.message = view.view_denied
        return allowed


class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet):
    # Token first, so a call without credentials gets 401 with WWW-Authenticate rather than 403.
    authentication_classes = [UserTokenAuthentication, PartnerKeyAuthentication, SessionAuthentication]
    permission_classes = [CanView]
    # Ids only, and short enough for a bigint: a longer number is 404 at the router, never an overflow.
    lookup_value_regex = r"[0-9]{1,18}"
    view_perm = ""
    view_denied = "您的角色不能查看这些记录"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: only the model matters
            return self.scoped(None).none()
        return self.scoped(self.request.user)

    def scoped(self, user):
        """The records `user` may read, ordered for browsing (sync pages reorder by updated_at, id)."""
        raise NotImplementedError
