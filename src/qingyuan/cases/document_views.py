"""Case documents (文书): the .docx and PDF of each document a case, a record or an inspection can
print, and the page where the templates are replaced or restored.

A document whose data is not recorded yet answers with a page naming the step to record first; a
PDF that cannot be made (LibreOffice missing, failing or too slow) with a page saying so, never
an error 500."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qingyuan.core.permissions import require_area_perm, require_perm

from . import documents, selectors
from .documents import availability
from .forms import TemplateUploadForm
from .models import DocumentKind, DocumentTemplate
from .views import _form_errors


def _download(rendered):
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(rendered.filename)}"
    return response


def _serve(request, back: str, kind: str, *, pdf: bool, **target):
    label = DocumentKind(kind).label if kind in DocumentKind.values else "文书"
    try:
        rendered = documents.document_render(actor=request.user, kind=kind, pdf=pdf, **target)
    except documents.DocumentUnavailable as exc:
        return render(
            request,
            "cases/documents/unavailable.html",
            {"title": f"暂不能出具{label}", "label": label, "message": str(exc), "back": back},
            status=409,
        )
    except documents.ConversionError as exc:
        return render(
            request,
            "cases/documents/pdf_error.html",
            {"title": f"{label} PDF 生成失败", "label": label, "message": str(exc), "back": back},
            status=503,
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    return _download(rendered)


@require_perm("cases.view")
def case_document(request, pk, kind, pdf=False):
    case = selectors.case_for(request.user, pk)
    if kind not in DocumentKind.values:
        raise Http404
    return _serve(request, case.get_absolute_url(), kind, pdf=pdf, case=case)


@require_perm("cases.view")
def record_document(request, pk, kind, record, pdf=False):
    case = selectors.case_for(request.user, pk)
    found = availability.record_of(case, kind, record)
    if found is None:
        raise Http404
    return _serve(request, case.get_absolute_url(), kind, pdf=pdf, case=case, record=found)


@require_perm("cases.view")
def receipt(request, pk, served, record=None, pdf=False):
    case = selectors.case_for(request.user, pk)
    found = None
    if record is not None:
        found = availability.record_of(case, served, record)
        if found is None:
            raise Http404
    return _serve(
        request,
        case.get_absolute_url(),
        DocumentKind.SERVICE_RECEIPT,
        pdf=pdf,
        case=case,
        record=found,
        served=served,
    )


def _inspection(request, pk):
    # The inspection's own access rule (jurisdiction, or a joint operation's grant).
    from qingyuan.inspections.views import _inspection_for

    return _inspection_for(request, pk)


@require_area_perm("inspections.view")
def inspection_document(request, pk, kind, pdf=False):
    inspection = _inspection(request, pk)
    if kind != DocumentKind.SITE_RECORD:
        raise Http404
    return _serve(
        request, inspection.get_absolute_url(), kind, pdf=pdf, inspection=inspection, record=inspection
    )


@require_area_perm("inspections.view")
def inspection_record_document(request, pk, kind, record, pdf=False):
    inspection = _inspection(request, pk)
    if kind not in availability.INSPECTION_RECORD_KINDS:
        raise Http404
    found = availability.record_of(inspection, kind, record)
    if found is None:
        raise Http404
    case = found.case if found.case_id else None
    if case is not None:
        # A record that belongs to a case prints under the case (its number, its party).
        case = selectors.case_for(request.user, case.pk)
    return _serve(
        request, inspection.get_absolute_url(), kind, pdf=pdf, case=case, inspection=inspection, record=found
    )


@require_perm("cases.templates")
def template_admin(request):
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("reset"):
        documents.template_reset(actor=request.user, kind=request.POST["reset"])
        messages.success(request, "已恢复为系统默认模板。")
        return redirect("cases:templates")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            documents.template_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                original_name=upload.name,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "模板已启用。")
            return redirect("cases:templates")
    uploaded = {t.kind: t for t in DocumentTemplate.objects.select_related("uploaded_by").defer("content")}
    return render(
        request,
        "cases/templates.html",
        {
            "title": "文书模板",
            "form": form,
            "kinds": [
                (kind, label, uploaded.get(kind), documents.placeholders(kind))
                for kind, label in DocumentKind.choices
            ],
        },
    )


@require_perm("cases.templates")
def template_download(request, kind):
    """The template in use for `kind` (the uploaded one, else the shipped default); with ?default=1
    always the shipped default, to start a new template from."""
    if kind not in DocumentKind.values:
        raise Http404
    from qingyuan.core import audit

    default = request.GET.get("default") == "1"
    audit.record(
        action=audit.AuditAction.EXPORT,
        target_type="cases.documenttemplate",
        target_repr=f"{kind}{'（系统默认）' if default else ''}",
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    if default:
        content = (documents.render.DEFAULTS_DIR / f"{kind}.docx").read_bytes()
        name = f"{DocumentKind(kind).label}默认模板-{stamp}.docx"
    else:
        content = documents.template_source(kind)
        name = f"{DocumentKind(kind).label}模板-{stamp}.docx"
    return _download(documents.Rendered(content=content, filename=name, content_type=documents.DOCX_TYPE))
