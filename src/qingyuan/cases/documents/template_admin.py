"""Replacing a kind's template: an upload is rendered against the sample case of its kind first and
refused with the reason when it does not render; an administrator can go back to the shipped
default. Only the system administrator (cases.templates) manages templates."""

from django.core.exceptions import ValidationError
from django.db import transaction

from qingyuan.core import audit

from ..models import DocumentKind, DocumentTemplate
from .render import RENDER_ERRORS, render_docx, template_error
from .samples import sample_context

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


def check_template(kind: str, source: bytes) -> None:
    """Render against the sample context of `kind`; a broken template is refused with the reason."""
    if len(source) > MAX_TEMPLATE_BYTES:
        raise ValidationError({"file": "模板文件不能超过5MB"})
    try:
        render_docx(source, sample_context(kind))
    except RENDER_ERRORS as exc:
        raise ValidationError(
            {"file": f"上传的{DocumentKind(kind).label}模板无法使用：{template_error(exc)}"}
        ) from exc


@transaction.atomic
def template_upload(*, actor, kind: str, content: bytes, original_name: str) -> DocumentTemplate:
    if not actor.can("cases.templates"):
        raise ValidationError("您没有管理文书模板的权限")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "请选择文书"})
    if not original_name.lower().endswith(".docx"):
        raise ValidationError({"file": "请上传 .docx 格式的模板"})
    check_template(kind, content)
    existing = DocumentTemplate.objects.select_for_update().filter(kind=kind).first()
    before = audit.snapshot(existing, exclude=("content",)) if existing else None
    template = existing or DocumentTemplate(kind=kind)
    template.content = content
    template.original_name = original_name[:200]
    template.uploaded_by = actor
    template.save()
    b, a = audit.diff(before, audit.snapshot(template, exclude=("content",)))
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE if existing else audit.AuditAction.CREATE,
        target=template,
        before=b,
        after={**(a or {}), "size": len(content)},
    )
    return template


@transaction.atomic
def template_reset(*, actor, kind: str) -> None:
    """Back to the shipped default."""
    if not actor.can("cases.templates"):
        raise ValidationError("您没有管理文书模板的权限")
    template = DocumentTemplate.objects.filter(kind=kind).first()
    if template is None:
        return
    audit.record(
        actor=actor,
        action=audit.AuditAction.DELETE,
        target=template,
        before=audit.snapshot(template, exclude=("content",)),
    )
    template.delete()
