"""Referrals (移送) to the police, market regulation, the drug regulator or another region, and what
comes back: the court's judgment and the persons held accountable.

The clocks are those of 行政执法机关移送涉嫌犯罪案件的规定 (RULES.md "Time limits"): the head decides
within 3 working days of the proposal (第5条), the case goes over within 24 hours of approval
(第5条), the police decide within 3 working days (第8条), and after a refusal the agency may ask for
review within 3 working days (第9条). The head's decision and the transfer clocks are applied to
every referral, the police clocks to police referrals only. A late step is still recorded, with
its lateness on the case timeline, because the record must show what actually happened.

Each step goes through REFERRAL_WORKFLOW (referral_workflow.py): the referral's status moves only
there, with the step's permission, the case's timeline event and the audit row in one transaction;
a step out of order is refused with the state the referral is in.

A referral does not change the case's status: a case handed over entirely goes through the
workflow's `transfer` transition (offered on the page for referrals to another region).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.notifications import notify
from qingyuan.core.workdays import due_badge
from qingyuan.regions.models import Level, Unit, UnitKind

from .models import (
    AccountablePerson,
    Case,
    CaseEvent,
    CaseStatus,
    InvestigationResult,
    Judgment,
    LiabilityKind,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    ReferralTarget,
    ReferralUpdate,
)
from .referral_workflow import ACTIVE, REFERRAL_WORKFLOW
from .services import require_in_scope

CLOSED_CASE_STATES = {CaseStatus.NOT_OPENED, CaseStatus.REVOKED}


def _today():
    return timezone.localdate()


def _deadline(code, start):
    from qingyuan.rules.limits import deadline

    return deadline(code, start)


_event = CaseEvent.add


def _require(value, field, message):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: message})


def _need(actor, perm, message):
    if not actor.can(perm):
        raise PermissionDenied(message)


def _approvers(case):
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role

    return list(User.objects.filter(unit=case.unit, role__in=[Role.CHIEF, Role.LEADER], is_active=True))


def _notify_on_commit(users, text, case):
    users = list(users)
    url = case.get_absolute_url()
    transaction.on_commit(lambda: notify(users, text, url))


def answer_notices(actor, referral, text) -> list:
    """When the receiving body answers on the platform, the case's officers and the heads of its
    handling unit are told (a health officer recording a paper answer needs no notice)."""
    if actor.unit_id == referral.case.unit_id:
        return []
    users = [*referral.case.officers.filter(is_active=True), *_approvers(referral.case)]
    case = referral.case.number or referral.case.title
    return [(users, f"{referral.target_unit}：案件 {case} {text}")]


def _step(actor, referral, action, *, note, changes=None, to=None, original=None, tell="") -> Referral:
    """Take `action` on the referral through the workflow; the caller's copy then shows the new state.
    `tell` is what the health side is told when the receiving body took the step itself."""
    notices = answer_notices(actor, referral, tell) if tell else []
    saved = REFERRAL_WORKFLOW.apply(
        referral, action, actor=actor, note=note, changes=changes, to=to, notify=notices
    )
    if original is not None and original is not saved:
        original.refresh_from_db()
    return saved


def _may(actor, referral, action) -> Referral:
    """State, jurisdiction and permission before the inputs are judged (apply checks them again on the
    locked row): a step out of order is refused for its order, not for a date typed into it."""
    fresh = Referral.objects.select_related("case").get(pk=referral.pk)
    REFERRAL_WORKFLOW.check(fresh, action, actor, conditions=False)
    return fresh


# --- clocks ---------------------------------------------------------------------------------------


def approval_start(referral) -> dt.datetime | None:
    """The moment the 24 hours run from. Only the approval day is recorded, so the period runs from
    the end of that day: a transfer is never called late when it was on time."""
    if referral.approved_on is None:
        return None
    next_day = referral.approved_on + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(next_day, dt.time.min))


def decide_due(referral) -> dt.date:
    return _deadline("REFERRAL_DECIDE", referral.proposed_on)


def transfer_due(referral) -> dt.datetime | None:
    start = approval_start(referral)
    return _deadline("REFERRAL_TRANSFER", start) if start else None


def police_decide_due(referral) -> dt.date | None:
    if referral.target != ReferralTarget.POLICE or referral.received_on is None:
        return None
    return _deadline("REFERRAL_POLICE_DECIDE", referral.received_on)


def review_request_due(referral) -> dt.date | None:
    if (
        referral.target != ReferralTarget.POLICE
        or referral.outcome != ReferralOutcome.REFUSED
        or referral.outcome_on is None
    ):
        return None
    return _deadline("REFERRAL_REVIEW_REQUEST", referral.outcome_on)


def transfer_late(referral) -> bool:
    due = transfer_due(referral)
    return bool(due and referral.transferred_at and referral.transferred_at > due)


def clocks(referral, today: dt.date | None = None) -> list[dict]:
    """Every clock of the referral for the page: what is due, when, and whether it was met.
    `badge` is set only for the step that is still open."""
    today = today or _today()
    rows = []
    due = decide_due(referral)
    declined_on = referral.outcome_on if referral.outcome == ReferralOutcome.DECLINED else None
    rows.append(
        {
            "label": "负责人决定是否移送",
            "due": due,
            "done": referral.approved_on or declined_on,
            "late": bool(
                (referral.approved_on or declined_on) and (referral.approved_on or declined_on) > due
            ),
            "badge": None if (referral.approved_on or declined_on) else due_badge(due, today),
        }
    )
    if referral.approved_on:
        due_at = transfer_due(referral)
        local_due = timezone.localtime(due_at)
        rows.append(
            {
                "label": "批准后24小时内移送",
                "due": local_due,
                "done": timezone.localtime(referral.transferred_at) if referral.transferred_at else None,
                "late": transfer_late(referral),
                "badge": None if referral.transferred_at else due_badge(_last_day(local_due), today),
            }
        )
    police_due = police_decide_due(referral)
    if police_due:
        decided = referral.outcome != ReferralOutcome.PENDING
        rows.append(
            {
                "label": "公安机关决定是否立案",
                "due": police_due,
                "done": referral.outcome_on if decided else None,
                "late": bool(decided and referral.outcome_on and referral.outcome_on > police_due),
                "badge": None if decided else due_badge(police_due, today),
            }
        )
    review_due = review_request_due(referral)
    if review_due:
        rows.append(
            {
                "label": "不予立案后提请复议",
                "due": review_due,
                "done": referral.review_requested_on,
                "late": False,
                "badge": None if referral.review_requested_on else due_badge(review_due, today),
            }
        )
    for row in rows:
        row["due_text"] = _when(row["due"])
        row["done_text"] = _when(row["done"])
    return rows


def _last_day(moment: dt.datetime) -> dt.date:
    """The last day inside a period ending at `moment`: one ending at midnight ends the day before."""
    return (moment - dt.timedelta(microseconds=1)).date()


def _when(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.hour == 0 and value.minute == 0:
            return f"{_last_day(value):%Y-%m-%d} 24:00"
        return f"{value:%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


# --- services -------------------------------------------------------------------------------------


# The platform units a referral to each body may be addressed to. The drug regulator's county work
# sits in the market regulation bureau (2018 reform); a separate 药品监督管理 office is kept as 其他.
RECEIVING_KINDS = {
    ReferralTarget.POLICE: {UnitKind.POLICE},
    ReferralTarget.MARKET: {UnitKind.MARKET_REGULATION},
    ReferralTarget.DRUG: {UnitKind.MARKET_REGULATION, UnitKind.OTHER},
    ReferralTarget.REGION: {UnitKind.HEALTH_COMMISSION, UnitKind.SUPERVISION_INSTITUTE},
}


def receiving_units(user, target: str | None = None):
    """Units a referral from `user`'s jurisdiction may be addressed to: the bodies of the right kind at
    county level or above, in the user's area or above it (the city's police take a city case)."""
    region = getattr(getattr(user, "unit", None), "region", None)
    if region is None:
        return Unit.objects.none()
    kinds = RECEIVING_KINDS.get(target) if target else set().union(*RECEIVING_KINDS.values())
    ancestors = [r.code for r in region.ancestors()]
    near = Q(region__code__startswith=region.prefix) | Q(region__code__in=ancestors)
    units = Unit.objects.filter(
        near, kind__in=kinds or set(), is_active=True, region__level__lte=Level.COUNTY
    )
    if target != ReferralTarget.REGION:
        units = units.exclude(kind__in=[UnitKind.HEALTH_COMMISSION, UnitKind.SUPERVISION_INSTITUTE])
    return units.select_related("region").order_by("region__code", "name")


def _check_receiving_unit(actor, target, unit) -> None:
    if unit is None:
        return
    if unit.kind not in RECEIVING_KINDS.get(target, set()):
        raise ValidationError(
            {"receiving_unit": f"{unit.name}不是{ReferralTarget(target).label}，请选择对应类型的接收单位"}
        )
    if not receiving_units(actor, target).filter(pk=unit.pk).exists():
        raise ValidationError({"receiving_unit": f"{unit.name}不在本辖区及上级范围内"})


def _liaisons(unit):
    from qingyuan.accounts.models import User

    if unit is None:
        return []
    return [u for u in User.objects.filter(unit=unit, is_active=True) if u.can("liaison.receive")]


@transaction.atomic
def referral_propose(
    *,
    actor,
    case: Case,
    target: str,
    target_unit: str = "",
    reason: str,
    proposed_on: dt.date | None = None,
    receiving_unit=None,
    drug_supplier: str = "",
    drug_names: str = "",
    drug_quantities: str = "",
) -> Referral:
    """提请移送: the head must decide within 3 working days. A referral may be addressed to a unit on
    the platform (`receiving_unit`), whose liaisons then answer it themselves."""
    REFERRAL_WORKFLOW.check(None, "propose", actor, conditions=False)
    require_in_scope(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in CLOSED_CASE_STATES:
        raise ValidationError({"target": f"案件当前为“{case.get_status_display()}”，不能移送"})
    if target not in ReferralTarget.values:
        raise ValidationError({"target": "请选择移送对象"})
    _check_receiving_unit(actor, target, receiving_unit)
    if receiving_unit is not None and not (target_unit or "").strip():
        target_unit = receiving_unit.name
    _require(target_unit, "target_unit", "请选择或填写接收单位")
    _require(reason, "reason", "请填写移送理由")
    proposed_on = proposed_on or _today()
    if proposed_on > _today():
        raise ValidationError({"proposed_on": "提请日期不能晚于今天"})
    if case.referrals.filter(target=target, status__in=ACTIVE).exists():
        raise ValidationError({"target": f"本案已有移送{ReferralTarget(target).label}的记录尚在办理中"})
    referral = Referral(
        case=case,
        target=target,
        target_unit=target_unit.strip(),
        receiving_unit=receiving_unit,
        reason=reason.strip(),
        proposed_on=proposed_on,
        drug_supplier=(drug_supplier or "").strip(),
        drug_names=(drug_names or "").strip(),
        drug_quantities=(drug_quantities or "").strip(),
        created_by=actor,
    )
    due = decide_due(referral)
    referral = _step(actor, referral, "propose", note=f"{referral}；负责人应于{due:%Y-%m-%d}前决定")
    _notify_on_commit(
        _approvers(case), f"案件 {case.number or case.title} 提请{referral}，请于{due:%m月%d日}前决定", case
    )
    return referral


@transaction.atomic
def referral_approve(*, actor, referral: Referral, approved_on: dt.date | None = None) -> Referral:
    """负责人批准移送. A police referral approved is what a suspected crime needs before closing."""
    original, referral = referral, _may(actor, referral, "approve")
    approved_on = approved_on or _today()
    if approved_on > _today() or approved_on < referral.proposed_on:
        raise ValidationError({"approved_on": "批准日期须在提请日期之后、今天之前"})
    due = decide_due(referral)
    note = f"{referral}" + (f"；超过决定期限（{due:%Y-%m-%d}）" if approved_on > due else "")
    referral = _step(
        actor,
        referral,
        "approve",
        note=note,
        changes={"approved_on": approved_on, "approved_by": actor},
        original=original,
    )
    _notify_on_commit(
        [referral.created_by],
        f"案件 {referral.case.number or referral.case.title} {referral} 已批准，请于24小时内移送",
        referral.case,
    )
    return referral


@transaction.atomic
def referral_decline(*, actor, referral: Referral, reason: str) -> Referral:
    """The head decides not to refer, and says why. The proposal stays on record; a new one to the same
    body may follow, and a flagged case still needs a police referral or a leader's override to close."""
    original, referral = referral, _may(actor, referral, "decline")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写不移送的理由"})
    changes = {"outcome": ReferralOutcome.DECLINED, "outcome_on": _today(), "outcome_note": reason}
    return _step(actor, referral, "decline", note=f"{referral}：{reason}", changes=changes, original=original)


