"""Through a real Chromium: a 科室负责人 publishes a served penalty decision from the item on his home
page (行政处罚法 第48条), and a resident on a 375 px phone finds it on the public site by the masked
party name and reads it, with no ID number or full name anywhere on the page."""

import pytest
from playwright.sync_api import expect

from qingyuan.cases.tests.test_case_data import served
from qingyuan.publication.models import EntryStatus, PublicationEntry

pytestmark = pytest.mark.browser

ID_NUMBER = "320506198001011234"


@pytest.fixture
def entry(seed_data, personas, regions):
    case = served(personas, regions, party_name="李小明", party_id_number=ID_NUMBER)
    return PublicationEntry.objects.get(decision__case=case)


def test_chief_publishes_from_home_and_resident_reads_it_on_a_phone(new_page, log_in, entry):
    page = new_page(width=1366, height=900)
    log_in(page, "chief")
    page.get_by_role("link", name=f"处罚决定待公示：{entry.number} 李某某").click()
    expect(page.locator("h1")).to_contain_text("处罚决定公示")
    form = page.locator("#publish-form")
    expect(form.get_by_label("当事人")).to_have_value("李某某")
    # A full name typed back in is refused, the field named and the input kept.
    form.get_by_label("当事人").fill("李小明")
    form.get_by_role("button", name="在公众网站公示").click()
    expect(page.locator("#publish-form")).to_contain_text("含有当事人或相关人员的全名“李小明”")
    page.locator("#publish-form").get_by_label("当事人").fill("李某某")
    page.locator("#publish-form").get_by_role("button", name="在公众网站公示").click()
    expect(page.locator(".alert-success")).to_contain_text("已在公众网站公示")
    expect(page.locator("#entry-status")).to_have_text("已公示")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED
    assert [r for r in page.bad_responses if "/publish/" not in r] == []

    phone = new_page(width=375, height=800)
    phone.goto("/public/")
    phone.get_by_role("link", name="行政处罚决定公示").click()
    phone.get_by_label("当事人或文号").fill("李某某")
    phone.get_by_label("年份").fill("2026")
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator("#decision-count")).to_have_text("共 1 条")
    phone.locator("#public-decisions a").first.click()
    article = phone.locator("#decision")
    expect(article).to_contain_text(entry.number)
    expect(article).to_contain_text("罚款50,000.00元（人民币伍万元整）")
    expect(article).to_contain_text("吴中区卫生监督所")
    html = phone.content()
    assert "李小明" not in html and ID_NUMBER not in html
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The 公示 section presents the spot checks beside the decisions.
    phone.get_by_role("link", name="双随机抽查").click()
    expect(phone.locator("h1")).to_have_text("双随机抽查公示")
    assert phone.bad_responses == []
