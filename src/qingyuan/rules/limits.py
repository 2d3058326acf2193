"""Due dates from the time limits in force (RULES.md "Time limits")."""

import calendar
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.core.workdays import add_days, add_working_days

from .models import LimitUnit, TimeLimit
from .selectors import limit_in_force


def add_months(start: date, months: int) -> date:
    """Same day `months` later; a day the target month lacks becomes its last day (1-31 + 1 month
    = 2-28), the way a period stated in months ends."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _local_date(start) -> date:
    if isinstance(start, datetime):
        if timezone.is_naive(start):
            raise ValueError("起算时间须带时区")
        return timezone.localdate(start)
    return start


def due(limit: TimeLimit, start):
    """Apply one version of a limit. HOURS needs an aware datetime and returns one; the other units
    return a date. The start day is not counted: the n-th day (or working day) after it is the last
    day of the period."""
    if limit.unit == LimitUnit.HOURS:
        if not isinstance(start, datetime):
            raise ValidationError(f"“{limit.name}”按小时计算，须给出起算的具体时间")
        if timezone.is_naive(start):
            raise ValueError("起算时间须带时区")
        return start + timedelta(hours=limit.amount)
    day = _local_date(start)
    if limit.unit == LimitUnit.WORKING_DAYS:
        return add_working_days(day, limit.amount)
    if limit.unit == LimitUnit.DAYS:
        return add_days(day, limit.amount)
    if limit.unit == LimitUnit.MONTHS:
        return add_months(day, limit.amount)
    raise ValueError(f"未知的时限单位：{limit.unit}")


def deadline(code: str, start, *, on: date | None = None):
    """The due date (or, for limits in hours, the due moment) of limit `code` counted from `start`
    (a date or an aware datetime). `on` picks the version; by default the one in force on the start
    day. TimeLimit.DoesNotExist when no version is in force then."""
    limit = limit_in_force(code, on or _local_date(start))
    return due(limit, start)
