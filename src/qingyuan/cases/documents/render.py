"""Rendering: the template (uploaded or shipped) filled with a kind's context as .docx, and the .docx
converted to PDF by LibreOffice.

Templates run in a sandboxed Jinja environment with autoescape on: every value is XML-escaped, so a
party called "华康&仁爱诊所<18岁>" prints as written and text from the records can never add Word
markup. Line breaks in long text become Word line breaks (docxtpl turns "\\n" inside a run into
<w:br/>). Unknown placeholders are errors, not blanks, so a template's typo is caught at upload."""

import io
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from zipfile import BadZipFile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from qingyuan.core import audit

from ..models import DocumentKind, DocumentTemplate
from . import availability, base, case_kinds, record_kinds

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "doc_templates"
FONTCONFIG_FILE = Path(settings.BASE_DIR) / "deploy" / "fontconfig" / "qingyuan.conf"
# A conversion normally takes 2–5 s; a stuck LibreOffice must not hold a web worker for long.
PDF_TIMEOUT_SECONDS = int(getattr(settings, "QINGYUAN_PDF_TIMEOUT", 60))
RENDER_ERRORS = (TemplateError, BadZipFile, KeyError, ValueError, TypeError, AttributeError)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


class DocumentUnavailable(Exception):
    """The document's data is not recorded yet; the message names the step to record first."""


class ConversionError(Exception):
    """The PDF could not be made; the message says why, in words for the user."""


@dataclass(frozen=True)
class Rendered:
    content: bytes
    filename: str
    content_type: str


