"""Through a real Chromium: a county chief goes from the case list to the national reporting export,
downloads the period's file, records the number the national system gave a case on its page, and
finds the case under the list's filter 国家系统录入 = 已录入."""

import io
import os
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from qingyuan.cases.models import Case
from qingyuan.cases.tests.test_case_data import served

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("QINGYUAN_SHOTS_DIR", "")


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("width", [1366, 375])
def test_chief_exports_the_period_and_records_the_national_number(
    new_page, log_in, seed_data, personas, regions, width
):
    case = served(personas, regions, party_name="张三 & < > = 𠮷")
    page = new_page(width=width, height=900)
    log_in(page, "chief")

    page.goto("/cases/")
    page.get_by_role("link", name="导出国家系统报送文件").click()
    expect(page).to_have_url(re.compile(r"/cases/national/$"))
    page.get_by_label("按哪个日期选取案件").select_option(label="决定日期")
    page.get_by_label("起始日期").fill("2026-08-01")
    page.get_by_label("截止日期").fill("2026-08-31")
    page.get_by_role("button", name="查看符合条件的案件数").click()
    expect(page.locator("#national-count")).to_contain_text("本辖区共 1 个案件")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, f"national-export-{width}.png")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载报送文件（Excel）").click()
    download = download_info.value
    assert download.suggested_filename.startswith(
        "国家系统报送文件-"
    ) and download.suggested_filename.endswith(".xlsx")
    rows = list(
        load_workbook(io.BytesIO(open(download.path(), "rb").read())).active.iter_rows(values_only=True)
    )
    header, row = rows[0], rows[1]
    assert len(rows) == 2
    assert row[header.index("本平台案件编号")] == case.number
    assert row[header.index("被查处单位（个人）")] == "张三 & < > = 𠮷"
    assert row[header.index("处罚决定日期")] == "2026-08-20"

    # The case page: the 国家系统录入 panel.
    page.goto(case.get_absolute_url())
    panel = page.locator("#national")
    expect(panel.locator("#national-status")).to_have_text("未录入")
    panel.get_by_label("国家系统编号").fill("GJ 1")
    panel.get_by_role("button", name="登记编号").click()
    expect(page.locator("[data-error-for=national_no]")).to_contain_text("不能有空格")
    expect(page.locator("#national").get_by_label("国家系统编号")).to_have_value("GJ 1")
    page.locator("#national").get_by_label("国家系统编号").fill("GJ-320506-2026-0007")
    page.locator("#national").get_by_role("button", name="登记编号").click()
    expect(page.locator("#national-status")).to_contain_text("编号 GJ-320506-2026-0007")
    _shot(page, f"national-panel-{width}.png")
    saved = Case.objects.get(pk=case.pk)
    assert saved.national_no == "GJ-320506-2026-0007" and saved.national_entry_on == timezone.localdate()

    # The list, filtered by 国家系统录入.
    page.goto("/cases/")
    if width < 992:
        page.get_by_role("button", name="筛选条件").click()
    page.get_by_label("国家系统录入").select_option(label="已录入")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.locator("main table")).to_contain_text(case.number)
    # The filter form stays open once filtered, on a phone too.
    page.get_by_label("国家系统录入").select_option(label="未录入")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.locator("main")).not_to_contain_text(case.number)
    assert page.bad_responses == [f"400 {page.url.split('/cases/')[0]}/cases/{case.pk}/national/"]
