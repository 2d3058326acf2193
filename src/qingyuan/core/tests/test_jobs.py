"""One job model and one job page for all long work: a job runs once however often it is delivered,
its page shows its counts or every error, only the submitter and the chiefs and leaders over them
may open it, and a job whose worker died is retried, then failed with the reason, never stuck."""

import datetime as dt
import logging
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.http import content_disposition_header

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core import jobs
from qingyuan.core.jobs import job_create, job_output_file, jobs_reap, run_job
from qingyuan.core.models import AuditEvent, Job, JobStatus

from .factories import make_job


class WorkerKilled(BaseException):
    """What a worker killed mid-job looks like from the job's side: nothing after this line runs."""


@pytest.fixture
def kinds(monkeypatch, settings, tmp_path):
    """Test kinds: "test_count" counts its runs and makes a small file, "test_die" dies mid-run,
    "test_refuse" refuses with two messages, "test_crash" fails unexpectedly."""
    settings.MEDIA_ROOT = tmp_path / "media"
    runs = []

    def count(job, progress):
        runs.append(job.pk)
        progress(0, 3, "统计中")
        progress(3, 3)
        job_output_file(
            job, download_name="统计结果.txt", content_type="text/plain; charset=utf-8"
        ).write_text("三条", encoding="utf-8")
        return {
            "message": "统计完成：共 3 条。",
            "counts": [["新增", 2], ["未变", 1]],
            "links": [{"label": "查看监管对象", "url": "subjects:list"}],
        }

    def die(job, progress):
        runs.append(job.pk)
        raise WorkerKilled

    def refuse(job, progress):
        raise ValidationError(["第2行：名称不能为空", "第5行：区划代码“999999”不存在"])

    def crash(job, progress):
        raise RuntimeError("secret internal detail")

    for key, runner in {
        "test_count": count,
        "test_die": die,
        "test_refuse": refuse,
        "test_crash": crash,
    }.items():
        monkeypatch.setitem(
            jobs.KINDS,
            key,
            jobs.JobKind(key=key, title="测试任务", runner=runner, perm="subjects.view", count_label="条"),
        )
    return runs


def queue(kind, actor, django_capture_on_commit_callbacks, run=True) -> Job:
    with django_capture_on_commit_callbacks(execute=run):
        job = job_create(kind=kind, actor=actor)
    job.refresh_from_db()
    return job


