"""Every write to a case: one transaction each, its audit row and timeline step (CaseEvent) in the
same transaction, notifications after commit. The workflow (workflow.py) decides which step is
allowed from which state; the conditions on dates and money are checked here."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.campaigns.selectors import check_campaign_tag
from qingyuan.core import audit, concurrency, workdays
from qingyuan.core.crypto import blind_index
from qingyuan.core.notifications import notify

from . import deadlines, numbering, workflow
from .models import (
    MONEY_MEASURES,
    Case,
    CaseEvent,
    CaseExtension,
    CaseOffence,
    CasePause,
    CaseSource,
    CaseStatus,
    ExtensionKind,
    MeasureKind,
    PartyKind,
    PauseKind,
    Payment,
    PaymentKind,
    PenaltyDecision,
    PenaltyMeasure,
    Procedure,
)
from .workflow import TransitionNotAllowed

ZERO = Decimal("0")
# 行政处罚法 第51条: on-the-spot decisions only for a warning or a fine up to these amounts.
SIMPLIFIED_LIMITS = {PartyKind.CITIZEN: Decimal("200"), PartyKind.ORGANISATION: Decimal("3000")}
SIMPLIFIED_MEASURES = {MeasureKind.WARNING, MeasureKind.FINE}
# 简易程序 decisions are filed with the agency within 7 days; 第85条 makes "七日" working days.
SIMPLIFIED_FILING_WORKING_DAYS = 7
# 行政处罚法 第72条: 3% of the fine per day late, never more than the fine itself.
SURCHARGE_RATE = Decimal("0.03")
# The fields each edit form overwrites, and so the fields its version token covers (core.concurrency).
FACTS_FIELDS = ("facts", "illegal_income")
NATIONAL_ENTRY_FIELDS = ("national_entry_on",)
FILING_FIELDS = ("filed_on",)


def _today():
    return timezone.localdate()


def _event(case, actor, action, note="", from_status="", to_status=""):
    CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        note=note[:2000],
        from_status=from_status,
        to_status=to_status,
    )


def _lock(case, actor=None) -> Case:
    # Row lock: two officers acting on one case at once must not overwrite each other.
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if actor is not None:
        require_in_scope(actor, locked)
    return locked


def require_in_scope(actor, case) -> None:
    """Every write to a case is made by someone whose jurisdiction holds it, whoever calls the
    service (page, command, import): the same rule as the pages' 404."""
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise workflow.NotPermitted("该案件不在您的管辖范围内")


# What each page action needs, beyond the workflow's own table (workflow.TRANSITIONS).
ACTION_PERMS = {
    "extend": "cases.approve",
    "pause": "cases.edit",
    "pause_end": "cases.edit",
    "facts": "cases.edit",
    "payment": "cases.edit",
    "file": "cases.edit",
    "national_entry": "cases.edit",
    "evidence": "evidence.add",
}


def case_action_check(*, actor, case, action: str) -> None:
    """Refuse a step the actor may never take on this case before any form is read, so that a page
    answers 403 whatever was posted; each service checks again where it writes."""
    transition = workflow.TRANSITIONS.get(action)
    perm = transition.perm if transition is not None else ACTION_PERMS.get(action)
    if perm is not None and not actor.can(perm):
        label = transition.label if transition is not None else "该操作"
        raise workflow.NotPermitted(f"您没有“{label}”的权限")
    require_in_scope(actor, case)


def _chiefs(case):
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role

    return list(User.objects.filter(unit=case.unit, role__in=[Role.CHIEF, Role.LEADER], is_active=True))


def _notify_on_commit(users, text, case):
    users = list(users)
    transaction.on_commit(lambda: notify(users, text, case.get_absolute_url()))


def _label(case) -> str:
    return case.number or case.title


def _audit_change(actor, instance, before, action=audit.AuditAction.UPDATE, region_code=""):
    b, a = audit.diff(before, audit.snapshot(instance))
    audit.record(actor=actor, action=action, target=instance, before=b, after=a, region_code=region_code)


def _transition(case, *, actor, action, note="", **changes) -> Case:
    case = _lock(case, actor)
    transition = workflow.check(case, action, actor)
    before = audit.snapshot(case)
    old_status = case.status
    for field, value in changes.items():
        setattr(case, field, value)
    case.status = transition.target
    case.full_clean()
    case.save()
    _event(case, actor, transition.label, note=note, from_status=old_status, to_status=case.status)
    b, a = audit.diff(before, audit.snapshot(case))
    audit.record(
        actor=actor, action=audit.AuditAction.TRANSITION, target=case, before=b, after={**a, "action": action}
    )
    return case


def _require(value, field, message):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: message})


