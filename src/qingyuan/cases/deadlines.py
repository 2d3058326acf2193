"""The case clocks of RULES.md "Time limits".

Opening: CASE_OPEN (7 working days) from the day the lead was checked, +CASE_OPEN_EXTENSION with
approval. Deciding: CASE_DECIDE (90 days) from 立案, +CASE_DECIDE_EXTENSION (60) with the head's
approval, +CASE_DECIDE_COLLECTIVE (30) more by collective decision (卫生健康行政处罚程序规定 第42条);
hearings, tests, expert review and public notice do not count (行政处罚法 第60条), so every day of a
CasePause moves the due date one day later. A pause still open counts up to today."""

import datetime as dt

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


def unpaid(case, decision) -> bool:
    """The fine or the confiscated income is not paid in full (what models.overdue_condition sums)."""
    owed = sum((m.amount or 0 for m in decision.measures.all() if m.kind in MONEY_MEASURES), 0)
    kinds = {PaymentKind.FINE, PaymentKind.CONFISCATED_INCOME}
    paid = sum((p.amount for p in case.payments.all() if p.kind in kinds), 0)
    return paid < owed


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
    if case.status in {CaseStatus.SERVED, CaseStatus.ENFORCING} and decision and decision.payment_due:
        # Once paid, the payment clock no longer runs (the surcharge, if any, shows with the money).
        return ("缴款期限", decision.payment_due) if unpaid(case, decision) else None
    return None


def badge(case, today: dt.date | None = None):
    due = current_due(case, today)
    if due is None:
        return None
    label, day = due
    return label, day, due_badge(day, today)
