"""The schedule (core.schedule): jobs declared in code, registered with the queue's scheduler in local
time, every run recorded; `manage.py schedule list|run`; and every job run twice changes nothing and
tells nobody the second time."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from huey.contrib.djhuey import HUEY

from qingyuan.core import audit, schedule
from qingyuan.core.models import AuditEvent, Notification, ScheduledNotice, ScheduledRun

EXPECTED = {
    "cases.overdue_notify": "5 7 * * *",
    "cases.rechecks_remind": "10 7 * * *",
    "core.audit_checkpoint": "*/10 * * * *",
    "core.audit_verify": "0 3 * * *",
    "core.heartbeat": "* * * * *",
    "core.jobs_reap": "* * * * *",
    "exchange.log_full_scan": "40 2 * * *",
    "exchange.log_refresh": "*/10 * * * *",
    "exchange.pull": "25 * * * *",
    "inspections.evidence_verify": "30 2 * * *",
    "leads.overdue_notify": "0 7 * * *",
    "oversight.overdue_notify": "25 7 * * *",
    "publication.prepare_missing": "20 6 * * *",
    "reports.forms_due": "15 7 * * *",
    "reports.reviews_waiting": "20 7 * * *",
}


@pytest.fixture
def failing_job():
    @schedule.scheduled("test.failing", "总是出错的任务", "0 1 * * *")
    def failing():
        raise RuntimeError("磁盘已满")

    yield "test.failing"
    job = schedule.JOBS.pop("test.failing")
    HUEY._registry.unregister(job.task.task_class)


def test_every_job_is_declared_in_its_app_with_a_title_and_a_crontab():
    jobs = schedule.load_all()
    assert {name: job.cron for name, job in jobs.items()} == EXPECTED
    assert all(job.title and not job.title.isascii() for job in jobs.values())
    assert jobs["leads.overdue_notify"].when == "每天 07:00" and jobs["core.heartbeat"].when == "每分钟"


def test_jobs_are_periodic_tasks_of_the_queue_read_in_china_time():
    schedule.load_all()
    # Huey's scheduler hands the tasks its clock in UTC: 23:00 UTC is 07:00 the next day in Shanghai.
    due = {t.name for t in HUEY.read_periodic(dt.datetime(2026, 3, 1, 23, 0))}
    assert {"leads.overdue_notify", "core.heartbeat", "core.jobs_reap"} <= due
    assert "cases.overdue_notify" not in due
    assert {t.name for t in HUEY.read_periodic(dt.datetime(2026, 3, 1, 18, 30))} >= {
        "inspections.evidence_verify"
    }
    assert "leads.overdue_notify" not in {t.name for t in HUEY.read_periodic(dt.datetime(2026, 3, 1, 7, 0))}


def test_a_crontab_with_a_wrong_field_fails_when_declared():
    with pytest.raises(ValueError):
        schedule.scheduled("test.bad", "错误", "61 7 * * *")
    with pytest.raises(ValueError):
        schedule.scheduled("test.bad", "错误", "0 7 * *")


def test_a_run_is_recorded_with_its_count_and_summary(db):
    run = schedule.run("core.audit_verify")
    assert run.outcome == "ok" and run.trigger == "manual" and run.finished_at >= run.started_at
    assert run.summary.startswith("审计日志完好")
    assert ScheduledRun.objects.filter(name="core.audit_verify").count() == 1


def test_a_scheduled_run_through_the_queue_is_recorded_too(db):
    schedule.load_all()
    schedule.JOBS["core.audit_verify"].task()  # immediate mode in tests: runs as the worker would
    assert ScheduledRun.objects.get(name="core.audit_verify").trigger == "schedule"


def test_a_failing_job_is_recorded_and_the_command_exits_with_an_error(db, failing_job):
    run = schedule.run(failing_job)
    assert run.outcome == "failed" and "磁盘已满" in run.summary and "RuntimeError" in run.error
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("schedule", "run", failing_job, stderr=err)
    assert caught.value.returncode == 1 and "出错" in err.getvalue()


def test_old_runs_are_pruned(db):
    ScheduledRun.objects.create(
        name="core.audit_verify", started_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), outcome="ok"
    )
    schedule.run("core.audit_verify")
    assert ScheduledRun.objects.filter(name="core.audit_verify").count() == 1


def test_list_names_every_job_with_its_time_and_last_run(db):
    schedule.run("core.audit_verify")
    out = io.StringIO()
    call_command("schedule", "list", stdout=out)
    lines = {line.split("\t")[0]: line for line in out.getvalue().splitlines()}
    assert set(lines) == set(EXPECTED)
    assert "每天 03:00" in lines["core.audit_verify"] and "手动 完成" in lines["core.audit_verify"]
    assert "尚未运行" in lines["leads.overdue_notify"]


def test_run_refuses_an_unknown_name_and_needs_a_name_or_all(db):
    with pytest.raises(CommandError, match="没有名为 leads.nothing"):
        call_command("schedule", "run", "leads.nothing")
    with pytest.raises(CommandError, match="--all"):
        call_command("schedule", "run")


def test_every_job_run_twice_changes_nothing_and_tells_nobody_the_second_time(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("schedule", "run", "--all", stdout=io.StringIO())
    notices, events = Notification.objects.count(), AuditEvent.objects.count()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("schedule", "run", "--all", stdout=out)
    assert Notification.objects.count() == notices and AuditEvent.objects.count() == events
    assert ScheduledRun.objects.count() == 2 * len(EXPECTED)
    assert not ScheduledRun.objects.filter(outcome="failed").exists(), out.getvalue()


def test_notify_once_sends_a_key_once_and_remembers_nothing_without_recipients(personas):
    alice = personas["alice"]
    assert schedule.notify_once("test:1", [], "没有人") == 0
    assert not ScheduledNotice.objects.filter(key="test:1").exists()
    assert schedule.notify_once("test:1", [alice, alice], "提醒") == 1
    assert schedule.notify_once("test:1", [alice], "提醒") == 0
    assert Notification.objects.filter(user=alice, text="提醒").count() == 1


def test_a_broken_audit_chain_is_told_to_the_audit_and_system_administrators_once(personas, monkeypatch):
    event = audit.record(actor=personas["alice"], action="update", target_type="demo")
    broken = audit._row_break(event, "内容与哈希不符（记录被篡改）", 3)
    monkeypatch.setattr(audit, "verify_and_anchor", lambda: (3, broken, broken.reason))
    first, second = schedule.run("core.audit_verify"), schedule.run("core.audit_verify")
    assert first.outcome == second.outcome == "alert" and f"第 {event.pk} 条" in first.summary
    told = Notification.objects.filter(text__startswith="审计日志校验失败")
    assert sorted(told.values_list("user__username", flat=True)) == ["aud", "sam"]