def age(job, minutes=10):
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_the_job_page_shows_the_counts_the_links_and_offers_the_file(
    personas, login, kinds, django_capture_on_commit_callbacks
):
    job = queue("test_count", personas["alice"], django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE and job.attempts == 1 and (job.done, job.total) == (3, 3)
    page = login("alice").get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and "统计完成：共 3 条。" in page and "every 1s" not in page
    assert "新增" in page and ">2<" in page and "未变" in page
    assert 'href="/subjects/"' in page and "查看监管对象" in page
    assert f'href="/jobs/{job.pk}/download/"' in page and "统计结果.txt" in page

    response = login("alice").get(f"/jobs/{job.pk}/download/")
    assert b"".join(response.streaming_content).decode() == "三条"
    assert response["Content-Disposition"] == content_disposition_header(True, "统计结果.txt")
    event = AuditEvent.objects.filter(action="export", target_type="core.job").get()
    assert event.actor_name == "alice" and event.target_id == str(job.pk)


def test_a_running_job_polls_and_shows_its_phase_and_progress(personas, login, kinds):
    job = make_job(
        personas["alice"], kind="test_count", status=JobStatus.RUNNING, phase="统计中", done=40, total=160
    )
    fragment = login("alice").get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'hx-trigger="every 1s"' in fragment
    assert "进行中" in fragment and "统计中：40 / 160 条" in fragment and 'aria-valuenow="25"' in fragment


def test_only_the_submitter_and_the_chiefs_and_leaders_over_them_open_a_job_and_its_file(
    personas, units, login, kinds, client, django_capture_on_commit_callbacks
):
    job = queue("test_count", personas["alice"], django_capture_on_commit_callbacks)
    page, download = f"/jobs/{job.pk}/", f"/jobs/{job.pk}/download/"
    for name in ("alice", "chief", "dave"):  # herself, her unit's chief, the city's leader
        assert login(name).get(page).status_code == 200, name
        assert login(name).get(download).status_code == 200, name
    xc_chief = Client()
    xc_chief.force_login(make_user("xcchief", units["xiangcheng"], Role.CHIEF, "相城科室负责人"))
    # A colleague, the neighbouring county's officer and its chief, an administrator: as if it did not exist.
    for other in (login("bob"), login("carol"), xc_chief, login("sam")):
        assert other.get(page).status_code == 404
        assert other.get(download).status_code == 404
    assert login("alice").get("/jobs/999999/").status_code == 404
    assert client.get(page).status_code == 302  # the public: to the login page
    assert AuditEvent.objects.filter(action="export", target_type="core.job").count() == 3


def test_a_job_delivered_twice_runs_once(personas, kinds, django_capture_on_commit_callbacks):
    job = queue("test_count", personas["alice"], django_capture_on_commit_callbacks, run=False)
    assert job.status == JobStatus.PENDING and kinds == []
    first, second = run_job(job.pk), run_job(job.pk)
    assert kinds == [job.pk] and first.status == second.status == JobStatus.DONE
    assert second.attempts == 1 and second.output_name == first.output_name


def test_a_refusal_lists_every_message_numbered(personas, login, kinds, django_capture_on_commit_callbacks):
    job = queue("test_refuse", personas["alice"], django_capture_on_commit_callbacks)
    assert job.status == JobStatus.REFUSED and job.finished_at and not job.output_name
    page = login("alice").get(f"/jobs/{job.pk}/").content.decode()
    assert "未通过校验" in page and "共 2 条错误" in page
    assert (
        "<ol" in page
        and "<li>第2行：名称不能为空</li>" in page
        and "<li>第5行：区划代码“999999”不存在</li>" in page
    )


def test_an_unexpected_error_is_logged_and_the_user_reads_chinese_with_the_job_number(
    personas, login, kinds, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.ERROR, logger="qingyuan.core.jobs"):
        job = queue("test_crash", personas["alice"], django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.errors == [f"任务处理时发生系统错误，未写入任何数据。请联系系统管理员（任务编号 {job.pk}）。"]
    assert "secret internal detail" in caplog.text and "Traceback" in caplog.text
    page = login("alice").get(f"/jobs/{job.pk}/").content.decode()
    assert f"任务编号 {job.pk}" in page and "secret" not in page and "失败" in page


def test_a_job_whose_worker_died_is_retried_then_failed_with_the_reason(
    personas, login, kinds, django_capture_on_commit_callbacks
):
    job = queue("test_die", personas["alice"], django_capture_on_commit_callbacks, run=False)
    with pytest.raises(WorkerKilled):
        run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1
    assert jobs_reap() == {"retried": 0, "requeued": 0, "failed": 0}  # its heartbeat is fresh

    age(job)  # no heartbeat since: the worker is gone
    with django_capture_on_commit_callbacks() as queued:
        assert jobs_reap() == {"retried": 1, "requeued": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.phase == "处理进程中断，已自动重试（第2次）"
    assert len(queued) == 1  # sent to the workers again
    assert jobs_reap() == {"retried": 0, "requeued": 0, "failed": 0}  # run again: nothing more
    assert "处理进程中断，已自动重试（第2次）" in login("alice").get(f"/jobs/{job.pk}/").content.decode()

    with pytest.raises(WorkerKilled):
        run_job(job.pk)  # the second worker dies too
    age(job)
    with django_capture_on_commit_callbacks() as queued:
        assert jobs_reap() == {"retried": 0, "requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert kinds == [job.pk, job.pk] and not queued
    assert job.status == JobStatus.FAILED and job.attempts == 2 and job.finished_at
    assert job.errors == ["处理进程中断，已重试1次仍未完成，未写入任何数据，请重新提交"]
    assert jobs_reap() == {"retried": 0, "requeued": 0, "failed": 0}
    page = login("alice").get(f"/jobs/{job.pk}/").content.decode()
    assert "失败" in page and "已重试1次仍未完成" in page and "every 1s" not in page


def test_a_job_whose_queue_message_was_lost_is_sent_again_then_failed(
    personas, kinds, django_capture_on_commit_callbacks
):
    job = queue("test_count", personas["alice"], django_capture_on_commit_callbacks, run=False)
    for sent in (1, 2):
        age(job)
        with django_capture_on_commit_callbacks() as queued:
            assert jobs_reap()["requeued"] == 1
        job.refresh_from_db()
        assert job.status == JobStatus.PENDING and job.requeued == sent and len(queued) == 1
    age(job)
    assert jobs_reap()["failed"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and kinds == []
    assert job.errors == [
        "任务排队后一直未开始处理（处理进程未运行或任务队列中断），已重新排队2次，未写入任何数据，请重新提交"
    ]


def test_a_job_waiting_behind_others_in_the_queue_is_left_alone(
    personas, kinds, monkeypatch, django_capture_on_commit_callbacks
):
    job = queue("test_count", personas["alice"], django_capture_on_commit_callbacks, run=False)
    monkeypatch.setattr(jobs, "queued_job_ids", lambda: {job.pk})  # its message is still queued
    for _ in range(4):  # long past the stale limit, again and again: a busy queue, not a lost message
        age(job)
        with django_capture_on_commit_callbacks() as queued:
            assert jobs_reap() == {"retried": 0, "requeued": 0, "failed": 0}
        assert not queued
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.requeued == 0 and not job.errors


def test_the_queue_is_read_for_the_jobs_it_holds(personas, kinds, django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    from qingyuan.core.tasks import run_job_task

    job = queue("test_count", personas["alice"], django_capture_on_commit_callbacks, run=False)
    assert jobs.queued_job_ids() == set()
    # A message put in the (in-memory, test) queue without running it, as a busy worker leaves it.
    HUEY.storage.enqueue(HUEY.serialize_task(run_job_task.s(job.pk)))
    try:
        assert jobs.queued_job_ids() == {job.pk}
    finally:
        HUEY.storage.flush_queue()
    assert jobs.queued_job_ids() == set()


def test_a_stalled_worker_cannot_overwrite_a_job_handed_to_another(
    personas, monkeypatch, kinds, django_capture_on_commit_callbacks
):
    def stall(job, progress):
        if job.attempts == 1:
            age(job)  # stalled so long that jobs_reap hands the job to another worker meanwhile
            jobs_reap()
        return {"message": f"第{job.attempts}次运行的结果"}

    monkeypatch.setitem(
        jobs.KINDS, "test_stall", jobs.JobKind(key="test_stall", title="测试任务", runner=stall, perm="")
    )
    job = make_job(personas["alice"], kind="test_stall")
    with django_capture_on_commit_callbacks() as queued:
        late = run_job(job.pk)
    assert late.status == JobStatus.PENDING and late.result == {} and len(queued) == 1
    queued[0]()  # the other worker
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2 and job.result["message"] == "第2次运行的结果"


@pytest.mark.django_db(transaction=True)
def test_a_live_job_keeps_its_heartbeat_and_is_not_reaped(regions, personas, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QINGYUAN_JOB_STALE_SECONDS = 0.6  # a heartbeat every 0.2 s
    seen = {}

    def slow(job, progress):
        time.sleep(1.5)  # a long step that reports no progress
        seen["reaped"] = jobs_reap()
        seen["heartbeat"] = Job.objects.get(pk=job.pk).heartbeat_at
        return {}

    monkeypatch.setitem(
        jobs.KINDS, "test_slow", jobs.JobKind(key="test_slow", title="测试任务", runner=slow, perm="")
    )
    job = make_job(personas["alice"], kind="test_slow")
    job = run_job(job.pk)
    assert job.status == JobStatus.DONE
    assert seen["reaped"] == {"retried": 0, "requeued": 0, "failed": 0}
    assert seen["heartbeat"] > job.started_at + dt.timedelta(seconds=1)


def test_my_jobs_lists_my_own_jobs_and_is_in_the_navigation(personas, login, kinds):
    mine = make_job(personas["alice"], kind="test_count", status=JobStatus.RUNNING)
    theirs = make_job(personas["bob"], kind="test_count")
    page = login("alice").get("/").content.decode()
    assert 'href="/jobs/"' in page and "我的任务" in page
    listing = login("alice").get("/jobs/").content.decode()
    assert f'href="/jobs/{mine.pk}/"' in listing and f'href="/jobs/{theirs.pk}/"' not in listing
    assert "进行中" in listing and "共 1 个" in listing and 'hx-trigger="every 3s"' in listing
