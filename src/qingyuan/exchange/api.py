"""The penalty feed other regions' platforms read: GET /api/v1/exchange/penalties/?since=&limit=

Only a partner system with an active exchange subscription may read it (`Authorization: Partner
<key>`); officers' sessions and tokens are refused, the feed is for platforms. The body is signed
with this platform's Ed25519 key over its exact bytes (signing.py), so the reader can prove where
a page came from and that nothing in it was changed on the way.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.views import APIView

from qingyuan.api.authentication import PartnerKeyAuthentication, PartnerPrincipal

from . import export, signing
from .models import ExchangeSubscription


class PenaltyFeedView(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = []

    @extend_schema(
        operation_id="exchange_penalties",
        summary="处罚信息共享：已决定的非法行医行政处罚记录（签名应答，docs/exchange.md）",
        parameters=[
            OpenApiParameter("since", str, description="上一页应答的 next；首次读取不传"),
            OpenApiParameter(
                "limit", int, description=f"每页条数，默认 {export.DEFAULT_LIMIT}，最多 {export.MAX_LIMIT}"
            ),
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="一页记录；签名见应答头 X-Qingyuan-Signature"
            )
        },
    )
    def get(self, request):
        if not settings.QINGYUAN_EXCHANGE_ENABLED:
            raise exceptions.NotFound("本平台未开启处罚信息共享")
        principal = request.user
        if not isinstance(principal, PartnerPrincipal):
            raise exceptions.NotAuthenticated("请使用对接系统密钥（Authorization: Partner <密钥>）读取")
        subscription = ExchangeSubscription.objects.filter(partner=principal.partner, is_active=True).first()
        if subscription is None:
            raise exceptions.PermissionDenied("该对接系统未获准读取处罚信息共享数据")
        try:
            since = export.parse_cursor(request.query_params.get("since"))
        except export.BadCursor as bad:
            raise exceptions.ValidationError({"since": [str(bad)]}) from None
        raw_limit = (request.query_params.get("limit") or "").strip()
        if raw_limit and (not raw_limit.isdigit() or not 1 <= int(raw_limit) <= export.MAX_LIMIT):
            raise exceptions.ValidationError({"limit": [f"limit 应为 1 至 {export.MAX_LIMIT} 的整数"]})
        limit = int(raw_limit) if raw_limit else export.DEFAULT_LIMIT
        body = export.page(since=since, limit=limit, subscriber=principal.partner.name)
        ExchangeSubscription.objects.filter(pk=subscription.pk).update(last_read_at=timezone.now())
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response[signing.HEADER] = signing.sign(body)
        return response
