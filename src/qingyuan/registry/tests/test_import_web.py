import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent, Job, JobStatus
from qingyuan.core.tests.factories import make_job
from qingyuan.registry.models import Institution

from .conftest import institution_row


@pytest.fixture
def inline_jobs(settings, tmp_path):
    # The job runs as the request's commit queues it (the task queue's immediate mode in tests).
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv_upload(rows, name="机构台账.csv"):
    from qingyuan.registry.importing import INSTITUTIONS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(INSTITUTIONS.headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in INSTITUTIONS.headers])
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def _upload(client, upload, django_capture_on_commit_callbacks, kind="institutions"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/registry/import/", {"kind": kind, "file": upload})


def test_clerk_uploads_a_ledger_and_the_job_page_shows_the_result(
    login, regions, inline_jobs, django_capture_on_commit_callbacks, settings
):
    client = login("clerk")
    response = _upload(client, _csv_upload([institution_row()]), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (
        job.kind == "registry_import"
        and job.status == JobStatus.DONE
        and job.input_original == "机构台账.csv"
    )
    assert ["新增", 1] in job.result["counts"]
    stored = settings.MEDIA_ROOT / job.input_name
    assert stored.exists() and stored.name != "机构台账.csv"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "医疗机构导入：机构台账.csv" in page
    assert "导入完成：共 1 行，新增 1 条" in page and "every 1s" not in page
    assert Institution.objects.filter(licence_no="PDY32050600001").exists()
    assert AuditEvent.objects.filter(action="import", actor_name="clerk").count() == 1


def test_a_ledger_with_bad_rows_is_refused_and_the_job_page_lists_every_line(
    login, regions, inline_jobs, django_capture_on_commit_callbacks
):
    rows = [
        institution_row(),
        institution_row(**{"许可证号/备案号": "X2", "所在区划代码": "999999", "机构类别": "医馆"}),
    ]
    client = login("chief")
    _upload(client, _csv_upload(rows), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == JobStatus.REFUSED
    page = client.get(job.get_absolute_url()).content.decode()
    assert (
        "未写入任何数据" in page
        and "第3行：机构类别“医馆”无效" in page
        and "所在区划代码“999999”在平台中不存在" in page
    )
    assert not Institution.objects.exists()


def test_an_oversized_upload_is_refused_before_anything_is_stored(
    login, regions, inline_jobs, django_capture_on_commit_callbacks, settings
):
    settings.REGISTRY_IMPORT_MAX_BYTES = 10
    response = _upload(login("clerk"), _csv_upload([institution_row()]), django_capture_on_commit_callbacks)
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    assert not Job.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_by_its_content(
    login, regions, inline_jobs, django_capture_on_commit_callbacks, settings
):
    upload = SimpleUploadedFile(
        "台账.xlsx", b"%PDF-1.7 not a workbook", content_type="application/octet-stream"
    )
    response = _upload(login("clerk"), upload, django_capture_on_commit_callbacks)
    assert "文件不是有效的 Excel（.xlsx）文件" in response.content.decode()
    assert not Job.objects.exists() and not list((settings.MEDIA_ROOT / "jobs" / "in").iterdir())


def test_a_running_job_page_polls_for_progress(login, personas):
    job = make_job(
        personas["clerk"],
        params={"kind": "institutions"},
        input_original="大台账.csv",
        status=JobStatus.RUNNING,
        phase="校验中",
        done=250_000,
        total=1_000_000,
    )
    fragment = login("clerk").get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "校验中：250000 / 1000000 行" in fragment
    assert "<html" not in fragment


def test_another_countys_importer_cannot_open_the_job(login, personas, units):
    job = make_job(personas["clerk"], params={"kind": "institutions"}, input_original="a.csv")
    from django.test import Client

    xc_clerk = make_user("xc_clerk", units["xiangcheng"], Role.CLERK, "相城录入员")
    client = Client()
    client.force_login(xc_clerk)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert login("alice").get(job.get_absolute_url()).status_code == 404  # inspectors do not import
    assert login("chief").get(job.get_absolute_url()).status_code == 200  # the unit's chief does


def test_templates_carry_the_chinese_headers(login):
    client = login("clerk")
    text = client.get("/registry/import/template/institutions.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("机构名称,机构类别,许可/备案,许可证号/备案号,有效期至")
    workbook = load_workbook(io.BytesIO(client.get("/registry/import/template/practitioners.xlsx").content))
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert headers[:4] == ["姓名", "身份证号", "医师资格证书编码", "执业证书编码"]
    assert workbook.sheetnames[1] == "填写说明"
    assert client.get("/registry/import/template/villages.csv").status_code == 404


def test_the_downloaded_xlsx_template_filled_in_imports(login, regions, personas, tmp_path):
    from qingyuan.registry.importing import import_institutions

    content = login("clerk").get("/registry/import/template/institutions.xlsx").content
    workbook = load_workbook(io.BytesIO(content))
    workbook.worksheets[0].append(list(institution_row().values()))
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    assert import_institutions(actor=personas["clerk"], path=path).created == 1
