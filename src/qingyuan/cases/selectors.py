"""Reads for the case pages: the fine ranges for a case, the money owed, what a user may do."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from . import deadlines, services, workflow
from .models import Case, CaseStatus


def cases_for(user):
    return Case.objects.visible_to(user).select_related("unit", "region", "subject")


def case_for(user, pk) -> Case:
    from qingyuan.core.scoping import get_visible_or_404

    return get_visible_or_404(
        Case.objects.select_related("unit", "region", "subject", "lead", "proposed_by", "opened_by"),
        user,
        pk=pk,
    )


def fine_ranges(case) -> tuple[list, str]:
    """Every fine range for the case's offences and illegal income (where two provisions cover one
    act, both are shown), or an error message when the offences cannot be resolved."""
    from qingyuan.rules.fines import ranges_for

    codes = [co.offence.code for co in case.offences.select_related("offence")]
    try:
        return ranges_for(codes, case.illegal_income, case.offence_date), ""
    except ValidationError as exc:
        return [], "；".join(exc.messages)


def clock(case, today: dt.date | None = None) -> dict | None:
    found = deadlines.badge(case, today)
    if found is None:
        return None
    label, day, badge = found
    return {"label": label, "due": day, "badge": badge}


def filing(case, today: dt.date | None = None):
    decision = getattr(case, "decision", None)
    if decision is None:
        return None
    due = services.filing_due(decision)
    if due is None:
        return None
    today = today or timezone.localdate()
    return {"due": due, "filed_on": decision.filed_on, "overdue": decision.filed_on is None and today > due}


def figures(queryset) -> dict:
    from django.db.models import Count

    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "by_status": [(code, label, counts.get(code, 0)) for code, label in CaseStatus.choices],
        "overdue": queryset.overdue().count(),
        "crime_suspected": queryset.filter(crime_suspected=True, status__in=workflow.OPEN_STATES).count(),
    }
