"""Through a real Chromium, as the people doing it: the city leader opens a 吴中区 case from the case
list by clicking and puts it under 挂牌督办 with a deadline; the county chief, on a phone, finds it on
the home page and reports the result; the leader finds the result to accept on the home page and
accepts it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyuan.cases.models import Case, CaseSource, CaseStatus, PartyKind
from qingyuan.oversight.models import SupervisedItem, SupervisionStatus
from qingyuan.subjects.models import Subject, SubjectKind

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


@pytest.fixture
def case(regions, units, personas):
    subject = Subject.objects.create(
        name="金星村黑诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="金星村12号",
        region=regions["village"],
    )
    found = Case.objects.create(
        number="吴卫医罚〔2026〕7号",
        unit=units["wuzhong"],
        region=subject.region,
        subject=subject,
        source=CaseSource.DIRECT,
        title="非医师行医致人损害",
        party_kind=PartyKind.CITIZEN,
        party_name="张三",
        offence_date=timezone.localdate() - dt.timedelta(days=10),
        status=CaseStatus.INVESTIGATING,
        proposed_by=personas["alice"],
        opened_on=timezone.localdate() - dt.timedelta(days=9),
    )
    found.officers.set([personas["alice"]])
    return found


def test_city_leader_supervises_a_case_and_the_county_reports_back(new_page, log_in, seed_data, case):
    deadline = timezone.localdate() + dt.timedelta(days=15)

    leader = new_page(width=1366, height=900)
    log_in(leader, "dave")
    # The navigation, with 挂牌督办 added, still keeps to one line on an office screen.
    assert leader.locator("nav.navbar").bounding_box()["height"] < 70
    leader.get_by_role("navigation").get_by_role("link", name="案件", exact=True).click()
    leader.get_by_role("link", name=case.number).click()
    leader.get_by_role("main").get_by_role("link", name="挂牌督办", exact=True).click()
    leader.get_by_label("督办要求").fill("查清药品和器械来源，依法从重处理")
    leader.get_by_label("办结期限").fill(deadline.isoformat())
    leader.get_by_role("button", name="保存").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text("督办中")
    leader.get_by_role("link", name=f"{case.number} {case.title}").click()
    expect(leader.locator("#supervision-badge")).to_have_text(f"挂牌督办 · 期限 {deadline:%Y-%m-%d}")
    _no_sideways_scroll(leader)
    item = SupervisedItem.objects.get()
    assert item.deadline == deadline and item.case == case

    chief = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    log_in(chief, "chief")
    chief.get_by_role("link", name=f"挂牌督办 待报送办理结果：{item.title}").click()
    expect(chief.get_by_role("heading", level=1)).to_contain_text(item.title)
    _no_sideways_scroll(chief)
    form = chief.locator("#step-report")
    form.get_by_label("内容").fill("已作出处罚决定，药品来源已移送市场监管")
    form.get_by_role("button", name="报送结果").click()
    expect(chief.get_by_role("heading", level=1)).to_contain_text("已报结果")
    expect(chief.locator("#reports")).to_contain_text("药品来源已移送市场监管")
    _no_sideways_scroll(chief)

    leader.get_by_role("navigation").get_by_role("link", name="首页").click()
    leader.get_by_role("link", name=f"挂牌督办 待验收：{item.title}", exact=False).click()
    leader.locator("#step-accept").get_by_role("button", name="验收办结").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text("已办结")
    item.refresh_from_db()
    assert item.status == SupervisionStatus.CLOSED
    assert leader.bad_responses == [] and chief.bad_responses == []
