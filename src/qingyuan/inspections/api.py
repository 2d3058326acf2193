"""Read endpoints of inspections, scoped like the inspection pages (inspections.view,
Inspection.objects.visible_to). The persons present are not part of the API; the findings leave
with ID and phone numbers masked (api/readonly.py)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from qingyuan.api.readonly import ScopedReadViewSet, ScrubbedTextField
from qingyuan.core.filters import SafeFilterSet, region_prefix_filter

from .models import Inspection, InspectionKind, InspectionOutcome


class InspectionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    lead_number = serializers.CharField(source="lead.number", read_only=True, default=None, allow_null=True)
    findings = ScrubbedTextField(help_text="检查情况（身份证号、电话号码已脱敏）")

    class Meta:
        model = Inspection
        fields = [
            "id",
            "kind",
            "kind_label",
            "started_at",
            "ended_at",
            "subject",
            "subject_name",
            "region",
            "region_name",
            "unit",
            "unit_name",
            "officer_count",
            "vehicles",
            "findings",
            "outcome",
            "outcome_label",
            "lead_number",
            "campaign",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InspectionFilterSet(SafeFilterSet):
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label="检查方式")
    outcome = django_filters.ChoiceFilter(choices=InspectionOutcome.choices, label="处理结果")
    subject = django_filters.NumberFilter(field_name="subject_id", label="监管对象编号")
    region = region_prefix_filter()

    class Meta:
        model = Inspection
        fields = ["kind", "outcome", "subject", "region"]


@extend_schema_view(
    list=extend_schema(
        summary="监督检查列表",
        description="当前用户辖区内的监督检查记录，可按检查方式、处理结果、监管对象、区划代码前缀筛选；"
        "支持 updated_since 增量同步。不含在场人员；检查情况中的身份证号、电话号码已脱敏。",
        tags=["inspections"],
    ),
    retrieve=extend_schema(
        summary="监督检查详情", description="辖区外或不存在的均返回 404。", tags=["inspections"]
    ),
)
class InspectionViewSet(ScopedReadViewSet):
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    view_perm = "inspections.view"
    view_denied = "您的角色不能查看监督检查"

    def scoped(self, user):
        return (
            Inspection.objects.visible_to(user)
            .select_related("subject", "region", "unit", "lead")
            .order_by("-started_at", "-id")
        )


def register(router):
    router.register("inspections", InspectionViewSet, basename="inspection")
