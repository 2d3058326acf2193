"""A resident on a phone goes from the public home page to the guide, picks her county with the region
picker, reads how to recognise illegal medical aesthetics (the county's own page, not the province's),
and finds the campaign hotline and the reward rules on the page, without scrolling sideways."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.guidance import services
from qingyuan.guidance.tests.factories import make_campaign, make_page, make_standard

pytestmark = pytest.mark.browser


@pytest.fixture
def guide(personas, regions):
    cache.clear()  # the public pages' rate limit counts in the live server's process too
    make_page(regions["province"], topic="aesthetic", title="如何识别非法医疗美容", body="省里的医美提示")
    make_page(regions["province"], topic="black-clinic", title="如何识别黑诊所", body="看许可证")
    county = services.page_create(
        actor=personas["chief"],
        region=regions["wuzhong"],
        topic="aesthetic",
        title="吴中区：美容院不能打针",
        body="## 这些地方不能做医疗美容\n- 美容院、美发店、养生馆\n- 宾馆房间、私人住宅\n\n水光针、溶脂针只能在医疗机构由医生注射。",
    )
    services.page_publish(actor=personas["chief"], page=county)
    today = timezone.localdate()
    make_campaign(
        regions["wuzhong"],
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=60),
        hotline="0512-66001234",
        name="吴中区打击非法医疗美容专项行动",
    )
    make_standard(regions["city"], amount_min="200", amount_max="5000", cap="20000", threshold="2000")
    yield
    cache.clear()


def test_resident_on_a_phone_reads_the_guide_with_hotline_and_reward_rules(new_page, guide):
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    page.goto("/public/")
    page.get_by_role("link", name="识别非法行医、举报奖励").click()
    expect(page).to_have_url(re.compile(r"/public/guide/$"))
    expect(page.get_by_role("heading", name="识别非法行医")).to_be_visible()

    # The cascading picker: 省 → 市 → 区县.
    picker = page.locator("#guide-area .region-picker select")
    picker.nth(0).select_option(label="江苏省")
    picker.nth(1).select_option(label="苏州市")
    picker.nth(2).select_option(label="吴中区")
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"region=320506"))

    page.get_by_role("link", name=re.compile("吴中区：美容院不能打针")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("吴中区：美容院不能打针")
    expect(page.locator("#guide-article li").first).to_have_text("美容院、美发店、养生馆")
    expect(page.locator("#guide-article")).not_to_contain_text("省里的医美提示")
    expect(page.locator("#guide-article")).to_contain_text("首次发布")

    contacts = page.locator("#guide-contacts")
    expect(contacts).to_contain_text("吴中区打击非法医疗美容专项行动")
    expect(contacts.get_by_role("link", name="0512-66001234")).to_have_attribute("href", "tel:0512-66001234")
    rewards = page.locator("#guide-rewards")
    expect(rewards).to_contain_text("每件 200 至 5")
    expect(rewards).to_contain_text("查询码")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, (
        "the guide scrolls sideways on a phone"
    )

    contacts.get_by_role("link", name="网上举报").click()
    expect(page).to_have_url(re.compile(r"/public/tip/$"))