@transaction.atomic
def referral_transfer(*, actor, referral: Referral, transferred_at: dt.datetime) -> Referral:
    """移送: within 24 hours of approval; a later transfer is recorded as late, not refused."""
    original, referral = referral, _may(actor, referral, "transfer")
    if transferred_at is None:
        raise ValidationError({"transferred_at": "请填写移送时间"})
    if timezone.is_naive(transferred_at):
        transferred_at = timezone.make_aware(transferred_at)
    if transferred_at > timezone.now() or timezone.localdate(transferred_at) < referral.approved_on:
        raise ValidationError({"transferred_at": "移送时间须在批准之后、现在之前"})
    due = transfer_due(referral)
    late = transferred_at > due
    note = f"{referral}；{timezone.localtime(transferred_at):%Y-%m-%d %H:%M}" + (
        f"；超过24小时移送期限（{timezone.localtime(due):%Y-%m-%d %H:%M}）" if late else ""
    )
    referral = _step(
        actor, referral, "transfer", note=note, changes={"transferred_at": transferred_at}, original=original
    )
    liaisons = _liaisons(referral.receiving_unit)
    if liaisons:
        from django.urls import reverse

        url = reverse("liaison:referral", args=[referral.pk])
        text = f"{referral.case.unit}移送案件（{referral.case.title}），请登记接收"
        transaction.on_commit(lambda: notify(liaisons, text, url))
    return referral


