"""Case documents (文书) and their templates: the .docx a case page offers, and the page where the
templates are replaced or restored."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qingyuan.core.permissions import require_perm

from . import documents, selectors
from .forms import TemplateUploadForm
from .models import DocumentKind, DocumentTemplate
from .views import _form_errors


@require_perm("cases.view")
def case_document(request, pk, kind):
    case = selectors.case_for(request.user, pk)
    if kind not in documents.available_kinds(case):
        raise Http404
    try:
        rendered = documents.document_render(actor=request.user, case=case, kind=kind)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(case.get_absolute_url())
    return _docx_response(rendered.content, rendered.filename)


def _docx_response(content, filename):
    from urllib.parse import quote

    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


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
            "kinds": [(k, label, uploaded.get(k)) for k, label in DocumentKind.choices],
            "placeholders": [
                (name, label, documents.PLACEHOLDER_PARTS.get(name, ()))
                for name, label in documents.PLACEHOLDERS
            ],
        },
    )


@require_perm("cases.templates")
def template_download(request, kind):
    if kind not in DocumentKind.values:
        raise Http404
    from qingyuan.core import audit

    audit.record(action=audit.AuditAction.EXPORT, target_type="cases.documenttemplate", target_repr=kind)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _docx_response(documents.template_source(kind), f"{DocumentKind(kind).label}模板-{stamp}.docx")