def _officers_checked(officers) -> list:
    """RULES.md: at least two officers with enforcement credentials on every investigation."""
    officers = list(dict.fromkeys(officers or []))
    if len(officers) < 2:
        raise ValidationError({"officers": "承办人须至少2名执法人员"})
    missing = [o.full_name or o.username for o in officers if not o.credential_no]
    if missing:
        raise ValidationError({"officers": f"{'、'.join(missing)}没有执法证号，不能承办案件"})
    return officers


# --- 立案 -----------------------------------------------------------------------------------------


def checked_day(*, lead=None, inspection=None) -> dt.date:
    """The day the facts were checked: the lead's conclusion, the inspection, or today."""
    if lead is not None and lead.concluded_at:
        return timezone.localtime(lead.concluded_at).date()
    if inspection is not None and getattr(inspection, "started_at", None):
        return timezone.localtime(inspection.started_at).date()
    return _today()


@transaction.atomic
def case_propose(
    *,
    actor,
    subject,
    source: str,
    title: str,
    party_kind: str,
    party_name: str,
    offence_date: dt.date,
    offence_codes: list[str],
    illegal_income=ZERO,
    lead=None,
    inspection=None,
    party_person=None,
    party_id_number: str = "",
    party_address: str = "",
    facts: str = "",
    officers=(),
    checked_on: dt.date | None = None,
    campaign=None,
) -> Case:
    """提请立案. Offences are pinned to the versions in force on the offence date; the opening clock
    runs from the day the lead was concluded (or `checked_on`, or today for a direct case)."""
    from qingyuan.inspections.services import may_act_on
    from qingyuan.rules.models import Offence
    from qingyuan.rules.selectors import offence_in_force

    workflow.check(None, "propose", actor)
    if not may_act_on(actor, subject):
        raise workflow.NotPermitted("该监管对象不在您的管辖范围内")
    if source not in CaseSource.values:
        raise ValidationError({"source": "请选择案件来源"})
    if source == CaseSource.LEAD and lead is None:
        raise ValidationError({"lead": "来源为线索时须选择线索"})
    if source == CaseSource.INSPECTION and inspection is None:
        raise ValidationError({"inspection": "来源为监督检查时须选择检查记录"})
    _require(title, "title", "请填写案由")
    _require(party_name, "party_name", "请填写当事人")
    if offence_date is None:
        raise ValidationError({"offence_date": "请填写违法行为发生日期"})
    if offence_date > _today():
        raise ValidationError({"offence_date": "违法行为发生日期不能晚于今天"})
    codes = [c.strip() for c in offence_codes or [] if c and c.strip()]
    if not codes:
        raise ValidationError({"offence_codes": "请至少选择一项违法行为"})
    offences = []
    for code in dict.fromkeys(codes):
        try:
            offences.append(offence_in_force(code, offence_date))
        except Offence.DoesNotExist:
            raise ValidationError(
                {"offence_codes": f"违法行为{code}在{offence_date:%Y-%m-%d}没有有效的条款"}
            ) from None
    illegal_income = Decimal(illegal_income or 0)
    if illegal_income < 0:
        raise ValidationError({"illegal_income": "违法所得不能为负数"})
    officers = _officers_checked(officers)
    unit = lead.handling_unit if lead is not None else actor.unit
    checked_on = checked_on or checked_day(lead=lead, inspection=inspection)
    # A case counts for the campaign in force where and when its facts were checked.
    check_campaign_tag(campaign, region=subject.region, on=checked_on)
    case = Case(
        unit=unit,
        region=subject.region,
        subject=subject,
        source=source,
        lead=lead,
        inspection=inspection,
        campaign=campaign,
        title=title.strip(),
        facts=facts,
        party_kind=party_kind,
        party_name=party_name.strip(),
        party_person=party_person,
        party_id_number=party_id_number.strip(),
        party_id_index=blind_index(party_id_number.strip()),
        party_address=party_address,
        offence_date=offence_date,
        illegal_income=illegal_income,
        checked_on=checked_on,
        open_due=deadlines.open_due(checked_on),
        proposed_by=actor,
        status=CaseStatus.PROPOSED,
    )
    case.full_clean(exclude=["number"])
    case.save()
    case.officers.set(officers)
    for offence in offences:
        CaseOffence.objects.create(case=case, offence=offence, applied=len(offences) == 1)
    _event(
        case,
        actor,
        "提请立案",
        note=f"{case.get_source_display()}；{'、'.join(codes)}",
        to_status=case.status,
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=case,
        after={**audit.snapshot(case), "offences": codes, "officers": [o.pk for o in officers]},
    )
    from . import crime

    # The penalty history across regions may already make this a suspected crime (RULES.md).
    crime.crime_refresh(case=case, actor=actor)
    _notify_on_commit(_chiefs(case), f"案件“{case.title}”待立案审批", case)
    return case


