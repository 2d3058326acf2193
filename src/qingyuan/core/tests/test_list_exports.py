"""List exports: a small one comes back at once; one of more rows than QINGYUAN_EXPORT_INLINE_ROWS
is a job whose file holds exactly the rows the user listed, in their scope. Every list of the
platform exports through the job, and no text in a file can act as a spreadsheet formula."""

import datetime as dt
import io
import re
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from openpyxl import load_workbook

from qingyuan.core.jobs import job_create, job_file
from qingyuan.core.lists import LISTS, Column
from qingyuan.core.models import AuditEvent, Job, JobStatus
from qingyuan.core.xlsx import write_xlsx
from qingyuan.reports.tests.factories import subject

import_module(django_settings.ROOT_URLCONF)  # the lists register in the views modules
KEYS = sorted(LISTS)
FORMULAS = ['=HYPERLINK("http://evil.example","点此")', "+86-1", "-2+3", "@SUM(A1)", "\tTAB", "\r回车"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sheet_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def download(client, job) -> bytes:
    return b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content)


def test_every_list_is_registered():
    assert len(KEYS) >= 19 and "cases.case_list" in KEYS and "core.audit_list" in KEYS


@pytest.mark.parametrize("key", KEYS)
def test_every_list_exports_through_a_job(key, personas, media, django_capture_on_commit_callbacks):
    entry = LISTS[key]
    user = next(personas[n] for n in ("dave", "chief", "sam", "aud") if personas[n].can(entry.perm))
    source = entry.source(user)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(
            kind="list_export", actor=user, params={"list": key, "title": source.title, "filters": {}}
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.errors
    rows = sheet_rows(job_file(job.output_name).read_bytes())
    assert rows[0] == [c.label for c in source.columns]
    assert len(rows) - 1 == source.queryset.count()
    assert job.output_download_name.startswith(source.title) and job.output_download_name.endswith(".xlsx")


@pytest.fixture
def places(regions, personas):
    """Six 吴中区 subjects whose names a spreadsheet would read as formulas, two plain ones, and one
    of the neighbouring 相城区."""
    for name in FORMULAS:
        subject(regions["village"], name)
    subject(regions["village"], "金星村无名诊所")
    subject(regions["town"], "木渎镇某诊所")
    subject(regions["xc_village"], "三埂村黑诊所")


def test_a_big_export_becomes_a_job_whose_file_has_the_listed_rows_with_formulas_neutralised(
    personas, login, places, media, settings, django_capture_on_commit_callbacks
):
    settings.QINGYUAN_EXPORT_INLINE_ROWS = 5
    client = login("alice")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/subjects/", {"region": "320506100201", "export": "xlsx"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "list_export" and job.status == JobStatus.DONE, job.errors

    page = client.get(response["Location"]).content.decode()
    assert "导出监管对象" in page and "已导出监管对象 7 行。" in page
    assert f'href="/jobs/{job.pk}/download/"' in page and 'href="/subjects/?region=320506100201"' in page

    rows = sheet_rows(download(client, job))
    names = [row[0] for row in rows[1:]]
    # The village's seven, not 木渎镇's (filtered out) nor 相城区's (another county).
    assert sorted(names) == sorted(["'" + name for name in FORMULAS] + ["金星村无名诊所"])
    book = load_workbook(io.BytesIO(download(client, job)))
    assert not [
        cell for row in book.active.iter_rows() for cell in row if cell.data_type == "f"
    ]  # no formula
    updated = rows[0].index("更新时间")
    assert all(isinstance(row[updated], dt.datetime) for row in rows[1:])  # a date cell, not text

    # Audited once when asked, with the filters and the job; the worker adds nothing of its own.
    asked = AuditEvent.objects.filter(action="export", target_type="subjects.subject").get()
    assert asked.after == {"filters": {"region": "320506100201"}, "rows": 7, "job": job.pk}
    assert asked.actor_name == "alice" and asked.request_id


def test_the_export_job_keeps_the_users_scope(
    personas, login, places, media, settings, django_capture_on_commit_callbacks
):
    settings.QINGYUAN_EXPORT_INLINE_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        login("carol").get("/subjects/", {"export": "xlsx"})
    job = Job.objects.get()
    rows = sheet_rows(download(login("carol"), job))
    assert [row[0] for row in rows[1:]] == ["三埂村黑诊所"]
    assert login("alice").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_a_small_export_comes_back_at_once_typed_and_with_formulas_neutralised(personas, login, places):
    response = login("alice").get("/subjects/", {"export": "xlsx"})
    assert response.status_code == 200 and not Job.objects.exists()
    assert re.search(
        r"filename\*=utf-8''%E7%9B%91%E7%AE%A1%E5%AF%B9%E8%B1%A1-\d{12}\.xlsx",
        response["Content-Disposition"],
    )
    rows = sheet_rows(response.content)
    assert len(rows) == 9 and '\'=HYPERLINK("http://evil.example","点此")' in [row[0] for row in rows]
    assert not any(
        str(value).startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for value in row if value
    )


def test_cells_keep_their_types_numbers_as_numbers_and_dates_as_dates():
    buffer = io.BytesIO()
    columns = [
        Column("车辆（辆次）", lambda r: r[0]),
        Column("日期", lambda r: r[1]),
        Column("备注", lambda r: r[2]),
    ]
    write_xlsx(buffer, title="监督检查", columns=columns, rows=[(3, dt.date(2024, 5, 1), "=1+1")])
    rows = sheet_rows(buffer.getvalue())
    assert rows[1] == [3, dt.datetime(2024, 5, 1), "'=1+1"]
