"""Through a real Chromium: the county chief opens the joint operation's nomination page, sees the
deadline, picks two supervisors, submits, and finds them listed as nominated."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from qingyuan.operations import services

pytestmark = pytest.mark.browser


@pytest.fixture
def operation(personas):
    today = dt.date.today()
    return services.operation_create(
        actor=personas["dave"],
        name="2024年打击无证行医联动执法",
        nomination_deadline=today + dt.timedelta(days=10),
        periods=[(today + dt.timedelta(days=30), today + dt.timedelta(days=36))],
    )


def test_county_chief_nominates_two_supervisors(page, log_in, personas, operation):
    log_in(page, "chief")
    page.goto(f"/operations/{operation.pk}/nominate/")

    deadline = operation.nomination_deadline
    expect(page.locator("#nomination-deadline")).to_have_text(
        f"{deadline.year}年{deadline.month}月{deadline.day}日"
    )
    expect(page.locator("#nominated")).to_contain_text("尚未报送")

    page.get_by_label(re.compile("李爱丽")).check()
    page.get_by_label(re.compile("王博")).check()
    page.get_by_role("button", name="报送").click()

    expect(page.locator(".alert-success, .alert")).to_contain_text("已报送参加人员名单")
    nominated = page.locator("#nominated")
    expect(nominated).to_contain_text("李爱丽")
    expect(nominated).to_contain_text("王博")
    expect(nominated).not_to_contain_text("尚未报送")
    assert set(operation.nominations.values_list("user__username", flat=True)) == {"alice", "bob"}
    assert page.bad_responses == []
