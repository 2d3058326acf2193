"""An unpaid fine after the decision is served: 延期/分期缴纳 (行政处罚法 第66条), 催告 (行政强制法 第54条),
申请人民法院强制执行 (第53、55条) and what the court did (第57、58条), and 结案 with how the case ended.

The unit has no enforcement power of its own: once the payment period (or the approved plan) has
passed unpaid it serves a 催告书; 10 days after it is served (DEMAND_NOTICE) and once the periods for
复议 (APPEAL_REVIEW) and 诉讼 (APPEAL_LITIGATION) have ended, it may apply to the court within
COURT_ENFORCEMENT (3 months). Every number comes from the rules data.

The conditions (`*_problem(case, inputs) -> str | None`) are the ones cases.workflow names; the
services below take the steps through CASE_WORKFLOW.apply and write the step's own row in its
`after` callback, so a refused step leaves nothing behind. Where a condition depends on the day a
step was taken (a demand, an application to the court), the service passes that day in the step's
inputs; without it the condition judges today."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit

from . import deadlines
from .decisions import money_summary, owed, payment_record
from .models import (
    MONEY_MEASURES,
    CaseStatus,
    CloseKind,
    CourtApplication,
    CourtOutcome,
    CourtRuling,
    DecisionKind,
    Demand,
    Instalment,
    PaymentKind,
    PaymentPlan,
    PlanKind,
)
from .steps import _audit_change, _lock
from .workflow import CASE_WORKFLOW

ZERO = Decimal("0")


def _today() -> dt.date:
    return timezone.localdate()


def _day(value: dt.date) -> str:
    return f"{value:%Y年%m月%d日}"


def _decision(case):
    return getattr(case, "decision", None) if case.pk else None


def principal_owed(case) -> Decimal:
    """Fine and confiscated income not yet paid (what a plan spreads)."""
    decision = _decision(case)
    if decision is None:
        return ZERO
    return max(ZERO, Decimal(deadlines.principal(decision)) - Decimal(deadlines.principal_paid(case)))


def latest_application(case):
    applications = (
        sorted(case.court_applications.all(), key=lambda a: (a.applied_on, a.pk)) if case.pk else []
    )
    return applications[-1] if applications else None


def _plan_kept(case, decision, on: dt.date) -> bool:
    """A plan approved after the demand, whose next unpaid part is not yet late on `on`."""
    plan, demand = deadlines.plan_in_force(case), deadlines.demand_in_force(case)
    if plan is None or (demand is not None and plan.approved_on < demand.issued_on):
        return False
    due = deadlines.payment_due_now(case, decision)
    return due is None or due >= on


# --- conditions (cases.workflow) -------------------------------------------------------------------


def plan_problem(case, inputs) -> str | None:
    """延期/分期 on the party's application: only while something is owed and before the court."""
    decision = _decision(case)
    if decision is None or decision.served_on is None:
        return "处罚决定书送达后才能批准延期或分期缴纳"
    if case.court_applications.exists() or case.status == CaseStatus.COURT:
        return "已申请人民法院强制执行，不能再批准延期或分期缴纳"
    if principal_owed(case) <= 0:
        return "当事人没有尚欠的罚款或没收违法所得，无需延期或分期缴纳"
    return None


def demand_problem(case, inputs) -> str | None:
    """催告 only once the payment period, or the approved plan's date, has passed unpaid."""
    on = inputs.get("issued_on") or _today()
    decision = _decision(case)
    if decision is None or decision.served_on is None:
        return "处罚决定书尚未送达，不能催告"
    if decision.kind == DecisionKind.NO_PENALTY:
        return "不予行政处罚的案件没有需要催告履行的义务"
    due = deadlines.payment_due_now(case, decision)
    if due is None:
        if owed(case, on) > 0:
            return None  # only the surcharge is left: it is enforced like the fine (第72条)
        return "当事人没有尚欠的款项，无需催告"
    if on <= due:
        return f"缴款期限至{_day(due)}，期满当事人仍未缴纳的方可催告"
    return None