@transaction.atomic
def referral_receipt(*, actor, referral: Referral, received_on: dt.date, receipt_no: str) -> Referral:
    """接收回执: for the police, their 3 working days to decide run from here (第8条)."""
    original, referral = referral, _may(actor, referral, "receipt")
    _require(receipt_no, "receipt_no", "请填写回执编号")
    if received_on is None:
        raise ValidationError({"received_on": "请填写接收日期"})
    if received_on > _today() or received_on < timezone.localdate(referral.transferred_at):
        raise ValidationError({"received_on": "接收日期须在移送之后、今天之前"})
    receipt_no = receipt_no.strip()
    return _step(
        actor,
        referral,
        "receipt",
        note=f"{referral}；回执 {receipt_no}",
        changes={"received_on": received_on, "receipt_no": receipt_no},
        original=original,
        tell=f"已接收（回执 {receipt_no}）",
    )


@transaction.atomic
def referral_outcome(
    *, actor, referral: Referral, outcome: str, outcome_on: dt.date, note: str = ""
) -> Referral:
    """The receiving body accepted (立案/受理) or refused; a refusal needs its reason, and opens the
    3 working days to ask a police refusal to be reviewed."""
    original, referral = referral, _may(actor, referral, "outcome")
    if outcome not in (ReferralOutcome.ACCEPTED, ReferralOutcome.REFUSED):
        raise ValidationError({"outcome": "请选择接收结果"})
    if outcome_on is None:
        raise ValidationError({"outcome_on": "请填写结果日期"})
    earliest = referral.received_on or timezone.localdate(referral.transferred_at)
    if outcome_on > _today() or outcome_on < earliest:
        raise ValidationError({"outcome_on": "结果日期须在移送（接收）之后、今天之前"})
    if outcome == ReferralOutcome.REFUSED:
        _require(note, "note", "请填写不予受理/不予立案的理由")
    note = (note or "").strip()
    referral = _step(
        actor,
        referral,
        "outcome",
        note=f"{referral}；{ReferralOutcome(outcome).label} {note}",
        changes={"outcome": outcome, "outcome_on": outcome_on, "outcome_note": note},
        # The two outcomes are states of their own (ReferralStatus has the same values).
        to=ReferralStatus(outcome),
        original=original,
        tell=f"{ReferralOutcome(outcome).label} {note}".strip(),
    )
    if outcome == ReferralOutcome.REFUSED and referral.target == ReferralTarget.POLICE:
        due = review_request_due(referral)
        _notify_on_commit(
            _approvers(referral.case),
            f"案件 {referral.case.number or referral.case.title} 公安机关不予立案，如有异议请于{due:%m月%d日}前提请复议",
            referral.case,
        )
    return referral


