"""Through a real Chromium: a chief's decision with a fine outside the legal range comes back with the
reason next to the fine and everything else typed still there; a case proposed from an inspection, on
a desk screen and on a phone."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.cases.models import PenaltyDecision
from qingyuan.cases.tests.test_case_data import make_subject, notified
from qingyuan.inspections import services as inspection_services
from qingyuan.subjects.models import SubjectPerson

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("QINGYUAN_SHOTS_DIR", "")
WIDTHS = [1366, 375]


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_decision_keeps_the_input_and_names_the_fine(
    new_page, log_in, seed_data, personas, regions, width, settings, tmp_path
):
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path
    case = notified(personas, regions, waived=True)
    page = new_page(width=width, height=900)
    log_in(page, "chief")
    page.goto(case.get_absolute_url())
    _shot(page, f"case-page-{width}.png")
    form = page.locator("#action-decide")
    expect(form.get_by_label("决定日期")).to_have_value(timezone.localdate().isoformat())
    form.get_by_label("适用条款").select_option("ZY-01")
    form.get_by_label("程序").select_option("general")
    form.get_by_label("罚款（元）").fill("1")
    form.get_by_label("没收药品器械（清单）").fill("输液器3套、头孢曲松钠12支")
    form.get_by_label("自由裁量理由").fill("当事人初次违法，主动配合调查")
    form.get_by_role("button", name="保存决定").click()

    form = page.locator("#action-decide")
    expect(form.locator('[data-error-for="fine"]')).to_contain_text("罚款金额须在")
    expect(form.get_by_label("罚款（元）")).to_have_value("1")
    expect(form.get_by_label("罚款（元）")).to_be_focused()
    expect(form.get_by_label("没收药品器械（清单）")).to_have_value("输液器3套、头孢曲松钠12支")
    expect(form.get_by_label("自由裁量理由")).to_have_value("当事人初次违法，主动配合调查")
    expect(form.get_by_label("适用条款")).to_have_value("ZY-01")
    _no_sideways_scroll(page)
    _shot(page, f"case-decision-refused-{width}.png")
    assert not PenaltyDecision.objects.filter(case=case).exists()
    assert page.bad_responses == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_case_proposed_from_an_inspection(
    new_page, log_in, seed_data, personas, regions, width, settings, tmp_path
):
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path
    subject = make_subject(regions["village"])
    SubjectPerson.objects.create(subject=subject, name="张某")
    inspection = inspection_services.inspection_record(
        actor=personas["alice"],
        subject=subject,
        kind="overt",
        started_at=timezone.now() - dt.timedelta(days=1),
        officers=[personas["alice"], personas["bob"]],
        persons_present="张某（经营者）",
        vehicles=1,
        findings="现场有输液器具和药品，无执业许可证。",
        outcome="violation",
    )
    inspection_services.evidence_add(
        actor=personas["alice"],
        subject=subject,
        inspection=inspection,
        kind="seized",
        description="输液器3套",
        quantity="3套",
        storage_place="局物证室",
    )
    page = new_page(width=width, height=900)
    log_in(page, "alice")
    page.goto(f"/cases/new/?inspection={inspection.pk}")
    expect(page.locator("#id_party_name")).to_have_value("张某")
    expect(page.locator("#proposal-evidence")).to_contain_text("输液器3套")
    _no_sideways_scroll(page)
    _shot(page, f"case-proposal-{width}.png")
    page.get_by_label(re.compile("王博")).check()
    page.get_by_label(re.compile("李爱丽")).check()
    page.get_by_role("button", name="提请立案").click()
    expect(page.locator("#source-inspection")).to_contain_text("来源检查")
    expect(page.locator("#evidence")).to_contain_text("扣押/先行登记保存物品")
    _no_sideways_scroll(page)
    _shot(page, f"case-from-inspection-{width}.png")
    assert page.bad_responses == []
