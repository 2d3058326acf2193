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


def _lead_for(subject, unit):
    import datetime as dt

    from django.utils import timezone

    from qingyuan.leads.models import Lead

    today = timezone.localdate()
    return Lead.objects.create(
        number="XS000301",
        channel="phone",
        category="unlicensed",
        received_at=timezone.now() - dt.timedelta(days=1),
        content="金星村12号有人无证输液",
        place="木渎镇金星村12号",
        handling_unit=unit,
        subject=subject,
        status="verifying",  # 记录检查 is offered while the lead is being verified
        accept_due=today + dt.timedelta(days=15),
        conclude_due=today + dt.timedelta(days=60),
    )


def _fill_inspection(page, findings):
    page.get_by_label("检查方式").select_option(label="明查")
    page.get_by_label("王博（32050601002）").check()
    page.get_by_label("检查情况").fill(findings)
    page.get_by_label("处理结果").select_option(label="发现违法行为")


OFFLINE_NOTE = "网络中断，草稿已保存在本机，恢复网络后可再次提交"


def test_a_form_sent_offline_is_kept_and_sent_once_when_the_network_is_back(
    new_page, log_in, personas, regions, units, settings, tmp_path
):
    from qingyuan.inspections.models import Evidence
    from qingyuan.inspections.tests.conftest import JPEG, PNG

    settings.QINGYUAN_EVIDENCE_DIR = tmp_path / "evidence"
    ensure_checklists()
    subject = Subject.objects.create(
        name="金星村无证诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="木渎镇金星村12号",
        region=regions["village"],
    )
    lead = _lead_for(subject, units["wuzhong"])
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    context = page.context
    log_in(page, "alice")

    # From the lead, straight to the form, which names the lead as the reason.
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_role("link", name="记录检查").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("记录监督检查")
    expect(page.locator("#inspection-reason")).to_contain_text("XS000301")
    _no_sideways_scroll(page)
    _fill_inspection(page, "现场有输液器具和药品。")

    # The connection drops as the inspector taps 保存: nothing is lost and nothing is sent.
    context.set_offline(True)
    page.get_by_role("button", name="保存检查记录").click()
    expect(page.locator("[data-draft-note]")).to_contain_text(OFFLINE_NOTE)
    assert Inspection.objects.count() == 0

    # The network is back: the form goes out by itself, once.
    context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/inspections/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("已记录监督检查")
    inspection = Inspection.objects.get()
    assert inspection.lead == lead and inspection.findings == "现场有输液器具和药品。"
    assert inspection.client_id is not None
    expect(page.locator("#inspection-lead")).to_contain_text("XS000301")

    # Two photos chosen at once become two pieces of evidence.
    page.get_by_label("证据类型").select_option(label="照片")
    page.get_by_label("选择文件").set_input_files(
        [
            {"name": "药品柜.jpg", "mimeType": "image/jpeg", "buffer": JPEG},
            {"name": "输液架.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存证据#")
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["药品柜.jpg", "输液架.png"]
    expect(page.locator("#evidence")).to_contain_text("药品柜.jpg")
    _no_sideways_scroll(page)

    # A second visit: the tab is closed while offline; the draft is back when the form is opened again.
    page.goto(f"/inspections/new/?lead={lead.pk}")
    expect(page.locator("[data-draft-note]")).to_be_hidden()  # the first draft was done with
    _fill_inspection(page, "复查：仍在营业。")
    context.set_offline(True)
    page.get_by_role("button", name="保存检查记录").click()
    expect(page.locator("[data-draft-note]")).to_contain_text(OFFLINE_NOTE)
    page.close()
    context.set_offline(False)

    again = context.new_page()
    again.goto(f"/inspections/new/?lead={lead.pk}")
    expect(again.locator("[data-draft-note]")).to_contain_text("已恢复未提交的草稿")
    expect(again.get_by_label("检查情况")).to_have_value("复查：仍在营业。")
    expect(again.get_by_label("王博（32050601002）")).to_be_checked()
    again.get_by_role("button", name="保存检查记录").click()
    expect(again).to_have_url(re.compile(r"/inspections/\d+/$"))
    assert Inspection.objects.count() == 2

    # Back on the form: the draft was done with and the browser does not refill what was sent, so a
    # second tap cannot make a second record.
    again.go_back()
    expect(again.locator("[data-draft-note]")).to_be_hidden()
    expect(again.get_by_label("检查情况")).to_have_value("")

    # Evidence: the typed description survives a reload; the photos must be chosen again.
    again.goto(Inspection.objects.order_by("-pk").first().get_absolute_url())
    again.get_by_label("说明").fill("门口招牌")
    again.get_by_label("拍照").set_input_files(
        [{"name": "招牌.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    again.reload()
    note = again.locator("[data-draft-note]")
    expect(note).to_contain_text("已恢复未提交的草稿")
    expect(note).to_contain_text("照片未能保存在本机，请重新选择：招牌.jpg")
    expect(again.get_by_label("说明")).to_have_value("门口招牌")
    note.get_by_role("button", name="放弃草稿").click()
    expect(note).to_be_hidden()
    expect(again.get_by_label("说明")).to_have_value("")
