"""The open licence look-up API (no key, no account), modelled on the NPPES registry's public API.

Licence data is public by law (卫生健康委 公示 of 执业资格、执业范围); nothing else is: answers are built
by explicit serializers listing the published fields, never the ID number, phone or qualification
number. Throttled per client address (the one address core.middleware.client_ip trusts), and every
error is one shape: {"code", "message" in Chinese, "field"}."""

import functools

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from qingyuan.api.errors import error_response
from qingyuan.core.middleware import client_ip

from . import selectors
from .forms import InstitutionLookupForm, PractitionerLookupForm
from .models import (
    Institution,
    InstitutionCategory,
    InstitutionStatus,
    LicenceKind,
    PractitionerKind,
    PractitionerStatus,
)


class PublicLookupThrottle(ScopedRateThrottle):
    def get_rate(self):
        # Read each time (not once at import), so a changed setting takes effect without a restart.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # DRF's own guess trusts X-Forwarded-For blindly; the platform's trusts configured proxies only.
        return client_ip(request)


@functools.lru_cache(maxsize=32)
def _labels(choices, language: str) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def label(choices, value: str) -> str:
    """A choice's label, translated once per language: get_FOO_display() translates every label of the
    field on every call, which made serialising 20 rows cost more than the query over a million."""
    return _labels(choices, translation.get_language() or "")[value] if value else ""


class LabelField(serializers.CharField):
    def __init__(self, choices, **kwargs):
        self.choices_class = choices
        super().__init__(**kwargs)

    def to_representation(self, value):
        return label(self.choices_class, value)


class PublicInstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="机构名称")
    category = serializers.CharField(help_text="机构类别代码")
    category_display = LabelField(InstitutionCategory, source="category", help_text="机构类别")
    licence_kind_display = LabelField(LicenceKind, source="licence_kind", help_text="许可/备案")
    licence_no = serializers.CharField(help_text="许可证号/备案号")
    status = serializers.CharField(source="effective_status", help_text="valid/cancelled/revoked/expired")
    status_display = LabelField(InstitutionStatus, source="effective_status", help_text="有效/注销/吊销/过期")
    status_date = serializers.DateField(allow_null=True, help_text="注销、吊销的日期，过期为有效期截止日")
    valid_until = serializers.DateField(allow_null=True, help_text="有效期至；备案为空")
    departments = serializers.CharField(help_text="诊疗科目")
    address = serializers.CharField()
    region = serializers.CharField(source="region_id", help_text="区划代码")
    region_name = serializers.CharField(source="region.full_name")
    url = serializers.SerializerMethodField(help_text="公示页面")

    def get_url(self, obj) -> str:
        from .public_views import public_url

        return public_url(self.context["request"], obj)


class PublicInstitutionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    licence_no = serializers.CharField()


class PublicPractitionerSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField(help_text="人员类型代码")
    kind_display = LabelField(PractitionerKind, source="kind", help_text="人员类型")
    certificate_no = serializers.CharField(help_text="执业证书编码")
    practice_category = serializers.CharField(help_text="执业类别")
    practice_scope = serializers.CharField(help_text="执业范围")
    status = serializers.CharField(help_text="valid/cancelled/revoked/suspended")
    status_display = LabelField(PractitionerStatus, source="status", help_text="有效/注销/吊销/暂停")
    status_date = serializers.DateField(allow_null=True, help_text="注销、吊销、暂停的日期")
    institution = PublicInstitutionRefSerializer(allow_null=True, help_text="注册执业机构")


class PublicInstitutionDetailSerializer(PublicInstitutionSerializer):
    practitioners = serializers.SerializerMethodField(help_text="在本机构注册的执业人员（最多200人）")
    practitioner_count = serializers.IntegerField(help_text="在本机构注册的执业人员总数")

    @extend_schema_field(PublicPractitionerSerializer(many=True))
    def get_practitioners(self, obj):
        return PublicPractitionerSerializer(self.context["practitioners"], many=True).data


