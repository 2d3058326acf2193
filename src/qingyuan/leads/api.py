"""REST endpoints for leads.

Partner systems (a 12345 hotline platform, …) send leads and read back their progress with
`Authorization: Partner <key>`; officers read the leads of their jurisdiction. No serializer here
carries the reporter's identity or the tracking code (信访工作条例 第30条): a partner relays the
answer, it never needs to know who the reporter is on our side, and officers reveal a reporter
only on the lead's page, where each reveal is audited.

A repeated `external_id` from the same partner answers 409 with the existing lead's number rather
than creating a second lead or silently returning the first: a retry after a lost response gets
the number it needs, and a partner that reused a reference by mistake is told so instead of
having a different complaint swallowed.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from qingyuan.api.authentication import PartnerKeyAuthentication, PartnerPrincipal, UserTokenAuthentication
from qingyuan.api.errors import ErrorSerializer, error_response
from qingyuan.core.filters import SafeFilterSet
from qingyuan.core.idcard import validate_id_number
from qingyuan.subjects.models import PracticeContent

from . import services
from .forms import clean_phone_value
from .models import Category, Channel, Lead, Status

PARTNER_ACTIONS = {"create", "partner_status"}


def _messages(label: str, **extra) -> dict:
    """Chinese messages that name the field, so a partner's developer knows what to fix."""
    return {
        "required": f"请填写{label}",
        "blank": f"{label}不能为空",
        "null": f"{label}不能为空",
        "invalid": f"{label}格式不正确",
        "max_length": f"{label}不能超过{{max_length}}个字符",
        **extra,
    }


def _choices_hint(choices) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices)


class IsPartner(permissions.BasePermission):
    message = "该接口仅供对接系统使用"

    def has_permission(self, request, view):
        return isinstance(request.user, PartnerPrincipal)


class CanViewLeads(permissions.BasePermission):
    message = "您的角色不能查看线索"

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.can("leads.view"))


class ReporterInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, error_messages=_messages("举报人姓名（reporter.name）"))
    phone = serializers.CharField(max_length=32, error_messages=_messages("举报人联系电话（reporter.phone）"))
    id_number = serializers.CharField(
        max_length=18,
        required=False,
        allow_blank=True,
        default="",
        error_messages=_messages("举报人身份证号（reporter.id_number）"),
    )

    def validate_phone(self, value):
        try:
            return clean_phone_value(value, required=True)
        except DjangoValidationError as exc:
            raise ValidationError([f"举报人联系电话：{m}" for m in exc.messages]) from None

    def validate_id_number(self, value):
        if not value:
            return ""
        try:
            return validate_id_number(value)
        except DjangoValidationError as exc:
            raise ValidationError([f"举报人身份证号：{m}" for m in exc.messages]) from None


class PartnerLeadCreateSerializer(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=64,
        help_text="对方系统的工单编号，同一对接系统内唯一",
        error_messages=_messages("对方编号（external_id）"),
    )
    received_at = serializers.DateTimeField(
        required=False,
        help_text="对方受理来电/来件的时间（ISO 8601，含时区）；不填为当前时间",
        error_messages=_messages(
            "收到时间（received_at）",
            invalid="收到时间（received_at）格式应为 ISO 8601，如 2025-03-01T09:30:00+08:00",
        ),
    )
    category = serializers.ChoiceField(
        choices=Category.choices,
        default=Category.OTHER,
        help_text="问题类别：" + _choices_hint(Category.choices),
        error_messages=_messages(
            "问题类别（category）",
            invalid_choice="问题类别（category）“{input}”无效，可选：" + _choices_hint(Category.choices),
        ),
    )
    content = serializers.CharField(
        max_length=5000, help_text="反映内容", error_messages=_messages("反映内容（content）")
    )
    place = serializers.CharField(
        max_length=300,
        help_text="反映地点，尽量写到乡镇、村和门牌，用于确定承办单位",
        error_messages=_messages("反映地点（place）"),
    )
    reported_person = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="被反映人",
        error_messages=_messages("被反映人（reported_person）"),
    )
    reported_phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="被反映人电话",
        error_messages=_messages("被反映人电话（reported_phone）"),
    )
    practice_content = serializers.ChoiceField(
        choices=PracticeContent.choices,
        default=PracticeContent.OTHER,
        help_text="行医内容：" + _choices_hint(PracticeContent.choices),
        error_messages=_messages(
            "行医内容（practice_content）",
            invalid_choice="行医内容（practice_content）“{input}”无效，可选："
            + _choices_hint(PracticeContent.choices),
        ),
    )
    anonymous = serializers.BooleanField(
        default=True,
        help_text="是否匿名；实名举报须同时提交 reporter",
        error_messages=_messages("是否匿名（anonymous）", invalid="是否匿名（anonymous）应为 true 或 false"),
    )
    reporter = ReporterInputSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="实名举报人：姓名、联系电话（必填）、身份证号（选填）；本系统加密保存，任何接口均不返回",
    )

    def validate_received_at(self, value):
        if value > timezone.now() + timezone.timedelta(minutes=5):
            raise ValidationError("收到时间（received_at）不能晚于现在")
        return value

    def validate_reported_phone(self, value):
        try:
            return clean_phone_value(value)
        except DjangoValidationError as exc:
            raise ValidationError([f"被反映人电话（reported_phone）：{m}" for m in exc.messages]) from None

    def validate(self, attrs):
        if attrs.get("anonymous", True):
            # Refused rather than dropped: storing identity the partner marked anonymous, or
            # silently discarding it, would both surprise the reporter.
            if attrs.get("reporter"):
                raise ValidationError(
                    {"reporter": "匿名举报不应提交举报人信息；实名举报请将 anonymous 设为 false"}
                )
        elif not attrs.get("reporter"):
            raise ValidationError({"reporter": "实名举报（anonymous 为 false）须提交举报人姓名和联系电话"})
        return attrs


class PartnerLeadCreatedSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="线索编号")
    tracking_code = serializers.CharField(help_text="查询码：举报人凭此码查询办理结果，请转告举报人")
    status = serializers.CharField(help_text="状态代码")
    status_label = serializers.CharField(source="get_status_display", help_text="状态名称")
    handling_unit = serializers.CharField(source="handling_unit.name", help_text="承办单位")
    routing_note = serializers.CharField(help_text="地址识别与分派说明")


class PartnerConflictSerializer(ErrorSerializer):
    number = serializers.CharField(help_text="已登记线索的编号")


class PartnerLeadStatusSerializer(serializers.Serializer):
    """What a partner may know of its lead: progress and the answer, nothing about people."""

    number = serializers.CharField(help_text="线索编号")
    external_id = serializers.CharField(help_text="对方编号")
    status = serializers.CharField(help_text="状态代码")
    status_label = serializers.CharField(source="get_status_display", help_text="状态名称")
    received_at = serializers.DateTimeField(help_text="收到时间")
    accepted_at = serializers.SerializerMethodField(help_text="受理时间；未受理为空")
    concluded_at = serializers.DateTimeField(allow_null=True, help_text="核查结论时间")
    conclusion = serializers.CharField(help_text="核查结论代码；未出结论为空")
    conclusion_label = serializers.CharField(source="get_conclusion_display", help_text="核查结论")
    answered_at = serializers.DateTimeField(allow_null=True, help_text="答复时间")
    feedback = serializers.SerializerMethodField(help_text="答复内容（已答复后才有）")
    closed_at = serializers.DateTimeField(allow_null=True, help_text="办结时间")

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_accepted_at(self, lead):
        event = lead.events.filter(to_status=Status.ACCEPTED).order_by("id").first()
        return serializers.DateTimeField().to_representation(event.at) if event else None

    def get_feedback(self, lead) -> str:
        # After concluding, `feedback` holds the draft from the template until an officer answers;
        # a draft must not reach the reporter through the partner.
        return lead.feedback if lead.answered_at else ""


class LeadSerializer(serializers.ModelSerializer):
    """Officers' view of a lead. No reporter, no tracking code, no officers: see the module note."""

    # Masked like on the lead page; the full number is revealed (and audited) on the page only.
    reported_phone = serializers.CharField(
        source="reported_phone_masked", read_only=True, help_text="被反映人电话（已脱敏）"
    )
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    practice_content_label = serializers.CharField(source="get_practice_content_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    conclusion_label = serializers.CharField(source="get_conclusion_display", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True, default="")
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True)
    real_name = serializers.BooleanField(read_only=True, help_text="是否实名举报（不含举报人信息）")
    due = serializers.SerializerMethodField(help_text="当前环节的期限")
    overdue = serializers.SerializerMethodField(help_text="当前环节是否已超期（按期限和今天计算）")

    class Meta:
        model = Lead
        fields = [
            "number",
            "channel",
            "channel_label",
            "category",
            "category_label",
            "received_at",
            "content",
            "place",
            "reported_person",
            "reported_phone",
            "practice_content",
            "practice_content_label",
            "region_name",
            "routing_note",
            "handling_unit_name",
            "real_name",
            "status",
            "status_label",
            "conclusion",
            "conclusion_label",
            "concluded_at",
            "answered_at",
            "closed_at",
            "due",
            "overdue",
            "external_id",
        ]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_due(self, lead):
        due = services.current_due(lead)
        return due.isoformat() if due else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, lead) -> bool:
        due = services.current_due(lead)
        return bool(due and due < timezone.localdate())


