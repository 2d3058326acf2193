"""On a phone (375×740): an inspector records an inspection with a colleague, answers a checklist item,
and lands on the record page; neither page scrolls sideways."""

import re

import pytest
from playwright.sync_api import expect

from qingyuan.inspections.models import Inspection
from qingyuan.inspections.tests.conftest import ensure_checklists
from qingyuan.subjects.models import Subject, SubjectKind

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, (
        "the page scrolls sideways on a phone"
    )


def test_inspector_records_an_inspection_on_a_phone(new_page, log_in, personas, regions, settings, tmp_path):
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path / "evidence"
    ensure_checklists()
    subject = Subject.objects.create(
        name="金星村无证诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="木渎镇金星村12号",
        region=regions["village"],
    )
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    log_in(page, "alice")

    page.goto(f"/inspections/new/?subject={subject.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("记录监督检查")
    expect(page.get_by_label("李爱丽（32050601001）")).to_be_checked()  # the current user is pre-ticked
    expect(page.get_by_label("检查开始时间")).to_have_attribute("type", "datetime-local")
    _no_sideways_scroll(page)

    page.get_by_label("检查方式").select_option(label="明查")
    page.get_by_label("王博（32050601002）").check()
    first_item = page.locator("li[data-item]").first
    expect(first_item).to_contain_text("执业许可证或备案凭证")
    first_item.get_by_text("不符合", exact=True).click()
    first_item.get_by_placeholder("说明（可选）").fill("未能出示许可证")
    page.get_by_label("检查情况").fill("现场有输液器具和药品。")
    page.get_by_label("处理结果").select_option(label="发现违法行为")
    page.get_by_role("button", name="保存检查记录").click()

    expect(page).to_have_url(re.compile(r"/inspections/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("已记录监督检查")
    expect(page.get_by_role("heading", level=1)).to_contain_text("金星村无证诊所")
    expect(page.locator("#officers")).to_contain_text("王博（执法证号 32050601002）")
    expect(page.locator("#checklist")).to_contain_text("执业许可证或备案凭证")
    expect(page.locator("#checklist")).to_contain_text("不符合")
    expect(page.locator("#checklist")).to_contain_text("未能出示许可证")
    _no_sideways_scroll(page)
    assert page.bad_responses == []

    inspection = Inspection.objects.get()
    assert {o.username for o in inspection.officers.all()} == {"alice", "bob"}
    assert inspection.answers.get().result == "no"
