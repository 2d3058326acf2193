"""Through a real Chromium: 吴中区's chief submits S003-A1 from the form page (the panel comes in by
htmx), the city leader accepts it, and the city's roll-up shows 吴中区 accepted and 相城区 missing, with
the summed figures equal to the county's."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from qingyuan.reports.tests import factories as f
from qingyuan.subjects.models import InstitutionType

pytestmark = pytest.mark.browser

PERIOD = "start=2024-01-01&end=2024-06-30"


@pytest.fixture
def records(regions, personas):
    by = personas["alice"]
    dental = f.subject(regions["village"], "金星牙科", institution_type=InstitutionType.DENTAL)
    f.inspection(dental, dt.date(2024, 3, 1), by=by)
    f.inspection(dental, dt.date(2024, 4, 1), by=by)


def test_county_submits_city_accepts_and_rolls_up(new_page, log_in, records):
    chief = new_page()
    log_in(chief, "chief")
    chief.goto(f"/reports/form/S003-A1/?region=320506&{PERIOD}")
    panel = chief.locator("#submit-panel")
    expect(panel.locator("#submission-status")).to_contain_text("本期尚未上报")  # loaded by htmx
    panel.locator("#submit-button").click()
    expect(chief.locator("#submission-state")).to_have_text("已上报待审核")

    detail = chief.url  # the submission's page, where the chief landed
    assert re.search(r"/reports/submissions/\d+/$", detail)

    leader = new_page()
    log_in(leader, "dave")
    leader.goto(detail)
    leader.locator("#accept-button").click()
    expect(leader.locator("#submission-state")).to_contain_text("已审核通过")

    leader.goto(f"/reports/rollup/?form=S003-A1&region=320500&{PERIOD}")
    expect(leader.locator("body")).to_contain_text("已审核：1")
    expect(leader.locator("tr", has_text="吴中区")).to_contain_text("已审核")
    expect(leader.locator("tr", has_text="相城区")).to_contain_text("未上报")
    dental = leader.locator("table", has_text="监督户次数").first.locator("tr", has_text="口腔")
    expect(dental.locator("td").first).to_have_text("2")
    assert chief.bad_responses == [] and leader.bad_responses == []
