"""A hotline tip from registration to the reporter's rating: the clerk registers it and gives the
reporter the 查询码 on a printed receipt; the officer tells the reporter the answer on the phone and
records that; the reporter, on a phone, reads the answer with the code and rates the handling."""

import re
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from qingyuan.leads import services
from qingyuan.leads.models import FeedbackDelivery, Lead, Satisfaction

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "leads"
ANSWER = "经核查，您反映的问题属实，已依法取缔。"


@pytest.fixture
def clean_rates():
    cache.clear()
    yield
    cache.clear()


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def test_hotline_tip_receipt_delivery_and_rating(new_page, log_in, personas, clean_rates):
    SHOTS.mkdir(exist_ok=True)
    clerk = new_page(width=1366, height=900)
    log_in(clerk, "clerk")
    clerk.goto("/leads/new/")
    expect(clerk.get_by_label("行医内容")).to_have_value("")  # nothing preset
    clerk.get_by_label("来源渠道").select_option(label="电话")
    clerk.get_by_label("问题类别").select_option(label="无证行医（黑诊所）")
    clerk.get_by_label("反映内容").fill("金星村东头有人无证挂水")
    clerk.get_by_label("反映地点").fill("苏州市吴中区木渎镇金星村12号")
    clerk.get_by_label("行医内容").select_option(label="内科")
    clerk.get_by_label("匿名", exact=True).uncheck()
    clerk.get_by_label("举报人姓名").fill("王举报")
    clerk.get_by_label("举报人电话").fill("13912345678")
    clerk.get_by_role("button", name="保存").click()

    expect(clerk.get_by_role("heading", level=1)).to_contain_text("线索")
    lead = Lead.objects.get()
    expect(clerk.locator("#tracking-code")).to_have_text(lead.tracking_code)
    clerk.screenshot(path=str(SHOTS / "lead-1366.png"), full_page=True)
    clerk.get_by_role("link", name="打印回执").click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("举报受理回执")
    expect(clerk.locator("[data-receipt=code]")).to_have_text(lead.tracking_code)
    expect(clerk.locator("#receipt")).to_contain_text(lead.number)
    expect(clerk.get_by_role("button", name="打印回执")).to_be_visible()
    clerk.screenshot(path=str(SHOTS / "receipt-1366.png"), full_page=True)
    assert clerk.bad_responses == []

    # Verification happens elsewhere; the answer is written but not yet released to the web.
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=lead)
    services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=lead)
    services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="现场查获输液器械")
    services.lead_answer(actor=alice, lead=lead, text=ANSWER)

    for width in (1366, 375):
        officer = new_page(width=width, height=900)
        log_in(officer, "alice")
        officer.goto(f"/leads/{lead.pk}/")
        expect(officer.locator("#answer")).to_contain_text("未送达")
        _no_sideways_scroll(officer, width)
        officer.screenshot(path=str(SHOTS / f"lead-answered-{width}.png"), full_page=True)
    officer.get_by_label("送达方式").select_option(label="电话")
    officer.get_by_label("说明（选填）").fill("本人接听")
    officer.get_by_role("button", name="登记送达").click()
    expect(officer.locator(".alert-success")).to_contain_text("已登记答复送达")
    expect(officer.locator("#answer")).to_contain_text("已送达")
    expect(officer.locator("#deliveries")).to_contain_text("电话 · 李爱丽登记")
    officer.screenshot(path=str(SHOTS / "lead-delivered-375.png"), full_page=True)
    assert officer.bad_responses == []
    delivery = FeedbackDelivery.objects.get()
    assert (delivery.method, delivery.recorded_by) == ("phone", alice)

    phone = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    phone.goto("/public/track/")
    phone.get_by_label("查询码").fill(lead.tracking_code.lower())
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator("#track-answer")).to_have_text(ANSWER)
    _no_sideways_scroll(phone, 375)
    phone.screenshot(path=str(SHOTS / "track-375.png"), full_page=True)
    phone.get_by_label("基本满意").check()
    phone.get_by_label("意见（选填）").fill("希望处理再快一些")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("status")).to_contain_text("感谢您的评价")
    expect(phone.locator("#track-rated")).to_have_text("基本满意")
    expect(phone.locator("#rate-form")).to_have_count(0)
    _no_sideways_scroll(phone, 375)
    phone.screenshot(path=str(SHOTS / "track-rated-375.png"), full_page=True)
    assert phone.bad_responses == []
    rated = Satisfaction.objects.get()
    assert (rated.rating, rated.source, rated.comment) == ("basically", "online", "希望处理再快一些")
    assert re.search(r"满意", rated.get_rating_display())
