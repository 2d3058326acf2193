"""The list page every app uses: filters, a count, paging, and XLSX export of exactly what is listed.

A list registers where it is defined, `@register_list("cases.case_list", perm=...)` on a function
`(user) -> ListSource`, and its view calls `render_list(request, list_key=..., template=...)`. An
export of more rows than QINGYUAN_EXPORT_INLINE_ROWS becomes a job (kind list_export): the worker
rebuilds the same rows from the same key, the same filters and the same user's scope.
"""

import io
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from . import audit
from .jobs import job_create, job_output_file, register
from .xlsx import CONTENT_TYPE, write_xlsx

MAX_EXPORT_ROWS = 100_000
EXPORT_CHUNK = 2000  # rows fetched per query by the export job (with their prefetches)


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    link: bool = False  # the first column usually links to the record page


def cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@dataclass(frozen=True)
class ListSource:
    """What a list shows one user: the rows in their scope, the filters, the columns, the title."""

    queryset: Any
    filterset_class: type
    columns: list[Column]
    title: str
    # The context every row's cells are computed in (e.g. the time limits preloaded for the cases'
    # clocks), on the page and in the export.
    around: Callable[[], AbstractContextManager] = nullcontext


@dataclass(frozen=True)
class ListEntry:
    key: str
    perm: str
    source: Callable[[Any], ListSource]


LISTS: dict[str, ListEntry] = {}


def register_list(key: str, *, perm: str):
    """Decorator for `source(user) -> ListSource`; `perm` is the permission the list's view requires."""

    def decorator(source):
        LISTS[key] = ListEntry(key=key, perm=perm, source=source)
        return source

    return decorator


def list_entry(key: str) -> ListEntry:
    if key not in LISTS:
        # Lists register in the views modules, which the URLconf imports; a task worker has not
        # loaded it yet.
        import_module(settings.ROOT_URLCONF)
    return LISTS[key]


def export_file_name(title: str, when=None) -> str:
    return f"{title}-{timezone.localtime(when).strftime('%Y%m%d%H%M')}.xlsx"


def xlsx_response(*, title: str, columns: list[Column], rows, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, title=title, columns=columns, rows=rows)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, export_file_name(filename))
    return response


def render_list(
    request,
    *,
    template: str,
    list_key: str = "",
    queryset=None,
    filterset_class=None,
    columns: list[Column] | None = None,
    title: str = "",
    extra: dict | None = None,
    per_page: int = 25,
):
    """The list page of `list_key` (or of the given queryset, filters, columns and title, whose
    export then always runs in the request)."""
    if list_key:
        source = list_entry(list_key).source(request.user)
    else:
        source = ListSource(queryset, filterset_class, columns or [], title)
    filterset = source.filterset_class(request.GET or None, queryset=source.queryset, request=request)
    refused = filterset.is_bound and not filterset.is_valid()
    rows = filterset.qs if filterset.is_bound and not refused else source.queryset
    # A filter that does not parse is bad input (400, its Chinese error beside the field), and an
    # export is never made from it: it would hold every row instead of the ones asked for.
    if request.GET.get("export") == "xlsx" and not refused:
        return _export(request, source, rows, list_key)
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    with source.around():
        cells = [(obj, [cell_text(c.value(obj)) for c in source.columns]) for obj in page.object_list]
    context = {
        "title": source.title,
        "filterset": filterset,
        "page": page,
        "columns": source.columns,
        "rows": cells,
        "querystring": query.urlencode(),
    }
    context.update(extra or {})
    return render(request, template, context, status=400 if refused else 200)


def _export(request, source: ListSource, rows, list_key: str):
    """Small exports are built here; big ones become a job and the user goes to its page. Either
    way the export is audited once, now, with the filters that chose the rows."""
    filters = {k: v for k, v in request.GET.items() if k != "export"}
    count = rows.count()
    record = {
        "action": audit.AuditAction.EXPORT,
        "target_type": source.queryset.model._meta.label_lower,
        "target_repr": source.title,
    }
    if list_key and count > settings.QINGYUAN_EXPORT_INLINE_ROWS:
        query = request.GET.copy()
        query.pop("export", None)
        query.pop("page", None)
        with transaction.atomic():
            job = job_create(
                kind="list_export",
                actor=request.user,
                params={
                    "list": list_key,
                    "title": source.title,
                    "filters": {k: query.getlist(k) for k in query},
                    "path": f"{request.path}?{query.urlencode()}" if query else request.path,
                },
                audited=False,
                request=request,
            )
            audit.record(**record, after={"filters": filters, "rows": count, "job": job.pk})
        return redirect(job)
    audit.record(**record, after={"filters": filters, "rows": min(count, MAX_EXPORT_ROWS)})
    with source.around():
        return xlsx_response(
            title=source.title, columns=source.columns, rows=rows[:MAX_EXPORT_ROWS], filename=source.title
        )


# --- the export job ----------------------------------------------------------------------------------


def _list_perm(job) -> str:
    try:
        return list_entry(job.params["list"]).perm
    except KeyError:
        return "-"  # no role holds it: an export of a list that no longer exists opens for nobody


def _back_to_list(job):
    path = job.params.get("path", "")
    return ("返回列表", path) if path.startswith("/") and not path.startswith("//") else None


@register(
    "list_export",
    title="列表导出",
    perm=_list_perm,
    heading=lambda job: f"导出{job.params.get('title', '列表')}",
    back=_back_to_list,
    count_label="行",
)
def run_list_export(job, progress):
    """The rows the user saw when they asked: the same list, the same filters, their scope now."""
    entry = list_entry(job.params["list"])
    actor = job.actor
    if not actor.can(entry.perm):
        raise ValidationError("您已没有查看该列表的权限，未导出")
    source = entry.source(actor)
    data = QueryDict(mutable=True)
    for key, values in job.params.get("filters", {}).items():
        data.setlist(key, values)
    # The filters read the user from the request (e.g. the campaigns one may filter by).
    request = SimpleNamespace(user=actor, GET=data, method="GET")
    filterset = source.filterset_class(data or None, queryset=source.queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        # E.g. a campaign chosen then is no longer among the user's: never fall back to every row.
        raise ValidationError(
            "导出时的筛选条件已不再有效（如所选专项行动已不可见），未导出，请重新筛选后导出"
        )
    rows = filterset.qs if filterset.is_bound else source.queryset
    count = rows.count()
    total = min(count, MAX_EXPORT_ROWS)
    progress(0, total, "正在生成 Excel 文件")
    path = job_output_file(
        job, download_name=export_file_name(source.title, job.created_at), content_type=CONTENT_TYPE
    )
    with source.around():
        written = write_xlsx(
            path,
            title=source.title,
            columns=source.columns,
            rows=rows[:MAX_EXPORT_ROWS].iterator(chunk_size=EXPORT_CHUNK),
            on_row=lambda n: progress(n),
        )
    message = f"已导出{source.title} {written} 行。"
    if count > written:
        message += f"符合条件的共 {count} 行，单个文件最多 {MAX_EXPORT_ROWS} 行，请加筛选条件分批导出。"
    return {"message": message, "counts": [["导出行数", written]]}
