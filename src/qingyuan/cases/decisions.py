"""The decision and what follows it: 作出处罚决定, 简易程序备案, 送达, and the money owed and paid
(罚款, 没收违法所得, 加处罚款). One transaction each, like every case step (services.py)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from qingyuan.core import audit, concurrency

from . import deadlines, workflow
from .models import (
    MONEY_MEASURES,
    Case,
    CaseStatus,
    DecisionKind,
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

SIMPLIFIED_MEASURES = {MeasureKind.WARNING, MeasureKind.FINE}


def simplified_limit(party_kind: str, on: dt.date) -> Decimal:
    """行政处罚法 第51条: on-the-spot decisions only for a warning or a fine up to this amount (rules
    data SIMPLIFIED_FINE_CITIZEN / SIMPLIFIED_FINE_ORG)."""
    from qingyuan.rules.selectors import threshold

    suffix = "CITIZEN" if party_kind == PartyKind.CITIZEN else "ORG"
    return threshold(f"SIMPLIFIED_FINE_{suffix}", on)


def hearing_held(case) -> bool:
    return case.pauses.filter(kind=PauseKind.HEARING, ended_on__isnull=False).exists()


def decide_blocked_reason(
    case, decided_on: dt.date, procedure: str, kind: str = DecisionKind.PENALTY
) -> str | None:
    """行政处罚法 第62条: no decision before the party has had the chance to state their case. A
    不予处罚 decision takes nothing from the party, so no notice is owed before it."""
    if kind == DecisionKind.NO_PENALTY:
        return None
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
    procedure: str,
    decided_on: dt.date,
    offence_code: str | None = None,
    measures: list[dict] | None = None,
    discretion_reason: str = "",
    kind: str | None = None,
) -> PenaltyDecision:
    """作出处罚决定. A general-procedure decision rests on the current proposal (cases.penalty): its
    offence, measures and discretion unless the caller gives others, and never harsher than what the
    party was told. The fine lies inside the legal range of the chosen offence (below the minimum
    only for 减轻 with its reason and basis); 没收违法所得 equals the illegal income found, because the
    figure in the decision has to match the facts the case established. A 不予处罚 proposal (or
    集体讨论 conclusion) leads to a 不予行政处罚决定 without measures."""
    from . import penalty
    from .models_procedure import Discretion

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
    general = procedure == Procedure.GENERAL
    proposal = penalty.current_proposal(case) if general else None
    if kind is None:
        discussion = penalty.latest_discussion(proposal)
        said_no = proposal is not None and (
            proposal.discretion == Discretion.NONE
            or (discussion is not None and discussion.conclusion == "no_penalty")
        )
        kind = DecisionKind.NO_PENALTY if said_no else DecisionKind.PENALTY
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": "请选择决定类型"})
    if kind == DecisionKind.NO_PENALTY and not general:
        raise ValidationError({"procedure": "不予行政处罚决定适用一般程序"})
    if offence_code in (None, "") and proposal is not None:
        offence_code = proposal.offence.code
    charged = {co.offence.code: co for co in case.offences.select_related("offence")}
    if offence_code not in charged:
        raise ValidationError({"offence_code": "适用条款须为本案认定的违法行为之一"})
    offence = charged[offence_code].offence
    if measures is None:
        measures = [
            {"kind": m.kind, "amount": m.amount, "description": m.description}
            for m in (proposal.measures.all() if proposal else [])
        ]
    discretion = proposal.discretion if proposal is not None else Discretion.NORMAL
    basis = proposal.discretion_basis if proposal is not None else ""
    reason = (discretion_reason or "").strip() or (proposal.discretion_reason if proposal else "")
    if kind == DecisionKind.NO_PENALTY:
        if measures:
            raise ValidationError({"measures": "不予行政处罚决定不能列出处罚种类"})
        discretion = Discretion.NONE
    else:
        if discretion == Discretion.NONE:
            # The discussion changed a 不予处罚 proposal is refused below; the measures are checked
            # as an ordinary penalty.
            discretion = Discretion.NORMAL
        measures = penalty.measures_checked(case, offence, measures, discretion, reason, basis)
    by_kind = {m["kind"]: m for m in measures}
    fine = by_kind.get(MeasureKind.FINE, {}).get("amount")
    if fine and not reason:
        raise ValidationError({"discretion_reason": "处以罚款须填写自由裁量理由"})
    if procedure == Procedure.SIMPLIFIED:
        limit = simplified_limit(case.party_kind, decided_on)
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
    problem = penalty.decide_problem(
        case, {"procedure": procedure, "kind": kind, "decided_on": decided_on, "measures": measures}
    )
    if problem:
        raise TransitionNotAllowed(problem)
    decision = PenaltyDecision(
        case=case,
        kind=kind,
        proposal=proposal,
        discretion=discretion,
        discretion_basis=basis,
        procedure=procedure,
        offence=offence,
        decided_on=decided_on,
        decided_by=actor,
        discretion_reason=reason,
    )
    decision.full_clean(exclude=["case"])
    decision.save()
    for m in measures:
        PenaltyMeasure.objects.create(decision=decision, **m)
    for code, co in charged.items():
        if co.applied != (code == offence_code):
            co.applied = code == offence_code
            co.save(update_fields=["applied"])
    summary = penalty.measures_text(measures)
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
    what = "不予行政处罚决定" if kind == DecisionKind.NO_PENALTY else "处罚决定"
    _notify_on_commit(case.officers.all(), f"案件 {case.number} 已作出{what}，请送达", case)
    return decision


def filing_due(decision) -> dt.date | None:
    if decision.procedure != Procedure.SIMPLIFIED:
        return None
    return deadlines.deadline("SIMPLIFIED_FILING", decision.decided_on)


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
    served = _transition(
        locked, actor=actor, action="serve", note=f"送达日期 {served_on:%Y-%m-%d}", served_on=served_on
    )
    # 双公示: a served general-procedure decision is to be published within N working days.
    from qingyuan.publication.services import entry_prepare

    entry_prepare(decision=decision, actor=actor)
    return served


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


def surcharge_rate(on: dt.date) -> Decimal:
    """加处罚款 per day as a fraction (LATE_PAYMENT_PERCENT in the rules data, 第72条: 3%)."""
    from qingyuan.rules.selectors import threshold

    return threshold("LATE_PAYMENT_PERCENT", on) / Decimal("100")


def surcharge_due(case, on: dt.date) -> Decimal:
    """加处罚款 up to `on`: each day late, the rate of the fine late that day, in total never more than
    the fine (行政处罚法 第72条).

    "Late" follows the payment schedule (deadlines.payment_schedule): without a plan, everything
    unpaid after payment_due; once a 延期/分期 plan is approved (第66条第2款), only what the plan
    required by that day and is unpaid. 第72条 surcharges a fine not paid "到期", and an approved plan
    sets when it falls due, so a party keeping the plan owes no surcharge; the days late before the
    approval stay surcharged (the plan does not reduce it: that is 行政强制法 第42条's 减免, a decision
    of its own). Only the fine is surcharged, not the confiscated income."""
    decision = getattr(case, "decision", None)
    if decision is None or decision.payment_due is None:
        return ZERO
    fine = _measure_amount(decision, MeasureKind.FINE)
    plan = deadlines.plan_in_force(case)
    first_due = decision.payment_due
    schedule = deadlines.payment_schedule(case, decision)
    if plan is not None and schedule:
        first_due = min(first_due, schedule[0][0])
    if fine <= 0 or on <= first_due:
        return ZERO
    rate = surcharge_rate(decision.payment_due)
    total_principal = deadlines.principal(decision)
    # Read once: the loop below runs once per day late.
    payments = [p for p in case.payments.all() if p.kind in deadlines.PRINCIPAL_KINDS]
    total, day = ZERO, first_due
    while day < on and total < fine:
        day += dt.timedelta(days=1)
        # The day of a late payment is itself a day late.
        paid_fine = sum((p.amount for p in payments if p.kind == PaymentKind.FINE and p.paid_on < day), ZERO)
        paid = sum((p.amount for p in payments if p.paid_on < day), ZERO)
        if paid >= total_principal:
            break
        if plan is not None and day > plan.approved_on:
            required = max((r for d, r in schedule if d < day), default=ZERO)
        else:
            required = total_principal if day > decision.payment_due else ZERO
        late = min(Decimal(required) - Decimal(paid), fine - paid_fine)
        if late > 0:
            total += (late * rate).quantize(Decimal("0.01"))
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
    # After 催告 and while the court enforces, the party may still pay, and what the court collects
    # is recorded here too (a case closed as executed has its money on record).
    if case.status not in workflow.ENFORCING_STATES:
        raise TransitionNotAllowed("决定书送达后、结案前才能登记缴款")
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
