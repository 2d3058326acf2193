"""The decision and what follows it: 作出处罚决定, 简易程序备案, 送达, and the money owed and paid
(罚款, 没收违法所得, 加处罚款). One transaction each, like every case step (services.py)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from qingyuan.core import audit, concurrency, workdays

from . import deadlines, workflow
from .models import (
    MONEY_MEASURES,
    Case,
    CaseStatus,
    MeasureKind,
    PartyKind,
    PauseKind,
    Payment,
    PaymentKind,
    PenaltyDecision,
    PenaltyMeasure,
    Procedure,
)
from .steps import (
    FILING_FIELDS,
    _audit_change,
    _event,
    _lock,
    _notify_on_commit,
    _today,
    _transition,
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
