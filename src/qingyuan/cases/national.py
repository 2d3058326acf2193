"""The national reporting system (全国卫生健康监督信息报告系统): each case's card (医疗卫生监督案件查处
信息卡) as one row of a sheet a clerk uploads there, and the number that system gives the card
recorded back on the case, one at a time on the case page or by uploading a sheet.

The columns follow the card as far as public documents describe it (docs/national-report.md names
the documents and what was chosen where they are silent). Values are in the form the card takes:
是/否, dates as YYYY-MM-DD text, amounts in 元 with two decimals.

A case counts as entered (已录入) once it has an entry date, as the S003-A1 form counts it; recording
a national number sets that date too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from qingyuan.core import audit, concurrency
from qingyuan.core.jobs import job_output_file, register
from qingyuan.core.lists import Column, export_file_name
from qingyuan.core.xlsx import CONTENT_TYPE, write_xlsx
from qingyuan.registry.models import InstitutionCategory
from qingyuan.subjects.models import SubjectKind

from .models import (
    Case,
    CaseSource,
    CaseStatus,
    CloseKind,
    DecisionKind,
    MeasureKind,
    PartyKind,
    PaymentKind,
    Procedure,
    Referral,
    ReferralTarget,
)
from .steps import _audit_change, _event, _lock, _today
from .workflow import NotPermitted

TITLE = "国家系统报送文件"
# The fields the record-back form overwrites (core.concurrency version token).
RECORD_FIELDS = ("national_no", "national_entry_on")
NUMBER_MAX = 60
# A national card number: letters, digits and the separators such numbers use; never blanks or
# control characters, which an upload would carry over unseen.
NUMBER_RE = re.compile(r"^[0-9A-Za-z\-_/.（）()〔〕\[\]\u4e00-\u9fff]+$")
IMPORT_MAX_ROWS = 5000
HEADER_CASE = "本平台案件编号"
HEADER_NATIONAL = "国家系统编号"
HEADER_DATE = "录入日期"


# --- the card's fields -------------------------------------------------------------------------------


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _yuan(amount) -> Decimal | None:
    return None if amount is None else Decimal(amount).quantize(Decimal("0.01"))


def _decision(case):
    return getattr(case, "decision", None)


def _once(name):
    """Read a value of a case once per row: ten columns read the measures, three the referral, and
    a queryset per call (even over prefetched rows) cost more than writing the row."""

    def decorator(compute):
        def cached(case):
            key = f"_national_{name}"
            if key not in case.__dict__:
                case.__dict__[key] = compute(case)
            return case.__dict__[key]

        return cached

    return decorator


def _label(choices):
    """value -> label of a choices class, from a dict made on first use (get_FOO_display makes one
    per call)."""
    labels = {}

    def label(value) -> str:
        if not labels:
            labels.update((v, str(text)) for v, text in choices.choices)
        return labels.get(value, value or "")

    return label


_status_label = _label(CaseStatus)
_procedure_label = _label(Procedure)
_kind_label = _label(SubjectKind)
_category_label = _label(InstitutionCategory)


@_once("measures")
def _measures(case) -> dict:
    decision = _decision(case)
    return {m.kind: m for m in decision.measures.all()} if decision is not None else {}


def _measure_flag(kind):
    def value(case):
        return _yes(kind in _measures(case)) if _decision(case) is not None else ""

    return value


def _measure_amount(kind):
    def value(case):
        measure = _measures(case).get(kind)
        return _yuan(measure.amount) if measure is not None and measure.amount is not None else None

    return value


def _penalised(case) -> bool:
    decision = _decision(case)
    return decision is not None and decision.kind == DecisionKind.PENALTY


def _party_kind(case) -> str:
    return "单位" if case.party_kind == PartyKind.ORGANISATION else "个人"


def _institution(case):
    return case.subject.institution if case.subject_id and case.subject.institution_id else None


def _responsible(case) -> str:
    # 法定代表人（负责人）: the registry's for a licensed institution; a citizen answers for themself.
    institution = _institution(case)
    if institution is not None and institution.legal_representative:
        return institution.legal_representative
    return case.party_name if case.party_kind == PartyKind.CITIZEN else ""


def _category(case) -> str:
    institution = _institution(case)
    if institution is not None:
        return _category_label(institution.category)
    # Unlicensed sites (黑诊所, 游医, 生活美容场所…) are no category of the card: 其他, with the kind.
    return f"其他（{_kind_label(case.subject.kind)}）" if case.subject_id else "其他"


# 案件来源 as the card lists them: 监督检查、投诉举报、上级交办、其他部门移送、其他.
SOURCE_LABELS = {CaseSource.INSPECTION: "监督检查", CaseSource.DIRECT: "其他"}
LEAD_CHANNEL_LABELS = {
    "phone": "投诉举报",
    "web": "投诉举报",
    "email": "投诉举报",
    "letter_visit": "投诉举报",
    "partner": "投诉举报",  # 12345 and other hotline platforms pass on residents' reports
    "transfer": "其他部门移送",
    "superior": "上级交办",
    "inspection": "监督检查",
}


def _source(case) -> str:
    if case.source == CaseSource.LEAD:
        return LEAD_CHANNEL_LABELS.get(case.lead.channel if case.lead_id else "", "其他")
    return SOURCE_LABELS.get(case.source, "其他")


@_once("applied")
def _applied(case) -> list:
    return [co.offence for co in case.offences.all() if co.applied]


def _offences(case) -> str:
    applied = _applied(case)
    return "；".join(f"{o.name}" for o in applied)


def _basis(case) -> str:
    decision = _decision(case)
    if decision is not None:
        return decision.offence.basis
    return "；".join(o.basis for o in _applied(case))


def _illegal_practice(case) -> str:
    """非法行医的情形 the card asks for, from the flags the case records for 刑法 第336条."""
    flags = [
        (case.no_qualification, "未取得或者以非法手段取得医师资格从事医疗活动"),
        (case.certificate_revoked, "被依法吊销医师执业证书期间从事医疗活动"),
        (case.village_without_certificate, "未取得乡村医生执业证书从事乡村医疗活动"),
        (case.birth_attendant_beyond, "家庭接生员实施家庭接生以外的医疗行为"),
    ]
    return "；".join(label for flag, label in flags if flag)


CLOSE_LABELS = {
    CloseKind.EXECUTED: "自觉履行",
    CloseKind.COURT_EXECUTED: "申请人民法院强制执行",
    CloseKind.TERMINATED: "强制执行终结",
    CloseKind.COURT_REFUSED: "人民法院裁定不予执行",
    CloseKind.NO_PENALTY: "不予行政处罚",
}


def _execution(case) -> str:
    if case.status == CaseStatus.CLOSED:
        return CLOSE_LABELS.get(case.close_kind, "")
    if _decision(case) is not None:
        return f"未执行完毕（{_status_label(case.status)}）"
    return ""


def _paid(case) -> Decimal | None:
    if _decision(case) is None:
        return None
    kinds = (PaymentKind.FINE, PaymentKind.CONFISCATED_INCOME)
    return _yuan(sum((p.amount for p in case.payments.all() if p.kind in kinds), Decimal("0")))


@_once("referral")
def _police_referral(case):
    found = [r for r in case.referrals.all() if r.target == ReferralTarget.POLICE and r.transferred_at]
    return min(found, key=lambda r: r.transferred_at) if found else None


def _referred_on(case) -> str:
    referral = _police_referral(case)
    return _date(timezone.localtime(referral.transferred_at).date()) if referral else ""


def _criminal(case) -> str:
    return _yes(bool(case.judgments.all())) if _police_referral(case) else ""


# The card's fields, in its order (docs/national-report.md gives each one's source and notes).
FIELDS = [
    Column(HEADER_CASE, lambda c: c.number or ""),
    Column(HEADER_NATIONAL, lambda c: c.national_no),
    # 被查处单位（个人）基本情况
    Column("被查处单位（个人）", lambda c: c.party_name),
    Column("当事人类别", _party_kind),
    Column("地址", lambda c: c.subject.address if c.subject_id else c.party_address),
    Column("注册地址", lambda c: _institution(c).address if _institution(c) else ""),
    Column("行政区划代码", lambda c: c.region.code[:6]),
    Column("法定代表人（负责人）", _responsible),
    Column("单位类别", _category),
    Column("医疗机构执业许可证号", lambda c: _institution(c).licence_no if _institution(c) else ""),
    # 案件情况
    Column("案件来源", _source),
    Column("立案日期", lambda c: _date(c.opened_on)),
    Column("案由", lambda c: c.title),
    Column("违法行为", _offences),
    Column("非法行医情形", _illegal_practice),
    Column("违法行为发生日期", lambda c: _date(c.offence_date)),
    Column("法律依据", _basis),
    # 处罚决定
    Column("处罚程序", lambda c: _procedure_label(_decision(c).procedure) if _decision(c) else ""),
    Column("是否作出行政处罚", lambda c: _yes(_penalised(c)) if _decision(c) else ""),
    Column("行政处罚决定书文号", lambda c: c.number if _penalised(c) else ""),
    Column("处罚决定日期", lambda c: _date(_decision(c).decided_on) if _decision(c) else ""),
    Column("警告", _measure_flag(MeasureKind.WARNING)),
    Column("罚款（元）", _measure_amount(MeasureKind.FINE)),
    Column("没收违法所得（元）", _measure_amount(MeasureKind.CONFISCATE_INCOME)),
    Column("没收药品器械", _measure_flag(MeasureKind.CONFISCATE_GOODS)),
    Column(
        "没收物品清单",
        lambda c: m.description if (m := _measures(c).get(MeasureKind.CONFISCATE_GOODS)) else "",
    ),
    Column("取缔/责令停止执业活动", _measure_flag(MeasureKind.BAN)),
    Column("责令暂停执业/停业整顿", _measure_flag(MeasureKind.SUSPEND)),
    Column("吊销许可证或执业证书", _measure_flag(MeasureKind.REVOKE)),
    Column("送达日期", lambda c: _date(_decision(c).served_on) if _decision(c) else ""),
    # 执行与结案
    Column("执行情况", _execution),
    Column("罚没款实缴金额（元）", _paid),
    Column("结案日期", lambda c: _date(c.closed_on)),
    Column("移送司法机关", lambda c: _yes(_police_referral(c) is not None)),
    Column("移送日期", _referred_on),
    Column("追究刑事责任", _criminal),
    Column("报告单位", lambda c: c.unit.name),
]


# --- choosing the cases --------------------------------------------------------------------------------

BASES = {
    "opened": ("opened_on", "立案日期"),
    "decided": ("decided_on", "决定日期"),
    "closed": ("closed_on", "结案日期"),
}


@dataclass(frozen=True)
class Period:
    basis: str
    start: dt.date
    end: dt.date
    pending_only: bool = True

    def params(self) -> dict:
        return {
            "basis": self.basis,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "pending_only": self.pending_only,
        }

    @classmethod
    def from_params(cls, params: dict) -> Period:
        return cls(
            basis=params["basis"],
            start=dt.date.fromisoformat(params["start"]),
            end=dt.date.fromisoformat(params["end"]),
            pending_only=bool(params.get("pending_only")),
        )

    def describe(self) -> str:
        label = BASES[self.basis][1]
        text = f"{label} {self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"
        return text + "，仅未录入" if self.pending_only else text


def export_cases(user, period: Period):
    """The cases of the user's own jurisdiction (never a grant's, never another county's) that were
    opened, decided or closed in the period: each a card of the national system."""
    field = BASES[period.basis][0]
    qs = Case.objects.in_jurisdiction_of(user).filter(
        opened_on__isnull=False, **{f"{field}__gte": period.start, f"{field}__lte": period.end}
    )
    if period.pending_only:
        qs = qs.filter(national_entry_on__isnull=True)
    return (
        qs.select_related(
            "unit", "region", "subject__institution", "lead", "decision__offence", "national_recorded_by"
        )
        .prefetch_related(
            "offences__offence",
            "decision__measures",
            "payments",
            "judgments",
            Prefetch("referrals", queryset=Referral.objects.only("case_id", "target", "transferred_at")),
        )
        .order_by(field, "number", "pk")
    )


def export_write(target, rows, on_row=None) -> int:
    return write_xlsx(target, title=TITLE, columns=FIELDS, rows=rows, on_row=on_row)


def _back(job):
    query = job.params
    return (
        "返回导出页",
        f"/cases/national/?basis={query['basis']}&start={query['start']}&end={query['end']}",
    )


@register(
    "national_export",
    title="导出国家系统报送文件",
    perm="cases.view",
    heading=lambda job: f"导出国家系统报送文件（{Period.from_params(job.params).describe()}）",
    back=_back,
    count_label="行",
)
def run_national_export(job, progress):
    """The same cases the user asked for, in their jurisdiction as it is now."""
    actor = job.actor
    if not actor.can("cases.view"):
        raise ValidationError("您已没有查看案件的权限，未导出")
    rows = export_cases(actor, Period.from_params(job.params))
    total = rows.count()
    progress(0, total, "正在生成 Excel 文件")
    path = job_output_file(
        job, download_name=export_file_name(TITLE, job.created_at), content_type=CONTENT_TYPE
    )
    written = export_write(path, rows.iterator(chunk_size=500), on_row=lambda n: progress(n))
    return {"message": f"已导出国家系统报送文件 {written} 行。", "counts": [["导出案件数", written]]}


# --- recording the national number back ----------------------------------------------------------------


def clean_number(value) -> str:
    """The national number as typed or read from a cell; ValidationError with a Chinese reason."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell read back from Excel
    text = str(value).strip()
    if not text:
        return ""
    if len(text) > NUMBER_MAX:
        raise ValidationError(f"国家系统编号不能超过{NUMBER_MAX}个字符")
    if not NUMBER_RE.match(text):
        raise ValidationError("国家系统编号只能包含字母、数字、汉字和 - _ / . ( ) 〔 〕 等符号，不能有空格")
    return text


