"""The list page every app uses: filters, a count, paging, and XLSX export of exactly what is listed."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from . import audit

MAX_EXPORT_ROWS = 100_000


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


def xlsx_response(*, title: str, columns: list[Column], rows, filename: str) -> HttpResponse:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    ws.append([c.label for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append([cell_text(c.value(row)) for c in columns])
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(column.label) * 2 + 4))
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}-{stamp}.xlsx"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def render_list(
    request,
    *,
    queryset,
    filterset_class,
    columns: list[Column],
    title: str,
    template: str,
    extra: dict | None = None,
    per_page: int = 25,
):
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if request.GET.get("export") == "xlsx":
        audit.record(
            action=audit.AuditAction.EXPORT,
            target_type=queryset.model._meta.label_lower,
            target_repr=title,
            after={"filters": {k: v for k, v in request.GET.items() if k != "export"}},
        )
        return xlsx_response(title=title, columns=columns, rows=rows[:MAX_EXPORT_ROWS], filename=title)
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": title,
        "filterset": filterset,
        "page": page,
        "columns": columns,
        "rows": [(obj, [cell_text(c.value(obj)) for c in columns]) for obj in page.object_list],
        "querystring": query.urlencode(),
    }
    context.update(extra or {})
    return render(request, template, context)