@transaction.atomic
def case_approve_open(*, actor, case, opened_on: dt.date | None = None) -> Case:
    """批准立案: the case gets its number and the 90-day clock starts."""
    opened_on = opened_on or _today()
    locked = _lock(case, actor)
    workflow.check(locked, "approve_open", actor)
    if opened_on > _today():
        raise ValidationError({"opened_on": "立案日期不能晚于今天"})
    if locked.checked_on and opened_on < locked.checked_on:
        raise ValidationError({"opened_on": "立案日期不能早于线索核查完毕日期"})
    number = numbering.next_number(locked.unit, opened_on.year)
    case = _transition(
        locked,
        actor=actor,
        action="approve_open",
        note=number,
        number=number,
        opened_on=opened_on,
        opened_by=actor,
    )
    _refresh_decide_due(case)
    _notify_on_commit(case.officers.all(), f"案件 {case.number} 已批准立案", case)
    return case


@transaction.atomic
def case_not_open(*, actor, case, reason: str) -> Case:
    _require(reason, "reason", "请填写不予立案的理由")
    case = _transition(case, actor=actor, action="not_open", note=reason, end_reason=reason)
    _notify_on_commit([case.proposed_by], f"案件“{case.title}”不予立案", case)
    return case


@transaction.atomic
def case_to_review(*, actor, case, note: str = "") -> Case:
    case = _transition(case, actor=actor, action="to_review", note=note)
    _notify_on_commit(_chiefs(case), f"案件 {case.number} 已提交合议审理", case)
    return case


@transaction.atomic
def case_notify(*, actor, case, notified_on: dt.date, waived: bool = False) -> Case:
    """告知 (行政处罚法 第44条): the party may state their case and ask for a hearing within 5 working
    days; `waived` records a written waiver, after which the decision need not wait."""
    if notified_on is None:
        raise ValidationError({"notified_on": "请填写告知日期"})
    if notified_on > _today():
        raise ValidationError({"notified_on": "告知日期不能晚于今天"})
    locked = _lock(case, actor)
    if locked.opened_on and notified_on < locked.opened_on:
        raise ValidationError({"notified_on": "告知日期不能早于立案日期"})
    note = f"告知日期 {notified_on:%Y-%m-%d}" + ("；当事人书面放弃陈述申辩和听证" if waived else "")
    return _transition(
        locked,
        actor=actor,
        action="notify",
        note=note,
        notified_on=notified_on,
        statement_waived=bool(waived),
    )


@transaction.atomic
def case_request_hearing(*, actor, case, requested_on: dt.date | None = None) -> Case:
    """The hearing period does not count towards the 90 days: it opens a CasePause."""
    requested_on = requested_on or _today()
    locked = _lock(case, actor)
    workflow.check(locked, "request_hearing", actor)
    window = deadlines.hearing_window_due(locked)
    if locked.statement_waived:
        raise TransitionNotAllowed("当事人已书面放弃听证")
    if window and requested_on > window:
        raise TransitionNotAllowed(f"听证申请期限已于{window:%Y年%m月%d日}届满，不能再申请听证")
    if requested_on < locked.notified_on:
        raise ValidationError({"requested_on": "申请日期不能早于告知日期"})
    case = _transition(
        locked, actor=actor, action="request_hearing", note=f"申请日期 {requested_on:%Y-%m-%d}"
    )
    pause = CasePause.objects.create(
        case=case, kind=PauseKind.HEARING, started_on=requested_on, note="当事人申请听证", recorded_by=actor
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=pause,
        after=audit.snapshot(pause),
        region_code=case.region_id,
    )
    return case


@transaction.atomic
def case_end_hearing(*, actor, case, ended_on: dt.date | None = None, note: str = "") -> Case:
    """Back to 已告知, with the pause closed and the 90-day clock moved by its length."""
    ended_on = ended_on or _today()
    case = _transition(case, actor=actor, action="end_hearing", note=note or f"听证结束 {ended_on:%Y-%m-%d}")
    for pause in case.pauses.filter(kind=PauseKind.HEARING, ended_on__isnull=True):
        _close_pause(actor, case, pause, ended_on)
    _refresh_decide_due(case)
    return case


def hearing_held(case) -> bool:
    return case.pauses.filter(kind=PauseKind.HEARING, ended_on__isnull=False).exists()


def decide_blocked_reason(case, decided_on: dt.date, procedure: str) -> str | None:
    """行政处罚法 第62条: no decision before the party has had the chance to state their case."""
    if case.status == CaseStatus.REVIEW:
        if procedure != Procedure.SIMPLIFIED:
            return "一般程序须先告知当事人陈述申辩和听证权利，才能作出决定"
        return None
    if case.statement_waived or hearing_held(case):
        return None
    window = deadlines.hearing_window_due(case)
    if window and decided_on <= window:
        return (
            f"陈述申辩和听证申请期限至{window:%Y年%m月%d日}届满，届满后方可作出决定（当事人书面放弃的除外）"
        )
    return None


# --- 期限 -----------------------------------------------------------------------------------------