def _holder(number: str, exclude_pk: int | None = None) -> Case | None:
    qs = Case.objects.filter(national_no=number)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.only("pk", "number").first()


def _check_date(case, entered_on: dt.date) -> None:
    if entered_on > _today():
        raise ValidationError({"entered_on": "录入日期不能晚于今天"})
    if case.opened_on and entered_on < case.opened_on:
        raise ValidationError({"entered_on": f"录入日期不能早于立案日期（{case.opened_on:%Y-%m-%d}）"})


def _set(actor, case, number: str, entered_on: dt.date) -> Case:
    before = audit.snapshot(case)
    case.national_no = number
    case.national_entry_on = entered_on
    case.national_recorded_by = actor
    case.save(update_fields=["national_no", "national_entry_on", "national_recorded_by", "updated_at"])
    _event(case, actor, "登记国家系统编号", note=f"{number}（{entered_on:%Y-%m-%d}录入）")
    _audit_change(actor, case, before)
    return case


@transaction.atomic
def national_record(*, actor, case, number, entered_on: dt.date, version: str | None = None) -> Case:
    """The national number of one case, entered or corrected on its page; audited, in scope."""
    if not actor.can("cases.edit"):
        raise NotPermitted("您没有登记国家系统编号的权限")
    case = _lock(case, actor)
    concurrency.check_version(case, version, RECORD_FIELDS)
    try:
        number = clean_number(number)
    except ValidationError as exc:
        raise ValidationError({"national_no": exc.messages}) from None
    if not number:
        raise ValidationError({"national_no": "请填写国家系统编号"})
    if case.opened_on is None:
        raise ValidationError("案件尚未立案，不能登记国家系统编号")
    _check_date(case, entered_on)
    other = _holder(number, exclude_pk=case.pk)
    if other is not None:
        raise ValidationError({"national_no": f"该国家系统编号已登记在案件 {other.number or other.pk}"})
    return _set(actor, case, number, entered_on)


