"""Scheduled jobs, declared in code: the one schedule of every app's daily and minutely work.

Each app declares its jobs in its own `tasks.py`, which Huey's Django integration imports in every
queue process (and `manage.py schedule` imports too):

    @scheduled("leads.overdue_notify", "超期线索提醒", "0 7 * * *")
    def overdue_notify():
        return services.leads_overdue_notify()

The declaration registers a Huey periodic task. The one scheduler process (`manage.py run_huey`
without --no-periodic; in the embedded setup the single `run_huey` beside runserver) puts it on the
queue at the crontab's minutes, read in the platform's time zone (Asia/Shanghai) although Huey's
clock runs in UTC, and a worker runs it. Every run, scheduled or started by hand with
`manage.py schedule run`, is recorded as a ScheduledRun (start, end, outcome, count, summary, error)
and logged, so an operator can see that the schedule runs (`manage.py schedule list`).

A job returns what it did: a count, or a Report with a count, a one-line summary and whether it
found something an administrator must look at. It must be idempotent: run twice the same day it
tells nobody twice and changes nothing the second time. A job whose reminders have no field of
their own to remember them by uses `notify_once`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models_schedule import RunOutcome, RunTrigger, ScheduledNotice, ScheduledRun

logger = logging.getLogger(__name__)

# Runs are kept this long: the minutely jobs alone write almost 3,000 rows a day.
KEEP_RUNS_DAYS = 30
# A job that runs every minute and waits longer than this in a busy queue is dropped, not piled up:
# the next minute's run does the same work.
MINUTELY_EXPIRES_SECONDS = 120


@dataclass(frozen=True)
class Report:
    """What one run did: how many things it handled, in one line, and whether it found a problem."""

    count: int = 0
    summary: str = ""
    alert: bool = False


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    cron: str  # "minute hour day month day_of_week", in the platform's time zone
    function: Callable
    task: object = None  # the Huey periodic task

    @property
    def when(self) -> str:
        return describe(self.cron)


JOBS: dict[str, Job] = {}


class UnknownJob(KeyError):
    pass


# --- crontab in local time ----------------------------------------------------------------------


def _fields(cron: str) -> dict:
    parts = cron.split()
    if len(parts) != 5:
        raise ValueError(f"crontab must have 5 fields (minute hour day month day_of_week): {cron!r}")
    return dict(zip(("minute", "hour", "day", "month", "day_of_week"), parts, strict=True))


def local_crontab(cron: str) -> Callable[[dt.datetime], bool]:
    """Huey's crontab test for `cron` read in settings.TIME_ZONE. Huey hands the scheduler's clock
    to the test in UTC (settings.HUEY["utc"]), so "30 2 * * *" would otherwise run at 10:30 in China."""
    from huey import crontab
    from huey.contrib.djhuey import HUEY

    matches = crontab(strict=True, **_fields(cron))
    zone = timezone.get_default_timezone()

    def validate(timestamp: dt.datetime) -> bool:
        if HUEY.utc:
            timestamp = timestamp.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)
        return matches(timestamp)

    return validate


def describe(cron: str) -> str:
    """The crontab in words for the common cases ("每分钟", "每天 07:00"), else as written."""
    f = _fields(cron)
    if cron.split() == ["*"] * 5:
        return "每分钟"
    if (
        f["minute"].isdigit()
        and f["hour"].isdigit()
        and (f["day"], f["month"], f["day_of_week"]) == ("*",) * 3
    ):
        return f"每天 {int(f['hour']):02d}:{int(f['minute']):02d}"
    return cron


# --- declaring ------------------------------------------------------------------------------------


def scheduled(name: str, title: str, cron: str, *, expires: int | None = None):
    """Declare `function` as the scheduled job `name` (e.g. "leads.overdue_notify"), titled in Chinese,
    run at `cron` ("minute hour day month day_of_week", local time)."""
    from huey.contrib.djhuey import db_periodic_task

    validate = local_crontab(cron)  # a bad crontab fails at import, not silently at night
    if expires is None and cron.split()[:2] == ["*", "*"]:
        expires = MINUTELY_EXPIRES_SECONDS

    def decorator(function):
        existing = JOBS.get(name)
        if existing is not None:
            if existing.function.__qualname__ == function.__qualname__:
                return function  # the same module imported again under another name
            raise ValueError(f"scheduled job {name!r} is declared twice")

        def run_scheduled():
            run(name, trigger=RunTrigger.SCHEDULE)

        task = db_periodic_task(validate, name=name, expires=expires)(run_scheduled)
        JOBS[name] = Job(name=name, title=title, cron=cron, function=function, task=task)
        return function

    return decorator


def call_by_name(dotted: str):
    """Call the function at `dotted` ("qingyuan.core.jobs.jobs_reap"), imported only now, so that a
    job can be scheduled in the module that declares it before the function it runs exists."""
    module_name, _, attribute = dotted.rpartition(".")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise RuntimeError(f"定时任务调用的 {dotted} 不存在（{type(error).__name__}）") from None
    return function()


def load_all() -> dict[str, Job]:
    """Import every installed app's tasks module (what Huey does in its processes) and return the jobs."""
    autodiscover_modules("tasks")
    return dict(sorted(JOBS.items()))


