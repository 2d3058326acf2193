"""Overdue cases are computed from the deadlines (立案, 办案 with its pauses and extensions, 缴款) on the
day asked, in SQL for lists and counts and in Python for a case's badge, and agree; the daily job only
tells the officers and chiefs, once per deadline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qingyuan.cases import deadlines, selectors, services
from qingyuan.cases.models import Case, CaseStatus, MeasureKind, PauseKind, PaymentKind
from qingyuan.core import schedule
from qingyuan.core.models import AuditEvent, Notification

from .test_case_data import opened, propose, served

TODAY = dt.date(2026, 11, 23)
FINE_ONLY = [{"kind": MeasureKind.FINE, "amount": Decimal("50000")}]


def overdue_ids(today=TODAY):
    return set(Case.objects.overdue(today).values_list("pk", flat=True))


def live(case, today=TODAY) -> bool:
    clock = deadlines.current_due(Case.objects.get(pk=case.pk), today)
    return clock is not None and clock[1] < today


def test_a_case_nine_days_past_its_opening_deadline_counts_as_overdue_with_no_job_run(
    personas, regions, login
):
    today = timezone.localdate()
    late = propose(personas, regions, checked_on=today - dt.timedelta(days=20))
    # Fixture state: the 立案 deadline passed nine days ago (7 working days after the check).
    Case.objects.filter(pk=late.pk).update(open_due=today - dt.timedelta(days=9))
    propose(personas, regions, checked_on=today)  # still within its 7 working days
    assert not Notification.objects.exists()

    alice = login("alice")
    page = alice.get(reverse("cases:list")).content.decode()
    assert 'data-figure="overdue">1<' in page
    listed = alice.get(reverse("cases:list"), {"overdue": "true"})
    assert [c.pk for c in listed.context["page"].object_list] == [late.pk]
    assert "立案期限 已超期9天" in listed.content.decode()
    assert alice.get(reverse("cases:list"), {"overdue": "false"}).context["page"].paginator.count == 1

    dashboard = login("dave").get(reverse("reports:dashboard"))
    assert dashboard.context["data"].totals.overdue_cases == 1
    assert dashboard.context["links"]["overdue_cases"] == reverse("cases:list") + "?overdue=true"


def test_deciding_clock_stops_while_a_pause_that_began_in_time_is_open(personas, regions):
    p = personas
    case = opened(p, regions, opened_on=dt.date(2026, 6, 1))  # decide by 2026-08-30
    assert overdue_ids() == {case.pk} and live(case)
    services.pause_start(actor=p["alice"], case=case, kind=PauseKind.TESTING, started_on=dt.date(2026, 8, 1))
    assert overdue_ids() == set() and not live(case)
    services.pause_end(actor=p["alice"], case=case, ended_on=dt.date(2026, 11, 1))  # 92 days paused
    case.refresh_from_db()
    assert case.decide_due == dt.date(2026, 11, 30)
    assert overdue_ids() == set() and not live(case)
    assert overdue_ids(dt.date(2026, 12, 1)) == {case.pk} and live(case, dt.date(2026, 12, 1))


def test_a_pause_begun_after_the_deadline_does_not_make_a_late_case_timely(personas, regions):
    case = opened(personas, regions, opened_on=dt.date(2026, 6, 1))  # decide by 2026-08-30
    services.pause_start(
        actor=personas["alice"], case=case, kind=PauseKind.EXPERT, started_on=dt.date(2026, 9, 15)
    )
    assert overdue_ids() == {case.pk} and live(case)


def test_extension_moves_the_stored_deadline(personas, regions):
    case = opened(personas, regions, opened_on=dt.date(2026, 6, 1))
    services.case_extend(actor=personas["chief"], case=case, kind="decide", reason="案情复杂")
    assert Case.objects.get(pk=case.pk).decide_due == dt.date(2026, 10, 29)
    assert overdue_ids() == {case.pk}
    services.case_extend(actor=personas["dave"], case=case, kind="decide_collective", reason="集体讨论")
    assert overdue_ids() == set() and not live(case)


def test_payment_clock_runs_until_the_fine_is_paid(personas, regions, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    case = served(personas, regions, measures=FINE_ONLY)  # pay by 2026-09-08
    assert overdue_ids() == {case.pk} and live(case)
    services.payment_record(
        actor=personas["alice"],
        case=case,
        kind=PaymentKind.FINE,
        amount="30000",
        paid_on=TODAY,
        receipt_no="R1",
    )
    assert overdue_ids() == {case.pk} and live(case)
    services.payment_record(
        actor=personas["alice"],
        case=case,
        kind=PaymentKind.FINE,
        amount="20000",
        paid_on=TODAY,
        receipt_no="R2",
    )
    assert overdue_ids() == set() and not live(case)
    assert selectors.clock(Case.objects.get(pk=case.pk), TODAY) is None


def test_sql_and_the_badge_agree_on_every_clock(personas, regions, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    cases = [
        propose(personas, regions, checked_on=dt.date(2026, 11, 2)),  # 立案期限 11-11: late
        propose(personas, regions, checked_on=dt.date(2026, 11, 20)),  # in time
        opened(personas, regions, opened_on=dt.date(2026, 6, 1)),  # 办案期限 08-30: late
        opened(personas, regions, opened_on=dt.date(2026, 10, 1)),  # in time
        served(personas, regions, measures=FINE_ONLY),  # 缴款期限 09-08: late
        served(personas, regions, measures=FINE_ONLY),  # paid in time below
    ]
    services.payment_record(
        actor=personas["alice"],
        case=cases[5],
        kind=PaymentKind.FINE,
        amount="50000",
        paid_on=dt.date(2026, 9, 1),
        receipt_no="R1",
    )
    Case.objects.filter(pk=cases[1].pk).update(status=CaseStatus.NOT_OPENED)  # no clock at all
    for day in (dt.date(2026, 8, 31), dt.date(2026, 9, 9), TODAY):
        assert overdue_ids(day) == {c.pk for c in cases if live(c, day)}, day
    assert Case.objects.not_overdue(TODAY).count() == 3


def test_overdue_job_run_twice_notifies_once_per_deadline(
    personas, regions, django_capture_on_commit_callbacks
):
    late = propose(personas, regions, checked_on=dt.date(2026, 11, 2))  # due 11-11
    propose(personas, regions, checked_on=dt.date(2026, 11, 20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cases_overdue_notify(today=TODAY) == 1
    events, updated = AuditEvent.objects.count(), Case.objects.get(pk=late.pk).updated_at
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cases_overdue_notify(today=TODAY) == 0
    assert AuditEvent.objects.count() == events and Case.objects.get(pk=late.pk).updated_at == updated
    assert Case.objects.get(pk=late.pk).overdue_notified_for == dt.date(2026, 11, 11)
    for name in ("alice", "bob", "chief"):
        assert Notification.objects.filter(user=personas[name], text__contains="已超期").count() == 1
    # The extended deadline (11-20) passes too: announced again, once.
    services.case_extend(actor=personas["chief"], case=late, kind="open", reason="需补充核查")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cases_overdue_notify(today=dt.date(2026, 11, 25)) == 1
        assert services.cases_overdue_notify(today=dt.date(2026, 11, 25)) == 0
    assert Case.objects.get(pk=late.pk).overdue_notified_for == dt.date(2026, 11, 20)
    assert Notification.objects.filter(user=personas["alice"], text__contains="已超期").count() == 2


def test_scheduled_job_refreshes_stale_stored_deadlines_once(personas, regions, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    case = opened(personas, regions, opened_on=dt.date(2026, 10, 1))  # decide by 2026-12-30
    Case.objects.filter(pk=case.pk).update(decide_due=dt.date(2026, 10, 2))  # as if a rule had changed
    assert overdue_ids() == {case.pk}
    first, second = schedule.run("cases.overdue_notify"), schedule.run("cases.overdue_notify")
    assert Case.objects.get(pk=case.pk).decide_due == dt.date(2026, 12, 30)
    assert overdue_ids() == set()
    assert first.summary == "新提醒超期案件 0 件；更新办案期限 1 件"
    assert second.summary == "新提醒超期案件 0 件；更新办案期限 0 件"


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.REVOKED, CaseStatus.DECIDED])
def test_cases_without_a_running_clock_are_never_overdue(personas, regions, status):
    case = opened(personas, regions, opened_on=dt.date(2026, 6, 1))
    Case.objects.filter(pk=case.pk).update(status=status)
    assert overdue_ids() == set()
