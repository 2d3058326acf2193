"""REST endpoints of the registry: jurisdiction-scoped institutions and practitioners, and licence verification."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from qingyuan.api.authentication import PartnerKeyAuthentication, UserTokenAuthentication
from qingyuan.api.concurrency import IF_MATCH, VERSIONED_UPDATE_RESPONSES, VersionedUpdateMixin
from qingyuan.core.filters import SafeFilterSet, region_prefix_filter

from . import selectors, services
from .forms import InstitutionForm, PractitionerForm
from .models import (
    Institution,
    InstitutionCategory,
    InstitutionStatus,
    Practitioner,
    PractitionerKind,
    PractitionerStatus,
)


class CanViewRegistry(permissions.BasePermission):
    message = "您的角色不能查看持证机构与人员"

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can("registry.view"))


class RegistryAPIMixin:
    # Token first, so a client without credentials gets 401 with WWW-Authenticate rather than 403.
    # A partner key reads the register of its unit's jurisdiction (api/authentication.py PARTNER_PERMS).
    authentication_classes = [UserTokenAuthentication, PartnerKeyAuthentication, SessionAuthentication]
    permission_classes = [CanViewRegistry]


class InstitutionSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    licence_kind_display = serializers.CharField(source="get_licence_kind_display", read_only=True)
    effective_status = serializers.CharField(read_only=True, help_text="有效期已过的按“过期”计")
    effective_status_display = serializers.CharField(source="effective_status_label", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "category",
            "category_display",
            "licence_kind",
            "licence_kind_display",
            "licence_no",
            "valid_until",
            "address",
            "region",
            "region_name",
            "legal_representative",
            "departments",
            "status",
            "effective_status",
            "effective_status_display",
            "updated_at",
        ]


class PractitionerSerializer(serializers.ModelSerializer):
    """Public registration data only: the ID number is never part of the API."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True, default="")
    institution_licence_no = serializers.CharField(
        source="institution.licence_no", read_only=True, default=""
    )
    region_name = serializers.CharField(source="region.full_name", read_only=True)

    class Meta:
        model = Practitioner
        fields = [
            "id",
            "name",
            "qualification_no",
            "certificate_no",
            "kind",
            "kind_display",
            "practice_category",
            "practice_scope",
            "institution",
            "institution_name",
            "institution_licence_no",
            "region",
            "region_name",
            "status",
            "status_display",
            "updated_at",
        ]


class InstitutionFilterSet(SafeFilterSet):
    status = django_filters.ChoiceFilter(
        choices=InstitutionStatus.choices, method="by_status", label="状态（过期含已过有效期的）"
    )
    category = django_filters.ChoiceFilter(choices=InstitutionCategory.choices, label="机构类别")
    region = region_prefix_filter()

    class Meta:
        model = Institution
        fields = ["status", "category", "region"]

    def by_status(self, queryset, name, value):
        return queryset.filter(selectors.institution_status_q(value))


class PractitionerFilterSet(SafeFilterSet):
    status = django_filters.ChoiceFilter(choices=PractitionerStatus.choices, label="状态")
    category = django_filters.ChoiceFilter(
        field_name="kind", choices=PractitionerKind.choices, label="人员类型"
    )
    region = region_prefix_filter()
    institution = django_filters.NumberFilter(field_name="institution_id", label="注册执业机构编号")

    class Meta:
        model = Practitioner
        fields = ["status", "category", "region", "institution"]


