"""The ledger import pages: the template, the upload (then the job page, core.job_views), the
result, and earlier imports."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from qingyuan.core.models import Job
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import jurisdiction_prefix

from .ledger import (
    FLAT,
    FLAT_KEY,
    SHEETS,
    SHEETS_BY_KEY,
    import_warnings,
    ledger_csv_template,
    ledger_flat_template,
    ledger_template,
)
from .ledger.jobs import KIND as LEDGER_JOB
from .ledger.jobs import ledger_job_create
from .ledger_forms import LedgerUploadForm
from .models import LedgerImport, LedgerKey

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = 50
RECENT_JOBS = 10
KEYS_PER_PAGE = 100


def visible_imports(user):
    """Imports made for the user's region or below: their region code starts with the user's prefix."""
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return LedgerImport.objects.none()
    return LedgerImport.objects.filter(region__code__startswith=prefix)


def _counts(record: LedgerImport) -> list[tuple[str, int]]:
    return [(s.name, record.counts[s.name]) for s in SHEETS if s.name in record.counts]


def counts_text(record: LedgerImport) -> str:
    return "，".join(f"{name} {n}" for name, n in _counts(record))


@require_perm("reports.import")
def ledger_index(request):
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            job = ledger_job_create(
                actor=request.user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect(job.get_absolute_url())
    imports = visible_imports(request.user).select_related("unit", "imported_by")[:RECENT]
    # The user's own uploads; a chief sees every upload of the jurisdiction, for the error lists
    # name the unit's records (Job.viewable_by).
    jobs = Job.objects.viewable_by(request.user).filter(kind=LEDGER_JOB).select_related("actor")[:RECENT_JOBS]
    return render(
        request,
        "reports/ledger.html",
        {
            "title": "历史台账导入",
            "form": form,
            "errors": errors,
            "file_name": request.FILES["file"].name if errors and "file" in request.FILES else "",
            "imports": [(i, counts_text(i)) for i in imports],
            "jobs": jobs,
            "sheets": [*SHEETS, FLAT],
        },
    )


@require_perm("reports.import")
def ledger_detail(request, pk):
    record = (
        visible_imports(request.user).select_related("unit", "imported_by", "region").filter(pk=pk).first()
    )
    if record is None:
        raise Http404
    # The keys this import created, each with its record; a record moved out of the user's
    # jurisdiction since is left out, as on every other page.
    keys = (
        LedgerKey.objects.visible_to(request.user)
        .filter(ledger_import=record)
        .select_related("county", "subject", "case")
    )
    return render(
        request,
        "reports/ledger_detail.html",
        {
            "title": f"台账导入：{record.file_name}",
            "record": record,
            "counts": _counts(record),
            "total": sum(n for _name, n in _counts(record)),
            "keys": Paginator(keys, KEYS_PER_PAGE).get_page(request.GET.get("page")),
            "warnings": import_warnings(record),
        },
    )


@require_perm("reports.import")
def ledger_template_download(request):
    response = HttpResponse(ledger_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = "attachment; filename=ledger-template.xlsx"
    return response


@require_perm("reports.import")
def ledger_flat_template_download(request):
    response = HttpResponse(ledger_flat_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = "attachment; filename=ledger-flat-template.xlsx"
    return response


@require_perm("reports.import")
def ledger_csv_download(request, kind):
    sheet = FLAT if kind == FLAT_KEY else SHEETS_BY_KEY.get(kind)
    if sheet is None:
        raise Http404
    response = HttpResponse(ledger_csv_template(sheet), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=ledger-{kind}.csv"
    return response