@transaction.atomic
def referral_review_request(*, actor, referral: Referral, requested_on: dt.date) -> Referral:
    """提请复议 of a police refusal: within 3 working days of the refusal (第9条), never later."""
    original, referral = referral, _may(actor, referral, "review_request")
    problem = REFERRAL_WORKFLOW.blocked(referral, "review_request")
    if problem:
        raise ValidationError({"requested_on": problem})
    if requested_on is None:
        raise ValidationError({"requested_on": "请填写提请复议日期"})
    if requested_on > _today() or requested_on < referral.outcome_on:
        raise ValidationError({"requested_on": "提请复议日期须在不予立案之后、今天之前"})
    due = review_request_due(referral)
    if requested_on > due:
        raise ValidationError(
            {
                "requested_on": f"提请复议期限已于{due:%Y年%m月%d日}届满（收到不予立案决定后3个工作日内），不能再提请复议"
            }
        )
    return _step(
        actor,
        referral,
        "review_request",
        note=f"{referral}；{requested_on:%Y-%m-%d}",
        changes={"review_requested_on": requested_on},
        original=original,
    )


@transaction.atomic
def referral_review_result(*, actor, referral: Referral, result: str) -> Referral:
    original, referral = referral, _may(actor, referral, "review_result")
    _require(result, "review_outcome", "请填写复议结果")
    result = result.strip()
    return _step(
        actor,
        referral,
        "review_result",
        note=result,
        changes={"review_outcome": result},
        original=original,
        tell=f"复议结果：{result}",
    )


