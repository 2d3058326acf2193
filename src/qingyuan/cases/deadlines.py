"""The case clocks of RULES.md "Time limits".

Opening: CASE_OPEN (7 working days) from the day the lead was checked, +CASE_OPEN_EXTENSION with
approval. Deciding: CASE_DECIDE (90 days) from 立案, +CASE_DECIDE_EXTENSION (60) with the head's
approval, +CASE_DECIDE_COLLECTIVE (30) more by collective decision (卫生健康行政处罚程序规定 第42条);
hearings, tests, expert review and public notice do not count (行政处罚法 第60条), so every day of a
CasePause moves the due date one day later. A pause still open counts up to today."""

import datetime as dt

from django.db import models
from django.utils import timezone

from qingyuan.core.workdays import due_badge

from .models import MONEY_MEASURES, CaseStatus, ExtensionKind, PaymentKind

LIMIT_FOR_EXTENSION = {
    ExtensionKind.OPEN: "CASE_OPEN_EXTENSION",
    ExtensionKind.DECIDE: "CASE_DECIDE_EXTENSION",
    ExtensionKind.DECIDE_COLLECTIVE: "CASE_DECIDE_COLLECTIVE",
}


def deadline(code: str, start, *, on=None):
    from qingyuan.rules.limits import deadline as rules_deadline

    return rules_deadline(code, start, on=on)


def limit_days(code: str, on: dt.date) -> int:
    from qingyuan.rules.selectors import limit_in_force

    return limit_in_force(code, on).amount


def _no_rule(function):
    """A clock whose rule had no version in force on its start day (an old or imported case, before
    the provision took effect) is not shown, rather than breaking the page."""

    def wrapper(*args, **kwargs):
        from qingyuan.rules.models import TimeLimit

        try:
            return function(*args, **kwargs)
        except TimeLimit.DoesNotExist:
            return None

    wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
    return wrapper


@_no_rule
def open_due(checked_on: dt.date | None) -> dt.date | None:
    return deadline("CASE_OPEN", checked_on) if checked_on else None


@_no_rule
def first_decide_due(opened_on: dt.date | None) -> dt.date | None:
    """The last day to decide of a case opened on `opened_on`, before any extension or pause."""
    return opened_on + dt.timedelta(days=limit_days("CASE_DECIDE", opened_on)) if opened_on else None


def paused_days(case, today: dt.date | None = None, *, open_pauses: bool = True) -> int:
    """Days of the case's pauses; the day a pause ends counts again towards the limit. A pause still
    open counts up to today, or not at all with `open_pauses=False`."""
    today = today or timezone.localdate()
    total = 0
    for pause in case.pauses.all():
        if pause.ended_on is None and not open_pauses:
            continue
        end = pause.ended_on or today
        total += max(0, (end - pause.started_on).days)
    return total


@_no_rule
def decide_due(case, today: dt.date | None = None, *, open_pauses: bool = True) -> dt.date | None:
    """The last day to decide. With `open_pauses=False`, the date stored on the case (Case.decide_due):
    the ended pauses and the extensions counted, an open pause not, as the database then compares it
    with the day the open pause began (models.overdue_condition)."""
    if case.opened_on is None:
        return None
    days = limit_days("CASE_DECIDE", case.opened_on)
    kinds = {e.kind for e in case.extensions.all()}
    for kind in (ExtensionKind.DECIDE, ExtensionKind.DECIDE_COLLECTIVE):
        if kind in kinds:
            days += limit_days(LIMIT_FOR_EXTENSION[kind], case.opened_on)
    return case.opened_on + dt.timedelta(days=days + paused_days(case, today, open_pauses=open_pauses))


def stored_decide_due(case) -> dt.date | None:
    return decide_due(case, open_pauses=False)


PRINCIPAL_KINDS = (PaymentKind.FINE, PaymentKind.CONFISCATED_INCOME)


def principal(decision):
    """The fine and the confiscated income of the decision (the 罚没款 a payment plan spreads)."""
    return sum((m.amount or 0 for m in decision.measures.all() if m.kind in MONEY_MEASURES), 0)


def principal_paid(case, before: dt.date | None = None):
    """What was paid of the fine and the confiscated income (before `before`, if given)."""
    return sum(
        (
            p.amount
            for p in case.payments.all()
            if p.kind in PRINCIPAL_KINDS and (before is None or p.paid_on < before)
        ),
        0,
    )


def unpaid(case, decision) -> bool:
    """The fine or the confiscated income is not paid in full (what models.overdue_condition sums)."""
    return principal_paid(case) < principal(decision)


def plan_in_force(case):
    """The payment plan that applies: the one approved last (a new approval replaces an earlier
    plan, as when a party who cannot keep the instalments is granted new ones)."""
    if case.pk is None:
        return None
    plans = sorted(case.payment_plans.all(), key=lambda p: (p.approved_on, p.pk))
    return plans[-1] if plans else None