def _refresh_decide_due(case):
    """Keep the stored decide_due current whenever 立案, an extension or a pause changes it: the lists,
    counts and dashboard compare it in SQL (models.overdue_condition)."""
    due = deadlines.stored_decide_due(case)
    if due != case.decide_due:
        Case.objects.filter(pk=case.pk).update(decide_due=due)
        case.decide_due = due


@transaction.atomic
def case_extend(*, actor, case, kind: str, reason: str) -> CaseExtension:
    """延长期限 with approval: the opening period +7 working days, the deciding period +60 days by
    the head, +30 more by collective decision (needs the first)."""
    case = _lock(case, actor)
    if kind not in ExtensionKind.values:
        raise ValidationError({"kind": "请选择延期类型"})
    perm = "cases.decide" if kind == ExtensionKind.DECIDE_COLLECTIVE else "cases.approve"
    if not actor.can(perm):
        raise TransitionNotAllowed(f"您没有批准“{ExtensionKind(kind).label}”的权限")
    _require(reason, "reason", "请填写延期理由")
    if case.extensions.filter(kind=kind).exists():
        raise TransitionNotAllowed(f"该案件已{ExtensionKind(kind).label}，不能再次延长")
    if kind == ExtensionKind.OPEN:
        if case.status != CaseStatus.PROPOSED or case.open_due is None:
            raise TransitionNotAllowed("只有待立案审批的案件可以延长立案期限")
        new_due = deadlines.deadline("CASE_OPEN_EXTENSION", case.open_due)
        field = "open_due"
    else:
        if case.status not in workflow.DECIDING_STATES:
            raise TransitionNotAllowed("只有已立案、尚未作出决定的案件可以延长办案期限")
        if (
            kind == ExtensionKind.DECIDE_COLLECTIVE
            and not case.extensions.filter(kind=ExtensionKind.DECIDE).exists()
        ):
            raise TransitionNotAllowed("须先经负责人批准延长办案期限，才能经集体讨论再次延长")
        new_due = None
        field = "decide_due"
    before = audit.snapshot(case)
    extension = CaseExtension(
        case=case, kind=kind, reason=reason, approved_by=actor, new_due=new_due or _today()
    )
    if kind == ExtensionKind.OPEN:
        case.open_due = new_due
    extension.save()
    if kind != ExtensionKind.OPEN:
        case.decide_due = deadlines.stored_decide_due(case)
        extension.new_due = case.decide_due
        extension.save(update_fields=["new_due"])
    case.save()
    _event(case, actor, ExtensionKind(kind).label, note=f"至{getattr(case, field):%Y-%m-%d}；{reason}")
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=extension,
        after=audit.snapshot(extension),
        region_code=case.region_id,
    )
    _audit_change(actor, case, before)
    return extension


@transaction.atomic
def pause_start(*, actor, case, kind: str, started_on: dt.date, note: str = "") -> CasePause:
    """检测、检验, 鉴定 or 公告: the period does not count towards the 90 days."""
    case = _lock(case, actor)
    if not actor.can("cases.edit"):
        raise TransitionNotAllowed("您没有登记中止期间的权限")
    if case.status not in workflow.DECIDING_STATES:
        raise TransitionNotAllowed("只有已立案、尚未作出决定的案件可以登记不计入期限的期间")
    if kind not in PauseKind.values or kind == PauseKind.HEARING:
        raise ValidationError({"kind": "请选择中止事由（听证由“当事人要求听证”自动登记）"})
    if started_on is None or (case.opened_on and started_on < case.opened_on):
        raise ValidationError({"started_on": "起始日期须在立案日期之后"})
    if case.pauses.filter(ended_on__isnull=True).exists():
        raise ValidationError({"kind": "已有尚未结束的中止期间，请先登记其结束"})
    pause = CasePause.objects.create(
        case=case, kind=kind, started_on=started_on, note=note, recorded_by=actor
    )
    _event(case, actor, f"{pause.get_kind_display()}开始", note=f"{started_on:%Y-%m-%d} {note}")
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=pause,
        after=audit.snapshot(pause),
        region_code=case.region_id,
    )
    return pause


def _close_pause(actor, case, pause, ended_on):
    if ended_on < pause.started_on:
        raise ValidationError({"ended_on": "结束日期不能早于起始日期"})
    before = audit.snapshot(pause)
    pause.ended_on = ended_on
    pause.save()
    _event(
        case,
        actor,
        f"{pause.get_kind_display()}结束",
        note=f"{pause.started_on:%Y-%m-%d}至{ended_on:%Y-%m-%d}",
    )
    _audit_change(actor, pause, before, region_code=case.region_id)