@transaction.atomic
def referral_progress(*, actor, referral: Referral, on: dt.date, note: str) -> Referral:
    """办理进展: how the receiving body's investigation goes, as it reports it."""
    original, referral = referral, _may(actor, referral, "progress")
    _require(note, "note", "请填写办理进展")
    _check_update_day(referral, on, "on")
    note = note.strip()
    row = ReferralUpdate(referral=referral, on=on, note=note, recorded_by=actor)
    return _step_with(
        actor,
        referral,
        "progress",
        row,
        note=f"{referral}；{on:%Y-%m-%d} {note}",
        original=original,
        tell=f"办理进展：{note}",
    )


@transaction.atomic
def referral_result(*, actor, referral: Referral, result: str, on: dt.date, note: str = "") -> Referral:
    """办理结果 after acceptance: 立案, 不立案, 移送起诉 or 判决, each with its date; the latest one is the
    referral's result on both sides' pages."""
    original, referral = referral, _may(actor, referral, "result")
    if result not in InvestigationResult.values:
        raise ValidationError({"result": "请选择办理结果"})
    _check_update_day(referral, on, "on")
    if result == InvestigationResult.NOT_FILED:
        _require(note, "note", "请填写不立案的理由")
    note = (note or "").strip()
    label = InvestigationResult(result).label
    row = ReferralUpdate(referral=referral, result=result, on=on, note=note, recorded_by=actor)
    return _step_with(
        actor,
        referral,
        "result",
        row,
        note=f"{referral}；{label}（{on:%Y-%m-%d}）{note}",
        changes={"investigation_result": result, "investigation_result_on": on},
        original=original,
        tell=f"办理结果：{label} {note}".strip(),
    )


