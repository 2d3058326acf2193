"""Through a real Chromium: the city leader opens the campaign page and sees the phases, the county
that has not written its implementation plan, and how much of the region the sweep has covered."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from qingyuan.campaigns import services
from qingyuan.campaigns.models import PhaseKind, Schedule

pytestmark = pytest.mark.browser


@pytest.fixture
def city_campaign(personas, regions):
    dave, chief, alice = personas["dave"], personas["chief"], personas["alice"]
    start, end = dt.date(2024, 4, 1), dt.date(2024, 10, 31)
    campaign = services.campaign_create(
        actor=dave,
        name="苏州市打击无证行医及非法医疗美容专项行动",
        doc_number="苏卫监督〔2024〕3号",
        starts_on=start,
        ends_on=end,
        focus=["unlicensed", "aesthetic"],
        hotline="0512-12320",
    )
    for kind, a, b in [
        (PhaseKind.MOBILISATION, start, dt.date(2024, 4, 29)),
        (PhaseKind.CENSUS, dt.date(2024, 4, 30), dt.date(2024, 7, 31)),
        (PhaseKind.SUPERVISION, dt.date(2024, 8, 1), dt.date(2024, 9, 30)),
        (PhaseKind.SUMMARY, dt.date(2024, 10, 1), end),
    ]:
        services.phase_add(actor=dave, campaign=campaign, kind=kind, starts_on=a, ends_on=b)
    services.requirement_add(
        actor=dave, campaign=campaign, form_code="S003-A1", schedule=Schedule.ONCE, due_on=dt.date(2024, 8, 9)
    )
    plan = services.plan_create(actor=chief, parent=campaign, unit=chief.unit, name="吴中区实施方案")
    services.sweep_record(
        actor=alice, campaign=plan, village=regions["village"], swept_on=dt.date(2024, 5, 3), swept_by=[alice]
    )
    return campaign


def test_city_leader_sees_phases_missing_plan_and_sweep_coverage(page, log_in, city_campaign):
    log_in(page, "dave")
    page.goto(f"/campaigns/{city_campaign.pk}/")

    expect(page).to_have_url(re.compile(rf"/campaigns/{city_campaign.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("苏州市打击无证行医及非法医疗美容专项行动")
    phases = page.locator("#phases li")
    for name in ("动员部署", "普查治理", "督查", "总结"):
        expect(page.locator("#phases")).to_contain_text(name)
    expect(phases).to_have_count(5)  # four phases and the 今天 marker
    expect(page.locator("#today-marker")).to_contain_text("今天")

    missing = page.locator("#plan-coverage tr.table-danger")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text("相城区")
    expect(missing).to_contain_text("未制定")
    expect(page.locator("#plan-coverage")).to_contain_text("吴中区实施方案")

    # 3 villages in the fixture (two in 木渎镇, one in 黄埭镇); one swept under 吴中区's plan.
    expect(page.locator("#sweep-total")).to_contain_text("已排查 1 / 3 个村（社区），33.3%")
    expect(page.locator("#sweep-coverage")).to_contain_text("木渎镇")
    assert page.bad_responses == []