def court_problem(case, inputs) -> str | None:
    """申请人民法院强制执行 (行政强制法 第53、54条): after the served demand's days, after the remedy
    periods, within the 3 months that follow them."""
    on = inputs.get("applied_on") or _today()
    decision = _decision(case)
    demand = deadlines.demand_in_force(case)
    if decision is None or demand is None or demand.served_on is None:
        return "催告书送达后方可申请人民法院强制执行（行政强制法第54条）"
    if on <= demand.due_on:
        return f"催告书送达后当事人至{_day(demand.due_on)}仍可履行，期满仍未履行的方可申请强制执行"
    if owed(case, on) <= 0:
        return "当事人已缴清全部款项，无需申请强制执行"
    if _plan_kept(case, decision, on):
        return "当事人正按批准的延期/分期缴纳计划履行，不能申请强制执行"
    window = deadlines.court_window(decision)
    if window is None:
        return "无法确定申请强制执行的期限，请检查处罚决定书送达日期"
    first, last = window
    if on < first:
        ended = first - dt.timedelta(days=1)
        return f"当事人申请行政复议、提起行政诉讼的期限至{_day(ended)}届满，届满后方可申请强制执行（行政强制法第53条）"
    if on > last:
        return f"申请强制执行的期限已于{_day(last)}届满（复议、诉讼期限届满之日起三个月内，行政强制法第53条），不能再申请"
    return None


def close_kind(case, on: dt.date | None = None) -> tuple[str | None, str | None]:
    """(how the case ends, None), or (None, what is missing before it can be closed)."""
    on = on or _today()
    decision = _decision(case)
    if decision is None:
        return None, "尚未作出处罚决定，不能结案"
    if decision.served_on is None:
        return None, "决定书尚未送达，不能结案"
    if decision.kind == DecisionKind.NO_PENALTY:
        return CloseKind.NO_PENALTY, None
    application = latest_application(case)
    if application is not None:
        if application.ruling == CourtRuling.REFUSE:
            return CloseKind.COURT_REFUSED, None
        if application.outcome == CourtOutcome.TERMINATED:
            return CloseKind.TERMINATED, None
        if application.outcome == CourtOutcome.EXECUTED:
            left = owed(case, on)
            if left > 0:
                return None, f"法院已执行完毕，但尚有{left}元未登记缴款，请登记法院执行到位的款项后结案"
            return CloseKind.COURT_EXECUTED, None
        if application.ruling == CourtRuling.PENDING:
            return None, "已申请法院强制执行，须登记法院裁定后方可结案"
        return None, "法院已裁定准予执行，须登记执行完毕或终结执行后方可结案"
    left = owed(case, on)
    if left > 0:
        return None, f"当事人尚欠{left}元（含加处罚款），不能结案"
    return CloseKind.EXECUTED, None


def close_problem(case, inputs) -> str | None:
    return close_kind(case, inputs.get("closed_on"))[1]


# --- steps -------------------------------------------------------------------------------------------


def _date_required(value, field: str, label: str, *, not_before=None, not_before_label=""):
    if value is None:
        raise ValidationError({field: f"请填写{label}"})
    if value > _today():
        raise ValidationError({field: f"{label}不能晚于今天"})
    if not_before is not None and value < not_before:
        raise ValidationError({field: f"{label}不能早于{not_before_label}{_day(not_before)}"})


