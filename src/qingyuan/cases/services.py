"""Every write to a case: one transaction each, its audit row and timeline step (CaseEvent) in the
same transaction, notifications after commit. The workflow (workflow.py) decides which step is
allowed from which state; the conditions on dates and money are checked here."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.campaigns.selectors import check_campaign_tag
from qingyuan.core import audit, concurrency
from qingyuan.core.crypto import blind_index

from . import deadlines, numbering, workflow
from .decisions import (  # noqa: F401  (the decision and payment steps, importable from here as before)
    SIMPLIFIED_MEASURES,
    case_serve,
    decide_blocked_reason,
    decision_file,
    decision_record,
    filing_due,
    hearing_held,
    money_due,
    money_summary,
    owed,
    payment_record,
    surcharge_due,
)
from .models import (
    Case,
    CaseOffence,
    CasePause,
    CaseSource,
    CaseStatus,
    PauseKind,
)
from .steps import (  # noqa: F401
    FACTS_FIELDS,
    FILING_FIELDS,
    NATIONAL_ENTRY_FIELDS,
    _audit_change,
    _chiefs,
    _event,
    _label,
    _lock,
    _notify_on_commit,
    _require,
    _today,
    _transition,
    require_in_scope,
)
from .timelimits import (  # noqa: F401
    _close_pause,
    _refresh_decide_due,
    case_extend,
    pause_end,
    pause_start,
)
from .workflow import TransitionNotAllowed

ZERO = Decimal("0")


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
    act_ended_on: dt.date | None = None,
    endangers_health: bool = False,
) -> Case:
    """提请立案. Offences are pinned to the versions in force on the offence date; the opening clock
    runs from the day the lead was concluded (or `checked_on`, or today for a direct case)."""
    from qingyuan.operations.access import may_write_subject, require_may_act, responsible_region
    from qingyuan.rules.models import Offence
    from qingyuan.rules.selectors import offence_in_force

    workflow.check(None, "propose", actor)
    # Cases are the jurisdiction's (or the designated unit's): a joint operation's visitors inspect.
    if not may_write_subject(actor, subject):
        raise workflow.NotPermitted("该监管对象不在您的管辖范围内")
    # 指定管辖: from the designation on, the designated county opens the site's cases, not the address's.
    require_may_act(actor, subject, _today())
    if source not in CaseSource.values:
        raise ValidationError({"source": "请选择案件来源"})
    if source == CaseSource.LEAD and lead is None:
        raise ValidationError({"lead": "来源为线索时须选择线索"})
    if source == CaseSource.INSPECTION and inspection is None:
        raise ValidationError({"inspection": "来源为监督检查时须选择检查记录"})
    if inspection is not None:
        # Locked so that two officers proposing from one inspection at once make one case.
        type(inspection).objects.select_for_update().filter(pk=inspection.pk).first()
        existing = Case.objects.filter(inspection=inspection).first()
        if existing is not None:
            raise ValidationError(f"该检查已提请立案（{existing.number or existing.title}），不能重复立案")
        if inspection.subject_id != subject.pk:
            raise ValidationError("检查记录与监管对象不一致")
    _require(title, "title", "请填写案由")
    _require(party_name, "party_name", "请填写当事人")
    if offence_date is None:
        raise ValidationError({"offence_date": "请填写违法行为发生日期"})
    if offence_date > _today():
        raise ValidationError({"offence_date": "违法行为发生日期不能晚于今天"})
    # 时效 (行政处罚法 第36条) runs from the end of a continuing act.
    if act_ended_on is not None and not offence_date <= act_ended_on <= _today():
        raise ValidationError({"act_ended_on": "违法行为终了日期须在发生日期之后、今天之前"})
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
    # The case belongs to the region answerable for the site on the day it is proposed (指定管辖),
    # and counts for the campaign in force there when its facts were checked.
    region = responsible_region(subject, _today())
    check_campaign_tag(campaign, region=region, on=checked_on)
    case = Case(
        unit=unit,
        region=region,
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
        act_ended_on=act_ended_on,
        endangers_health=bool(endangers_health),
        illegal_income=illegal_income,
        checked_on=checked_on,
        open_due=deadlines.open_due(checked_on),
        proposed_by=actor,
    )

    def attach(saved):
        saved.officers.set(officers)
        if inspection is not None:
            # The evidence gathered at the inspection proves the facts of the case it found.
            saved.evidence.add(*inspection.evidence.all())
        for offence in offences:
            CaseOffence.objects.create(case=saved, offence=offence, applied=len(offences) == 1)

    case.full_clean(exclude=["number"])
    case = workflow.CASE_WORKFLOW.apply(
        case,
        "propose",
        actor=actor,
        note=f"{case.get_source_display()}；{'、'.join(codes)}",
        after=attach,
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
def case_notify(*, actor, case, notified_on: dt.date, waived: bool = False, notice_number: str = "") -> Case:
    """告知 (行政处罚法 第44条): the 事先告知书 serves the current proposal (cases.penalty), which is
    stamped with the day and the notice's number. The party may state their case and ask for a
    hearing within 5 working days; `waived` records a written waiver, after which the decision need
    not wait. On a case already notified this is 重新告知 of a new proposal version: the window
    starts again from the new notice."""
    from .penalty import current_proposal

    if notified_on is None:
        raise ValidationError({"notified_on": "请填写告知日期"})
    if notified_on > _today():
        raise ValidationError({"notified_on": "告知日期不能晚于今天"})
    locked = _lock(case, actor)
    if locked.opened_on and notified_on < locked.opened_on:
        raise ValidationError({"notified_on": "告知日期不能早于立案日期"})
    action = "renotify" if locked.status == CaseStatus.NOTIFIED else "notify"
    if action == "renotify" and locked.notified_on and notified_on < locked.notified_on:
        raise ValidationError({"notified_on": "重新告知日期不能早于上次告知日期"})
    proposal = current_proposal(locked)
    version = f"（拟处罚意见第{proposal.version}版）" if proposal else ""
    note = f"告知日期 {notified_on:%Y-%m-%d}{version}" + ("；当事人书面放弃陈述申辩和听证" if waived else "")

    def stamp(saved):
        # Only reached when penalty.notify_problem found a proposal to serve.
        before = audit.snapshot(proposal)
        proposal.notified_on = notified_on
        proposal.notice_number = (notice_number or "").strip()[:60]
        proposal.save(update_fields=["notified_on", "notice_number"])
        _audit_change(actor, proposal, before, region_code=saved.region_id)

    return workflow.CASE_WORKFLOW.apply(
        locked,
        action,
        actor=actor,
        note=note,
        changes={"notified_on": notified_on, "statement_waived": bool(waived)},
        after=stamp,
    )


@transaction.atomic
def case_request_hearing(*, actor, case, requested_on: dt.date | None = None) -> Case:
    """The party asks for a hearing (第64条): recorded as a Hearing; the hearing period does not
    count towards the 90 days, so it opens a CasePause."""
    from .models_procedure import Hearing
    from .penalty import hearing_problem

    requested_on = requested_on or _today()
    locked = _lock(case, actor)
    workflow.check(locked, "request_hearing", actor)
    if locked.notified_on and requested_on < locked.notified_on:
        raise ValidationError({"requested_on": "申请日期不能早于告知日期"})
    if requested_on > _today():
        raise ValidationError({"requested_on": "申请日期不能晚于今天"})
    problem = hearing_problem(locked, {"requested_on": requested_on})
    if problem:
        raise TransitionNotAllowed(problem)

    def record(saved):
        hearing = Hearing.objects.create(case=saved, requested_on=requested_on, recorded_by=actor)
        pause = CasePause.objects.create(
            case=saved,
            kind=PauseKind.HEARING,
            started_on=requested_on,
            note="当事人申请听证",
            recorded_by=actor,
        )
        for row in (hearing, pause):
            audit.record(
                actor=actor,
                action=audit.AuditAction.CREATE,
                target=row,
                after=audit.snapshot(row),
                region_code=saved.region_id,
            )

    return workflow.CASE_WORKFLOW.apply(
        locked, "request_hearing", actor=actor, note=f"申请日期 {requested_on:%Y-%m-%d}", after=record
    )


@transaction.atomic
def case_end_hearing(
    *, actor, case, ended_on: dt.date | None = None, note: str = "", report: str = ""
) -> Case:
    """Back to 已告知, with the pause closed, the 90-day clock moved by its length, and the host's
    report (听证报告) on the hearing."""
    from .models_procedure import Hearing

    ended_on = ended_on or _today()
    if ended_on > _today():
        raise ValidationError({"ended_on": "听证结束日期不能晚于今天"})
    hearing = Hearing.objects.filter(case=case, held_on__isnull=True).order_by("-pk").first()
    if (
        hearing is not None
        and hearing.scheduled_at
        and ended_on < timezone.localtime(hearing.scheduled_at).date()
    ):
        raise ValidationError({"ended_on": "听证结束日期不能早于听证举行时间"})

    def close(saved):
        if hearing is not None:
            before = audit.snapshot(hearing)
            hearing.held_on = ended_on
            hearing.report = (report or "").strip()
            hearing.save(update_fields=["held_on", "report"])
            _audit_change(actor, hearing, before, region_code=saved.region_id)

    case = workflow.CASE_WORKFLOW.apply(
        case, "end_hearing", actor=actor, note=note or f"听证结束 {ended_on:%Y-%m-%d}", after=close
    )
    for pause in case.pauses.filter(kind=PauseKind.HEARING, ended_on__isnull=True):
        _close_pause(actor, case, pause, ended_on)
    _refresh_decide_due(case)
    return case


# --- 决定 -----------------------------------------------------------------------------------------


@transaction.atomic
def case_enforce(*, actor, case, note: str = "") -> Case:
    locked = _lock(case, actor)
    workflow.check(locked, "enforce", actor)
    if owed(locked) <= 0:
        raise TransitionNotAllowed("当事人没有待缴款项，无需执行")
    return _transition(locked, actor=actor, action="enforce", note=note)


@transaction.atomic
def case_close(*, actor, case, closed_on: dt.date | None = None) -> Case:
    """结案, recording how the case ended (enforcement.close_kind): paid in full, executed by the
    court, 终结执行 or 不予执行 by the court (money still owed, but nothing more the unit can do), or
    a 不予处罚 decision served."""
    from . import crime, enforcement

    closed_on = closed_on or _today()
    locked = _lock(case, actor)
    workflow.check(locked, "close", actor)
    kind, missing = enforcement.close_kind(locked, closed_on)
    if missing:
        raise TransitionNotAllowed(missing)
    blocked = crime.close_blocked_reason(locked)
    if blocked:
        raise TransitionNotAllowed(blocked)
    return _transition(locked, actor=actor, action="close", closed_on=closed_on, close_kind=kind)


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
                Case.objects.filter(pk=case.pk, decide_due=case.decide_due).update(
                    # updated_at moves too: the API's sync cursor must see the new deadline.
                    decide_due=due,
                    updated_at=timezone.now(),
                )
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