@extend_schema_view(
    list=extend_schema(
        summary="医疗机构列表",
        description="当前用户辖区内登记的医疗机构，可按状态、机构类别、区划代码前缀筛选。",
    ),
    retrieve=extend_schema(
        summary="医疗机构详情",
        description="辖区外或不存在的机构均返回 404。响应头 ETag 用于修改时的 If-Match。",
    ),
    partial_update=extend_schema(
        summary="修改医疗机构",
        description="只提交要修改的字段；须带 If-Match（读取时的 ETag），记录已被他人修改的返回 412。",
        parameters=[IF_MATCH],
        responses={200: InstitutionSerializer, **VERSIONED_UPDATE_RESPONSES},
    ),
)
class InstitutionViewSet(VersionedUpdateMixin, RegistryAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilterSet
    version_fields = tuple(InstitutionForm.Meta.fields)
    edit_perm = "registry.manage"
    edit_denied = "您的角色不能修改持证机构"

    def save_versioned(self, instance, data, version):
        return services.institution_save(
            actor=self.request.user, institution=instance, data=data, version=version
        )

    def get_queryset(self):
        return Institution.objects.visible_to(self.request.user).select_related("region").order_by("id")


@extend_schema_view(
    list=extend_schema(
        summary="执业人员列表",
        description="当前用户辖区内登记的执业人员（不含身份证号），可按状态、人员类型、区划代码前缀筛选。",
    ),
    retrieve=extend_schema(
        summary="执业人员详情",
        description="辖区外或不存在的人员均返回 404。不含身份证号。响应头 ETag 用于修改时的 If-Match。",
    ),
    partial_update=extend_schema(
        summary="修改执业人员",
        description="只提交要修改的字段（身份证号不能经接口修改）；须带 If-Match（读取时的 ETag），"
        "记录已被他人修改的返回 412。",
        parameters=[IF_MATCH],
        responses={200: PractitionerSerializer, **VERSIONED_UPDATE_RESPONSES},
    ),
)
class PractitionerViewSet(VersionedUpdateMixin, RegistryAPIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PractitionerSerializer
    filterset_class = PractitionerFilterSet
    # The ID number is not part of the API, so not among the fields a PATCH may change.
    version_fields = tuple(f for f in PractitionerForm.version_fields if f != "id_number")
    edit_perm = "registry.manage"
    edit_denied = "您的角色不能修改执业人员"

    def save_versioned(self, instance, data, version):
        return services.practitioner_save(
            actor=self.request.user, practitioner=instance, data=data, version=version
        )

    def get_queryset(self):
        return (
            Practitioner.objects.visible_to(self.request.user)
            .select_related("region", "institution")
            .defer("id_number", "id_number_index")
            .order_by("id")
        )


class LicenceMatchSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("institution", "医疗机构"), ("practitioner", "执业人员")])
    kind_label = serializers.CharField()
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(help_text="机构名称或人员姓名")
    number = serializers.CharField(help_text="许可证号/备案号或执业证书编码")
    number_label = serializers.CharField()
    category = serializers.CharField(help_text="机构类别或人员类型")
    scope = serializers.CharField(help_text="诊疗科目，或执业类别与执业范围")
    valid_until = serializers.DateField(allow_null=True, help_text="许可有效期至（人员与备案为空）")
    status = serializers.CharField(
        help_text="valid、cancelled、revoked、expired 或 suspended；有效期已过的按 expired"
    )
    status_label = serializers.CharField(help_text="有效、注销、吊销、过期、暂停")
    is_valid = serializers.BooleanField(help_text="是否有效")
    region = serializers.CharField(help_text="所在区划全称")
    address = serializers.CharField(help_text="机构地址；人员为其注册执业机构的地址")
    institution_name = serializers.CharField(help_text="人员的注册执业机构名称")
    institution_licence_no = serializers.CharField()
    matched_by = serializers.CharField(help_text="命中方式：证号、名称、地址或姓名")


class LicenceVerifyViewSet(RegistryAPIMixin, viewsets.ViewSet):
    @extend_schema(
        operation_id="registry_verify",
        summary="证照核验",
        description=(
            "按机构名称、许可证号/备案号、执业证书编码、人员姓名或地址片段，核验场所或人员是否持有有效的"
            "执业许可（备案）或执业注册，返回类别、诊疗科目或执业范围、有效期和状态（有效/注销/吊销/过期/暂停；"
            "有效期已过的按过期）。证照信息依法公开，因此检索全国范围、不受辖区限制，但只返回公开字段，"
            "不含身份证号。先按证号精确匹配；否则按名称、地址片段检索，一至两个字按开头匹配。"
        ),
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, required=True, description="查询内容：名称、证号、姓名或地址片段"
            ),
            OpenApiParameter(
                "limit", OpenApiTypes.INT, required=False, description="最多返回条数，默认20，最大100"
            ),
        ],
        responses=LicenceMatchSerializer(many=True),
        tags=["registry"],
    )
    def list(self, request):
        query = request.query_params.get("q", "").strip()
        if not query:
            raise ValidationError({"q": "请输入查询内容"})
        try:
            limit = int(request.query_params.get("limit", 20))
        except ValueError:
            raise ValidationError({"limit": "应为整数"}) from None
        matches = selectors.verify_licence(query[:100], limit=limit)
        return Response(LicenceMatchSerializer(matches, many=True).data)


def register(router):
    """Registry endpoints (institutions, practitioners, licence verification)."""
    router.register("registry/institutions", InstitutionViewSet, basename="registry-institution")
    router.register("registry/practitioners", PractitionerViewSet, basename="registry-practitioner")
    router.register("registry/verify", LicenceVerifyViewSet, basename="registry-verify")
