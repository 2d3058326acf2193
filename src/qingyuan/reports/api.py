"""The official forms over the REST API: the same JSON as the web download (FORMS.md: rows keyed by
the row labels, columns by the column labels as printed, money as exact yuan strings), for scripts
and other systems of the health-supervision authorities. Officers' tokens only; scoped like the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from qingyuan.api.authentication import UserTokenAuthentication
from qingyuan.core import audit

from .forms import FORM_CLASSES, get_form
from .params import ScopeForm
from .serialize import to_json


class CanViewReports(permissions.BasePermission):
    message = "您的角色不能查看统计报表"

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can("reports.view"))


class FormEntrySerializer(serializers.Serializer):
    """One form in the catalogue (documents the list answer; the view builds plain dicts)."""

    code = serializers.CharField(help_text="报表代码，如 S003-A1")
    title = serializers.CharField(help_text="报表名称")
    seed = serializers.CharField(help_text="来源文件及附件号")
    mode = serializers.CharField(
        help_text="统计方式：period（统计期）、snapshot（截至某日）或 operation（一次联动执法行动）"
    )


class FormViewSet(viewsets.ViewSet):
    # Token first, so a client without credentials gets 401 with WWW-Authenticate rather than 403.
    authentication_classes = [UserTokenAuthentication, SessionAuthentication]
    permission_classes = [CanViewReports]
    lookup_field = "code"
    lookup_value_regex = r"S\d{3}-[A-Z0-9]+"

    @extend_schema(
        operation_id="reports_forms",
        summary="报表目录",
        description="全部统计报表的代码、名称和来源文件。",
        responses=FormEntrySerializer(many=True),
        tags=["reports"],
    )
    def list(self, request):
        return Response(
            [
                {"code": f.code, "title": f.title, "seed": f.seed, "mode": f.mode}
                for f in map(get_form, FORM_CLASSES)
            ]
        )

    @extend_schema(
        operation_id="reports_form",
        summary="计算一张报表",
        description=(
            "按区划（及其下级）和统计期计算报表，返回与网页下载相同的 JSON：行以报表行名、列以栏目名为键，"
            "金额为以元为单位的字符串。区划须在调用者的辖区内。S001-A1 须给出联动执法行动编号。"
        ),
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, required=True, description="区划代码（县、市或省）"),
            OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="统计期起（含）"),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True, description="统计期止（含）"),
            OpenApiParameter("operation", OpenApiTypes.INT, required=False, description="联动执法行动编号"),
            OpenApiParameter(
                "campaign", OpenApiTypes.INT, required=False, description="只计该专项行动的记录"
            ),
        ],
        responses=OpenApiTypes.OBJECT,
        tags=["reports"],
    )
    def retrieve(self, request, code=None):
        if code not in FORM_CLASSES:
            raise NotFound(f"没有报表“{code}”")
        form = ScopeForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        try:
            result = get_form(code).compute(form.scope())
        except ValueError as exc:
            raise ValidationError({"operation": [str(exc)]}) from None
        audit.record(
            actor=request.user,
            action=audit.AuditAction.EXPORT,
            target_type="reports.form",
            target_repr=f"{code} api",
            region_code=form.scope().region.code,
            after={"form": code, "format": "api", "params": dict(request.query_params.items())},
            request=request._request,
        )
        return Response(to_json(result))


def register(router):
    router.register("reports/forms", FormViewSet, basename="reports-form")
