"""An officer's own API token: `POST /api/v1/auth/token/rotate/` issues a new one and ends the old.

Called with the current token (before it expires) or from a logged-in browser session (to get a
first token, or a new one after expiry). The three administrator roles get none: a token would
skip their two-factor login (api/authentication.py). The token is shown in this answer only.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from qingyuan.accounts.roles import ADMIN_ROLES
from qingyuan.core import audit

from .authentication import PartnerKeyAuthentication, PartnerPrincipal, UserTokenAuthentication


class MayHoldToken(permissions.BasePermission):
    message = "管理员账号和对接系统不能申请接口令牌"

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and not isinstance(user, PartnerPrincipal)
            and user.role not in ADMIN_ROLES
        )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="新令牌，只显示这一次；请求头 `Authorization: Token <令牌>`")
    created_at = serializers.DateTimeField(help_text="签发时间")
    expires_at = serializers.DateTimeField(help_text="到期时间（签发后 QINGYUAN_API_TOKEN_DAYS 天）")


class TokenRotateView(APIView):
    authentication_classes = [UserTokenAuthentication, PartnerKeyAuthentication, SessionAuthentication]
    permission_classes = [MayHoldToken]

    @extend_schema(
        operation_id="auth_token_rotate",
        summary="更换本人的接口令牌",
        description=(
            "签发新令牌，原令牌立即失效。可用当前令牌调用（到期前更换），也可在网页登录后调用"
            "（首次申请或过期后重新申请）。管理员账号不能申请。"
        ),
        request=None,
        responses={
            201: TokenSerializer,
            401: OpenApiResponse(description="未登录，或令牌无效、已过期"),
            403: OpenApiResponse(description="管理员账号不能使用接口令牌"),
        },
        tags=["auth"],
    )
    def post(self, request):
        user = request.user
        with transaction.atomic():
            had = Token.objects.filter(user=user).delete()[0] > 0
            token = Token.objects.create(user=user)
            audit.record(
                actor=user,
                action=audit.AuditAction.UPDATE if had else audit.AuditAction.CREATE,
                target_type="authtoken.token",
                target_repr=f"{user.get_username()} 的接口令牌",
                region_code=user.unit.region_id if user.unit_id else "",
                after={"created": token.created.isoformat(), "replaced_previous": had},
                request=request._request,
            )
        expires = token.created + timedelta(days=settings.QINGYUAN_API_TOKEN_DAYS)
        data = TokenSerializer({"token": token.key, "created_at": token.created, "expires_at": expires}).data
        return Response(data, status=201)
