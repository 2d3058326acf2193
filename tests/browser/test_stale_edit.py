"""Through a real Chromium: two officers open one subject's edit page; the second save from the page
opened earlier is refused with the difference shown, her input kept, and a second submit saves."""

import re

import pytest
from playwright.sync_api import expect

from qingyuan.subjects import services
from qingyuan.subjects.models import Subject

pytestmark = pytest.mark.browser


@pytest.fixture
def clinic(regions, personas):
    return services.subject_save(
        actor=personas["alice"],
        subject=None,
        data={
            "name": "金星村无名诊所",
            "kind": "unlicensed_clinic",
            "address": "吴中区木渎镇金星村12号",
            "region": regions["village"],
            "practice_content": "internal",
            "institution_type": "western",
        },
    )


def test_stale_subject_edit_shows_the_difference_and_keeps_the_input(new_page, log_in, clinic):
    alices, bobs = new_page(), new_page()
    log_in(alices, "alice")
    log_in(bobs, "bob")
    url = f"/subjects/{clinic.pk}/edit/"
    alices.goto(url)
    bobs.goto(url)

    bobs.get_by_label("地址").fill("吴中区木渎镇金星村14号")
    bobs.get_by_role("button", name="保存").click()
    expect(bobs).to_have_url(re.compile(rf"/subjects/{clinic.pk}/$"))

    alices.get_by_label("地址").fill("吴中区木渎镇金星村16号")
    alices.get_by_role("button", name="保存").click()
    alert = alices.locator(".alert-warning")
    expect(alert).to_contain_text("该记录已被他人修改（王博，")
    expect(alert.locator("tbody tr")).to_contain_text(["地址吴中区木渎镇金星村16号吴中区木渎镇金星村14号"])
    expect(alices.get_by_label("地址")).to_have_value("吴中区木渎镇金星村16号")
    assert Subject.objects.get(pk=clinic.pk).address == "吴中区木渎镇金星村14号"

    alices.get_by_role("button", name="保存").click()
    expect(alices).to_have_url(re.compile(rf"/subjects/{clinic.pk}/$"))
    assert Subject.objects.get(pk=clinic.pk).address == "吴中区木渎镇金星村16号"
    assert alices.bad_responses == [f"409 {alices.url.rsplit('/subjects/', 1)[0]}{url}"]
