"""Reminders about forms (reports.reminders, scheduled by reports.tasks): the units that owe a form are
told N working days before its deadline and once it has passed, the reviewers of a form that waits;
each once, however often the daily job runs."""

import datetime as dt

import pytest
from django.utils import timezone

from qingyuan.campaigns.models import FormRequirement, Schedule
from qingyuan.core import schedule
from qingyuan.core.models import Notification
from qingyuan.reports import reminders
from qingyuan.reports.models import Submission, SubmissionStatus

from . import factories as f

DUE = dt.date(2024, 6, 20)  # a Thursday; 10 June (端午节) is a holiday
SOON = dt.date(2024, 6, 17)  # 3 working days before
EARLY = dt.date(2024, 6, 14)  # 4 working days before


@pytest.fixture
def requirement(units, personas):
    campaign = f.campaign(
        units["city"], "苏州市打击非法行医专项行动", dt.date(2024, 4, 1), dt.date(2024, 10, 31)
    )
    return FormRequirement.objects.create(
        campaign=campaign, form_code="S003-A1", schedule=Schedule.ONCE, due_on=DUE
    )


def told(user, text):
    return list(Notification.objects.filter(user=user, text__contains=text).values_list("text", flat=True))


def submission(region, unit, by, *, status=SubmissionStatus.SUBMITTED, end=dt.date(2024, 6, 15), at=None):
    return Submission.objects.create(
        form_code="S003-A1",
        region=region,
        period_start=dt.date(2024, 4, 1),
        period_end=end,
        unit=unit,
        status=status,
        data={},
        due_on=DUE,
        submitted_by=by,
        submitted_at=at or timezone.now(),
    )


def test_the_counties_that_owe_a_form_are_told_three_working_days_before_once(requirement, personas):
    assert reminders.forms_due_remind(today=EARLY) == 0
    assert reminders.forms_due_remind(today=SOON) == 1
    assert reminders.forms_due_remind(today=SOON) == 0
    assert reminders.forms_due_remind(today=DUE) == 0  # the same deadline: not again before it passes
    [text] = told(personas["chief"], "S003-A1")
    assert "吴中区" in text and "报送期限2024年06月20日" in text and "还剩3个工作日" in text
    notice = Notification.objects.get(user=personas["chief"])
    assert "region=320506" in notice.url and "end=2024-06-20" in notice.url
    # Officers who cannot submit forms, and the city that set the deadline, are not told.
    assert not Notification.objects.exclude(user=personas["chief"]).exists()


def test_a_form_still_missing_after_its_deadline_is_announced_late_once(requirement, personas):
    late = DUE + dt.timedelta(days=1)
    assert reminders.forms_due_remind(today=late) == 1
    assert reminders.forms_due_remind(today=late + dt.timedelta(days=5)) == 0
    assert told(personas["chief"], "已过，尚未上报")


def test_a_submitted_form_is_not_chased_and_a_returned_one_is(requirement, personas, regions, units):
    sent = submission(regions["wuzhong"], units["wuzhong"], personas["chief"])
    assert reminders.forms_due_remind(today=SOON) == 0
    Submission.objects.filter(pk=sent.pk).update(status=SubmissionStatus.RETURNED)
    assert reminders.forms_due_remind(today=SOON) == 1


def test_deadlines_long_past_and_word_documents_are_not_chased(requirement, personas):
    FormRequirement.objects.create(
        campaign=requirement.campaign, form_code="S003-WS", schedule=Schedule.ONCE, due_on=SOON
    )
    assert reminders.forms_due_remind(today=DUE + dt.timedelta(days=reminders.LATE_WINDOW_DAYS + 1)) == 0
    assert reminders.forms_due_remind(today=SOON) == 1
    assert not told(personas["chief"], "S003-WS")


def test_quarterly_deadlines_are_each_announced(units, personas):
    campaign = f.campaign(units["city"], "季度报送", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    FormRequirement.objects.create(
        campaign=campaign, form_code="S004-Q", schedule=Schedule.QUARTERLY, day_of_month=20
    )
    assert reminders.forms_due_remind(today=dt.date(2024, 3, 19)) == 1
    assert reminders.forms_due_remind(today=dt.date(2024, 6, 18)) == 1
    assert len(told(personas["chief"], "S004-Q")) == 2


def test_reviewers_are_told_of_a_form_waiting_three_working_days_once(requirement, personas, regions, units):
    at = timezone.make_aware(dt.datetime(2024, 6, 17, 10))
    waiting = submission(regions["wuzhong"], units["wuzhong"], personas["chief"], at=at)
    assert reminders.reviews_waiting_remind(today=dt.date(2024, 6, 19)) == 0
    assert reminders.reviews_waiting_remind(today=dt.date(2024, 6, 20)) == 1
    assert reminders.reviews_waiting_remind(today=dt.date(2024, 6, 21)) == 0
    [text] = told(personas["dave"], "请审核")
    assert "吴中区" in text and "已等待审核3个工作日" in text
    Submission.objects.filter(pk=waiting.pk).update(status=SubmissionStatus.ACCEPTED)
    assert reminders.reviews_waiting_remind(today=dt.date(2024, 7, 1)) == 0


def test_the_scheduled_jobs_run_twice_tell_nobody_twice(requirement, personas, regions, units, monkeypatch):
    at = timezone.make_aware(dt.datetime(2024, 6, 11, 10))  # waiting 4 working days on 17 June
    submission(regions["xiangcheng"], units["xiangcheng"], personas["carol"], at=at)
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, *a: SOON if value is None else localdate(value)
    )
    runs = [schedule.run(name) for name in ("reports.forms_due", "reports.reviews_waiting") * 2]
    assert [r.count for r in runs] == [1, 1, 0, 0]
    assert runs[0].summary == "提醒填报人员 1 人次" and all(r.outcome == "ok" for r in runs)


def test_a_form_owed_is_on_the_home_page_of_the_county_until_it_is_submitted(requirement, personas, units):
    from qingyuan.core.worklist import work_list

    work = work_list(personas["chief"], today=dt.date(2024, 6, 19))
    [owed] = [item for item in work.near if item.kind == "报表"]
    assert owed.text.startswith("上报") and owed.badge is not None
    assert owed.due == DUE and "region=320506" in owed.url
    late = work_list(personas["chief"], today=dt.date(2024, 6, 24))
    assert [item.due for item in late.overdue if item.kind == "报表"] == [DUE]
    submission(units["wuzhong"].region, units["wuzhong"], personas["chief"])
    assert not [
        i for i in work_list(personas["chief"], today=dt.date(2024, 6, 24)).overdue if i.kind == "报表"
    ]
