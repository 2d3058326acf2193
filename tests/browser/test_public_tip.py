"""A resident on a phone reports a tip on the public site, sees where it goes, confirms it and keeps the
tracking code; the county's officers work the lead through to 办结 on their pages; the resident reads the answer with the code."""

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from qingyuan.leads.models import Lead

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def public(monkeypatch, settings, tmp_path):
    # The live server runs in this process: the captcha's test mode ("PASSED") and a clean rate-limit
    # cache apply to it too, for this test only.
    monkeypatch.setattr("captcha.conf.settings.CAPTCHA_TEST_MODE", True)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QINGYUAN_PORTAL_HOLD_DIR = tmp_path / "tip_hold"
    cache.clear()
    yield
    cache.clear()


def test_resident_reports_a_tip_and_reads_the_answer_with_the_code(new_page, log_in, personas, public):
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    page.goto("/public/")
    page.get_by_role("link", name="我要举报").click()
    expect(page).to_have_url(re.compile(r"/public/tip/$"))

    page.get_by_label("问题类别").select_option(label="无证行医（黑诊所）")
    page.get_by_label("反映内容").fill("金星村东头一户人家天天有人去挂水，没有招牌")
    page.get_by_label("反映地点").fill("吴中区木渎镇金星村东头")
    page.get_by_label("反映地点").press("Tab")  # leaving the field asks the server where this is
    expect(page.locator("#place-located")).to_contain_text(
        "识别为：江苏省苏州市吴中区木渎镇金星村委会，将由吴中区卫生监督所处理"
    )
    page.get_by_label("被反映人").fill("张某")
    page.get_by_label("行医内容").select_option(label="内科")  # no preset value: the reporter chooses
    page.get_by_label("实名反映（可收到答复，个人信息严格保密）").check()
    page.get_by_label("姓名").fill("王举报")
    page.get_by_label("联系电话").fill("13912345678")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, (
        "the form scrolls sideways on a phone"
    )
    page.get_by_role("button", name="下一步：核对").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("核对并提交")
    expect(page.get_by_role("status").first).to_contain_text("将由吴中区卫生监督所处理")
    expect(page.locator("dl")).to_contain_text("金星村东头一户人家天天有人去挂水")
    expect(page.locator("img.captcha")).to_be_visible()
    page.get_by_label("照片或文件（选填）").set_input_files(
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="确认提交").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("提交成功")
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{12}", code)
    lead = Lead.objects.get(tracking_code=code)
    assert lead.handling_unit.name == "吴中区卫生监督所" and lead.attachments.count() == 1
    assert page.bad_responses == []

    # The county handles it on the officer pages: the chief accepts and assigns two inspectors, one of them
    # verifies, concludes and answers, the chief closes the lead.
    def act(user, steps):
        officer = new_page()
        log_in(officer, user)
        officer.goto(f"/leads/{lead.pk}/")
        expect(officer.get_by_role("heading", level=1)).to_contain_text(lead.number)
        for step in steps:
            step(officer)
            expect(officer.locator(".alert-success")).to_contain_text("已完成")
        assert officer.bad_responses == []
        return officer

    def accept(p):
        p.get_by_role("button", name="受理", exact=True).click()

    def assign(p):
        p.get_by_label("李爱丽", exact=False).check()
        p.get_by_label("王博", exact=False).check()
        p.get_by_role("button", name="分派", exact=True).click()

    def verify(p):
        p.get_by_role("button", name="开始核查").click()

    def conclude(p):
        p.get_by_label("核查结论").select_option(label="属实")
        p.get_by_label("核查情况").fill("内部：现场查获输液器械")
        p.get_by_role("button", name="提交结论").click()

    def answer(p):
        p.get_by_label("答复内容（举报人凭查询码可见）").fill(
            "经核查，您反映的问题属实，已依法取缔并立案查处。"
        )
        p.get_by_role("button", name="答复", exact=True).click()

    def close(p):
        p.get_by_role("button", name="办结", exact=True).click()

    act("chief", [accept, assign])
    alice_page = act("alice", [verify, conclude, answer])
    # The reporter's identity stays hidden until an entitled officer asks for it (and that is recorded).
    expect(alice_page.locator("body")).not_to_contain_text("13912345678")
    act("chief", [close])
    lead.refresh_from_db()
    assert lead.status == "closed"
    assert set(lead.officers.values_list("username", flat=True)) == {"alice", "bob"}

    page.goto("/public/track/")
    page.get_by_label("查询码").fill(f" {code[:6].lower()} {code[6:]} ")
    page.get_by_role("button", name="查询").click()
    result = page.locator("#track-result")
    expect(result).to_contain_text("已办结")
    expect(result).to_contain_text("经核查，您反映的问题属实，已依法取缔并立案查处。")
    for secret in ("王举报", "13912345678", "内部", "李爱丽", "王博"):
        expect(page.locator("body")).not_to_contain_text(secret)
    assert page.bad_responses == []


