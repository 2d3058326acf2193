import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.utils import timezone

from qingyuan.core import workdays
from qingyuan.core.models import WorkdayOverride
from qingyuan.core.workdays import (
    add_days,
    add_working_days,
    calendar_known,
    calendar_notice,
    due_badge,
    due_status,
    is_workday,
    workday_on_or_after,
    working_days_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.clear_workday_cache()
    yield
    workdays.clear_workday_cache()


class TestPackagedCalendar:
    # The 2026 arrangement as the pinned chinese-calendar has it (国务院办公厅, Nov 2025):
    # 中秋 Sep 25–27, 国庆 Oct 1–7; Sunday Sep 20 and Saturday Oct 10 are working days.
    def test_national_day_2026_is_off_and_its_weekends_are_worked(self):
        assert not any(is_workday(date(2026, 10, d)) for d in range(1, 8))
        assert is_workday(date(2026, 9, 20))  # Sunday
        assert is_workday(date(2026, 10, 10))  # Saturday
        assert not is_workday(date(2026, 10, 11))  # ordinary Sunday
        assert not is_workday(date(2026, 9, 25))  # 中秋, a Friday

    def test_deadline_across_national_day_counts_the_working_saturday(self):
        # Wed Sep 30 + 5: Oct 8, 9, 10 (Saturday, worked), 12, 13.
        assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)

    def test_five_working_days_from_the_friday_before_spring_festival(self):
        # Fri Feb 13 + 5: Sat Feb 14 (worked), then 春节 Feb 15–23, then Feb 24, 25, 26, 27.
        assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)

    def test_five_working_days_from_the_friday_before_qingming(self):
        # Fri Apr 3 + 5: 清明 Apr 4–6 off, then Apr 7, 8, 9, 10, 13.
        assert add_working_days(date(2026, 4, 3), 5) == date(2026, 4, 13)

    def test_working_sunday_counts(self):
        # Fri Sep 18 + 5: Sun Sep 20 (worked), 21, 22, 23, 24.
        assert add_working_days(date(2026, 9, 18), 5) == date(2026, 9, 24)

    def test_zero_working_days_is_the_start(self):
        assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)

    def test_negative_working_days_are_refused(self):
        with pytest.raises(ValueError):
            add_working_days(date(2026, 10, 3), -1)

    def test_datetimes_count_as_their_day(self):
        assert add_working_days(datetime(2026, 9, 30, 18, 0), 5) == date(2026, 10, 13)

    def test_working_days_between_excludes_start_includes_end(self):
        assert working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
        assert working_days_between(date(2026, 9, 30), date(2026, 9, 30)) == 0
        assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
        assert working_days_between(date(2026, 10, 13), date(2026, 9, 30)) == -5

    def test_add_days_counts_calendar_days(self):
        assert add_days(date(2026, 9, 30), 15) == date(2026, 10, 15)
        assert add_days(date(2026, 12, 20), 60) == date(2027, 2, 18)

    def test_period_ending_on_a_holiday_moves_to_the_next_working_day(self):
        assert workday_on_or_after(date(2026, 10, 3)) == date(2026, 10, 8)
        assert workday_on_or_after(date(2026, 10, 10)) == date(2026, 10, 10)

    def test_packaged_years_are_known(self):
        assert calendar_known(2026)
        assert calendar_known(2025)


class TestOverrides:
    def test_override_makes_a_working_day_off(self):
        WorkdayOverride.objects.create(date=date(2026, 10, 9), is_workday=False, note="测试：调整放假")
        assert not is_workday(date(2026, 10, 9))
        # Oct 8, 10 (Saturday), 12, 13, 14.
        assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 14)

    def test_override_makes_a_day_off_working(self):
        WorkdayOverride.objects.create(date=date(2026, 10, 11), is_workday=True, note="测试：调休上班")
        assert is_workday(date(2026, 10, 11))
        assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 12)

    def test_deleting_an_override_restores_the_package(self):
        override = WorkdayOverride.objects.create(date=date(2026, 10, 11), is_workday=True)
        assert is_workday(date(2026, 10, 11))
        override.delete()
        assert not is_workday(date(2026, 10, 11))

    def test_one_override_per_day(self):
        WorkdayOverride.objects.create(date=date(2027, 1, 1), is_workday=False)
        with pytest.raises(IntegrityError), transaction.atomic():
            WorkdayOverride.objects.create(date=date(2027, 1, 1), is_workday=True)

    def test_saving_an_override_clears_the_shared_cache(self, monkeypatch):
        # A thread with no uncommitted override changes uses the shared cache.
        monkeypatch.setattr(workdays, "_local", threading.local())
        assert not is_workday(date(2026, 10, 11))
        assert workdays._cache is not None
        WorkdayOverride.objects.create(date=date(2026, 10, 11), is_workday=True)
        assert workdays._cache is None
        assert is_workday(date(2026, 10, 11))
        # Uncommitted in this transaction: not put into the cache other threads read.
        assert workdays._cache is None


