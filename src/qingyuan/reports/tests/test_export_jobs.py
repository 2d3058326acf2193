"""A province's form file (XLSX, PDF, Word) is made by a job, whose page offers it; a city's or
county's file and every JSON download come back at once."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent, Job, JobStatus
from qingyuan.regions.models import Unit, UnitKind
from qingyuan.subjects.models import InstitutionType

from . import factories as f

PERIOD = {"start": "2024-01-01", "end": "2024-06-30"}


@pytest.fixture
def province_leader(regions, units, personas):
    unit = Unit.objects.create(
        name="江苏省卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=regions["province"]
    )
    return make_user("jsleader", unit, Role.LEADER, "省领导")


@pytest.fixture
def world(regions, personas):
    dental = f.subject(regions["village"], "金星牙科", institution_type=InstitutionType.DENTAL)
    f.inspection(dental, dt.date(2024, 3, 1), by=personas["alice"])


def client_of(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_province_xlsx_is_a_job_whose_page_offers_the_file(
    province_leader, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_of(province_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/reports/form/S003-A1/export/xlsx/", {"region": "320000", **PERIOD})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "report_export" and job.status == JobStatus.DONE, job.errors
    page = client.get(response["Location"]).content.decode()
    assert "S003-A1" in page and "报表文件已生成：S003-A1_江苏省_20240101-20240630.xlsx" in page
    assert 'href="/reports/form/S003-A1/?region=320000&amp;start=2024-01-01&amp;end=2024-06-30"' in page
    download = client.get(f"/jobs/{job.pk}/download/")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert any("监督户次数" in str(c.value) for row in book.active.iter_rows() for c in row if c.value)
    asked = AuditEvent.objects.filter(action="export", target_type="reports.form").get()
    assert asked.after["job"] == job.pk and asked.region_code == "320000"


def test_a_city_file_and_any_json_come_back_at_once(login, province_leader, world):
    city = login("dave").get("/reports/form/S003-A1/export/xlsx/", {"region": "320500", **PERIOD})
    assert city.status_code == 200 and city["Content-Type"].startswith("application/vnd.openxmlformats")
    json_file = client_of(province_leader).get(
        "/reports/form/S003-A1/export/json/", {"region": "320000", **PERIOD}
    )
    assert json_file.status_code == 200 and not Job.objects.exists()


def test_a_province_file_is_not_made_for_a_region_outside_the_jurisdiction(login, world):
    response = login("dave").get("/reports/form/S003-A1/export/pdf/", {"region": "320000", **PERIOD})
    assert response.status_code == 400 and not Job.objects.exists()