@dataclass
class ImportResult:
    recorded: int = 0
    unchanged: int = 0


def _header_index(header: list) -> dict[str, int]:
    names = [str(h).strip() if h is not None else "" for h in header]
    found = {}
    for wanted in (HEADER_CASE, HEADER_NATIONAL, HEADER_DATE):
        if wanted in names:
            found[wanted] = names.index(wanted)
    missing = [h for h in (HEADER_CASE, HEADER_NATIONAL) if h not in found]
    if missing:
        raise ValidationError(
            [
                f"第1行应为表头，缺少“{'”“'.join(missing)}”列（可直接上传本平台导出的报送文件，填好国家系统编号）"
            ]
        )
    return found


def _cell(values: list, index: int | None):
    return values[index] if index is not None and index < len(values) else None


def _read_date(value, today: dt.date) -> dt.date:
    if value in (None, ""):
        return today
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"录入日期“{value}”不是“2026-08-31”这样的日期") from None


@transaction.atomic
def national_import(*, actor, lines) -> ImportResult:
    """Numbers for many cases from a sheet: (line number, cells) with the header as line 1. All or
    nothing: any bad line refuses the whole file, every bad line named; lines that repeat what is
    already recorded change nothing."""
    if not actor.can("cases.edit"):
        raise NotPermitted("您没有登记国家系统编号的权限")
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        raise ValidationError(["文件是空的"])
    columns = _header_index(first[1])
    today = _today()
    errors: list[str] = []
    wanted: list[tuple[int, str, str, dt.date]] = []
    for line, values in lines:
        case_no = _cell(values, columns[HEADER_CASE])
        case_no = str(case_no).strip() if case_no is not None else ""
        raw_number = _cell(values, columns[HEADER_NATIONAL])
        if not case_no and raw_number in (None, ""):
            continue  # an empty line, or a case exported but not yet entered there
        if len(wanted) + len(errors) >= IMPORT_MAX_ROWS:
            raise ValidationError([f"一个文件最多 {IMPORT_MAX_ROWS} 行，请分成几个文件上传"])
        try:
            if not case_no:
                raise ValidationError("未填写本平台案件编号")
            number = clean_number(raw_number)
            if not number:
                raise ValidationError(f"案件 {case_no} 未填写国家系统编号")
            entered_on = _read_date(_cell(values, columns.get(HEADER_DATE)), today)
        except ValidationError as exc:
            errors.append(f"第{line}行：{'；'.join(exc.messages)}")
            continue
        wanted.append((line, case_no, number, entered_on))

    cases = {c.number: c for c in Case.objects.filter(number__in={w[1] for w in wanted}).select_for_update()}
    mine = set(
        Case.objects.in_jurisdiction_of(actor)
        .filter(pk__in=[c.pk for c in cases.values()])
        .values_list("pk", flat=True)
    )
    holders = {
        c.national_no: c
        for c in Case.objects.filter(national_no__in={w[2] for w in wanted}).only(
            "pk", "number", "national_no"
        )
    }
    seen_case: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    todo = []
    for line, case_no, number, entered_on in wanted:
        case = cases.get(case_no)
        problem = ""
        if case_no in seen_case:
            problem = f"案件 {case_no} 与第{seen_case[case_no]}行重复"
        elif number in seen_number:
            problem = f"国家系统编号 {number} 与第{seen_number[number]}行重复"
        elif case is None:
            problem = f"本平台没有编号为 {case_no} 的案件"
        elif case.pk not in mine:
            problem = f"案件 {case_no} 不在您的管辖范围内"
        elif case.opened_on is None:
            problem = f"案件 {case_no} 尚未立案"
        elif case.national_no and case.national_no != number:
            problem = f"案件 {case_no} 已登记国家系统编号 {case.national_no}，与本行的 {number} 不同（如需更正请在案件页修改）"
        elif (holder := holders.get(number)) is not None and holder.pk != case.pk:
            problem = f"国家系统编号 {number} 已登记在案件 {holder.number}"
        else:
            try:
                _check_date(case, entered_on)
            except ValidationError as exc:
                problem = "；".join(exc.messages)
        seen_case.setdefault(case_no, line)
        seen_number.setdefault(number, line)
        if problem:
            errors.append(f"第{line}行：{problem}")
        else:
            todo.append((case, number, entered_on))
    if errors:
        errors.sort(key=lambda e: int(re.match(r"第(\d+)行", e).group(1)))
        raise ValidationError(errors)
    if not todo:
        raise ValidationError(["文件中没有填写国家系统编号的行"])
    result = ImportResult()
    for case, number, entered_on in todo:
        if case.national_no == number:
            result.unchanged += 1
            continue
        _set(actor, case, number, entered_on)
        result.recorded += 1
    return result
