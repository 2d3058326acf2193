"""Widgets every form shares, in a real browser at 1366 and 375 px: checkbox lists (case proposal),
dates that show their value (subject edit), the cascading region picker (new subject), and no page
wider than the screen."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.subjects.models import Subject, SubjectKind

pytestmark = pytest.mark.browser

WIDTHS = [1366, 375]

# Centre of each element, and what the browser would hit there.
HIT_TEST = """els => els.map(el => {
  el.scrollIntoView({block: "center", behavior: "instant"});
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {id: el.id, w: r.width, h: r.height, hit: hit === el || (!!hit && hit.htmlFor === el.id),
          at: hit ? hit.tagName + "." + hit.className + "#" + hit.id : "", x: r.left, y: r.top};
})"""


def _subject(regions, name="金星村无证诊所"):
    return Subject.objects.create(
        name=name, kind=SubjectKind.UNLICENSED_CLINIC, address="木渎镇金星村12号", region=regions["village"]
    )


def _fits(page):
    width = page.evaluate("innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


@pytest.mark.parametrize("width", WIDTHS)
def test_case_proposal_checkboxes_are_visible_uncovered_and_clickable(
    new_page, log_in, personas, regions, seed_data, width
):
    subject = _subject(regions)
    page = new_page(width=width, height=800)
    log_in(page, "chief")
    page.goto(f"/cases/new/?subject={subject.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("提请立案")
    _fits(page)

    boxes = page.locator("input[type=checkbox][name=offence_codes], input[type=checkbox][name=officers]")
    assert boxes.count() >= 5
    for box in boxes.evaluate_all(HIT_TEST):
        assert box["w"] > 0 and box["h"] > 0, box
        assert box["hit"], f"{box} is covered by another element"
    # By mouse on the box and on its label; by keyboard (space) to untick again.
    officers = page.locator("input[name=officers]")
    expect(officers).to_have_count(2)
    officers.nth(0).click()
    page.get_by_text("王博（32050601002）").click()
    expect(officers.nth(0)).to_be_checked()
    expect(officers.nth(1)).to_be_checked()
    officers.nth(0).focus()
    page.keyboard.press("Space")
    expect(officers.nth(0)).not_to_be_checked()
    page.get_by_label("ZY-01", exact=False).check()
    expect(page.get_by_label("ZY-01", exact=False)).to_be_checked()
    _fits(page)
    assert page.bad_responses == []


@pytest.mark.parametrize("width", WIDTHS)
def test_date_field_shows_todays_date_where_the_form_defaults_it(new_page, log_in, personas, regions, width):
    subject = _subject(regions)
    page = new_page(width=width, height=800)
    log_in(page, "alice")
    page.goto(f"/subjects/{subject.pk}/edit/")
    changed_on = page.get_by_label("变更日期")
    expect(changed_on).to_have_attribute("type", "date")
    expect(changed_on).to_have_value(timezone.localdate().isoformat())
    _fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_region_picker_chooses_a_township_level_by_level(new_page, log_in, personas, regions, width):
    page = new_page(width=width, height=800)
    log_in(page, "alice")
    page.goto("/subjects/new/")
    picker = page.locator(".region-picker")
    levels = picker.locator("select")
    # The province and city above the county are the only way down: already chosen.
    expect(levels.nth(0)).to_have_value("320000")
    expect(levels.nth(1)).to_have_value("320500")
    # Only the user's own county is offered; the neighbouring one is not.
    expect(levels.nth(2).locator("option")).to_have_text(["请选择区县", "吴中区"])
    levels.nth(2).select_option(label="吴中区")
    expect(levels).to_have_count(4)
    levels.nth(3).select_option(label="木渎镇")
    expect(page.locator("select[name=region]")).to_have_value("320506100")
    expect(page.locator("select[name=region]")).to_be_hidden()
    # The label names the picker's first select, so a click on it lands there.
    expect(page.get_by_label("所在区划（省）")).to_have_value("320000")
    expect(page.get_by_label("所在区划（乡镇/街道）")).to_have_value("320506100")
    _fits(page)

    page.get_by_label("名称").fill("木渎镇无证牙科")
    page.locator("select[name=kind]").select_option(label="无证诊所")
    page.get_by_label("地址").fill("木渎镇中山路1号")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    created = Subject.objects.get(name="木渎镇无证牙科")
    assert created.region_id == "320506100"


@pytest.mark.parametrize("path", ["/", "/leads/", "/subjects/", "/cases/", "/public/"])
def test_no_page_is_wider_than_a_phone(new_page, log_in, personas, regions, path):
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    if not path.startswith("/public/"):
        log_in(page, "alice")
    page.goto(path)
    _fits(page)
