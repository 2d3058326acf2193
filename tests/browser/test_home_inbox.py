"""On a phone (375 px): an inspector finds the lead assigned to them on the home page and opens it;
the 通知 badge counts the unread notifications, and opening one marks it read."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.core.models import Notification
from qingyuan.core.notifications import notify
from qingyuan.leads import services as lead_services
from qingyuan.leads.models import Lead, Status

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways"


def test_inspector_on_a_phone_sees_their_lead_and_the_notification_badge(new_page, log_in, personas, regions):
    alice = personas["alice"]
    lead = lead_services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在村里无证行医",
        place="苏州市吴中区木渎镇金星村12号",
    )
    Lead.objects.filter(pk=lead.pk).update(
        status=Status.ASSIGNED, conclude_due=timezone.localdate() + dt.timedelta(days=30)
    )
    lead.officers.add(alice)
    Notification.objects.all().delete()
    notify([alice], f"线索 {lead.number} 已分派给您核查", lead.get_absolute_url())
    notify([alice], "专项行动任务即将到期", "/campaigns/")

    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    log_in(page, "alice")
    page.goto("/")
    today = page.locator('[data-section="today"]')
    item = today.get_by_role("link", name=f"线索 {lead.number} 已分派给您核查")
    expect(item).to_be_visible()
    badge = page.locator("a.nav-notifications:visible [data-unread]")
    expect(badge).to_have_text("2")
    _no_sideways_scroll(page)
    box = item.bounding_box()
    assert box["height"] >= 40, "the item is too small to tap"
    item.click()
    expect(page).to_have_url(f"{page.url.split('/leads/')[0]}/leads/{lead.pk}/")

    page.locator("a.nav-notifications:visible").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2 条未读")
    _no_sideways_scroll(page)
    page.get_by_role("link", name=f"线索 {lead.number} 已分派给您核查").click()
    expect(page).to_have_url(f"{page.url.split('/leads/')[0]}/leads/{lead.pk}/")
    expect(page.locator("a.nav-notifications:visible [data-unread]")).to_have_text("1")
    assert Notification.objects.get(text__contains=lead.number).read_at is not None
