"""Through a real Chromium: the chief of the county the city designated (指定管辖) for a disputed
border site goes from the home page to the grant, from the grant to the site, and opens a case for it
by clicking; the case counts in the designated county. The county of the address sees the notice and
no longer the button."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.accounts.roles import Role
from qingyuan.cases.models import Case
from qingyuan.conftest import make_user
from qingyuan.operations import services
from qingyuan.subjects.models import Subject, SubjectKind

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("QINGYUAN_SHOTS_DIR", "")
WIDTHS = [1366, 375]


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def designated(seed_data, personas, regions, units):
    """A 吴中区 border site, disputed with 相城区 and designated to 相城区 by the city ten days ago."""
    site = Subject.objects.create(
        name="木渎黄埭交界黑诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="金星村与三埂村交界处8号",
        region=regions["village"],
        border_area=True,
    )
    today = timezone.localdate()
    dispute = services.dispute_raise(
        actor=personas["chief"],
        subject=site,
        counties=[regions["wuzhong"], regions["xiangcheng"]],
        reason="两区均认为不属本辖区",
        raised_on=today - dt.timedelta(days=12),
    )
    services.dispute_resolve(
        actor=personas["dave"],
        dispute=dispute,
        unit=units["xiangcheng"],
        decision="指定相城区管辖",
        designated=True,
        decided_on=today - dt.timedelta(days=10),
    )
    make_user("xc_chief", units["xiangcheng"], Role.CHIEF, "蒋志远", "32050701000")
    make_user("xc_inspector2", units["xiangcheng"], Role.INSPECTOR, "蒋宁", "32050701002")
    return site


def _open_nav(page, width):
    if width < 992:
        page.locator(".navbar-toggler").click()


@pytest.mark.parametrize("width", WIDTHS)
def test_designated_county_chief_opens_a_case_for_the_disputed_site(
    new_page, log_in, designated, personas, regions, width
):
    page = new_page(width=width, height=900)
    log_in(page, "xc_chief")
    page.goto("/")
    _open_nav(page, width)
    page.get_by_role("link", name="联动执法与督查").click()
    page.get_by_role("link", name="跨区授权").click()
    table = page.locator("#grant-table")
    expect(table).to_contain_text("指定管辖")
    expect(table).to_contain_text("生效中")
    _no_sideways_scroll(page)
    _shot(page, f"grant-list-{width}.png")
    table.get_by_role("link", name="木渎黄埭交界黑诊所").click()
    expect(page.locator("h1")).to_contain_text("跨区授权")
    page.locator("#grant-subject").click()

    expect(page.locator("#designation-notice")).to_contain_text("相城区卫生监督所指定管辖")
    _no_sideways_scroll(page)
    _shot(page, f"designated-site-{width}.png")
    page.locator("#propose-case").click()

    expect(page.locator("#id_party_name")).to_have_value("木渎黄埭交界黑诊所")
    page.get_by_label("案由").fill("未取得医疗机构执业许可证擅自执业案")
    page.get_by_label("违法行为发生日期").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    page.get_by_label(re.compile("^ZY-01")).check()
    page.get_by_label(re.compile("陈可")).check()
    page.get_by_label(re.compile("蒋宁")).check()
    _no_sideways_scroll(page)
    page.get_by_role("button", name="提请立案").click()

    expect(page.locator(".alert-success")).to_contain_text("已提请立案")
    case = Case.objects.get(subject=designated)
    assert case.region == regions["xiangcheng"]
    assert case.unit.region == regions["xiangcheng"]
    _no_sideways_scroll(page)
    _shot(page, f"designated-case-{width}.png")
    assert page.bad_responses == []


def test_address_county_reads_the_site_but_is_offered_no_new_case(new_page, log_in, designated):
    page = new_page(width=1366, height=900)
    log_in(page, "chief")
    page.goto("/")
    page.get_by_role("link", name="联动执法与督查").click()
    page.get_by_role("link", name="管辖争议").click()
    page.get_by_role("link", name=re.compile("木渎黄埭交界黑诊所")).first.click()
    page.get_by_role("link", name="跨区授权列表").click()
    page.locator("#grant-table").get_by_role("link", name="木渎黄埭交界黑诊所").click()
    page.locator("#grant-subject").click()
    expect(page.locator("#designation-notice")).to_contain_text("不能再为其立案、检查或复查")
    expect(page.locator("#propose-case")).to_have_count(0)
    assert page.bad_responses == []