def _shots(tmp_path) -> Path:
    # Screenshots to look at: QINGYUAN_SCREENSHOT_DIR when set, else the test's own directory.
    folder = Path(os.environ.get("QINGYUAN_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def _small_targets(page):
    """Visible buttons, links styled as buttons, fields and choices smaller than 40px high."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                'main .btn, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main select, '
                + 'main textarea, '
                + 'main .form-check-label, main .page-link')]
            .filter(el => el.offsetParent !== null && !el.classList.contains('visually-hidden'))
            .filter(el => el.getBoundingClientRect().height < 40)
            .map(el => el.outerHTML.slice(0, 80))"""
    )


def _fill_step_one(page):
    page.goto("/public/tip/")
    page.get_by_label("问题类别").select_option(label="无证行医（黑诊所）")
    page.get_by_label("反映内容").fill("金星村东头一户人家天天有人去挂水，没有招牌")
    page.get_by_label("反映地点").fill("吴中区木渎镇金星村12号")
    page.get_by_label("被反映人").fill("张某")
    page.get_by_label("行医内容").select_option(label="内科")  # no preset value: the reporter chooses
    page.get_by_label("行医内容").select_option(label="内科")


@pytest.mark.parametrize("width", [375, 1366])
def test_photos_survive_a_wrong_captcha_on_a_phone(new_page, units, public, width, tmp_path):
    from captcha.models import CaptchaStore

    shots = _shots(tmp_path)
    phone = width == 375
    page = new_page(width=width, height=800, is_mobile=phone, has_touch=phone)
    _fill_step_one(page)
    _no_sideways_scroll(page, width)
    assert not phone or _small_targets(page) == []
    page.screenshot(path=shots / f"tip-step1-{width}.png", full_page=True)
    page.get_by_role("button", name="下一步：核对").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("核对并提交")
    page.get_by_label("照片或文件（选填）").set_input_files(
        files=[{"name": "a.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_label("验证码").fill("WXYZ")
    page.get_by_role("button", name="确认提交").click()

    expect(page.locator(".invalid-feedback")).to_contain_text("验证码错误")
    expect(page.locator("#held-files")).to_contain_text("已选择的照片：")
    expect(page.locator("#held-files")).to_contain_text("a.png（保留）")
    expect(page.get_by_role("button", name="移除 a.png")).to_be_visible()
    _no_sideways_scroll(page, width)
    assert not phone or _small_targets(page) == []
    page.screenshot(path=shots / f"tip-step2-refused-{width}.png", full_page=True)

    # "换一张" swaps the image in place (the captcha app's refresh view, called by the page's script).
    image = page.locator("img.captcha")
    before = image.get_attribute("src")
    page.get_by_role("button", name="换一张").click()
    expect(image).not_to_have_attribute("src", before)
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") >= 180
    expect(page.locator("#held-files")).to_contain_text("a.png（保留）")  # no reload, nothing lost

    if not phone:
        # The text question for those who cannot read the image.
        page.get_by_role("button", name="看不清？改用算术题").click()
        expect(page.locator("#captcha-question")).to_contain_text("等于多少？")
        expect(page.locator("#held-files")).to_contain_text("a.png（保留）")
        page.screenshot(path=shots / f"tip-step2-math-{width}.png", full_page=True)
        label = "算术题答案"
    else:
        label = "验证码"
    key = page.locator('input[name="captcha_0"]').input_value()
    page.get_by_label(label).fill(CaptchaStore.objects.get(hashkey=key).response)
    page.get_by_role("button", name="确认提交").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("提交成功")
    code = page.locator("#tracking-code").inner_text().strip()
    lead = Lead.objects.get(tracking_code=code)
    assert list(lead.attachments.values_list("original_name", flat=True)) == ["a.png"]
    _no_sideways_scroll(page, width)
    page.screenshot(path=shots / f"tip-done-{width}.png", full_page=True)
    assert [e for e in page.bad_responses if "favicon" not in e] == []


@pytest.mark.parametrize("url", ["/public/", "/public/cases/", "/public/track/"])
def test_public_pages_fit_a_phone(new_page, public, url, tmp_path):
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    page.goto(url)
    _no_sideways_scroll(page, 375)
    assert _small_targets(page) == []
    page.screenshot(path=_shots(tmp_path) / f"public{url.replace('/', '-')}375.png", full_page=True)