@transaction.atomic
def pause_end(*, actor, case, ended_on: dt.date) -> Case:
    case = _lock(case, actor)
    if not actor.can("cases.edit"):
        raise TransitionNotAllowed("您没有登记中止期间的权限")
    pause = case.pauses.filter(ended_on__isnull=True).exclude(kind=PauseKind.HEARING).first()
    if pause is None:
        raise TransitionNotAllowed("没有尚未结束的中止期间")
    _close_pause(actor, case, pause, ended_on or _today())
    _refresh_decide_due(case)
    return case


# --- 决定 -----------------------------------------------------------------------------------------


def _measures_checked(case, measures: list[dict]) -> list[dict]:
    cleaned, kinds = [], set()
    for item in measures or []:
        kind = item.get("kind")
        if kind not in MeasureKind.values:
            raise ValidationError({"measures": f"未知的处罚种类：{kind}"})
        if kind in kinds:
            raise ValidationError({"measures": f"“{MeasureKind(kind).label}”重复"})
        kinds.add(kind)
        amount = item.get("amount")
        amount = None if amount in (None, "") else Decimal(str(amount))
        if kind in MONEY_MEASURES:
            if amount is None or amount <= 0:
                raise ValidationError({"measures": f"“{MeasureKind(kind).label}”须填写大于0的金额（元）"})
        elif amount is not None:
            amount = None
        cleaned.append({"kind": kind, "amount": amount, "description": (item.get("description") or "")[:300]})
    if not cleaned:
        raise ValidationError({"measures": "请至少选择一种处罚"})
    return cleaned


@transaction.atomic
def decision_record(
    *,
    actor,
    case,
    offence_code: str,
    procedure: str,
    decided_on: dt.date,
    measures: list[dict],
    discretion_reason: str = "",
) -> PenaltyDecision:
    """作出处罚决定. The fine must lie inside the legal range of the chosen offence for the case's
    illegal income, with a discretion reason. 没收违法所得 must equal the illegal income found in the
    case: a different amount is refused (correct the income first), because the figure in the
    decision has to match the facts the case established."""
    from qingyuan.rules.fines import check_fine

    case = _lock(case, actor)
    workflow.check(case, "decide", actor)
    if procedure not in Procedure.values:
        raise ValidationError({"procedure": "请选择程序"})
    if decided_on is None:
        raise ValidationError({"decided_on": "请填写决定日期"})
    if decided_on > _today():
        raise ValidationError({"decided_on": "决定日期不能晚于今天"})
    if case.opened_on and decided_on < case.opened_on:
        raise ValidationError({"decided_on": "决定日期不能早于立案日期"})
    blocked = decide_blocked_reason(case, decided_on, procedure)
    if blocked:
        raise TransitionNotAllowed(blocked)
    charged = {co.offence.code: co for co in case.offences.select_related("offence")}
    if offence_code not in charged:
        raise ValidationError({"offence_code": "适用条款须为本案认定的违法行为之一"})
    offence = charged[offence_code].offence
    measures = _measures_checked(case, measures)
    by_kind = {m["kind"]: m for m in measures}
    fine = by_kind.get(MeasureKind.FINE, {}).get("amount")
    check_fine(offence, case.illegal_income, fine)
    if fine and not discretion_reason.strip():
        raise ValidationError({"discretion_reason": "处以罚款须填写自由裁量理由"})
    confiscated = by_kind.get(MeasureKind.CONFISCATE_INCOME)
    if confiscated is not None and confiscated["amount"] != case.illegal_income:
        raise ValidationError({"measures": f"没收违法所得金额应与认定的违法所得{case.illegal_income}元一致"})
    if procedure == Procedure.SIMPLIFIED:
        limit = SIMPLIFIED_LIMITS[case.party_kind]
        others = set(by_kind) - SIMPLIFIED_MEASURES
        if others:
            names = "、".join(str(MeasureKind(k).label) for k in sorted(others))
            raise ValidationError({"procedure": f"简易程序只能给予警告或较小数额罚款，不能{names}"})
        if fine and fine > limit:
            raise ValidationError(
                {
                    "procedure": f"简易程序对{PartyKind(case.party_kind).label}罚款不能超过{limit}元，请适用一般程序"
                }
            )
    decision = PenaltyDecision(
        case=case,
        procedure=procedure,
        offence=offence,
        decided_on=decided_on,
        decided_by=actor,
        discretion_reason=discretion_reason.strip(),
    )
    decision.full_clean(exclude=["case"])
    decision.save()
    for m in measures:
        PenaltyMeasure.objects.create(decision=decision, **m)
    for code, co in charged.items():
        if co.applied != (code == offence_code):
            co.applied = code == offence_code
            co.save(update_fields=["applied"])
    summary = "；".join(
        str(MeasureKind(m["kind"]).label) + ("" if m["amount"] is None else f" {m['amount']}元")
        for m in measures
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=decision,
        after={**audit.snapshot(decision), "measures": measures},
        region_code=case.region_id,
    )
    _transition(case, actor=actor, action="decide", note=f"{offence.code}；{summary}", decided_on=decided_on)
    if MeasureKind.BAN in by_kind:
        from . import rechecks

        rechecks.schedule_after_decision(actor=actor, decision=decision)
    _notify_on_commit(case.officers.all(), f"案件 {case.number} 已作出处罚决定，请送达", case)
    return decision


