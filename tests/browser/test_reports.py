"""Through a real Chromium: the county chief produces S003-A1 for the first half of 2024, drills into
the dental clinics' inspections, comes back and downloads the form as XLSX, which opens with the
figures in place."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from qingyuan.reports.tests import factories as f
from qingyuan.rules.models import Offence
from qingyuan.subjects.models import InstitutionType

pytestmark = pytest.mark.browser


@pytest.fixture
def records(regions, personas):
    # Browser tests run on a flushed database: the rules loaded by migration may be gone.
    if not Offence.objects.exists():
        Offence.objects.create(
            code="ZY-01",
            name="未取得《医疗机构执业许可证》擅自执业",
            basis="基本医疗卫生与健康促进法 第99条第1款",
            measures="责令停止执业活动；没收违法所得；并处罚款",
            fine_kind="multiple",
            effective_from=dt.date(2020, 6, 1),
        )
    by = personas["alice"]
    dental = f.subject(regions["village"], "金星牙科", institution_type=InstitutionType.DENTAL)
    beauty = f.subject(regions["village"], "丽人美容", institution_type=InstitutionType.AESTHETIC)
    f.inspection(dental, dt.date(2024, 1, 1), by=by, hour=0)
    f.inspection(dental, dt.date(2024, 6, 30), by=by, hour=23)
    f.inspection(beauty, dt.date(2024, 3, 1), by=by)
    case = f.case(dental, dt.date(2024, 2, 1), by=by)
    f.decision(case, dt.date(2024, 2, 20), by=by, fine="30000", ban=True)


def test_chief_produces_a_form_drills_into_a_number_and_downloads_xlsx(page, log_in, records):
    log_in(page, "chief")
    page.goto("/reports/")
    page.get_by_role("link", name=re.compile("S003-A1")).click()
    page.locator("#id_start").fill("2024-01-01")
    page.locator("#id_end").fill("2024-06-30")
    page.locator("#compute").click()

    table = page.locator("table.report-table")
    expect(table).to_contain_text("监督户次数")
    dental = table.locator("tr", has_text="口腔")
    expect(dental.locator("td").nth(0)).to_have_text("2")
    expect(dental.locator("td").nth(5)).to_have_text("3.00")  # 罚款金额 in 万元

    dental.locator("td").nth(0).get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("口腔 · 监督户次数")
    rows = page.locator("#drill-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("金星牙科")

    page.get_by_role("link", name="返回报表").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 XLSX").click()
    download = download_info.value
    assert download.suggested_filename.startswith("S003-A1_吴中区_20240101-20240630")
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    sheet = book.active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert any("打击无证行医及非法医疗美容专项行动情况汇总表" in str(v) for v in values)
    labels = [row[0].value for row in sheet.iter_rows()]
    dental_row = next(row for row in sheet.iter_rows() if row[0].value == "口腔")
    assert dental_row[1].value == 2
    assert "合计" in labels
    # Chromium reports a download as a failed request; everything else must have loaded.
    assert [r for r in page.bad_responses if "/export/" not in r] == []
