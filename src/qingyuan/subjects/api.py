"""Read endpoints of the subjects under supervision, scoped like the subject pages (subjects.view,
Subject.objects.visible_to). The persons of a subject (ID numbers, phones) are not part of the API;
the internal notes are not either."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from qingyuan.api.readonly import ScopedReadViewSet
from qingyuan.core.filters import SafeFilterSet, region_prefix_filter

from .models import Subject, SubjectKind, SubjectStatus


class SubjectSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    practice_content_label = serializers.CharField(source="get_practice_content_display", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)

    class Meta:
        model = Subject
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "address",
            "region",
            "region_name",
            "latitude",
            "longitude",
            "practice_content",
            "practice_content_label",
            "institution_type",
            "border_area",
            "needs_joint_action",
            "institution",
            "status",
            "status_label",
            "found_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SubjectFilterSet(SafeFilterSet):
    kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label="类型")
    status = django_filters.ChoiceFilter(choices=SubjectStatus.choices, label="状态")
    region = region_prefix_filter()

    class Meta:
        model = Subject
        fields = ["kind", "status", "region"]


@extend_schema_view(
    list=extend_schema(
        summary="监管对象列表",
        description="当前用户辖区内的监管对象（无证诊所、游医等），可按类型、状态、区划代码前缀筛选；"
        "支持 updated_since 增量同步。不含相关人员（身份证号、电话）和内部备注。",
        tags=["subjects"],
    ),
    retrieve=extend_schema(
        summary="监管对象详情", description="辖区外或不存在的均返回 404。", tags=["subjects"]
    ),
)
class SubjectViewSet(ScopedReadViewSet):
    serializer_class = SubjectSerializer
    filterset_class = SubjectFilterSet
    view_perm = "subjects.view"
    view_denied = "您的角色不能查看监管对象"

    def scoped(self, user):
        return Subject.objects.visible_to(user).select_related("region").order_by("-id")


def register(router):
    router.register("subjects", SubjectViewSet, basename="subject")
