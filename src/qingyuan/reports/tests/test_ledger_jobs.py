"""The web upload of a ledger runs as a job (core.jobs): the page queues it, the job page follows it
until it ends, and the import is the same one the command runs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.jobs import run_job
from qingyuan.core.models import AuditEvent, Job, JobStatus
from qingyuan.core.tests.factories import make_job
from qingyuan.reports.ledger import ledger_import
from qingyuan.reports.models import LedgerImport
from qingyuan.subjects.models import Subject

from .test_ledger import good_ledger, outreach_only, workbook


@pytest.fixture
def queued(settings, tmp_path, django_capture_on_commit_callbacks):
    """queued(client, content, name, kind): the page's POST with the job left waiting, as when no
    worker has picked it up yet; with run=True the job runs as the commit of the request queues it
    (the task queue's immediate mode in tests)."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def post(client, content, name="2019台账.xlsx", kind="", run=False):
        with django_capture_on_commit_callbacks(execute=run):
            return client.post("/reports/ledger/", {"file": SimpleUploadedFile(name, content), "kind": kind})

    return post


def poll(client, job) -> str:
    return client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()


def test_the_job_page_polls_through_the_phases_and_then_shows_the_counts(regions, personas, login, queued):
    client = login("clerk")
    response = queued(client, outreach_only(), "宣教2019.xlsx")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "历史台账导入：宣教2019.xlsx" in page and "排队中" in page and "排队等待开始" in page
    assert 'hx-trigger="every 1s"' in page

    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, phase="读取文件")
    assert "进行中" in poll(client, job) and "读取文件" in poll(client, job)
    Job.objects.filter(pk=job.pk).update(phase="校验中", done=1, total=2)
    fragment = poll(client, job)
    assert "校验中：1 / 2 行" in fragment and 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    Job.objects.filter(pk=job.pk).update(phase="核对编号引用和平台中已有的数据", done=2)
    assert "核对编号引用和平台中已有的数据：2 / 2 行" in poll(client, job)
    Job.objects.filter(pk=job.pk).update(phase="写入中")
    assert "写入中：2 / 2 行" in poll(client, job) and "progress-bar-animated" in poll(client, job)
    assert not LedgerImport.objects.exists()

    Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING, phase="", done=0, total=None)
    job = run_job(job.pk)
    record = LedgerImport.objects.get()
    assert job.status == JobStatus.DONE and job.result["ledger_import"] == record.pk
    assert (job.done, job.total) == (2, 2) and job.started_at <= job.finished_at
    fragment = poll(client, job)
    assert "导入完成：宣教与媒体 2。" in fragment and "every 1s" not in fragment
    assert f'href="/reports/ledger/{record.pk}/"' in fragment
    listing = client.get("/reports/ledger/").content.decode()
    assert "宣教2019.xlsx" in listing and "已完成" in listing


def test_a_bad_ledger_ends_refused_with_every_error_on_the_job_page(regions, personas, login, queued):
    bad = good_ledger()
    bad["处罚决定"][0]["决定日期"] = "2019-01-12"
    bad["监督检查"][0]["出动人次"] = "两人"
    client = login("clerk")
    response = queued(client, workbook(bad), run=True)
    job = Job.objects.get()
    assert job.status == JobStatus.REFUSED and not job.result and job.finished_at
    assert job.errors == [
        "工作表「监督检查」第2行「出动人次」：“两人”应为整数",
        "工作表「处罚决定」第2行「决定日期」：“2019-01-12”早于案件编号“A-001”（工作表「案件」第2行）的立案日期2019-01-15",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "文件“2019台账.xlsx”未通过校验，未写入任何数据" in page and "共 2 条错误" in page
    assert all(f"<li>{message}</li>" in page for message in job.errors) and "every 1s" not in page
    assert "未通过校验" in client.get("/reports/ledger/").content.decode()
    assert not Subject.objects.exists() and not LedgerImport.objects.exists()


def test_the_checker_reports_rows_read_then_the_write(regions, personas):
    calls = []
    ledger_import(
        actor=personas["clerk"],
        content=outreach_only(),
        file_name="宣教.xlsx",
        progress=lambda *call: calls.append(call),
    )
    assert calls == [("checking", 1, 2), ("checking", 2, 2), ("writing", 2, 2)]


def test_a_job_is_imported_once_however_often_it_is_run(regions, personas, login, queued):
    queued(login("clerk"), outreach_only())
    job = Job.objects.get()
    assert run_job(job.pk).status == JobStatus.DONE
    again = run_job(job.pk)  # the task delivered a second time
    assert again.status == JobStatus.DONE and again.attempts == 1 and LedgerImport.objects.count() == 1

    # Claimed by another worker a moment ago: this one leaves it alone.
    queued(login("clerk"), workbook({"宣教与媒体": good_ledger()["宣教与媒体"][:1]}), "宣教（一）.xlsx")
    other = Job.objects.get(input_original="宣教（一）.xlsx")
    Job.objects.filter(pk=other.pk).update(status=JobStatus.RUNNING)
    assert run_job(other.pk).status == JobStatus.RUNNING
    assert LedgerImport.objects.count() == 1


def test_the_same_file_is_refused_while_its_job_is_unfinished_and_after_it_imported(
    regions, personas, login, queued
):
    content = outreach_only()
    queued(login("clerk"), content, "宣教2019.xlsx")
    first = Job.objects.get()
    response = queued(login("chief"), content, "宣教2019（副本）.xlsx")
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        f"由吴中区卫生监督所周晓上传（文件名“宣教2019.xlsx”，导入任务#{first.pk}），正在导入（排队中），"
        "请等待该任务结束后查看结果，不要重复上传" in page
    )
    assert Job.objects.count() == 1

    run_job(first.pk)
    record = LedgerImport.objects.get()
    page = queued(login("chief"), content, "宣教2019（副本）.xlsx").content.decode()
    assert f"（文件名“宣教2019.xlsx”，导入记录#{record.pk}），同一文件不能重复导入" in page
    assert Job.objects.count() == 1


