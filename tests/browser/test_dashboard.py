"""Through a real Chromium: the city leader opens the dashboard; ECharts, served by the platform from
the pinned npm package, draws every chart on a canvas; the lagging county and the overdue figures are
there, and a county's name opens that county's dashboard."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from qingyuan.cases.models import CaseStatus
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
    # Still under investigation long after its 90 days to decide: overdue.
    f.case(dental, dt.date(2024, 4, 10), by=alice, status=CaseStatus.INVESTIGATING)
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


CENTRE_OF_BAR = """([name, series, index]) => {
  const element = document.querySelector(`[data-chart="${name}"]`);
  const layout = window.echarts.getInstanceByDom(element).getModel()
    .getSeriesByIndex(series).getData().getItemLayout(index);
  const box = element.getBoundingClientRect();
  return [box.left + layout.x + layout.width / 2, box.top + layout.y + layout.height / 2];
}"""

MIDDLE_OF_SLICE = """([name, index]) => {
  const element = document.querySelector(`[data-chart="${name}"]`);
  const layout = window.echarts.getInstanceByDom(element).getModel()
    .getSeriesByIndex(0).getData().getItemLayout(index);
  const angle = (layout.startAngle + layout.endAngle) / 2;
  const radius = (layout.r0 + layout.r) / 2;
  const box = element.getBoundingClientRect();
  return [box.left + layout.cx + radius * Math.cos(angle), box.top + layout.cy + radius * Math.sin(angle)];
}"""


def test_clicking_a_case_bar_or_slice_opens_the_cases_behind_it(page, log_in, records):
    log_in(page, "dave")
    page.goto(f"/reports/dashboard/?{PERIOD}")
    monthly = page.locator('[data-chart="monthly"]')
    expect(monthly).to_have_attribute("data-chart-ready", "true")
    monthly.scroll_into_view_if_needed()
    # Series 1 is 案件; April (index 3) has the one case of 吴中区.
    x, y = page.evaluate(CENTRE_OF_BAR, ["monthly", 1, 3])
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/cases/\?opened_from=2024-04-01&opened_to=2024-04-30$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("共 1 条")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("金星牙科负责人")
    expect(page.locator("#id_opened_from")).to_have_value("2024-04-01")

    page.go_back()
    institutions = page.locator('[data-chart="institutions"]')
    expect(institutions).to_have_attribute("data-chart-ready", "true")
    institutions.scroll_into_view_if_needed()
    # Slices drawn: 西医 and 口腔 (the empty types are left out of the ring).
    x, y = page.evaluate(MIDDLE_OF_SLICE, ["institutions", 1])
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"institution_type=dental"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("共 1 条")
    expect(page.locator("#id_institution_type")).to_have_value("dental")

    # Without the charts, the tables under them open the same lists.
    page.go_back()
    page.locator("#fig-institutions summary").click()
    page.locator("#table-institutions").get_by_role("link", name="1").first.click()
    expect(page).to_have_url(re.compile(r"institution_type=western"))
    expect(page.locator("table tbody")).to_contain_text("三埂诊所负责人")
    assert page.bad_responses == []