def filing_due(decision) -> dt.date | None:
    if decision.procedure != Procedure.SIMPLIFIED:
        return None
    return workdays.add_working_days(decision.decided_on, SIMPLIFIED_FILING_WORKING_DAYS)


@transaction.atomic
def decision_file(*, actor, case, filed_on: dt.date, version: str | None = None) -> PenaltyDecision:
    """简易程序 decisions are filed (备案) with the agency; the page shows when that is overdue."""
    if not actor.can("cases.edit"):
        raise TransitionNotAllowed("您没有登记备案的权限")
    decision = PenaltyDecision.objects.select_for_update().get(case=case)
    concurrency.check_version(decision, version, FILING_FIELDS)
    if decision.procedure != Procedure.SIMPLIFIED:
        raise TransitionNotAllowed("只有简易程序的决定需要备案")
    if filed_on is None or filed_on < decision.decided_on or filed_on > _today():
        raise ValidationError({"filed_on": "备案日期须在决定日期之后、今天之前"})
    before = audit.snapshot(decision)
    decision.filed_on = filed_on
    decision.save()
    _event(case, actor, "简易程序备案", note=f"{filed_on:%Y-%m-%d}")
    _audit_change(actor, decision, before, region_code=case.region_id)
    return decision


@transaction.atomic
def case_serve(*, actor, case, served_on: dt.date) -> Case:
    """送达: the 15-day payment period (行政处罚法 第67条) runs from the day the party received it."""
    locked = _lock(case, actor)
    workflow.check(locked, "serve", actor)
    decision = PenaltyDecision.objects.select_for_update().get(case=locked)
    if served_on is None or served_on < decision.decided_on or served_on > _today():
        raise ValidationError({"served_on": "送达日期须在决定日期之后、今天之前"})
    before = audit.snapshot(decision)
    decision.served_on = served_on
    decision.payment_due = deadlines.deadline("FINE_PAYMENT", served_on) if money_due(decision) else None
    decision.save()
    _audit_change(actor, decision, before, region_code=locked.region_id)
    return _transition(
        locked, actor=actor, action="serve", note=f"送达日期 {served_on:%Y-%m-%d}", served_on=served_on
    )


@transaction.atomic
def case_enforce(*, actor, case, note: str = "") -> Case:
    locked = _lock(case, actor)
    workflow.check(locked, "enforce", actor)
    if owed(locked) <= 0:
        raise TransitionNotAllowed("当事人没有待缴款项，无需执行")
    return _transition(locked, actor=actor, action="enforce", note=note)


@transaction.atomic
def case_close(*, actor, case, closed_on: dt.date | None = None) -> Case:
    from . import crime

    closed_on = closed_on or _today()
    locked = _lock(case, actor)
    workflow.check(locked, "close", actor)
    still_owed = owed(locked, closed_on)
    if still_owed > 0:
        raise TransitionNotAllowed(f"当事人尚欠{still_owed}元（含加处罚款），不能结案")
    blocked = crime.close_blocked_reason(locked)
    if blocked:
        raise TransitionNotAllowed(blocked)
    return _transition(locked, actor=actor, action="close", closed_on=closed_on)


@transaction.atomic
def case_revoke(*, actor, case, reason: str) -> Case:
    _require(reason, "reason", "请填写撤销理由")
    case = _transition(case, actor=actor, action="revoke", note=reason, end_reason=reason, closed_on=_today())
    _notify_on_commit(case.officers.all(), f"案件 {_label(case)} 已撤销", case)
    return case


@transaction.atomic
def case_transfer(*, actor, case, reason: str) -> Case:
    """移送 (to another region or authority); the referral itself is recorded separately."""
    _require(reason, "reason", "请填写移送理由")
    case = _transition(
        case, actor=actor, action="transfer", note=reason, end_reason=reason, closed_on=_today()
    )
    _notify_on_commit(case.officers.all(), f"案件 {_label(case)} 已移送", case)
    return case


# --- 执行 -----------------------------------------------------------------------------------------


def _measure_amount(decision, kind) -> Decimal:
    measure = next((m for m in decision.measures.all() if m.kind == kind), None)
    return measure.amount or ZERO if measure else ZERO


def money_due(decision) -> bool:
    return any(m.kind in MONEY_MEASURES and m.amount for m in decision.measures.all())


def _paid(case, kind, before: dt.date | None = None) -> Decimal:
    total = ZERO
    for p in case.payments.all():
        if p.kind == kind and (before is None or p.paid_on < before):
            total += p.amount
    return total


