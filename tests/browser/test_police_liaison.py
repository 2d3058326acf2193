"""The police liaison, as issue 15 puts it: the case referred to their unit is on their home page; they
click to it, record its receipt, accept it and record the investigation's outcome; the health side
then sees the same on the case page. On a phone the referral page does not scroll sideways."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.accounts.roles import Role
from qingyuan.cases import referrals
from qingyuan.cases.models import ReferralStatus, ReferralTarget
from qingyuan.cases.tests.test_followup_data import make_case
from qingyuan.conftest import make_user
from qingyuan.regions.models import Unit, UnitKind

pytestmark = pytest.mark.browser


def test_police_liaison_accepts_the_referral_and_records_the_outcome(new_page, log_in, personas, regions):
    police = Unit.objects.create(name="苏州市公安局吴中分局", kind=UnitKind.POLICE, region=regions["wuzhong"])
    make_user("police_liaison", police, Role.LIAISON, "韩警")
    case = make_case(region=regions["village"], proposer=personas["alice"], no_qualification=True)
    referral = referrals.referral_propose(
        actor=personas["alice"],
        case=case,
        target=ReferralTarget.POLICE,
        receiving_unit=police,
        reason="当事人无医师资格开诊所输液，涉嫌非法行医罪",
        proposed_on=timezone.localdate() - dt.timedelta(days=1),
    )
    referrals.referral_approve(actor=personas["chief"], referral=referral, approved_on=timezone.localdate())
    referrals.referral_transfer(actor=personas["alice"], referral=referral, transferred_at=timezone.now())

    page = new_page(width=1366, height=900)
    log_in(page, "police_liaison")
    page.goto("/")
    page.get_by_role("link", name="案件移送（吴中区卫生监督所）：非医师行医").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("非医师行医")
    expect(page.get_by_text("当事人无医师资格开诊所输液")).to_be_visible()

    page.get_by_label("回执编号").fill("吴公受〔2026〕8号")
    page.get_by_role("button", name="登记接收").click()
    expect(page.locator("[data-referral-status]")).to_have_text("已接收")

    page.get_by_label("已受理/立案", exact=True).check()
    page.get_by_role("button", name="受理/立案或不予受理").click()
    expect(page.locator("[data-referral-status]")).to_have_text("已受理/立案")

    page.get_by_label("办理结果").select_option(label="立案")
    page.get_by_label("说明（不立案的须填写理由）").fill("吴公刑立〔2026〕5号")
    page.get_by_role("button", name="登记办理结果").click()
    expect(page.locator("[data-referral-result]")).to_contain_text("立案")
    expect(page.locator("#referral-history")).to_contain_text("吴公刑立〔2026〕5号")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.investigation_result == "filed"
    assert not page.bad_responses, page.bad_responses

    # The same page on a phone: no sideways scroll.
    phone = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    log_in(phone, "police_liaison")
    phone.get_by_role("button", name="菜单").click()
    phone.get_by_role("link", name="部门协作").click()
    phone.get_by_role("link", name="非医师行医").click()
    # Measured once the referral page has loaded: during the navigation there is no document.
    expect(phone.locator("[data-referral-status]")).to_be_visible()
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways"

    # The health side sees the answer on the case page.
    health = new_page(width=1366, height=900)
    log_in(health, "chief")
    health.goto(case.get_absolute_url())
    expect(health.locator('[data-referral-status="accepted"]')).to_be_visible()
    expect(health.locator('[data-referral-result="filed"]')).to_be_visible()
