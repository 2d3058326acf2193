"""The web upload of a ledger runs as a background job: the page queues it, the job page follows it
until it ends, and the import is the same one the command runs."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.reports.ledger import ledger_import
from qingyuan.reports.ledger.jobs import run_job
from qingyuan.reports.models import LedgerImport, LedgerJob, LedgerJobStatus
from qingyuan.subjects.models import Subject

from .test_ledger import good_ledger, outreach_only, workbook


@pytest.fixture
def queued(settings, tmp_path, django_capture_on_commit_callbacks):
    """queued(client, content, name, kind): the page's POST with the job left waiting, as when no
    worker has picked it up yet; with run=True the job runs as the commit of the request starts it
    (in the request: LEDGER_IMPORT_INLINE)."""
    settings.LEDGER_IMPORT_INLINE = True
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
    job = LedgerJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/ledger/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "历史台账导入：宣教2019.xlsx" in page and "待处理" in page and "排队等待开始" in page
    assert 'hx-trigger="every 1s"' in page

    LedgerJob.objects.filter(pk=job.pk).update(status=LedgerJobStatus.CHECKING)
    assert "校验中" in poll(client, job) and "正在读取文件" in poll(client, job)
    LedgerJob.objects.filter(pk=job.pk).update(done=1, total=2)
    fragment = poll(client, job)
    assert "已校验 1 / 2 行" in fragment and 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    LedgerJob.objects.filter(pk=job.pk).update(done=2)
    assert "全部 2 行已逐格校验，正在核对编号引用" in poll(client, job)
    LedgerJob.objects.filter(pk=job.pk).update(status=LedgerJobStatus.WRITING)
    assert "写入中" in poll(client, job) and "正在写入数据库" in poll(client, job)
    assert not LedgerImport.objects.exists()

    LedgerJob.objects.filter(pk=job.pk).update(status=LedgerJobStatus.PENDING, done=0, total=None)
    job = run_job(job.pk)
    record = LedgerImport.objects.get()
    assert job.status == LedgerJobStatus.DONE and job.ledger_import == record
    assert (job.done, job.total) == (2, 2) and job.started_at <= job.finished_at
    fragment = poll(client, job)
    assert "导入完成：宣教与媒体 2。" in fragment and "every 1s" not in fragment
    assert f'href="/reports/ledger/{record.pk}/"' in fragment
    listing = client.get("/reports/ledger/").content.decode()
    assert "宣教2019.xlsx" in listing and "已完成" in listing


def test_a_bad_ledger_ends_refused_with_every_error_on_the_job_page(regions, personas, login, queued):
    bad = good_ledger()
    bad["案件"][0]["立案日期"] = "2019-01-01"
    bad["监督检查"][0]["出动人次"] = "两人"
    client = login("clerk")
    response = queued(client, workbook(bad), run=True)
    job = LedgerJob.objects.get()
    assert job.status == LedgerJobStatus.REFUSED and job.ledger_import is None and job.finished_at
    assert job.errors == [
        "工作表「监督检查」第2行「出动人次」：“两人”应为整数",
        "工作表「案件」第2行「立案日期」：“2019-01-01”早于该对象的发现日期2019-01-10",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "文件“2019台账.xlsx”未导入任何数据" in page and "共 2 条错误" in page
    assert all(message in page for message in job.errors) and "every 1s" not in page
    assert "已拒绝" in client.get("/reports/ledger/").content.decode()
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
    job = LedgerJob.objects.get()
    assert run_job(job.pk).status == LedgerJobStatus.DONE
    again = run_job(job.pk)  # the task delivered a second time
    assert again.status == LedgerJobStatus.DONE and LedgerImport.objects.count() == 1

    # Claimed by another worker a moment ago: this one leaves it alone.
    queued(login("clerk"), workbook({"宣教与媒体": good_ledger()["宣教与媒体"][:1]}), "宣教（一）.xlsx")
    other = LedgerJob.objects.get(file_name="宣教（一）.xlsx")
    LedgerJob.objects.filter(pk=other.pk).update(status=LedgerJobStatus.CHECKING)
    assert run_job(other.pk).status == LedgerJobStatus.CHECKING
    assert LedgerImport.objects.count() == 1


def test_the_same_file_is_refused_while_its_job_is_unfinished_and_after_it_imported(
    regions, personas, login, queued
):
    content = outreach_only()
    queued(login("clerk"), content, "宣教2019.xlsx")
    first = LedgerJob.objects.get()
    response = queued(login("chief"), content, "宣教2019（副本）.xlsx")
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        f"由吴中区卫生监督所周晓上传（文件名“宣教2019.xlsx”，导入任务#{first.pk}），正在导入（待处理），"
        "请等待该任务结束后查看结果，不要重复上传" in page
    )
    assert LedgerJob.objects.count() == 1

    run_job(first.pk)
    record = LedgerImport.objects.get()
    page = queued(login("chief"), content, "宣教2019（副本）.xlsx").content.decode()
    assert f"（文件名“宣教2019.xlsx”，导入记录#{record.pk}），同一文件不能重复导入" in page
    assert LedgerJob.objects.count() == 1


def test_a_refused_file_may_be_uploaded_again_and_the_database_keeps_one_unfinished_job_per_file(
    regions, personas, login, queued
):
    bad = workbook({"宣教与媒体": [{**good_ledger()["宣教与媒体"][0], "区划代码": "999999"}]})
    queued(login("clerk"), bad)
    run_job(LedgerJob.objects.get().pk)
    queued(login("clerk"), bad)
    assert list(LedgerJob.objects.order_by("pk").values_list("status", flat=True)) == ["refused", "pending"]
    pending = LedgerJob.objects.get(status=LedgerJobStatus.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerJob.objects.create(
            stored_name="x.xlsx",
            file_name="同一文件.xlsx",
            sha256=pending.sha256,
            actor=pending.actor,
            unit=pending.unit,
            region=pending.region,
        )


def test_what_can_be_told_from_the_upload_is_refused_on_the_page(regions, personas, login, queued):
    client = login("clerk")
    page = queued(client, b"a,b\r\n", "对象.csv").content.decode()
    assert "CSV 文件只含一张表，请选择它是哪一张表" in page
    page = queued(client, b"\xd0\xcf\x11\xe0 old", "2019台账.xls").content.decode()
    assert "不支持旧版 Excel（.xls）文件" in page
    assert not LedgerJob.objects.exists()


def test_a_job_whose_file_is_gone_fails_with_its_number(regions, personas, login, queued, settings):
    queued(login("clerk"), outreach_only())
    job = LedgerJob.objects.get()
    (settings.MEDIA_ROOT / "ledger_imports" / job.stored_name).unlink()
    job = run_job(job.pk)
    assert job.status == LedgerJobStatus.FAILED
    assert job.errors == [f"导入时发生系统错误，未写入任何数据。请联系系统管理员（任务编号 {job.pk}）。"]
    assert "导入时发生系统错误" in poll(login("clerk"), job) and not LedgerImport.objects.exists()


def test_the_job_page_is_for_the_uploader_and_the_chiefs_of_the_jurisdiction(
    regions, personas, units, login, queued
):
    queued(login("clerk"), outreach_only(), "宣教2019.xlsx")
    job = LedgerJob.objects.get()
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
    assert login("clerk").get("/reports/ledger/jobs/999999/").status_code == 404


def test_the_command_imports_at_once_without_a_job(regions, personas, tmp_path, capsys):
    path = tmp_path / "宣教2019.xlsx"
    path.write_bytes(outreach_only())
    call_command("import_ledger", str(path), "--user", "clerk")
    assert "导入完成：宣教与媒体 2" in capsys.readouterr().out
    assert LedgerImport.objects.count() == 1 and not LedgerJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_in_a_thread_and_its_audit_rows_keep_the_request_id(
    regions, personas, settings, tmp_path
):
    settings.LEDGER_IMPORT_INLINE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(personas["clerk"])
    # Outreach only: an earlier transactional test may have flushed the rules the migrations load.
    file = SimpleUploadedFile("宣教2019.xlsx", outreach_only())
    response = client.post("/reports/ledger/", {"file": file, "kind": ""}, HTTP_X_REQUEST_ID="req-ledger-1")
    job = LedgerJob.objects.get()
    assert response.status_code == 302
    for thread in threading.enumerate():
        if thread.name == f"ledger-import-{job.pk}":
            thread.join(timeout=60)
    job.refresh_from_db()
    assert job.status == LedgerJobStatus.DONE, job.errors
    record = LedgerImport.objects.get()
    assert job.ledger_import == record and record.counts == {"宣教与媒体": 2}
    import_rows = AuditEvent.objects.filter(target_type="reports.ledgerimport")
    assert [e.request_id for e in import_rows] == ["req-ledger-1"]
    assert set(AuditEvent.objects.filter(action="import").values_list("request_id", flat=True)) == {
        "req-ledger-1"
    }
    assert AuditEvent.objects.filter(target_type="reports.ledgerjob", request_id="req-ledger-1").exists()
    stored = tmp_path / "media" / "ledger_imports" / job.stored_name
    assert stored.exists() and stored.name != "宣教2019.xlsx"