def surcharge_due(case, on: dt.date) -> Decimal:
    """加处罚款 up to `on`: each day after payment_due, 3% of the fine still unpaid that day, in total
    never more than the fine (行政处罚法 第72条)."""
    decision = getattr(case, "decision", None)
    if decision is None or decision.payment_due is None or on <= decision.payment_due:
        return ZERO
    fine = _measure_amount(decision, MeasureKind.FINE)
    if fine <= 0:
        return ZERO
    payments = sorted((p for p in case.payments.all() if p.kind == PaymentKind.FINE), key=lambda p: p.paid_on)
    total, day = ZERO, decision.payment_due
    while day < on and total < fine:
        day += dt.timedelta(days=1)
        # The day of a late payment is itself a day late.
        unpaid = fine - sum((p.amount for p in payments if p.paid_on < day), ZERO)
        if unpaid <= 0:
            break
        total += (unpaid * SURCHARGE_RATE).quantize(Decimal("0.01"))
    return min(total, fine)


def owed(case, on: dt.date | None = None) -> Decimal:
    """What the party owes on `on` (today by default): unpaid fine and confiscated income plus the
    surcharge accrued, less what was paid of it."""
    on = on or _today()
    decision = getattr(case, "decision", None)
    if decision is None:
        return ZERO
    fine = _measure_amount(decision, MeasureKind.FINE)
    income = _measure_amount(decision, MeasureKind.CONFISCATE_INCOME)
    total = max(ZERO, fine - _paid(case, PaymentKind.FINE))
    total += max(ZERO, income - _paid(case, PaymentKind.CONFISCATED_INCOME))
    total += max(ZERO, surcharge_due(case, on) - _paid(case, PaymentKind.SURCHARGE))
    return total


def money_summary(case, on: dt.date | None = None) -> dict:
    on = on or _today()
    decision = getattr(case, "decision", None)
    if decision is None:
        return {}
    fine = _measure_amount(decision, MeasureKind.FINE)
    income = _measure_amount(decision, MeasureKind.CONFISCATE_INCOME)
    surcharge = surcharge_due(case, on)
    return {
        "fine": fine,
        "fine_paid": _paid(case, PaymentKind.FINE),
        "income": income,
        "income_paid": _paid(case, PaymentKind.CONFISCATED_INCOME),
        "surcharge": surcharge,
        "surcharge_paid": _paid(case, PaymentKind.SURCHARGE),
        "owed": owed(case, on),
        "on": on,
    }


@transaction.atomic
def payment_record(*, actor, case, kind: str, amount, paid_on: dt.date, receipt_no: str = "") -> Payment:
    """登记缴款. More than is owed of a kind is refused, so a typing error cannot hide a debt."""
    case = _lock(case, actor)
    if not actor.can("cases.edit"):
        raise TransitionNotAllowed("您没有登记缴款的权限")
    if case.status not in {CaseStatus.SERVED, CaseStatus.ENFORCING}:
        raise TransitionNotAllowed("决定书送达后才能登记缴款")
    if kind not in PaymentKind.values:
        raise ValidationError({"kind": "请选择款项"})
    amount = Decimal(str(amount)) if amount not in (None, "") else None
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "缴款金额须大于0"})
    if paid_on is None or paid_on > _today() or paid_on < case.decision.decided_on:
        raise ValidationError({"paid_on": "缴款日期须在决定日期之后、今天之前"})
    summary = money_summary(case, paid_on)
    left = {
        PaymentKind.FINE: summary["fine"] - summary["fine_paid"],
        PaymentKind.CONFISCATED_INCOME: summary["income"] - summary["income_paid"],
        PaymentKind.SURCHARGE: summary["surcharge"] - summary["surcharge_paid"],
    }[kind]
    if amount > left:
        raise ValidationError(
            {"amount": f"{PaymentKind(kind).label}尚欠{max(left, ZERO)}元，缴款金额不能超过"}
        )
    payment = Payment.objects.create(
        case=case, kind=kind, amount=amount, paid_on=paid_on, receipt_no=receipt_no.strip(), recorded_by=actor
    )
    _event(
        case,
        actor,
        "登记缴款",
        note=f"{payment.get_kind_display()} {amount}元，{paid_on:%Y-%m-%d}，票据{receipt_no}",
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=payment,
        after=audit.snapshot(payment),
        region_code=case.region_id,
    )
    return payment


@transaction.atomic
def case_set_national_entry(*, actor, case, entered_on: dt.date | None, version: str | None = None) -> Case:
    """Whether and when the case was entered in the national information system."""
    case = _lock(case, actor)
    if not actor.can("cases.edit"):
        raise TransitionNotAllowed("您没有登记录入情况的权限")
    concurrency.check_version(case, version, NATIONAL_ENTRY_FIELDS)
    if entered_on is not None and (entered_on > _today() or entered_on < case.offence_date):
        raise ValidationError({"national_entry_on": "录入日期须在违法行为发生之后、今天之前"})
    before = audit.snapshot(case)
    case.national_entry_on = entered_on
    case.save()
    _event(case, actor, "录入全国信息系统", note=f"{entered_on:%Y-%m-%d}" if entered_on else "清除录入日期")
    _audit_change(actor, case, before)
    return case


