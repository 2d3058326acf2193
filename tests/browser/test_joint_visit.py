"""Through a real Chromium: an officer of 相城区, nominated and in the team of a confirmed joint
operation, logs in, clicks through to the operation page, clicks 记录检查 on 吴中区's target site and
records the inspection with a colleague; the operation page then offers evidence for it, and neither
page scrolls sideways on a phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.inspections.models import Inspection
from qingyuan.inspections.tests.conftest import ensure_checklists
from qingyuan.operations import services
from qingyuan.subjects.models import Subject, SubjectKind

pytestmark = pytest.mark.browser


@pytest.fixture
def operation(personas, regions, units):
    ensure_checklists()
    dave = personas["dave"]
    today = timezone.localdate()
    operation = services.operation_create(
        actor=dave,
        name="本周打击无证行医联动执法",
        nomination_deadline=today + dt.timedelta(days=30),
        periods=[(today - dt.timedelta(days=1), today + dt.timedelta(days=5))],
    )
    site = Subject.objects.create(
        name="金星村交界黑诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="木渎镇金星村边12号",
        region=regions["village"],
        border_area=True,
        needs_joint_action=True,
    )
    services.targets_add(actor=dave, operation=operation, subjects=[site])
    services.groups_propose(actor=dave, operation=operation)
    xc_chief = make_user("xchief", units["xiangcheng"], Role.CHIEF, "顾长青")
    partner = make_user("erin", units["xiangcheng"], Role.INSPECTOR, "蒋宁", "32050701002")
    services.nominations_set(actor=xc_chief, operation=operation, users=[personas["carol"], partner])
    services.operation_confirm(actor=dave, operation=operation)
    return operation


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def test_visiting_officer_records_an_inspection_at_a_target(new_page, log_in, operation):
    site = operation.targets.get().subject
    page = new_page(width=1366, height=900)
    log_in(page, "carol")

    page.get_by_role("link", name="联动执法与督查").first.click()
    page.get_by_role("link", name="本周打击无证行医联动执法").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("本周打击无证行医联动执法")
    row = page.locator(f"#target-{operation.targets.get().pk}")
    expect(row).to_contain_text("金星村交界黑诊所")
    expect(row.get_by_role("link", name="金星村交界黑诊所")).to_be_visible()
    row.get_by_role("link", name="记录检查").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("记录监督检查")
    expect(page.get_by_label("陈可（32050701001）")).to_be_checked()
    page.get_by_label("检查方式").select_option(label="专项检查")
    page.get_by_label("蒋宁（32050701002）").check()
    page.get_by_label("检查情况").fill("联动执法：现场有输液器具，无执业许可证。")
    page.get_by_label("处理结果").select_option(label="发现违法行为")
    page.get_by_role("button", name="保存检查记录").click()

    expect(page).to_have_url(re.compile(r"/inspections/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("已记录监督检查")
    expect(page.get_by_role("heading", level=1)).to_contain_text("金星村交界黑诊所")

    inspection = Inspection.objects.get()
    assert inspection.subject == site and {o.username for o in inspection.officers.all()} == {"carol", "erin"}
    # The audit row names the grant that allowed the visit, and its operation.
    row_after = AuditEvent.objects.get(
        target_type="inspections.inspection", target_id=str(inspection.pk)
    ).after
    assert {g["operation"] for g in row_after["access_grants"]} == {operation.pk}

    # Back on the operation page, the target now offers evidence for that inspection; on a phone too.
    page.get_by_role("link", name="联动执法与督查").first.click()
    page.get_by_role("link", name="本周打击无证行医联动执法").click()
    page.set_viewport_size({"width": 375, "height": 740})
    expect(page.get_by_role("link", name="上传证据")).to_have_attribute(
        "href", f"/inspections/{inspection.pk}/#evidence"
    )
    _no_sideways_scroll(page, 375)
    assert page.bad_responses == []