def _instalment_rows(kind, defer_to, instalments, decision, owed_now) -> list[tuple[dt.date, Decimal]]:
    """The plan's rows, checked: after the original due date, in order, adding up to what is owed."""
    original = decision.payment_due
    if kind == PlanKind.DEFER:
        if defer_to is None:
            raise ValidationError({"defer_to": "请填写延期缴纳的期限"})
        if original and defer_to <= original:
            raise ValidationError({"defer_to": f"延期缴纳期限须晚于原缴款期限{_day(original)}"})
        return [(defer_to, owed_now)]
    rows = list(instalments or [])
    if len(rows) < 2:
        raise ValidationError({"instalments": "分期缴纳须至少分两期"})
    previous = None
    for n, (due_on, amount) in enumerate(rows, start=1):
        if due_on is None or amount is None:
            raise ValidationError({"instalments": f"第{n}期：请填写缴纳期限和金额"})
        if amount <= 0:
            raise ValidationError({"instalments": f"第{n}期：金额须大于0"})
        if original and due_on <= original:
            raise ValidationError({"instalments": f"第{n}期：缴纳期限须晚于原缴款期限{_day(original)}"})
        if previous and due_on <= previous:
            raise ValidationError({"instalments": f"第{n}期：缴纳期限须晚于上一期"})
        previous = due_on
    total = sum((amount for _d, amount in rows), ZERO)
    if total != owed_now:
        raise ValidationError(
            {"instalments": f"各期金额合计{total:.2f}元，须等于尚欠的罚没款{owed_now:.2f}元"}
        )
    return rows


