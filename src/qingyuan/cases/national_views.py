"""Pages for the national reporting system: the export of a period's case cards, the upload of the
numbers it gave them, and the panel on the case page that records one number (cases.national)."""

import datetime as dt
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingyuan.core import audit
from qingyuan.core.concurrency import StaleEdit
from qingyuan.core.forms import DateInput, StyledForm, VersionedFormMixin, today
from qingyuan.core.jobs import job_create
from qingyuan.core.lists import xlsx_response
from qingyuan.core.permissions import require_perm
from qingyuan.registry.import_files import format_of, open_rows

from . import national, selectors
from .workflow import TransitionNotAllowed

UPLOAD_MAX_BYTES = 5 * 1024 * 1024
# A card row costs about 3 ms to build (37 columns, five related lists; 2,000 rows took 5.7 s), so
# a file of more rows than this is made by a job rather than while the browser waits.
INLINE_MAX_ROWS = 500


def _first_of_last_month() -> dt.date:
    first = timezone.localdate().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


class ExportForm(StyledForm):
    basis = forms.ChoiceField(
        label="按哪个日期选取案件",
        choices=[(key, label) for key, (_, label) in national.BASES.items()],
        initial="decided",
    )
    start = forms.DateField(label="起始日期", widget=DateInput, initial=_first_of_last_month)
    end = forms.DateField(label="截止日期", widget=DateInput, initial=today)
    pending_only = forms.BooleanField(label="只导出未录入国家系统的案件", required=False, initial=True)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "截止日期不能早于起始日期")
        if start and end and (end - start).days > 366:
            self.add_error("end", "一次最多导出一年（366天）的案件，请缩短日期范围")
        return data

    def period(self) -> national.Period:
        d = self.cleaned_data
        return national.Period(d["basis"], d["start"], d["end"], d["pending_only"])


class RecordForm(VersionedFormMixin, StyledForm):
    national_no = forms.CharField(
        label="国家系统编号", max_length=national.NUMBER_MAX, help_text="国家系统中该案件信息卡的编号"
    )
    entered_on = forms.DateField(label="录入日期", widget=DateInput, initial=today)

    version_fields = national.RECORD_FIELDS
    version_field_map = {"national_entry_on": "entered_on"}


def record_form(case, data=None) -> RecordForm:
    initial = {"national_no": case.national_no, "entered_on": case.national_entry_on or today()}
    return RecordForm(data, initial=initial, record=case, auto_id="national-%s")


class ImportForm(StyledForm):
    file = forms.FileField(
        label="国家系统编号文件（.xlsx 或 .csv）",
        help_text="表头须有“本平台案件编号”“国家系统编号”两列，可有“录入日期”列（不填为今天）；"
        "可直接使用本平台导出的报送文件，填好国家系统编号后上传",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(f"文件不能超过 {UPLOAD_MAX_BYTES // 1024 // 1024} MB")
        format_of(upload.name)  # .csv or .xlsx, else a Chinese reason
        return upload


# --- export ----------------------------------------------------------------------------------------------


@require_perm("cases.view")
def national_export(request):
    """The period's cards: shown as a count first, downloaded with 下载; a big file is made by a job."""
    form = ExportForm(request.GET if "basis" in request.GET else None)
    context = {
        "title": "导出国家系统报送文件",
        "form": form,
        "fields": [c.label for c in national.FIELDS],
        "can_import": request.user.can("cases.edit"),
    }
    if not form.is_bound:
        return render(request, "cases/national_export.html", context)
    if not form.is_valid():
        return render(request, "cases/national_export.html", context, status=400)
    period = form.period()
    rows = national.export_cases(request.user, period)
    count = rows.count()
    context.update(period=period, count=count)
    if request.GET.get("download") != "1":
        return render(request, "cases/national_export.html", context)
    record = {
        "action": audit.AuditAction.EXPORT,
        "target_type": "cases.case",
        "target_repr": national.TITLE,
    }
    if count > min(settings.QINGYUAN_EXPORT_INLINE_ROWS, INLINE_MAX_ROWS):
        with transaction.atomic():
            job = job_create(
                kind="national_export",
                actor=request.user,
                params=period.params(),
                audited=False,
                request=request,
            )
            audit.record(**record, after={**period.params(), "rows": count, "job": job.pk})
        return redirect(job)
    audit.record(**record, after={**period.params(), "rows": count})
    return xlsx_response(title=national.TITLE, columns=national.FIELDS, rows=rows, filename=national.TITLE)


# --- recording numbers back --------------------------------------------------------------------------------


@require_perm("cases.edit")
def national_import(request):
    """A sheet of 本平台案件编号 → 国家系统编号, all or nothing: every bad line is listed and nothing
    is saved until the file is right."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, status = [], 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = format_of(upload.name)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload.{fmt}"
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                lines, _ = open_rows(path, fmt)
                result = national.national_import(actor=request.user, lines=lines)
            except (ValidationError, TransitionNotAllowed) as exc:
                errors = getattr(exc, "messages", [str(exc)])
            else:
                audit.record(
                    action=audit.AuditAction.IMPORT,
                    target_type="cases.case",
                    target_repr="国家系统编号",
                    after={
                        "file": upload.name[:200],
                        "recorded": result.recorded,
                        "unchanged": result.unchanged,
                    },
                )
                text = f"已登记 {result.recorded} 个案件的国家系统编号。"
                if result.unchanged:
                    text += f"另有 {result.unchanged} 个案件此前已登记相同编号，未变。"
                messages.success(request, text)
                return redirect(f"{reverse('cases:list')}?national=entered")
    if request.method == "POST":
        status = 400
    context = {"title": "上传国家系统编号", "form": form, "errors": errors}
    return render(request, "cases/national_import.html", context, status=status)


@require_POST
@require_perm("cases.edit")
def national_record(request, pk):
    from .views import _detail, _mark_invalid  # the case page, which imports this module's form

    case = selectors.case_for(request.user, pk)
    form = record_form(case, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            national.national_record(
                actor=request.user,
                case=case,
                number=d["national_no"],
                entered_on=d["entered_on"],
                version=form.version,
            )
        except StaleEdit as exc:
            form.show_conflict(exc)
            context = {"form": form, "title": f"国家系统录入：{case}", "cancel_url": case.get_absolute_url()}
            return render(request, "includes/form.html", context, status=409)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, found in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, found)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied:
            raise  # out of the user's jurisdiction or role: a 403, not a form error
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记国家系统编号。")
            return redirect(f"{case.get_absolute_url()}#national")
    _mark_invalid(form)
    return _detail(request, selectors.case_for(request.user, pk), refused=("national", form), status=400)
