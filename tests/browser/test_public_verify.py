"""A resident on a phone, from the public home page, checks a licensed clinic, an expired one, a name
the registry does not know, and a doctor, without scrolling sideways; the same look-up on a desktop."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from qingyuan.registry import services

pytestmark = pytest.mark.browser


def _institution(**data):
    values = {
        "name": "吴中区木渎仁心诊所",
        "category": "clinic",
        "licence_kind": "licence",
        "licence_no": "PDY32050600001",
        "valid_until": "2030-12-31",
        "address": "江苏省苏州市吴中区木渎镇金星村88号",
        "region_id": "320506100201",
        "legal_representative": "张仁",
        "departments": "内科、外科",
        "status": "valid",
    }
    values.update(data)
    return services.institution_save(actor=None, institution=None, data=values)


@pytest.fixture
def registry(regions):
    cache.clear()  # the look-up's rate limit counts in the live server's process too
    clinic = _institution()
    _institution(
        name="相城区黄埭康宁中医诊所",
        category="tcm_clinic",
        licence_no="PDY32050700003",
        valid_until="2020-06-30",
        address="江苏省苏州市相城区黄埭镇三埂村88号",
        region_id="320507100201",
        departments="中医科、针灸科",
    )
    services.practitioner_save(
        actor=None,
        practitioner=None,
        data={
            "name": "张仁心",
            "id_number": "",
            "qualification_no": "199832110320506",
            "certificate_no": "110320506000001",
            "kind": "physician",
            "practice_category": "临床",
            "practice_scope": "内科专业",
            "institution": clinic,
            "region_id": "320506",
            "status": "valid",
        },
    )
    yield clinic
    cache.clear()


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def _search(page, text):
    page.get_by_label("机构名称、许可证号或地址").fill(text)
    page.get_by_role("button", name="查询").click()


def test_resident_on_a_phone_checks_clinics_an_unknown_name_and_a_doctor(new_page, registry):
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    page.goto("/public/")
    page.get_by_role("link", name="查询医疗机构/医生执业资格").click()
    expect(page).to_have_url(re.compile(r"/public/verify/$"))

    _search(page, "仁心诊所")
    result = page.locator("#lookup-results .public-result").first
    expect(result).to_contain_text("吴中区木渎仁心诊所")
    expect(result).to_contain_text("有效")
    expect(result).to_contain_text("内科、外科")
    expect(result).to_contain_text("2030年12月31日")
    _no_sideways_scroll(page, 375)

    _search(page, "康宁中医")
    expired = page.locator("#lookup-results .public-result").first
    expect(expired).to_contain_text("过期")
    expect(expired).to_contain_text("有效期至2020年6月30日，已过期")
    _no_sideways_scroll(page, 375)

    _search(page, "无名黑诊所")
    expect(page.locator("#lookup-none")).to_contain_text("可能未取得执业许可")
    page.locator("#lookup-none").get_by_role("link", name="举报").click()
    expect(page).to_have_url(re.compile(r"/public/tip/$"))
    page.go_back()

    page.get_by_role("link", name="查医生、护士").click()
    page.get_by_label("姓名").fill("张仁心")
    page.get_by_label("执业机构名称").fill("仁心")
    page.get_by_role("button", name="查询").click()
    doctor = page.locator("#lookup-results .public-result").first
    expect(doctor).to_contain_text("执业医师")
    expect(doctor).to_contain_text("临床 · 内科专业")
    _no_sideways_scroll(page, 375)

    # From the doctor to the clinic's own page, with its QR code.
    doctor.get_by_role("link", name="吴中区木渎仁心诊所").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("吴中区木渎仁心诊所")
    expect(page.locator("#institution-practitioners")).to_contain_text("张仁心")
    qr = page.locator("img.qr-code")
    expect(qr).to_be_visible()
    # Visible is not loaded: the image box shows before the SVG arrives.
    page.wait_for_function(
        "() => { const i = document.querySelector('img.qr-code'); return i && i.complete; }"
    )
    assert page.evaluate("document.querySelector('img.qr-code').naturalWidth") > 100
    _no_sideways_scroll(page, 375)
    assert not page.bad_responses, page.bad_responses


def test_desktop_look_up_and_printable_qr_poster(new_page, registry):
    page = new_page(width=1366, height=900)
    page.goto("/public/verify/")
    _search(page, "PDY32050600001")
    page.get_by_role("link", name="吴中区木渎仁心诊所").first.click()
    page.get_by_role("link", name="打印公示二维码").click()
    expect(page.locator("#poster")).to_contain_text("执业许可证号：PDY32050600001")
    expect(page.locator("#poster")).to_contain_text(f"/public/verify/institutions/{registry.pk}/")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    _no_sideways_scroll(page, 1366)
    assert not page.bad_responses, page.bad_responses
