"""Due dates from the time limits in force, across 国庆 2026 (10-01..07 off, Sat 10-10 worked)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from qingyuan.rules.limits import add_months, deadline
from qingyuan.rules.models import LimitUnit, TimeLimit
from qingyuan.rules.selectors import limit_in_force

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")

CODES = {
    "CASE_OPEN": (7, LimitUnit.WORKING_DAYS),
    "CASE_OPEN_EXTENSION": (7, LimitUnit.WORKING_DAYS),
    "CASE_DECIDE": (90, LimitUnit.DAYS),
    "CASE_DECIDE_EXTENSION": (60, LimitUnit.DAYS),
    "CASE_DECIDE_COLLECTIVE": (30, LimitUnit.DAYS),
    "SEIZURE_REPORT": (24, LimitUnit.HOURS),
    "SEIZURE_HANDLE": (7, LimitUnit.WORKING_DAYS),
    "HEARING_REQUEST": (5, LimitUnit.WORKING_DAYS),
    "HEARING_NOTICE": (7, LimitUnit.WORKING_DAYS),
    "FINE_PAYMENT": (15, LimitUnit.DAYS),
    "COURT_ENFORCEMENT": (3, LimitUnit.MONTHS),
    "DEMAND_NOTICE": (10, LimitUnit.DAYS),
    "APPEAL_REVIEW": (60, LimitUnit.DAYS),
    "APPEAL_LITIGATION": (6, LimitUnit.MONTHS),
    "REFERRAL_DECIDE": (3, LimitUnit.WORKING_DAYS),
    "REFERRAL_TRANSFER": (24, LimitUnit.HOURS),
    "REFERRAL_POLICE_DECIDE": (3, LimitUnit.WORKING_DAYS),
    "REFERRAL_REVIEW_REQUEST": (3, LimitUnit.WORKING_DAYS),
    "JURISDICTION_DESIGNATE": (7, LimitUnit.WORKING_DAYS),
    "TIP_ASSIGN": (15, LimitUnit.DAYS),
    "TIP_CONCLUDE": (60, LimitUnit.DAYS),
    "TIP_CONCLUDE_EXTENSION": (30, LimitUnit.DAYS),
    "TIP_CASE_NOTICE": (5, LimitUnit.WORKING_DAYS),
    "TIME_BAR": (24, LimitUnit.MONTHS),
    "TIME_BAR_HARM": (60, LimitUnit.MONTHS),
    "SIMPLIFIED_FILING": (7, LimitUnit.WORKING_DAYS),
}


@pytest.mark.parametrize(("code", "expected"), CODES.items())
def test_every_time_limit_is_loaded_under_its_stable_code(code, expected):
    limit = limit_in_force(code, dt.date(2026, 11, 1))
    assert (limit.amount, limit.unit) == expected and limit.basis


def test_no_other_time_limits_are_loaded():
    assert set(TimeLimit.objects.values_list("code", flat=True)) == set(CODES)


def test_working_days_skip_national_day_and_count_the_saturday_worked():
    # Wed 9-30 + 7 working days: 10-08, 10-09, 10-10 (Sat, 调休), 10-12, 10-13, 10-14, 10-15.
    assert deadline("CASE_OPEN", dt.date(2026, 9, 30)) == dt.date(2026, 10, 15)
    # + 5: 10-08, 10-09, 10-10, 10-12, 10-13 (as core.workdays counts it).
    assert deadline("HEARING_REQUEST", dt.date(2026, 9, 30)) == dt.date(2026, 10, 13)
    # Started inside the holiday: the first working day is 10-08.
    assert deadline("REFERRAL_DECIDE", dt.date(2026, 10, 3)) == dt.date(2026, 10, 10)


def test_working_days_from_an_evening_datetime_count_from_the_local_day():
    # 00:30 on 10-09 in Shanghai is still 10-08 in UTC; the count starts from 10-09:
    # 10-10 (Sat, worked), 10-12, 10-13, 10-14, 10-15.
    assert deadline("HEARING_REQUEST", dt.datetime(2026, 10, 9, 0, 30, tzinfo=SHANGHAI)) == dt.date(
        2026, 10, 15
    )


def test_calendar_days_run_through_the_holiday_and_are_not_moved():
    # core.workdays.add_days keeps the plain day even where it falls in the holiday.
    assert deadline("FINE_PAYMENT", dt.date(2026, 9, 20)) == dt.date(2026, 10, 5)
    assert deadline("CASE_DECIDE", dt.date(2026, 9, 30)) == dt.date(2026, 12, 29)


def test_hours_give_an_aware_moment():
    start = dt.datetime(2026, 9, 30, 16, 15, tzinfo=SHANGHAI)
    due = deadline("SEIZURE_REPORT", start)
    assert due == dt.datetime(2026, 10, 1, 16, 15, tzinfo=SHANGHAI) and due.tzinfo is not None


def test_hours_need_a_moment_not_a_day():
    with pytest.raises(ValidationError, match="须给出起算的具体时间"):
        deadline("REFERRAL_TRANSFER", dt.date(2026, 9, 30))
    with pytest.raises(ValueError):
        deadline("REFERRAL_TRANSFER", dt.datetime(2026, 9, 30, 16, 0))


def test_months_are_calendar_months_with_the_day_clamped():
    assert deadline("COURT_ENFORCEMENT", dt.date(2026, 11, 30)) == dt.date(2027, 2, 28)
    assert deadline("APPEAL_LITIGATION", dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)
    assert deadline("TIME_BAR", dt.date(2024, 2, 29)) == dt.date(2026, 2, 28)
    assert deadline("TIME_BAR_HARM", dt.date(2023, 2, 28)) == dt.date(2028, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)


def test_the_version_in_force_on_the_start_day_is_used(personas):
    from qingyuan.rules.services import time_limit_add_version

    time_limit_add_version(
        actor=personas["sam"],
        code="FINE_PAYMENT",
        data={
            "name": "缴纳罚款",
            "amount": 30,
            "unit": LimitUnit.DAYS,
            "effective_from": dt.date(2027, 1, 1),
        },
    )
    assert deadline("FINE_PAYMENT", dt.date(2026, 12, 31)) == dt.date(2027, 1, 15)
    assert deadline("FINE_PAYMENT", dt.date(2027, 1, 1)) == dt.date(2027, 1, 31)
    assert deadline("FINE_PAYMENT", dt.date(2027, 1, 1), on=dt.date(2026, 12, 1)) == dt.date(2027, 1, 16)


def test_no_version_in_force_raises_does_not_exist():
    with pytest.raises(TimeLimit.DoesNotExist):
        deadline("CASE_OPEN", dt.date(2024, 1, 2))
    with pytest.raises(TimeLimit.DoesNotExist):
        limit_in_force("NO_SUCH_LIMIT", dt.date(2026, 1, 2))
