"""The form pages: choose, read in the paper layout, drill into a number, download; jurisdiction."""

import datetime as dt
import json

import pytest

from qingyuan.core.models import AuditEvent
from qingyuan.subjects.models import InstitutionType

from . import factories as f

PARAMS = {"region": "320506", "start": "2024-01-01", "end": "2024-06-30"}


@pytest.fixture
def world(regions, personas):
    by = personas["alice"]
    dental = f.subject(regions["village"], "金星牙科", institution_type=InstitutionType.DENTAL)
    xc = f.subject(regions["xc_village"], "三埂诊所", institution_type=InstitutionType.DENTAL)
    f.inspection(dental, dt.date(2024, 3, 1), by=by)
    f.inspection(dental, dt.date(2024, 3, 2), by=by)
    f.inspection(xc, dt.date(2024, 3, 2), by=personas["carol"])
    c = f.case(dental, dt.date(2024, 3, 5), by=by)
    f.decision(c, dt.date(2024, 4, 1), by=by, fine="20000")
    return {"dental": dental}


def test_index_lists_every_form(login, world):
    page = login("chief").get("/reports/").content.decode()
    for code in ("S001-A1", "S001-A2", "S001-A3", "S001-A4", "S003-A1", "S003-A2", "S003-WS", "S004-Q"):
        assert code in page


def test_form_page_shows_figures_with_drill_links(login, world):
    page = login("chief").get("/reports/form/S003-A1/", PARAMS).content.decode()
    assert "监督户次数" in page and "行政处罚情况" in page
    assert 'href="drill/?region=320506' in page
    assert "2.00" in page  # 20,000 yuan shown as 2.00 万元


def test_drill_lists_the_records_of_the_figure(login, world):
    client = login("chief")
    page = client.get("/reports/form/S003-A1/drill/", {**PARAMS, "row": "dental", "col": "inspections"})
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("金星牙科") == 2 and "三埂诊所" not in text
    assert "共 2 条监督检查" in text


def test_json_export_is_recorded_in_the_audit_log(login, world):
    response = login("chief").get("/reports/form/S003-A1/export/json/", PARAMS)
    data = json.loads(response.content)
    assert (
        data["tables"]["打击无证行医及非法医疗美容专项行动情况汇总表"]["口腔"]["罚款金额（万元）"]
        == "20000.00"
    )
    assert AuditEvent.objects.filter(action="export", target_type="reports.form").exists()


def test_another_countys_region_is_refused(login, world):
    client = login("carol")  # 相城区
    page = client.get("/reports/form/S003-A1/", PARAMS).content.decode()
    assert "不存在或不在您的辖区内" in page
    assert client.get("/reports/form/S003-A1/export/json/", PARAMS).status_code == 400
    assert (
        client.get(
            "/reports/form/S003-A1/drill/", {**PARAMS, "row": "dental", "col": "inspections"}
        ).status_code
        == 400
    )


def test_city_drill_keeps_to_the_users_jurisdiction(login, world):
    city = {**PARAMS, "region": "320500", "row": "total", "col": "inspections"}
    assert (
        login("dave").get("/reports/form/S003-A1/drill/", city).content.decode().count("<tr>") == 4
    )  # head + 3


def test_bad_dates_are_named(login, world):
    page = login("chief").get("/reports/form/S003-A1/", {**PARAMS, "start": "2024-07-01"}).content.decode()
    assert "统计期止不能早于统计期起" in page


def test_roles_without_reports_get_404(login, world):
    assert login("sam").get("/reports/").status_code == 404
    assert login("aud").get("/reports/form/S003-A1/", PARAMS).status_code == 404


def test_ledger_import_is_offered_to_those_who_may_import(login, world):
    assert "导入历史台账" in login("clerk").get("/reports/").content.decode()
    assert "导入历史台账" not in login("alice").get("/reports/").content.decode()


def test_campaign_and_operation_are_picked_from_the_users_own(login, world, regions, personas):
    from qingyuan.campaigns.models import Campaign

    mine = Campaign.objects.create(
        unit=personas["chief"].unit,
        region=regions["wuzhong"],
        name="吴中区专项行动",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
        created_by=personas["chief"],
    )
    theirs = Campaign.objects.create(
        unit=personas["carol"].unit,
        region=regions["xiangcheng"],
        name="相城区专项行动",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
        created_by=personas["carol"],
    )
    page = login("chief").get("/reports/form/S003-A1/", PARAMS).content.decode()
    assert "吴中区专项行动" in page and "相城区专项行动" not in page
    page = login("chief").get("/reports/form/S003-A1/", {**PARAMS, "campaign": theirs.pk}).content.decode()
    assert "不存在或不在您的辖区内" in page
    tagged = login("chief").get("/reports/form/S003-A1/export/json/", {**PARAMS, "campaign": mine.pk}).json()
    assert (
        tagged["tables"]["打击无证行医及非法医疗美容专项行动情况汇总表"]["合计"]["监督户次数"] == 0
    )  # none tagged


def test_page_rounds_wan_yuan_half_up_like_the_files(login, world, personas, regions):
    dental = world["dental"]
    case = f.case(dental, dt.date(2024, 5, 1), by=personas["alice"])
    f.decision(case, dt.date(2024, 5, 2), by=personas["alice"], confiscate_income="50250")
    page = login("chief").get("/reports/form/S003-A1/", PARAMS).content.decode()
    assert ">5.03<" in page  # 50,250 元 = 5.025 万元, printed 5.03 as in XLSX, PDF and Word
