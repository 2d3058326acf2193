"""The forms on the web: choose a form, region and period; read it in the paper layout; open the
records behind any number; download it as JSON, XLSX, PDF or Word."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from qingyuan.campaigns.models import Campaign
from qingyuan.core import audit
from qingyuan.core.jobs import job_create
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.operations.models import JointOperation
from qingyuan.regions.models import Region

from . import drill as drill_lists
from . import jobs as report_jobs
from .exports import CONTENT_TYPES
from .exports import render as render_file
from .exports.xlsx import cell_text
from .forms import FORM_CLASSES, all_forms, get_form
from .forms.base import Column
from .params import ScopeForm, initial_for, scope_query


def _definition(code):
    if code not in FORM_CLASSES:
        raise Http404
    return get_form(code)


def region_choices(user):
    """The regions a user may ask forms for: their own and every province, city and county below."""
    prefix = jurisdiction_prefix(user) or ""
    regions = Region.objects.filter(code__startswith=prefix, level__lte=3).order_by("code")
    return [(r.code, r.full_name) for r in regions[:500]]


def choices_for(user) -> dict:
    """The joint operations and campaigns a user may pick, newest first."""
    return {
        "operations": JointOperation.objects.visible_to(user).order_by("-created_at")[:100],
        "campaigns": Campaign.objects.visible_to(user).order_by("-starts_on")[:100],
    }


def _scope_form(request):
    data = request.GET if "region" in request.GET else None
    form = ScopeForm(data, user=request.user, initial=initial_for(request.user))
    return form


def _params(request, **extra) -> str:
    return scope_query(request.GET, **extra)


@require_perm("reports.view")
def index(request):
    return render(
        request,
        "reports/index.html",
        {
            "title": "统计报表",
            "forms": all_forms(),
            "form": _scope_form(request),
            "regions": region_choices(request.user),
            "can_import": request.user.can("reports.import"),
        },
    )


@require_perm("reports.view")
def form_view(request, code):
    definition = _definition(code)
    form = _scope_form(request)
    context = {
        "title": f"{definition.code} {definition.title}",
        "definition": definition,
        "form": form,
        "regions": region_choices(request.user),
        "params": _params(request),
        **choices_for(request.user),
    }
    if form.is_bound and form.is_valid():
        try:
            result = definition.compute(form.scope())
        except ValueError as exc:  # e.g. S001-A1 without its joint operation
            context["error"] = str(exc)
            return render(request, "reports/form.html", context)
        context["result"] = result
        context["has_wan"] = any(
            c.kind == "money" and "（元）" not in c.label for t in result.tables for c in t.columns
        )
        context["tables"] = [_table_view(request, code, t) for t in result.tables]
        context["formats"] = [f for f in CONTENT_TYPES if f != "docx" or code in ("S003-WS", "S004-Q")]
    return render(request, "reports/form.html", context)


def _display(value, kind, label=""):
    """A figure as on paper: the PDF and Word text (万元 rounded half up, 元 where the column's label says so)."""
    if value is None:
        return "—"
    return cell_text(value, Column("", label, kind=kind))


def _table_view(request, code, table):
    """Rows of (label, [(text, drill url or "")]) for the template; a zero opens nothing."""
    if not table.is_grid:
        return {
            "table": table,
            "header": table.header_rows(),
            "items": [
                [_display(item.get(c.key), c.kind, c.label) for c in table.columns] for item in table.items
            ],
        }
    rows = []
    for row in table.rows:
        cells = []
        for column in table.columns:
            value = table.cells[row.key][column.key]
            text = _display(value, column.kind, column.label)
            empty = value in (0, None, "") or str(value) in ("0.00", "已录入 0 / 共 0")
            url = "" if empty else "?" + _params(request, table=table.key, row=row.key, col=column.key)
            cells.append((text, url and f"drill/{url}"))
        rows.append((row.label, cells))
    return {"table": table, "rows": rows, "header": table.header_rows()}


@require_perm("reports.view")
def drill(request, code):
    definition = _definition(code)
    form = ScopeForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(
            request, "reports/drill.html", {"title": "明细", "error": form.error_text()}, status=400
        )
    try:
        found = definition.drill(
            form.scope(),
            request.GET.get("table", "main"),
            request.GET.get("row", ""),
            request.GET.get("col", ""),
        )
    except (KeyError, StopIteration, NotImplementedError):
        raise Http404 from None
    spec, queryset = drill_lists.rows_for(found.kind, found.queryset, jurisdiction_prefix(request.user) or "")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/drill.html",
        {
            "title": f"{definition.code} 明细：{found.title}",
            "definition": definition,
            "drill": found,
            "spec": spec,
            "page": page,
            "rows": [(spec.link(r), drill_lists.cells(spec, r)) for r in page.object_list],
            "querystring": query.urlencode(),
            "back": f"../?{_params(request)}",
        },
    )


@require_perm("reports.view")
def export(request, code, fmt):
    definition = _definition(code)
    if fmt not in CONTENT_TYPES:
        raise Http404
    form = ScopeForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponse(form.error_text(), status=400, content_type="text/plain; charset=utf-8")
    record = {
        "actor": request.user,
        "action": audit.AuditAction.EXPORT,
        "target_type": "reports.form",
        "target_repr": f"{code} {fmt}",
        "region_code": form.scope().region.code,
        "request": request,
    }
    params = {"form": code, "format": fmt, "params": _params(request)}
    if report_jobs.runs_as_job(form.scope().region, fmt):
        with transaction.atomic():
            job = job_create(
                kind=report_jobs.KIND,
                actor=request.user,
                params={"code": code, "title": definition.title, "fmt": fmt, "query": _params(request)},
                audited=False,
                request=request,
            )
            audit.record(**record, after={**params, "job": job.pk})
        return redirect(job)
    try:
        result = definition.compute(form.scope())
        content, content_type, name = render_file(result, fmt)
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    audit.record(**record, after=params)
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if fmt == "json" else "attachment"
    response["Content-Disposition"] = content_disposition_header(disposition == "attachment", name)
    return response