@transaction.atomic
def case_edit_facts(*, actor, case, facts: str, illegal_income, version: str | None = None) -> Case:
    """违法事实 and 违法所得 found by the investigation, before the decision. `version`: the token of
    the form (core.concurrency); a form opened before a colleague's save is refused."""
    case = _lock(case, actor)
    if not actor.can("cases.edit"):
        raise TransitionNotAllowed("您没有修改案件的权限")
    concurrency.check_version(case, version, FACTS_FIELDS)
    if case.status not in workflow.OPEN_STATES or hasattr(case, "decision"):
        raise TransitionNotAllowed("已作出决定或已终结的案件不能修改违法事实")
    income = Decimal(str(illegal_income or 0))
    if income < 0:
        raise ValidationError({"illegal_income": "违法所得不能为负数"})
    before = audit.snapshot(case)
    case.facts, case.illegal_income = facts, income
    case.save()
    _event(case, actor, "修改违法事实", note=f"违法所得 {income}元")
    _audit_change(actor, case, before)
    return case


@transaction.atomic
def case_attach_evidence(
    *,
    actor,
    case,
    kind: str,
    uploaded_file=None,
    description: str = "",
    quantity: str = "",
    storage_place: str = "",
):
    """Store evidence for the case's subject (inspections.services.evidence_add) and attach it."""
    from qingyuan.inspections.services import evidence_add

    case = _lock(case, actor)
    if case.status not in workflow.OPEN_STATES:
        raise TransitionNotAllowed("已终结的案件不能补充证据")
    evidence = evidence_add(
        actor=actor,
        subject=case.subject,
        uploaded_file=uploaded_file,
        kind=kind,
        description=description,
        quantity=quantity,
        storage_place=storage_place,
    )
    case.evidence.add(evidence)
    _event(case, actor, "添加证据", note=f"{evidence.get_kind_display()} {description}".strip())
    audit.record(
        actor=actor, action=audit.AuditAction.UPDATE, target=case, after={"evidence_added": evidence.pk}
    )
    return evidence


def cases_refresh_decide_due() -> int:
    """Recompute the stored decide_due of the cases whose 90-day clock runs, so that a time limit an
    administrator corrected (rules) reaches the SQL that counts overdue cases. Returns how many
    changed: 0 when nothing did, as on a second run."""
    from qingyuan.rules.selectors import time_limits_preloaded

    changed = 0
    cases = Case.objects.filter(status__in=workflow.DECIDING_STATES, opened_on__isnull=False)
    with time_limits_preloaded():
        for case in cases.prefetch_related("pauses", "extensions").iterator(chunk_size=500):
            due = deadlines.stored_decide_due(case)
            if due != case.decide_due:
                Case.objects.filter(pk=case.pk, decide_due=case.decide_due).update(decide_due=due)
                changed += 1
    return changed


def cases_overdue_notify(*, today: dt.date | None = None) -> int:
    """Scheduled job (cases.tasks): tell the officers and the unit's chiefs about each case past the
    deadline of its current clock (立案, 办案 or 缴款), once per deadline. Whether a case is overdue is
    computed (Case.objects.overdue); only the announcement is remembered, as the deadline announced,
    so a new deadline (an extension, a pause, the next clock) is announced again and the same one never
    twice. Returns the number of cases announced: 0 on a second run the same day."""
    today = today or _today()
    announced = 0
    for pk in list(Case.objects.overdue(today).values_list("pk", flat=True)):
        with transaction.atomic():
            # Row lock: another run at the same moment announces the case once, not twice.
            locked = Case.objects.select_for_update().get(pk=pk)
            clock = deadlines.current_due(locked, today)
            if clock is None or clock[1] >= today or locked.overdue_notified_for == clock[1]:
                continue
            label, due = clock
            before = locked.overdue_notified_for
            locked.overdue_notified_for = due
            locked.save(update_fields=["overdue_notified_for"])
            _event(locked, None, "超期", note=f"{label} {due:%Y-%m-%d} 已过")
            audit.record(
                action=audit.AuditAction.UPDATE,
                target=locked,
                before={"overdue_notified_for": before.isoformat() if before else None},
                after={"overdue_notified_for": due.isoformat()},
                region_code=locked.region_id,
            )
            _notify_on_commit(
                [*locked.officers.all(), *_chiefs(locked)],
                f"案件 {_label(locked)} 已超期（{label} {due:%Y-%m-%d}）",
                locked,
            )
        announced += 1
    return announced
