"""Read endpoints of cases, penalty decisions (with their measures) and referrals, scoped like the
case pages: the cases.view permission and Case.objects.visible_to (a decision or a referral is
visible with its case). Never in the answers: the party's ID number (or its blind index), the
party's home address, the reporter; officers' free text (facts, reasons, notes) leaves with ID and
phone numbers masked (api/readonly.py)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from qingyuan.api.readonly import ScopedReadViewSet, ScrubbedTextField
from qingyuan.core.filters import SafeFilterSet, region_prefix_filter

from .models import (
    Case,
    CaseStatus,
    DecisionKind,
    PenaltyDecision,
    PenaltyMeasure,
    Referral,
    ReferralStatus,
    ReferralTarget,
)

CASE_DENIED = "您的角色不能查看案件"


class CaseSerializer(serializers.ModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    party_kind_label = serializers.CharField(source="get_party_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    close_kind_label = serializers.CharField(source="get_close_kind_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    lead_number = serializers.CharField(source="lead.number", read_only=True, default=None, allow_null=True)
    facts = ScrubbedTextField(help_text="违法事实（身份证号、电话号码已脱敏）")

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "facts",
            "source",
            "source_label",
            "status",
            "status_label",
            "unit",
            "unit_name",
            "region",
            "region_name",
            "subject",
            "subject_name",
            "lead_number",
            "inspection",
            "campaign",
            "party_kind",
            "party_kind_label",
            "party_name",
            "offence_date",
            "illegal_income",
            "crime_suspected",
            "opened_on",
            "decide_due",
            "decided_on",
            "served_on",
            "closed_on",
            "close_kind",
            "close_kind_label",
            "earlier_case",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaseFilterSet(SafeFilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label="状态")
    crime_suspected = django_filters.BooleanFilter(label="涉嫌非法行医罪")
    subject = django_filters.NumberFilter(field_name="subject_id", label="监管对象编号")
    region = region_prefix_filter()

    class Meta:
        model = Case
        fields = ["status", "crime_suspected", "subject", "region"]


@extend_schema_view(
    list=extend_schema(
        summary="案件列表",
        description="当前用户辖区内的案件（含指定管辖给本单位的），可按状态、是否涉嫌犯罪、监管对象、"
        "区划代码前缀筛选；支持 updated_since 增量同步。不含当事人身份证号和住址。",
        tags=["cases"],
    ),
    retrieve=extend_schema(
        summary="案件详情", description="辖区外或不存在的案件均返回 404。", tags=["cases"]
    ),
)
class CaseViewSet(ScopedReadViewSet):
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    view_perm = "cases.view"
    view_denied = CASE_DENIED

    def scoped(self, user):
        return (
            Case.objects.visible_to(user)
            .select_related("unit", "region", "subject", "lead")
            .defer("party_id_number", "party_id_index", "party_address")
            .order_by("-created_at", "-id")
        )


class MeasureSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = PenaltyMeasure
        fields = ["kind", "kind_label", "amount", "description"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    procedure_label = serializers.CharField(source="get_procedure_display", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True, allow_null=True)
    party_name = serializers.CharField(source="case.party_name", read_only=True)
    unit_name = serializers.CharField(source="case.unit.name", read_only=True)
    region = serializers.CharField(source="case.region_id", read_only=True)
    offence_code = serializers.CharField(source="offence.code", read_only=True)
    offence_name = serializers.CharField(source="offence.name", read_only=True)
    legal_basis = serializers.CharField(source="offence.basis", read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = PenaltyDecision
        fields = [
            "id",
            "case",
            "case_number",
            "party_name",
            "unit_name",
            "region",
            "kind",
            "kind_label",
            "procedure",
            "procedure_label",
            "offence_code",
            "offence_name",
            "legal_basis",
            "measures",
            "decided_on",
            "served_on",
            "payment_due",
            "filed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DecisionFilterSet(SafeFilterSet):
    kind = django_filters.ChoiceFilter(choices=DecisionKind.choices, label="决定类型")
    decided_from = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte", label="决定日期起")
    decided_to = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte", label="决定日期止")

    class Meta:
        model = PenaltyDecision
        fields = ["kind", "decided_from", "decided_to"]


@extend_schema_view(
    list=extend_schema(
        summary="行政处罚决定列表",
        description="辖区内案件的行政处罚决定（含不予行政处罚决定）及各项处罚（种类、金额），"
        "可按决定类型、决定日期筛选；支持 updated_since 增量同步。",
        tags=["cases"],
    ),
    retrieve=extend_schema(
        summary="行政处罚决定详情", description="案件在辖区外或决定不存在的均返回 404。", tags=["cases"]
    ),
)
class DecisionViewSet(ScopedReadViewSet):
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet
    view_perm = "cases.view"
    view_denied = CASE_DENIED

    def scoped(self, user):
        return (
            PenaltyDecision.objects.filter(case__in=Case.objects.visible_to(user).values("pk"))
            .select_related("case__unit", "offence")
            .prefetch_related("measures")
            .order_by("-decided_on", "-id")
        )


class ReferralSerializer(serializers.ModelSerializer):
    target_label = serializers.CharField(source="get_target_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    investigation_result_label = serializers.CharField(
        source="get_investigation_result_display", read_only=True
    )
    case_number = serializers.CharField(source="case.number", read_only=True, allow_null=True)
    receiving_unit_name = serializers.CharField(
        source="receiving_unit.name", read_only=True, default=None, allow_null=True
    )
    reason = ScrubbedTextField(help_text="移送理由（身份证号、电话号码已脱敏）")
    outcome_note = ScrubbedTextField(help_text="结果说明（身份证号、电话号码已脱敏）")

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_number",
            "target",
            "target_label",
            "target_unit",
            "receiving_unit",
            "receiving_unit_name",
            "reason",
            "status",
            "status_label",
            "proposed_on",
            "approved_on",
            "transferred_at",
            "receipt_no",
            "received_on",
            "outcome",
            "outcome_label",
            "outcome_on",
            "outcome_note",
            "investigation_result",
            "investigation_result_label",
            "investigation_result_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReferralFilterSet(SafeFilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label="状态")
    target = django_filters.ChoiceFilter(choices=ReferralTarget.choices, label="移送对象")
    case = django_filters.NumberFilter(field_name="case_id", label="案件编号（id）")

    class Meta:
        model = Referral
        fields = ["status", "target", "case"]


@extend_schema_view(
    list=extend_schema(
        summary="案件移送列表",
        description="辖区内案件的移送（公安机关、市场监管、药品监管等）及接收、受理、办理结果，"
        "可按状态、移送对象、案件筛选；支持 updated_since 增量同步。",
        tags=["cases"],
    ),
    retrieve=extend_schema(
        summary="案件移送详情", description="案件在辖区外或移送不存在的均返回 404。", tags=["cases"]
    ),
)
class ReferralViewSet(ScopedReadViewSet):
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilterSet
    view_perm = "cases.view"
    view_denied = CASE_DENIED

    def scoped(self, user):
        return (
            Referral.objects.visible_to(user)
            .select_related("case", "receiving_unit")
            .order_by("-created_at", "-id")
        )


def register(router):
    """Case endpoints: cases, penalty decisions with measures, referrals (read only)."""
    router.register("cases/decisions", DecisionViewSet, basename="case-decision")
    router.register("cases/referrals", ReferralViewSet, basename="case-referral")
    router.register("cases", CaseViewSet, basename="case")