@transaction.atomic
def plan_approve(
    *,
    actor,
    case,
    kind: str,
    requested_on: dt.date,
    approved_on: dt.date,
    reason: str,
    defer_to: dt.date | None = None,
    instalments=(),
):
    """批准延期/分期缴纳 (行政处罚法 第66条第2款) on the party's application."""
    if kind not in PlanKind.values:
        raise ValidationError({"kind": "请选择延期缴纳或分期缴纳"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写当事人申请的理由"})
    _date_required(requested_on, "requested_on", "申请日期")
    _date_required(
        approved_on, "approved_on", "批准日期", not_before=requested_on, not_before_label="申请日期"
    )
    locked = _lock(case, actor)
    CASE_WORKFLOW.check(locked, "plan_payment", actor)
    decision = locked.decision
    owed_now = principal_owed(locked)
    rows = _instalment_rows(kind, defer_to, instalments, decision, owed_now)

    def after(saved):
        plan = PaymentPlan.objects.create(
            case=saved,
            kind=kind,
            requested_on=requested_on,
            reason=reason.strip(),
            approved_by=actor,
            approved_on=approved_on,
        )
        for due_on, amount in rows:
            Instalment.objects.create(plan=plan, due_on=due_on, amount=amount)
        audit.record(
            actor=actor,
            action=audit.AuditAction.CREATE,
            target=plan,
            after={**audit.snapshot(plan), "instalments": [[str(d), str(a)] for d, a in rows]},
            region_code=saved.region_id or "",
        )

    summary = "；".join(f"{d:%Y-%m-%d} {a}元" for d, a in rows)
    return CASE_WORKFLOW.apply(
        locked, "plan_payment", actor=actor, note=f"{PlanKind(kind).label}：{summary}", after=after
    )


@transaction.atomic
def demand_issue(*, actor, case, issued_on: dt.date, number: str = ""):
    """催告: the amount is what is owed on the day, the surcharge accrued included (第54条)."""
    _date_required(issued_on, "issued_on", "催告日期")
    locked = _lock(case, actor)
    CASE_WORKFLOW.check(locked, "demand", actor, conditions=False)
    summary = money_summary(locked, issued_on)
    amount = summary["owed"]
    surcharge = max(ZERO, summary["surcharge"] - summary["surcharge_paid"])

    def after(saved):
        demand = Demand.objects.create(
            case=saved,
            number=(number or "").strip()[:60],
            issued_on=issued_on,
            amount=amount,
            surcharge=surcharge,
            issued_by=actor,
        )
        audit.record(
            actor=actor,
            action=audit.AuditAction.CREATE,
            target=demand,
            after=audit.snapshot(demand),
            region_code=saved.region_id or "",
        )

    # The day is passed as the step's input for demand_problem (it is not a field of the case).
    return CASE_WORKFLOW.apply(
        locked,
        "demand",
        actor=actor,
        note=f"催告金额 {amount}元（其中加处罚款 {surcharge}元）",
        inputs={"issued_on": issued_on},
        after=after,
    )


@transaction.atomic
def demand_serve(*, actor, case, served_on: dt.date):
    """送达催告书: the party then has DEMAND_NOTICE days to pay or to state their case."""
    locked = _lock(case, actor)
    CASE_WORKFLOW.check(locked, "serve_demand", actor, conditions=False)
    demand = deadlines.demand_in_force(locked)
    if demand is None:
        raise ValidationError({"served_on": "尚未登记催告书"})
    if demand.served_on is not None:
        raise ValidationError({"served_on": f"催告书已于{_day(demand.served_on)}送达"})
    _date_required(
        served_on, "served_on", "送达日期", not_before=demand.issued_on, not_before_label="催告日期"
    )
    due_on = deadlines.deadline("DEMAND_NOTICE", served_on)

    def after(saved):
        before = audit.snapshot(demand)
        demand.served_on, demand.due_on = served_on, due_on
        demand.save(update_fields=["served_on", "due_on"])
        _audit_change(actor, demand, before, region_code=saved.region_id or "")

    return CASE_WORKFLOW.apply(
        locked,
        "serve_demand",
        actor=actor,
        note=f"送达日期 {served_on:%Y-%m-%d}，履行期限至 {due_on:%Y-%m-%d}",
        after=after,
    )


@transaction.atomic
def court_apply(*, actor, case, court: str, applied_on: dt.date, number: str = "", other_measures: str = ""):
    """申请人民法院强制执行 (第55条: the decision, the demand, the amount and other matters)."""
    if not (court or "").strip():
        raise ValidationError({"court": "请填写受理申请的人民法院"})
    _date_required(applied_on, "applied_on", "申请日期")
    locked = _lock(case, actor)
    CASE_WORKFLOW.check(locked, "apply_court", actor, conditions=False)
    amount = owed(locked, applied_on)

    def after(saved):
        application = CourtApplication.objects.create(
            case=saved,
            number=(number or "").strip()[:60],
            court=court.strip()[:200],
            applied_on=applied_on,
            amount=amount,
            other_measures=(other_measures or "").strip()[:300],
            applied_by=actor,
        )
        audit.record(
            actor=actor,
            action=audit.AuditAction.CREATE,
            target=application,
            after=audit.snapshot(application),
            region_code=saved.region_id or "",
        )

    return CASE_WORKFLOW.apply(
        locked,
        "apply_court",
        actor=actor,
        note=f"{court.strip()}，申请执行金额 {amount}元",
        inputs={"applied_on": applied_on},
        after=after,
    )


def _collected_split(case, amount: Decimal, on: dt.date) -> list[tuple[str, Decimal]]:
    """What the court collected, applied to the fine, then the confiscated income, then the surcharge
    (the order of the decision's own items)."""
    summary = money_summary(case, on)
    parts = []
    for kind, left in (
        (PaymentKind.FINE, summary["fine"] - summary["fine_paid"]),
        (PaymentKind.CONFISCATED_INCOME, summary["income"] - summary["income_paid"]),
        (PaymentKind.SURCHARGE, summary["surcharge"] - summary["surcharge_paid"]),
    ):
        take = min(amount, max(left, ZERO))
        if take > 0:
            parts.append((kind, take))
            amount -= take
    if amount > 0:
        raise ValidationError({"collected": f"执行到位金额超过当事人尚欠的{summary['owed']}元"})
    return parts


@transaction.atomic
def court_result_record(
    *,
    actor,
    case,
    accepted_on: dt.date | None = None,
    ruling: str = CourtRuling.PENDING,
    ruling_no: str = "",
    ruled_on: dt.date | None = None,
    outcome: str = CourtOutcome.PENDING,
    outcome_on: dt.date | None = None,
    outcome_note: str = "",
    collected: Decimal | None = None,
    receipt_no: str = "",
):
    """What the court did: 受理, 裁定 (准予执行/不予执行, 第57、58条) and the result of enforcement.
    Money the court collected is recorded as payments, so the case's figures show it as paid."""
    locked = _lock(case, actor)
    CASE_WORKFLOW.check(locked, "court_result", actor, conditions=False)
    application = latest_application(locked)
    if application is None:
        raise ValidationError({"ruling": "尚未登记强制执行申请"})
    if ruling not in CourtRuling.values:
        raise ValidationError({"ruling": "请选择法院裁定"})
    if outcome not in CourtOutcome.values:
        raise ValidationError({"outcome": "请选择执行结果"})
    applied = application.applied_on
    if accepted_on is not None:
        _date_required(
            accepted_on, "accepted_on", "法院受理日期", not_before=applied, not_before_label="申请日期"
        )
    if ruling != CourtRuling.PENDING:
        _date_required(ruled_on, "ruled_on", "裁定日期", not_before=applied, not_before_label="申请日期")
        if not (ruling_no or "").strip():
            raise ValidationError({"ruling_no": "请填写裁定书文号"})
    elif ruled_on is not None:
        raise ValidationError({"ruling": "填写了裁定日期，请选择裁定结果"})
    if outcome != CourtOutcome.PENDING:
        if ruling != CourtRuling.ENFORCE:
            raise ValidationError({"outcome": "法院裁定准予执行后才有执行结果"})
        _date_required(
            outcome_on, "outcome_on", "执行结果日期", not_before=ruled_on, not_before_label="裁定日期"
        )
        if outcome == CourtOutcome.TERMINATED and not (outcome_note or "").strip():
            raise ValidationError({"outcome_note": "终结执行须说明理由（如当事人死亡且无财产可供执行）"})
    amount = None if collected in (None, "") else Decimal(str(collected))
    if amount is not None:
        if amount <= 0:
            raise ValidationError({"collected": "执行到位金额须大于0"})
        if outcome == CourtOutcome.PENDING:
            raise ValidationError({"collected": "登记执行到位金额须同时登记执行结果"})
    parts = _collected_split(locked, amount, outcome_on) if amount is not None else []

    def after(saved):
        before = audit.snapshot(application)
        application.accepted_on = accepted_on
        application.ruling, application.ruling_no, application.ruled_on = (
            ruling,
            (ruling_no or "").strip(),
            ruled_on,
        )
        application.outcome, application.outcome_on = outcome, outcome_on
        application.outcome_note = (outcome_note or "").strip()
        application.save()
        _audit_change(actor, application, before, region_code=saved.region_id or "")
        for kind, part in parts:
            payment_record(
                actor=actor,
                case=saved,
                kind=kind,
                amount=part,
                paid_on=outcome_on,
                receipt_no=(receipt_no or "法院执行").strip(),
            )

    note = f"{CourtRuling(ruling).label}" + (
        f"；{CourtOutcome(outcome).label}" if outcome != CourtOutcome.PENDING else ""
    )
    if amount is not None:
        note += f"；执行到位 {amount}元"
    return CASE_WORKFLOW.apply(locked, "court_result", actor=actor, note=note, after=after)


# --- the case page ---------------------------------------------------------------------------------


def overview(case, today: dt.date | None = None) -> dict | None:
    """What the case page shows of enforcement: the money today, the plan, the demand, the court."""
    today = today or _today()
    decision = _decision(case)
    if (
        decision is None
        or decision.served_on is None
        or not any(m.kind in MONEY_MEASURES for m in decision.measures.all())
    ):
        return None
    plan = deadlines.plan_in_force(case)
    demand = deadlines.demand_in_force(case)
    application = latest_application(case)
    window = deadlines.court_window(decision) if demand is not None else None
    kind, missing = close_kind(case, today)
    return {
        "money": money_summary(case, today),
        "due": deadlines.payment_due_now(case, decision),
        "plan": plan,
        "instalments": list(plan.instalments.all()) if plan else [],
        "demand": demand,
        "window": window,
        "court_blocked": court_problem(case, {}) if case.status == CaseStatus.DEMANDED else None,
        "application": application,
        "close_label": CloseKind(kind).label if kind else "",
        "close_missing": missing or "",
    }