def environment():
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def render_docx(source: bytes, context: dict) -> bytes:
    template = DocxTemplate(io.BytesIO(source))
    template.render(base.clean(context), jinja_env=environment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def template_error(exc: Exception) -> str:
    """The rendering error in words an administrator can act on."""
    if isinstance(exc, (BadZipFile, KeyError)):
        return "文件不是有效的 .docx 文件"
    if isinstance(exc, TemplateSyntaxError):
        return f"模板语法错误（第{exc.lineno}行）：{exc.message}"
    if isinstance(exc, UndefinedError):
        return f"模板使用了此文书不存在的占位符：{exc.message}"
    if isinstance(exc, SecurityError):
        return f"模板包含不允许的操作：{exc}"
    return f"模板无法生成文书：{exc}"


def template_source(kind: str) -> bytes:
    uploaded = DocumentTemplate.objects.filter(kind=kind).values_list("content", flat=True).first()
    if uploaded is not None:
        return bytes(uploaded)
    return (DEFAULTS_DIR / f"{kind}.docx").read_bytes()


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(content: bytes) -> bytes:
    """Convert a .docx to PDF with LibreOffice headless. Each conversion has its own profile
    directory, so parallel conversions do not lock each other out, and the fontconfig file of
    deploy/fontconfig, so 宋体/仿宋 resolve to a CJK font that is embedded in the PDF."""
    soffice = _soffice()
    if soffice is None:
        raise ConversionError(
            "服务器未安装 LibreOffice，暂时无法生成 PDF。请先下载 Word 版本，或请系统管理员安装 "
            "libreoffice-writer-nogui。"
        )
    with tempfile.TemporaryDirectory(prefix="qingyuan-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(content)
        env = {**os.environ, "HOME": tmp}
        if FONTCONFIG_FILE.exists():
            env["FONTCONFIG_FILE"] = str(FONTCONFIG_FILE)
        command = [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        # Its own process group: on timeout the whole LibreOffice tree is stopped, not only the
        # wrapper script.
        # The command is fixed; only the temporary file's path varies.
        process = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            _, stderr = process.communicate(timeout=PDF_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError(
                f"生成 PDF 超时（{PDF_TIMEOUT_SECONDS}秒），请稍后重试或先下载 Word 版本。"
            ) from None
        pdf = folder / "document.pdf"
        if process.returncode != 0 or not pdf.exists():
            detail = stderr.decode("utf-8", "replace").strip()[:200]
            raise ConversionError(
                f"LibreOffice 未能生成 PDF{('：' + detail) if detail else ''}。请先下载 Word 版本。"
            )
        return pdf.read_bytes()


def build_context(kind: str, *, case=None, inspection=None, record=None, served: str = "") -> dict:
    """The context of one document; DocumentUnavailable when its data is not recorded yet."""
    if kind not in DocumentKind.values:
        raise DocumentUnavailable("未知的文书类型")
    if kind == DocumentKind.SITE_RECORD:
        if inspection is None:
            raise DocumentUnavailable("现场笔录针对一次监督检查出具，请在检查记录中下载")
        return record_kinds.site_record(None, inspection)
    if kind == DocumentKind.SERVICE_RECEIPT:
        if case is None:
            raise DocumentUnavailable("送达回证针对案件的文书出具")
        if served in availability.SERVED_RECORD_KINDS:
            if record is None:
                raise DocumentUnavailable("请选择送达的文书")
            missing = availability.record_missing(served, record)
        elif served in availability.SERVED_CASE_KINDS:
            missing = availability.case_missing(case, served)
        else:
            missing = "请选择送达的文书"
        if missing:
            raise DocumentUnavailable(missing)
        return case_kinds.service_receipt(case, record, served)
    if kind in case_kinds.BUILDERS:
        if case is None:
            raise DocumentUnavailable(f"{DocumentKind(kind).label}针对案件出具")
        missing = availability.case_missing(case, kind)
        if missing:
            raise DocumentUnavailable(missing)
        return case_kinds.BUILDERS[kind](case)
    if record is None:
        raise DocumentUnavailable(f"{DocumentKind(kind).label}针对具体记录出具，请在该记录旁下载")
    missing = availability.record_missing(kind, record)
    if missing:
        raise DocumentUnavailable(missing)
    return record_kinds.BUILDERS[kind](case, record)


def _filename(kind: str, *, case, inspection, record, served: str, extension: str) -> str:
    label = DocumentKind(kind).label
    if kind == DocumentKind.SERVICE_RECEIPT and served:
        label += f"（{DocumentKind(served).label}）"
    if case is not None:
        name = f"{label}-{case.number or case.pk}"
    else:
        name = f"{label}-{inspection.subject.name}-{timezone.localtime(inspection.started_at):%Y%m%d}"
    if record is not None and record is not inspection:
        name += f"-{record.pk}"
    return f"{name}.{extension}"


def document_render(
    *, actor, kind: str, case=None, inspection=None, record=None, served: str = "", pdf: bool = False
) -> Rendered:
    """Render one document for download (.docx, or PDF with `pdf`); recorded as an export.
    DocumentUnavailable when its data is missing, ConversionError when the PDF cannot be made,
    ValidationError when an uploaded template does not render."""
    context = build_context(kind, case=case, inspection=inspection, record=record, served=served)
    try:
        content = render_docx(template_source(kind), context)
    except RENDER_ERRORS as exc:
        raise ValidationError(
            f"文书模板有误，{template_error(exc)}；请系统管理员在“文书模板”页面检查。"
        ) from exc
    if pdf:
        # Outside any transaction: a conversion takes seconds and holds nothing in the database.
        content = to_pdf(content)
    owner = case if case is not None else inspection
    audit.record(
        actor=actor,
        action=audit.AuditAction.EXPORT,
        target=owner,
        after={
            "document": kind,
            "format": "pdf" if pdf else "docx",
            "record": record.pk if record is not None and record is not owner else None,
            "served": served or None,
            "template": "uploaded" if DocumentTemplate.objects.filter(kind=kind).exists() else "default",
        },
    )
    return Rendered(
        content=content,
        filename=_filename(
            kind,
            case=case,
            inspection=inspection,
            record=record,
            served=served,
            extension="pdf" if pdf else "docx",
        ),
        content_type=PDF_TYPE if pdf else DOCX_TYPE,
    )
