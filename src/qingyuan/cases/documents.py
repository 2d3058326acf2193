"""The case documents (立案审批表, 行政处罚事先告知书, 行政处罚决定书) as .docx, rendered with docxtpl
from the template an administrator uploaded or, without one, the shipped default in doc_templates/.

Templates are rendered in a sandboxed Jinja environment with plain values only (no model objects),
so an uploaded template cannot call methods or reach data beyond the placeholders listed on the
templates page. Unknown placeholders are errors, not blanks, so a typo is caught at upload. The
lead's reporter is never part of the context (信访工作条例 第30条)."""

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db import transaction
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from qingyuan.core import audit

from . import deadlines
from .models import DocumentKind, DocumentTemplate, MeasureKind

DEFAULTS_DIR = Path(__file__).resolve().parent / "doc_templates"
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024

# What a template may use; shown on the templates page.
PLACEHOLDERS = [
    ("case.number", "案件编号（文号）"),
    ("case.title", "案由"),
    ("case.unit", "承办单位"),
    ("case.region", "所在区划"),
    ("case.source", "案件来源"),
    ("case.offence_date", "违法行为发生日期"),
    ("case.checked_on", "线索核查完毕日期"),
    ("case.proposed_on", "提请立案日期"),
    ("case.opened_on", "立案日期"),
    ("case.notified_on", "告知日期"),
    ("case.hearing_due", "陈述申辩、听证申请截止日期"),
    ("case.illegal_income", "违法所得（元）"),
    ("case.officers", "承办人（含执法证号）"),
    ("case.proposed_by", "提请人"),
    ("case.opened_by", "立案审批人"),
    ("party_name", "当事人"),
    ("party_kind", "当事人类型"),
    ("party_id_number", "身份证号/统一社会信用代码"),
    ("party_address", "当事人住址"),
    ("subject", "监管对象名称"),
    ("facts", "违法事实"),
    ("offences", "认定的违法行为（列表）"),
    ("basis", "法律依据（适用条款）"),
    ("offence_name", "违法行为（适用条款）"),
    ("fine_ranges", "罚款幅度说明（列表）"),
    ("procedure", "程序"),
    ("decided_on", "决定日期"),
    ("discretion_reason", "自由裁量理由"),
    ("measures", "处罚措施（列表）"),
    ("measures_text", "处罚措施（一段文字）"),
    ("fine", "罚款金额（元）"),
    ("payment_days", "缴款期限（日）"),
    ("today", "制作日期"),
]