def _check_update_day(referral, on, field) -> None:
    if on is None:
        raise ValidationError({field: "请填写日期"})
    earliest = referral.received_on or timezone.localdate(referral.transferred_at)
    if on > _today() or on < earliest:
        raise ValidationError({field: "日期须在移送（接收）之后、今天之前"})


def _step_with(actor, referral, action, row, *, note, changes=None, original=None, tell="") -> Referral:
    """A step that writes its own row (the progress note or result) with the step's audit and event."""
    notices = answer_notices(actor, referral, tell) if tell else []

    def write(saved):
        row.referral = saved
        row.full_clean()
        row.save()

    saved = REFERRAL_WORKFLOW.apply(
        referral, action, actor=actor, note=note, changes=changes, notify=notices, after=write
    )
    if original is not None and original is not saved:
        original.refresh_from_db()
    return saved


# --- judgments and accountability -----------------------------------------------------------------


@transaction.atomic
def judgment_record(
    *,
    actor,
    case: Case,
    referral: Referral | None = None,
    court: str,
    document_no: str = "",
    judged_on: dt.date,
    verdict: str,
) -> Judgment:
    _need(actor, "cases.edit", "您没有登记判决的权限")
    require_in_scope(actor, case)
    _require(court, "court", "请填写法院")
    _require(verdict, "verdict", "请填写判决结果")
    if judged_on is None:
        raise ValidationError({"judged_on": "请填写判决日期"})
    if judged_on > _today():
        raise ValidationError({"judged_on": "判决日期不能晚于今天"})
    if referral is not None:
        if referral.case_id != case.pk:
            raise ValidationError({"referral": "所选移送不属于本案"})
        if referral.transferred_at and judged_on < timezone.localdate(referral.transferred_at):
            raise ValidationError({"judged_on": "判决日期不能早于移送日期"})
    judgment = Judgment(
        case=case,
        referral=referral,
        court=court.strip(),
        document_no=(document_no or "").strip(),
        judged_on=judged_on,
        verdict=verdict.strip(),
        recorded_by=actor,
    )
    judgment.full_clean()
    judgment.save()
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=judgment,
        after=audit.snapshot(judgment),
        region_code=case.region_id,
    )
    _event(case, actor, "法院判决", note=f"{judgment.court} {judgment.document_no} {judgment.verdict}")
    return judgment


@transaction.atomic
def accountable_add(
    *, actor, case: Case, judgment: Judgment | None = None, name: str, liability: str, outcome: str
) -> AccountablePerson:
    _need(actor, "cases.edit", "您没有登记追责人员的权限")
    require_in_scope(actor, case)
    _require(name, "name", "请填写姓名")
    if liability not in LiabilityKind.values:
        raise ValidationError({"liability": "请选择责任类型"})
    _require(outcome, "outcome", "请填写处理结果")
    if judgment is not None and judgment.case_id != case.pk:
        raise ValidationError({"judgment": "所选判决不属于本案"})
    person = AccountablePerson(
        case=case,
        judgment=judgment,
        name=name.strip(),
        liability=liability,
        outcome=outcome.strip(),
        recorded_by=actor,
    )
    person.full_clean()
    person.save()
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=person,
        after=audit.snapshot(person),
        region_code=case.region_id,
    )
    _event(case, actor, "追责", note=f"{person.name}：{person.get_liability_display()}，{person.outcome}")
    return person
