"""Through a real Chromium: the city leader opens the dashboard; ECharts, served by the platform from
the pinned npm package, draws every chart on a canvas; the lagging county and the overdue figures are
there, and a county's name opens that county's dashboard."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from qingyuan.cases.models import Case, CaseStatus
from qingyuan.leads.models import Category
from qingyuan.reports.tests import factories as f
from qingyuan.subjects.models import InstitutionType

pytestmark = pytest.mark.browser

PERIOD = "start=2024-01-01&end=2024-12-31"


@pytest.fixture
def records(personas, regions, units):
    alice, carol = personas["alice"], personas["carol"]
    v, xv = regions["village"], regions["xc_village"]
    for day in (dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 4, 1), dt.date(2024, 5, 1)):
        f.lead(v, day, category=Category.UNLICENSED, overdue=True)
    f.lead(v, dt.date(2024, 5, 2), category=Category.AESTHETIC, real_name=True, concluded=True, answered=True)
    f.lead(xv, dt.date(2024, 6, 1), category=Category.ITINERANT)
    dental = f.subject(v, "金星牙科", institution_type=InstitutionType.DENTAL)
    other = f.subject(xv, "三埂诊所", institution_type=InstitutionType.WESTERN)
    overdue = f.case(dental, dt.date(2024, 4, 10), by=alice, status=CaseStatus.INVESTIGATING)
    Case.objects.filter(pk=overdue.pk).update(overdue=True)
    f.case(other, dt.date(2024, 6, 3), by=carol)
    f.inspection(dental, dt.date(2024, 4, 9), by=alice)
    f.inspection(other, dt.date(2024, 6, 2), by=carol)


def test_city_leader_sees_charts_drawn_by_echarts(page, log_in, records):
    log_in(page, "dave")
    echarts = []
    page.on(
        "response",
        lambda r: (
            echarts.append(r.status) if r.url.endswith("/static/vendor/echarts/echarts.min.js") else None
        ),
    )
    page.goto(f"/reports/dashboard/?{PERIOD}")

    expect(page.get_by_role("heading", level=1)).to_contain_text("工作看板")
    assert echarts == [200]
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(4)
    for name in ("monthly", "regions", "categories", "institutions"):
        chart = page.locator(f'[data-chart="{name}"]')
        expect(chart).to_have_attribute("data-chart-ready", "true")
        canvas = chart.locator("canvas")
        expect(canvas).to_have_count(1)
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] > 200, name
    drawn = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-chart]'))"
        ".map(el => window.echarts.getInstanceByDom(el).getOption().series.length)"
    )
    assert drawn == [3, 3, 1, 1]

    expect(page.locator('[data-figure="overdue-cases"]')).to_have_text("1")
    expect(page.locator('[data-figure="overdue-leads"]')).to_have_text("4")
    expect(page.locator('[data-figure="feedback-rate"]')).to_have_text("100.0%")
    # 吴中区: 4 of its 5 leads overdue (at least 3) and only 1 of 5 concluded.
    lagging = page.locator("#lagging tbody tr")
    expect(lagging).to_have_count(1)
    expect(lagging).to_contain_text("吴中区")
    expect(lagging).to_contain_text("线索办结率 20.0%（1/5）")

    page.locator("#fig-regions summary").click()
    page.locator("#table-regions").get_by_role("link", name="吴中区").click()
    expect(page).to_have_url(re.compile(r"region=320506"))
    expect(page.locator("#dashboard-region")).to_have_text("江苏省苏州市吴中区")
    expect(page.locator('[data-chart="regions"] canvas')).to_have_count(1)
    assert page.bad_responses == []