# What each item of a list placeholder holds, as a template author writes it (m.amount).
PLACEHOLDER_PARTS = {
    "offences": (("code", "代码"), ("name", "名称"), ("basis", "依据")),
    "measures": (("kind", "种类"), ("amount", "金额"), ("description", "说明")),
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    filename: str


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _money(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def _measures(decision) -> list[dict]:
    if decision is None:
        return []
    return [
        {
            "kind": m.get_kind_display(),
            "amount": _money(m.amount) if m.amount is not None else "",
            "description": m.description,
        }
        for m in decision.measures.all()
    ]


def case_context(case) -> dict:
    from django.utils import timezone

    from qingyuan.rules.fines import ranges_for

    decision = getattr(case, "decision", None)
    offences = [co.offence for co in case.offences.select_related("offence")]
    applied = (
        decision.offence
        if decision
        else next((co.offence for co in case.offences.select_related("offence") if co.applied), None)
    )
    try:
        ranges = [
            r.explanation
            for r in ranges_for([o.code for o in offences], case.illegal_income, case.offence_date)
        ]
    except ValidationError:
        ranges = []
    measures = _measures(decision)
    fine = (
        next((m.amount for m in decision.measures.all() if m.kind == MeasureKind.FINE), None)
        if decision
        else None
    )
    measures_text = "；".join(f"{m['kind']}{m['amount'] and ' ' + m['amount'] + '元'}" for m in measures)
    hearing_due = deadlines.hearing_window_due(case)
    return {
        "case": {
            "number": case.number or "（待编号）",
            "title": case.title,
            "unit": case.unit.name,
            "region": case.region.full_name or case.region.name,
            "source": case.get_source_display(),
            "offence_date": _day(case.offence_date),
            "checked_on": _day(case.checked_on),
            "proposed_on": _day(timezone.localtime(case.proposed_at).date()) if case.proposed_at else "",
            "opened_on": _day(case.opened_on),
            "notified_on": _day(case.notified_on),
            "hearing_due": _day(hearing_due),
            "illegal_income": _money(case.illegal_income),
            "officers": "、".join(f"{o.full_name}（执法证号{o.credential_no}）" for o in case.officers.all()),
            "proposed_by": case.proposed_by.full_name,
            "opened_by": case.opened_by.full_name if case.opened_by else "",
        },
        "party_name": case.party_name,
        "party_kind": case.get_party_kind_display(),
        "party_id_number": case.party_id_number,
        "party_address": case.party_address,
        "subject": case.subject.name,
        "facts": case.facts,
        "offences": [{"code": o.code, "name": o.name, "basis": o.basis} for o in offences],
        "basis": applied.basis if applied else "；".join(o.basis for o in offences),
        "offence_name": applied.name if applied else "、".join(o.name for o in offences),
        "fine_ranges": ranges,
        "procedure": decision.get_procedure_display() if decision else "",
        "decided_on": _day(decision.decided_on) if decision else "",
        "discretion_reason": decision.discretion_reason if decision else "",
        "measures": measures,
        "measures_text": measures_text,
        "fine": _money(fine) if fine else "",
        "payment_days": "15",
        "today": _day(timezone.localdate()),
    }


def sample_context() -> dict:
    """A made-up case to validate an uploaded template against."""
    return {
        "case": {
            "number": "吴卫医罚〔2026〕1号",
            "title": "未取得医疗机构执业许可证擅自执业案",
            "unit": "某区卫生监督所",
            "region": "某省某市某区",
            "source": "线索",
            "offence_date": "2026年3月1日",
            "checked_on": "2026年3月5日",
            "proposed_on": "2026年3月6日",
            "opened_on": "2026年3月9日",
            "notified_on": "2026年5月6日",
            "hearing_due": "2026年5月13日",
            "illegal_income": "3,000.00",
            "officers": "张三（执法证号0001）、李四（执法证号0002）",
            "proposed_by": "张三",
            "opened_by": "王五",
        },
        "party_name": "某某",
        "party_kind": "公民",
        "party_id_number": "110101199003070000",
        "party_address": "某区某镇某村",
        "subject": "某某诊所",
        "facts": "经查，当事人未取得医疗机构执业许可证擅自执业。",
        "offences": [{"code": "ZY-01", "name": "未取得医疗机构执业许可证擅自执业", "basis": "某法 第1条"}],
        "basis": "某法 第1条",
        "offence_name": "未取得医疗机构执业许可证擅自执业",
        "fine_ranges": ["违法所得不足1万元按1万元计：10,000.00元 × 5–20倍 = 50,000.00–200,000.00元"],
        "procedure": "一般程序",
        "decided_on": "2026年5月20日",
        "discretion_reason": "初次违法，积极配合调查。",
        "measures": [
            {"kind": "罚款", "amount": "50,000.00", "description": ""},
            {"kind": "没收违法所得", "amount": "3,000.00", "description": ""},
        ],
        "measures_text": "罚款 50,000.00元；没收违法所得 3,000.00元",
        "fine": "50,000.00",
        "payment_days": "15",
        "today": "2026年5月20日",
    }


def _environment():
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def _render(source: bytes, context: dict) -> bytes:
    template = DocxTemplate(io.BytesIO(source))
    template.render(context, jinja_env=_environment())
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def template_error(exc: Exception) -> str:
    """The rendering error in words an administrator can act on."""
    if isinstance(exc, (BadZipFile, KeyError)):
        return "上传的文件不是有效的 .docx 文件"
    if isinstance(exc, TemplateSyntaxError):
        return f"模板语法错误（第{exc.lineno}行）：{exc.message}"
    if isinstance(exc, UndefinedError):
        return f"模板使用了不存在的占位符：{exc.message}"
    if isinstance(exc, SecurityError):
        return f"模板包含不允许的操作：{exc}"
    return f"模板无法生成文书：{exc}"


def check_template(source: bytes) -> None:
    """Render against the sample case; a broken template is refused with the reason."""
    if len(source) > MAX_TEMPLATE_BYTES:
        raise ValidationError({"file": "模板文件不能超过5MB"})
    try:
        _render(source, sample_context())
    except (TemplateError, BadZipFile, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ValidationError({"file": template_error(exc)}) from exc


def template_source(kind: str) -> bytes:
    uploaded = DocumentTemplate.objects.filter(kind=kind).values_list("content", flat=True).first()
    if uploaded is not None:
        return bytes(uploaded)
    return (DEFAULTS_DIR / f"{kind}.docx").read_bytes()


def available_kinds(case) -> list[str]:
    """Which documents make sense for the case's progress."""
    kinds = [DocumentKind.OPENING_APPROVAL]
    if case.opened_on:
        kinds.append(DocumentKind.PRIOR_NOTICE)
    if hasattr(case, "decision"):
        kinds.append(DocumentKind.DECISION)
    return kinds


@transaction.atomic
def document_render(*, actor, case, kind: str) -> Rendered:
    """Render one document for download; recorded as an export."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "未知的文书类型"})
    try:
        content = _render(template_source(kind), case_context(case))
    except (TemplateError, BadZipFile, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ValidationError(template_error(exc)) from exc
    label = DocumentKind(kind).label
    audit.record(
        actor=actor,
        action=audit.AuditAction.EXPORT,
        target=case,
        after={
            "document": kind,
            "template": "uploaded" if DocumentTemplate.objects.filter(kind=kind).exists() else "default",
        },
    )
    return Rendered(content=content, filename=f"{label}-{case.number or case.pk}.docx")


@transaction.atomic
def template_upload(*, actor, kind: str, content: bytes, original_name: str) -> DocumentTemplate:
    if not actor.can("cases.templates"):
        raise ValidationError("您没有管理文书模板的权限")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "请选择文书"})
    if not original_name.lower().endswith(".docx"):
        raise ValidationError({"file": "请上传 .docx 格式的模板"})
    check_template(content)
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