def test_a_refused_file_may_be_uploaded_again_and_the_database_keeps_one_unfinished_job_per_file(
    regions, personas, login, queued
):
    bad = workbook({"宣教与媒体": [{**good_ledger()["宣教与媒体"][0], "区划代码": "999999"}]})
    queued(login("clerk"), bad)
    run_job(Job.objects.get().pk)
    queued(login("clerk"), bad)
    assert list(Job.objects.order_by("pk").values_list("status", flat=True)) == ["refused", "pending"]
    pending = Job.objects.get(status=JobStatus.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_job(
            pending.actor,
            kind="ledger_import",
            input_original="同一文件.xlsx",
            input_sha256=pending.input_sha256,
        )


def test_what_can_be_told_from_the_upload_is_refused_on_the_page(regions, personas, login, queued):
    client = login("clerk")
    page = queued(client, b"a,b\r\n", "对象.csv").content.decode()
    assert "CSV 文件只含一张表，请选择它是哪一张表" in page
    page = queued(client, b"\xd0\xcf\x11\xe0 old", "2019台账.xls").content.decode()
    assert "不支持旧版 Excel（.xls）文件" in page
    assert not Job.objects.exists()


def test_a_job_whose_file_is_gone_fails_with_its_number(regions, personas, login, queued, settings):
    queued(login("clerk"), outreach_only())
    job = Job.objects.get()
    (settings.MEDIA_ROOT / job.input_name).unlink()
    job = run_job(job.pk)
    assert job.status == JobStatus.FAILED
    assert job.errors == [f"任务处理时发生系统错误，未写入任何数据。请联系系统管理员（任务编号 {job.pk}）。"]
    assert "任务处理时发生系统错误" in poll(login("clerk"), job) and not LedgerImport.objects.exists()


def test_the_job_page_is_for_the_uploader_and_the_chiefs_of_the_jurisdiction(
    regions, personas, units, login, queued
):
    queued(login("clerk"), outreach_only(), "宣教2019.xlsx")
    job = Job.objects.get()
    url = job.get_absolute_url()

    def client_of(user):
        client = Client()
        client.force_login(user)
        return client

    assert login("clerk").get(url).status_code == 200
    assert login("chief").get(url).status_code == 200  # the unit's chief
    city_chief = make_user("citychief", units["city"], Role.CHIEF, "市科室负责人")
    assert client_of(city_chief).get(url).status_code == 200
    colleague = client_of(make_user("clerk2", units["wuzhong"], Role.CLERK, "吴中录入员二"))
    assert colleague.get(url).status_code == 404
    assert "宣教2019.xlsx" not in colleague.get("/reports/ledger/").content.decode()
    xc_chief = client_of(make_user("xcchief", units["xiangcheng"], Role.CHIEF, "相城科室负责人"))
    assert xc_chief.get(url).status_code == 404
    assert "宣教2019.xlsx" not in xc_chief.get("/reports/ledger/").content.decode()
    assert login("alice").get(url).status_code == 404  # inspectors do not import
    assert login("clerk").get("/jobs/999999/").status_code == 404


def test_the_command_imports_at_once_without_a_job(regions, personas, tmp_path, capsys):
    path = tmp_path / "宣教2019.xlsx"
    path.write_bytes(outreach_only())
    call_command("import_ledger", str(path), "--user", "clerk")
    assert "导入完成：宣教与媒体 2" in capsys.readouterr().out
    assert LedgerImport.objects.count() == 1 and not Job.objects.exists()


def test_an_upload_is_imported_by_a_worker_and_its_audit_rows_keep_the_request_id(
    regions, personas, tmp_path, django_capture_on_commit_callbacks, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(personas["clerk"])
    with django_capture_on_commit_callbacks(execute=False):  # queued, not yet taken by a worker
        file = SimpleUploadedFile("宣教2019.xlsx", outreach_only())
        response = client.post(
            "/reports/ledger/", {"file": file, "kind": ""}, HTTP_X_REQUEST_ID="req-ledger-1"
        )
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == JobStatus.PENDING
    # The worker runs it later, outside any request.
    job = run_job(job.pk)
    assert job.status == JobStatus.DONE, job.errors
    record = LedgerImport.objects.get()
    assert job.result["ledger_import"] == record.pk and record.counts == {"宣教与媒体": 2}
    import_rows = AuditEvent.objects.filter(target_type="reports.ledgerimport")
    assert [e.request_id for e in import_rows] == ["req-ledger-1"]
    assert set(AuditEvent.objects.filter(action="import").values_list("request_id", flat=True)) == {
        "req-ledger-1"
    }
    assert AuditEvent.objects.filter(target_type="core.job", request_id="req-ledger-1").exists()
    stored = tmp_path / "media" / job.input_name
    assert stored.exists() and stored.name != "宣教2019.xlsx"
