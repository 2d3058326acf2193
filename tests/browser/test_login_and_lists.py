"""Through a real Chromium: log in with the login form, find the region list from the navigation, filter it;
a wrong password shows the Chinese error; on a phone the navigation collapses behind the toggler."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BOOTSTRAP_PRIMARY = "rgb(13, 110, 253)"  # Bootstrap 5.3 $primary: proves the vendored CSS was applied


def test_inspector_logs_in_and_filters_the_region_list(page, log_in, personas):
    log_in(page, "alice")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("李爱丽，您好")
    # Bootstrap is served by the platform itself (var/vendor via /static/vendor/) and applied.
    assert page.request.get("/static/vendor/bootstrap/bootstrap.min.css").status == 200
    navbar_colour = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert navbar_colour == BOOTSTRAP_PRIMARY
    expect(page.locator(".navbar-toggler")).to_be_hidden()  # wide screen: the menu is laid out inline

    page.locator("#mainnav").get_by_role("button", name="基础数据与管理").click()
    page.locator("#mainnav").get_by_role("link", name="行政区划", exact=True).click()
    expect(page).to_have_url(re.compile(r"/regions/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("行政区划")
    rows = page.locator("table tbody tr")
    # alice works in 吴中区: her jurisdiction is 吴中区 and below, never the neighbouring 相城区.
    expect(rows).to_have_count(4)
    expect(page.locator("table")).not_to_contain_text("相城区")

    page.get_by_label("名称或代码").fill("木渎")
    page.get_by_role("button", name="筛选").click()

    expect(page).to_have_url(re.compile(r"[?&]q=%E6%9C%A8%E6%B8%8E"))
    expect(rows).to_have_count(3)
    expect(page.get_by_role("heading", level=1)).to_contain_text("共 3 条")
    for name in ("木渎镇", "金星村委会", "山塘社区居委会"):
        expect(page.locator("table tbody")).to_contain_text(name)
    expect(page.locator("table tbody")).not_to_contain_text("没有符合条件的记录")
    assert page.bad_responses == []


def test_wrong_password_shows_the_chinese_error(page, log_in, personas):
    log_in(page, "alice", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert").or_(page.locator(".alert-danger"))).to_contain_text("用户名或密码错误")
    expect(page.get_by_label("密码", exact=True)).to_have_value("")
    expect(page.locator("nav.navbar")).not_to_contain_text("李爱丽")


def test_phone_layout_collapses_the_navigation_behind_the_toggler(new_page, log_in, personas):
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    log_in(page, "alice")
    expect(page.get_by_role("heading", level=1)).to_contain_text("李爱丽，您好")

    toggler = page.locator(".navbar-toggler")
    regions_link = page.locator("#mainnav").get_by_role("link", name="行政区划", exact=True)
    expect(toggler).to_be_visible()
    expect(regions_link).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, (
        "the page scrolls sideways on a phone"
    )

    toggler.click()  # Bootstrap's JS (also vendored) opens the menu
    page.locator("#mainnav").get_by_role("button", name="基础数据与管理").click()
    expect(regions_link).to_be_visible()
    regions_link.click()
    expect(page).to_have_url(re.compile(r"/regions/$"))
    expect(page.locator("table tbody tr")).to_have_count(4)
    assert page.bad_responses == []