class LeadFilterSet(SafeFilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, label="状态")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="来源渠道")
    overdue = django_filters.BooleanFilter(label="已超期", method="filter_overdue")

    class Meta:
        model = Lead
        fields = ["status", "channel"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.not_overdue()


class LeadAutoSchema(AutoSchema):
    """Document the credentials each endpoint really accepts: the partner key for intake and
    status, an officer's token or session for the rest (all are listed on the view so that every
    scheme is registered)."""

    def get_auth(self):
        auths = super().get_auth()
        partner = getattr(self.view, "action", None) in PARTNER_ACTIONS
        return [a for a in auths if ("partnerKey" in a) == partner]


CREATE_EXAMPLE = OpenApiExample(
    "12345热线转来的实名举报",
    request_only=True,
    value={
        "external_id": "12345-2025-0301-0088",
        "received_at": "2025-03-01T09:30:00+08:00",
        "category": "unlicensed",
        "content": "金星村12号有人在家中给村民输液，无任何证照。",
        "place": "苏州市吴中区木渎镇金星村12号",
        "reported_person": "张某",
        "reported_phone": "13800000000",
        "practice_content": "other",
        "anonymous": False,
        "reporter": {"name": "李某", "phone": "13900000000", "id_number": ""},
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="线索列表",
        description=(
            "当前用户辖区内（按承办单位所在区划）的线索，可按状态、来源渠道、是否超期筛选。"
            "供执法人员使用（会话或令牌认证，须有查看线索权限）。不含举报人信息和查询码。"
        ),
        tags=["leads"],
    ),
    retrieve=extend_schema(
        summary="线索详情",
        description="按线索编号查看。辖区外或不存在的线索均返回 404。不含举报人信息和查询码。",
        tags=["leads"],
    ),
)
class LeadViewSet(viewsets.GenericViewSet):
    # Partner first, so a call without credentials gets 401 with `WWW-Authenticate: Partner`.
    authentication_classes = [PartnerKeyAuthentication, UserTokenAuthentication, SessionAuthentication]
    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet
    lookup_field = "number"
    schema = LeadAutoSchema()

    def get_permissions(self):
        if self.action in PARTNER_ACTIONS:
            return [IsPartner()]
        return [CanViewLeads()]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation: only the model matters
            return Lead.objects.none()
        if self.action == "partner_status":
            # A partner sees only the leads it sent: "not yours" and "missing" are both 404.
            return Lead.objects.filter(partner=user.partner)
        return (
            Lead.objects.visible_to(user).select_related("handling_unit", "region").order_by("-received_at")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return PartnerLeadCreateSerializer
        if self.action == "partner_status":
            return PartnerLeadStatusSerializer
        return LeadSerializer

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(LeadSerializer(page, many=True).data)

    def retrieve(self, request, number=None):
        return Response(LeadSerializer(self.get_object()).data)

    @extend_schema(
        summary="对接系统报送线索",
        description=(
            "对接系统（如12345热线平台）报送一条线索，使用 `Authorization: Partner <密钥>` 认证。"
            "系统按反映地点自动确定承办单位；地点无法识别或位于交界处的，由市级统一分派，"
            "仍无法确定的交对接单位分派。\n\n"
            "`external_id` 为对方工单编号，同一对接系统内唯一：重复报送返回 409 及已登记线索的编号，"
            "不会重复登记（网络超时后重试可据此取回编号）。\n\n"
            "实名举报须提交 reporter（姓名、联系电话），举报人信息加密保存，任何接口都不会返回。"
            "字段校验不通过返回 400，错误信息按字段给出。"
        ),
        request=PartnerLeadCreateSerializer,
        responses={
            201: PartnerLeadCreatedSerializer,
            400: OpenApiResponse(description="字段校验不通过，按字段给出中文错误信息"),
            401: OpenApiResponse(description="缺少对接密钥，或密钥无效、已停用"),
            409: PartnerConflictSerializer,
        },
        examples=[CREATE_EXAMPLE],
        tags=["leads"],
    )
    def create(self, request):
        partner = request.user.partner
        serializer = PartnerLeadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            lead, created = services.partner_lead_register(
                partner=partner,
                external_id=data["external_id"],
                received_at=data.get("received_at"),
                content=data["content"],
                place=data["place"],
                category=data["category"],
                practice_content=data["practice_content"],
                reported_person=data["reported_person"],
                reported_phone=data["reported_phone"],
                reporter=dict(data["reporter"]) if data["reporter"] else None,
            )
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from None
        if not created:
            return self._conflict(data["external_id"], lead.number)
        return Response(PartnerLeadCreatedSerializer(lead).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _conflict(external_id, number):
        return error_response(
            status.HTTP_409_CONFLICT,
            f"对方编号“{external_id}”已登记为线索 {number}，未重复登记",
            code="duplicate",
            field="external_id",
            number=number,
        )

    @extend_schema(
        operation_id="leads_partner_status",
        summary="对接系统查询线索办理情况",
        description=(
            "对接系统查询自己报送的线索：状态、收到/受理/结论/答复/办结时间、核查结论和答复内容"
            "（答复后才有）。只能查询本系统报送的线索，其他线索一律返回 404。"
            "不含举报人信息、内部核查情况和承办人员姓名。"
        ),
        responses={
            200: PartnerLeadStatusSerializer,
            401: OpenApiResponse(description="缺少对接密钥，或密钥无效、已停用"),
            404: OpenApiResponse(description="线索不存在或不是本系统报送的"),
        },
        tags=["leads"],
    )
    @action(detail=True, methods=["get"], url_path="status")
    def partner_status(self, request, number=None):
        return Response(PartnerLeadStatusSerializer(self.get_object()).data)


def register(router):
    """Lead endpoints: partner intake and status, officers' list and detail."""
    router.register("leads", LeadViewSet, basename="lead")