class TestYearBeyondThePackage:
    def test_unknown_year_falls_back_to_monday_to_friday(self):
        assert not calendar_known(2027)
        assert is_workday(date(2027, 10, 1))  # a Friday; its holiday is not entered yet
        assert not is_workday(date(2027, 10, 2))
        assert add_working_days(date(2027, 3, 5), 5) == date(2027, 3, 12)

    def test_deadline_from_a_known_into_an_unknown_year(self):
        # Thu Dec 31 2026 + 5: Jan 1 2027 (Friday, counted as no holiday is entered), 4, 5, 6, 7.
        assert add_working_days(date(2026, 12, 31), 5) == date(2027, 1, 7)

    def test_entered_calendar_makes_the_year_known(self):
        WorkdayOverride.objects.create(date=date(2027, 10, 1), is_workday=False, note="国庆节")
        WorkdayOverride.objects.create(date=date(2027, 9, 26), is_workday=True, note="国庆节调休上班")
        assert calendar_known(2027)
        assert not is_workday(date(2027, 10, 1))
        assert is_workday(date(2027, 9, 26))  # a Sunday
        assert not calendar_known(2028)

    def test_notice_names_the_years_not_entered(self):
        assert calendar_notice(date(2026, 12, 1)) == ""
        assert calendar_notice(date(2026, 12, 1), date(2027, 1, 5), None) == (
            "2027年法定节假日安排尚未录入，工作日暂按周一至周五计算"
        )


class TestDueStatus:
    # Today is Wed Sep 30 2026: the next working days are Oct 8, Oct 9, Oct 10 (Saturday).
    TODAY = date(2026, 9, 30)

    def test_overdue_after_the_due_day(self):
        assert due_status(date(2026, 9, 29), self.TODAY) == "overdue"

    def test_near_on_the_due_day(self):
        assert due_status(self.TODAY, self.TODAY) == "near"

    def test_near_within_two_working_days(self):
        assert due_status(date(2026, 10, 8), self.TODAY) == "near"
        assert due_status(date(2026, 10, 9), self.TODAY) == "near"

    def test_ok_from_the_third_working_day(self):
        assert due_status(date(2026, 10, 10), self.TODAY) == "ok"

    def test_a_holiday_before_the_due_day_keeps_it_near(self):
        # Nine calendar days away but only two working days.
        assert due_status(date(2026, 10, 9), self.TODAY) == "near"
        assert due_status(date(2026, 10, 5), self.TODAY) == "near"

    def test_today_defaults_to_the_local_date(self):
        today = timezone.localdate()
        assert due_status(today) == "near"
        assert due_status(today - timedelta(days=1)) == "overdue"
        assert due_status(today + timedelta(days=30)) == "ok"


class TestDueBadge:
    TODAY = date(2026, 9, 30)

    def test_green_with_working_days_left(self):
        badge = due_badge(date(2026, 10, 12), self.TODAY)
        assert (badge.css_class, badge.text) == ("badge-due-green", "还剩4个工作日")

    def test_amber_on_the_due_day(self):
        badge = due_badge(self.TODAY, self.TODAY)
        assert (badge.css_class, badge.text) == ("badge-due-amber", "今日到期")

    def test_amber_within_two_working_days(self):
        badge = due_badge(date(2026, 10, 9), self.TODAY)
        assert (badge.css_class, badge.text) == ("badge-due-amber", "还剩2个工作日")

    def test_amber_when_only_holidays_are_left(self):
        badge = due_badge(date(2026, 10, 3), self.TODAY)
        assert (badge.css_class, badge.text) == ("badge-due-amber", "3天后到期")

    def test_red_with_days_overdue(self):
        badge = due_badge(date(2026, 9, 28), self.TODAY)
        assert (badge.css_class, badge.text) == ("badge-due-red", "已超期2天")

    def test_badge_warns_when_the_year_is_not_entered(self):
        badge = due_badge(date(2027, 1, 8), date(2026, 12, 31))
        assert "2027年法定节假日安排尚未录入" in badge.title
        assert due_badge(date(2026, 12, 8), date(2026, 12, 1)).title == ""

    def test_template_filter(self):
        template = Template("{% load deadlines %}{{ due|due_badge:today }}|{{ none|due_badge }}")
        html = template.render(Context({"due": date(2026, 9, 28), "today": self.TODAY, "none": None}))
        assert html == '<span class="badge badge-due-red">已超期2天</span>|'

    def test_template_filter_with_calendar_warning(self):
        template = Template("{% load deadlines %}{{ due|due_badge:today }}")
        html = template.render(Context({"due": date(2027, 1, 8), "today": date(2026, 12, 31)}))
        assert 'class="badge badge-due-green"' in html
        assert 'title="2027年法定节假日安排尚未录入' in html


def test_sysadmin_enters_a_holiday_and_deadlines_follow(login):
    from qingyuan.core.models import AuditEvent

    client = login("sam")
    page = client.get("/workdays/").content.decode()
    assert "尚未录入" in page and "2027" in page
    response = client.post("/workdays/", {"date": "2027-02-08", "note": "2027年春节"})
    assert response.status_code == 302
    assert not workdays.is_workday(date(2027, 2, 8))
    assert AuditEvent.objects.filter(target_type="core.workdayoverride", action="create").exists()
    duplicate = client.post("/workdays/", {"date": "2027-02-08", "is_workday": "on"})
    assert "已有工作日调整记录" in duplicate.content.decode()


def test_only_the_sysadmin_edits_the_calendar(login):
    assert login("chief").get("/workdays/").status_code == 404