ERROR = inline_serializer(
    "PublicError",
    {
        "code": serializers.CharField(help_text="invalid / not_found / throttled"),
        "message": serializers.CharField(help_text="中文说明"),
        "field": serializers.CharField(allow_null=True, help_text="出错的参数名"),
        "errors": serializers.ListField(child=serializers.DictField(), help_text="每个出错参数及说明"),
    },
)
ERRORS = {
    400: OpenApiResponse(ERROR, description="参数错误"),
    429: OpenApiResponse(ERROR, description="请求过于频繁"),
}


class PublicLookupView(APIView):
    # No key and no session: the look-up is open (an officer's cookie must not change what it answers).
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicLookupThrottle]
    throttle_scope = "public_lookup"

    def checked(self, form_class):
        """The query parameters, checked by the page's form; (data, None) or (None, a 400 naming the field)."""
        form = form_class(self.request.query_params)
        if form.is_valid():
            return form.cleaned_data, None
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else "参数"
        return None, error_response(400, f"{label}（{field}）：{errors[0]}", code="invalid", field=field)


def _rows_answer(rows, more, serializer, request, limit):
    return Response(
        {
            "count": len(rows),
            "more": more,
            "note": f"结果超过{limit}条，只返回前{limit}条，请输入更完整的名称或证号" if more else "",
            "results": serializer(rows, many=True, context={"request": request}).data,
        }
    )


def _list_schema(name, serializer):
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(help_text="本次返回条数"),
            "more": serializers.BooleanField(help_text="是否还有更多结果（请缩小查询）"),
            "note": serializers.CharField(),
            "results": serializer(many=True),
        },
    )


LIMIT = OpenApiParameter("limit", int, description="返回条数，1–50，默认20")


class InstitutionLookup(PublicLookupView):
    @extend_schema(
        summary="公开查询医疗机构执业许可",
        operation_id="public_institutions_list",
        parameters=[
            OpenApiParameter("q", str, description="机构名称、许可证号或地址片段，至少2个字"),
            OpenApiParameter("licence_no", str, description="许可证号/备案号（开头），至少4位"),
            OpenApiParameter("region", str, description="区划代码（含下级），2–12位数字"),
            LIMIT,
        ],
        responses={200: _list_schema("PublicInstitutionList", PublicInstitutionSerializer), **ERRORS},
        auth=[],
        tags=["public"],
    )
    def get(self, request):
        data, error = self.checked(InstitutionLookupForm)
        if error:
            return error
        limit = data["limit"] or selectors.PUBLIC_LIMIT
        rows, more = selectors.public_institutions(
            q=data["q"], licence_no=data["licence_no"], region=data["region"], limit=limit
        )
        return _rows_answer(rows, more, PublicInstitutionSerializer, request, limit)


class PractitionerLookup(PublicLookupView):
    @extend_schema(
        summary="公开查询医师等执业人员注册信息",
        operation_id="public_practitioners_list",
        parameters=[
            OpenApiParameter("name", str, required=True, description="姓名（或其开头），至少2个字"),
            OpenApiParameter("institution", str, description="执业机构名称片段，至少2个字"),
            LIMIT,
        ],
        responses={200: _list_schema("PublicPractitionerList", PublicPractitionerSerializer), **ERRORS},
        auth=[],
        tags=["public"],
    )
    def get(self, request):
        data, error = self.checked(PractitionerLookupForm)
        if error:
            return error
        limit = data["limit"] or selectors.PUBLIC_LIMIT
        rows, more = selectors.public_practitioners(
            name=data["name"], institution=data["institution"], limit=limit
        )
        return _rows_answer(rows, more, PublicPractitionerSerializer, request, limit)


class InstitutionPublicDetail(PublicLookupView):
    @extend_schema(
        summary="公开查询一家医疗机构及其执业人员",
        operation_id="public_institutions_retrieve",
        responses={
            200: PublicInstitutionDetailSerializer,
            404: OpenApiResponse(ERROR, description="没有该医疗机构"),
            429: ERRORS[429],
        },
        auth=[],
        tags=["public"],
    )
    def get(self, request, pk):
        if pk > selectors.PUBLIC_MAX_ID:
            raise Http404
        institution = get_object_or_404(Institution.objects.select_related("region"), pk=pk)
        practitioners, total = selectors.public_institution_practitioners(institution)
        institution.practitioner_count = total
        context = {"request": request, "practitioners": practitioners}
        return Response(PublicInstitutionDetailSerializer(institution, context=context).data)
