"""Working days by China's official calendar, and the deadline badge built on them.

行政处罚法 第85条 counts "二日、三日、五日、七日" in working days, and the State Council's yearly
notice moves weekends around holidays (调休), so Monday–Friday is not enough. The pinned
chinese-calendar package knows the published years; administrators enter later years (and
corrections) as WorkdayOverride rows, which win. For a year neither knows, the count falls back to
Monday–Friday and `calendar_known(year)` says so, so the page can warn.
"""

import functools
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

# Overrides change a few times a year; other worker processes see a change within this time.
CACHE_SECONDS = 300

# UX.md: the deadline badge turns amber within 2 working days.
NEAR_WORKING_DAYS = 2

STATUS_OK, STATUS_NEAR, STATUS_OVERDUE = "ok", "near", "overdue"
BADGE_CLASSES = {
    STATUS_OK: "badge-due-green",
    STATUS_NEAR: "badge-due-amber",
    STATUS_OVERDUE: "badge-due-red",
}


@dataclass(frozen=True)
class _Overrides:
    days: dict  # date -> is_workday
    years: frozenset


_cache: tuple[float, _Overrides] | None = None
# Per thread, because Django's connections are per thread: set while this thread's connection
# holds uncommitted override changes, which other threads must not see through the shared cache.
_local = threading.local()


def clear_workday_cache() -> None:
    """Forget the cached overrides; the next call reads them from the database."""
    global _cache
    _cache = None


def _load() -> _Overrides:
    from .models import WorkdayOverride

    days = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
    return _Overrides(days=days, years=frozenset(d.year for d in days))


def _overrides() -> _Overrides:
    global _cache
    if getattr(_local, "dirty", False):
        if transaction.get_connection().in_atomic_block:
            # Our own uncommitted (or about to be rolled back) changes: read them, cache nothing.
            # This is also what keeps tests deterministic, as each test's transaction is rolled back.
            return _load()
        _local.dirty = False
        clear_workday_cache()
    cached = _cache
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    loaded = _load()
    _cache = (time.monotonic(), loaded)
    return loaded


def _override_changed(sender, **kwargs):
    if transaction.get_connection().in_atomic_block:
        _local.dirty = True
        transaction.on_commit(clear_workday_cache)
    clear_workday_cache()


# The cache lives in this module, so connecting here covers every process that can hold one.
post_save.connect(_override_changed, sender="core.WorkdayOverride", dispatch_uid="workday_override_saved")
post_delete.connect(_override_changed, sender="core.WorkdayOverride", dispatch_uid="workday_override_deleted")


@functools.cache
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _as_date(day: date) -> date:
    return day.date() if isinstance(day, datetime) else day


def _is_workday(day: date, overrides: _Overrides) -> bool:
    if day in overrides.days:
        return overrides.days[day]
    if _package_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def calendar_known(year: int) -> bool:
    """True if the official calendar of that year is known (packaged, or entered by an administrator).

    Any override in a year the package does not know counts as "entered": administrators are asked
    to enter the whole State Council notice at once.
    """
    return _package_knows(year) or year in _overrides().years


def calendar_notice(*days: date | None) -> str:
    """A warning for the page when a deadline falls in a year whose holidays are not entered yet."""
    years = sorted({_as_date(d).year for d in days if d is not None and not calendar_known(_as_date(d).year)})
    if not years:
        return ""
    return f"{'、'.join(str(y) for y in years)}年法定节假日安排尚未录入，工作日暂按周一至周五计算"


def is_workday(day: date) -> bool:
    return _is_workday(_as_date(day), _overrides())


def add_days(start: date, n: int) -> date:
    """n calendar days after start (limits stated in days, e.g. 信访 15日/60日)."""
    return _as_date(start) + timedelta(days=n)


def add_working_days(start: date, n: int) -> date:
    """The day that is the n-th working day after start; start itself is not counted, 0 returns start."""
    if n < 0:
        raise ValueError("n must be >= 0")
    overrides = _overrides()
    day = _as_date(start)
    while n:
        day += timedelta(days=1)
        if _is_workday(day, overrides):
            n -= 1
    return day


def workday_on_or_after(day: date) -> date:
    """The day itself if it is a working day, else the next one: where a period counted in calendar
    days ends on a holiday, it ends on the first working day after it (民事诉讼法's rule on 期间,
    which 行政诉讼法 and 行政复议法 adopt)."""
    overrides = _overrides()
    day = _as_date(day)
    while not _is_workday(day, overrides):
        day += timedelta(days=1)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after start up to and including end; negative when end is before start."""
    start, end = _as_date(start), _as_date(end)
    if end < start:
        return -working_days_between(end, start)
    overrides = _overrides()
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += _is_workday(day, overrides)
    return count


def due_status(due: date, today: date | None = None) -> str:
    """ "overdue" after the due day, "near" from 2 working days before it to the day itself, else "ok"."""
    due = _as_date(due)
    today = _as_date(today) if today is not None else timezone.localdate()
    if today > due:
        return STATUS_OVERDUE
    if working_days_between(today, due) <= NEAR_WORKING_DAYS:
        return STATUS_NEAR
    return STATUS_OK


@dataclass(frozen=True)
class DueBadge:
    status: str
    css_class: str
    text: str
    title: str  # the calendar warning, or ""


def due_badge(due: date, today: date | None = None) -> DueBadge:
    """Status, CSS class and Chinese text of the deadline badge: 还剩3个工作日 / 今日到期 / 已超期2天."""
    due = _as_date(due)
    today = _as_date(today) if today is not None else timezone.localdate()
    status = due_status(due, today)
    if status == STATUS_OVERDUE:
        text = f"已超期{(today - due).days}天"
    elif due == today:
        text = "今日到期"
    else:
        remaining = working_days_between(today, due)
        # A due day on a weekend or holiday right after today leaves no working day to count.
        text = f"还剩{remaining}个工作日" if remaining else f"{(due - today).days}天后到期"
    return DueBadge(
        status=status, css_class=BADGE_CLASSES[status], text=text, title=calendar_notice(today, due)
    )