def payment_schedule(case, decision) -> list[tuple[dt.date, object]]:
    """(due date, total of fine and confiscated income to be paid by then), in date order.

    Without a plan: everything by the decision's payment_due (行政处罚法 第67条). With an approved
    延期/分期 plan (第66条第2款) the plan's dates replace it: what was paid before the plan stays
    paid, and the plan spreads the rest (its rows add up to what was owed when it was approved)."""
    total = principal(decision)
    plan = plan_in_force(case)
    if plan is None:
        return [(decision.payment_due, total)] if decision.payment_due and total else []
    rows = sorted(plan.instalments.all(), key=lambda i: (i.due_on, i.pk))
    already = total - sum((i.amount for i in rows), 0)
    schedule, running = [], already
    for row in rows:
        running += row.amount
        schedule.append((row.due_on, running))
    return schedule


def payment_due_now(case, decision) -> dt.date | None:
    """The due date of the first part of the schedule not yet paid; None when all is paid. A party
    who pays each instalment on time always has a due date in the future, so is never overdue."""
    paid = principal_paid(case)
    for due_on, required in payment_schedule(case, decision):
        if paid < required:
            return due_on
    return None


def demand_in_force(case):
    demands = sorted(case.demands.all(), key=lambda d: (d.issued_on, d.pk)) if case.pk else []
    return demands[-1] if demands else None


@_no_rule
def court_window(decision) -> tuple[dt.date, dt.date] | None:
    """(first day, last day) for applying to the court (行政强制法 第53条): from the day after both
    remedy periods ended (复议 APPEAL_REVIEW and 诉讼 APPEAL_LITIGATION from the day the decision was
    served, the later end), for COURT_ENFORCEMENT."""
    if decision is None or decision.served_on is None:
        return None
    served = decision.served_on
    remedies_end = max(deadline("APPEAL_REVIEW", served), deadline("APPEAL_LITIGATION", served))
    return remedies_end + dt.timedelta(days=1), deadline("COURT_ENFORCEMENT", remedies_end)


def _demanded_due(case, decision, today: dt.date) -> tuple[str, dt.date] | None:
    """After 催告: the demand's 10 days, then the last day to apply to the court. A plan approved
    after the demand replaces it while the party keeps it (its dates are the clock)."""
    from .decisions import owed

    demand = demand_in_force(case)
    plan = plan_in_force(case)
    if plan is not None and (demand is None or plan.approved_on >= demand.issued_on):
        due = payment_due_now(case, decision)
        return ("缴款期限", due) if due else None
    if demand is None or demand.due_on is None:
        return None  # not yet served: the 10 days have not begun
    if today <= demand.due_on:
        return "催告履行期限", demand.due_on
    if owed(case, today) <= 0:
        return None  # paid after the demand: nothing to apply for, the case can be closed
    window = court_window(decision)
    return ("申请强制执行期限", window[1]) if window else None


@_no_rule
def hearing_window_due(case) -> dt.date | None:
    """The last day the party may ask for a hearing (5 working days after the notice)."""
    return deadline("HEARING_REQUEST", case.notified_on) if case.notified_on else None


def current_due(case, today: dt.date | None = None) -> tuple[str, dt.date] | None:
    """The clock that matters now for the case's state, as (label, due date)."""
    if case.status == CaseStatus.PROPOSED and case.open_due:
        return "立案期限", case.open_due
    if case.status in {CaseStatus.INVESTIGATING, CaseStatus.REVIEW, CaseStatus.NOTIFIED, CaseStatus.HEARING}:
        due = decide_due(case, today)
        return ("办案期限", due) if due else None
    decision = getattr(case, "decision", None) if case.pk else None
    if case.status in {CaseStatus.SERVED, CaseStatus.ENFORCING} and decision:
        # Once paid, the payment clock no longer runs (the surcharge, if any, shows with the money);
        # under an approved plan the next unpaid instalment is the clock.
        due = payment_due_now(case, decision)
        return ("缴款期限", due) if due else None
    if case.status == CaseStatus.DEMANDED and decision:
        return _demanded_due(case, decision, today or timezone.localdate())
    # 申请法院强制执行: the court's time, not the unit's; no clock (COURT and the closed states).
    return None


def badge(case, today: dt.date | None = None):
    due = current_due(case, today)
    if due is None:
        return None
    label, day = due
    return label, day, due_badge(day, today)


def late_by_clock(today: dt.date) -> list[int]:
    """The cases on a payment plan or after 催告 whose current clock (current_due) has passed on
    `today`: the part of models.overdue_condition computed here, so the list and the badge agree by
    construction."""
    from .models import Case

    cases = (
        Case.objects.filter(
            models.Q(status__in=[CaseStatus.SERVED, CaseStatus.ENFORCING], payment_plans__isnull=False)
            | models.Q(status=CaseStatus.DEMANDED)
        )
        .distinct()
        .select_related("decision")
        .prefetch_related("payment_plans__instalments", "payments", "demands", "decision__measures")
    )
    late = []
    for case in cases:
        clock = current_due(case, today)
        if clock is not None and clock[1] < today:
            late.append(case.pk)
    return late