def get(name: str) -> Job:
    load_all()
    try:
        return JOBS[name]
    except KeyError:
        raise UnknownJob(name) from None


# --- running ----------------------------------------------------------------------------------------


def _report(result) -> Report:
    if isinstance(result, Report):
        return result
    if result is None:
        return Report()
    if isinstance(result, bool):
        return Report(count=int(result))
    if isinstance(result, int):
        return Report(count=result)
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
        return Report(count=result[0], summary=str(result[1]))
    return Report(summary=str(result))


def run(name: str, *, trigger: str = RunTrigger.MANUAL) -> ScheduledRun:
    """Run the job `name` now, in this process, and record the run. A failure is recorded and logged,
    not raised: the caller (the queue, or `manage.py schedule run`) reads the outcome."""
    job = JOBS.get(name) or get(name)
    record = ScheduledRun.objects.create(name=name, trigger=trigger, started_at=timezone.now())
    logger.info("scheduled job %s started (%s)", name, trigger)
    try:
        report = _report(job.function())
    except Exception as error:
        record.outcome = RunOutcome.FAILED
        record.error = "".join(traceback.format_exception(error))[-5000:]
        record.summary = f"{type(error).__name__}: {error}"[:300]
        logger.exception("scheduled job %s failed", name)
    else:
        record.outcome = RunOutcome.ALERT if report.alert else RunOutcome.OK
        record.count = max(0, report.count)
        record.summary = report.summary[:300]
        log = logger.warning if report.alert else logger.info
        log(
            "scheduled job %s finished: %s, count %s; %s",
            name,
            record.outcome,
            record.count,
            record.summary or "-",
        )
    record.finished_at = timezone.now()
    record.save(update_fields=["outcome", "count", "summary", "error", "finished_at"])
    ScheduledRun.objects.filter(
        name=name, started_at__lt=record.started_at - dt.timedelta(days=KEEP_RUNS_DAYS)
    ).delete()
    return record


def last_runs(names) -> dict[str, ScheduledRun]:
    """The latest recorded run of each job."""
    latest = {}
    for name in names:
        found = ScheduledRun.objects.filter(name=name).order_by("-started_at", "-pk").first()
        if found is not None:
            latest[name] = found
    return latest


# --- remembering reminders ------------------------------------------------------------------------------


def remember(key: str) -> bool:
    """Record that the thing named `key` was dealt with; False if it already was (by any run, in any
    process: the key is unique in the database, so of two runs at once one wins)."""
    try:
        with transaction.atomic():
            ScheduledNotice.objects.create(key=key[:200])
    except IntegrityError:
        return False
    return True


def notify_once(key: str, users, text: str, url: str = "") -> int:
    """Send `text` to `users` unless a reminder with `key` was sent before; returns how many were told.
    Nothing is remembered when there is nobody to tell, so that a later run tells the users who have
    appeared by then."""
    from .notifications import notify

    users = [u for u in dict.fromkeys(users) if u is not None]
    if not users:
        return 0
    with transaction.atomic():
        if not remember(key):
            return 0
        return notify(users, text, url)
