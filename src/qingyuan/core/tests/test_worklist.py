"""「我的工作」 on the home page: each user's open items by deadline, only from their jurisdiction,
at a bounded number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.cases.models import Case, CaseStatus
from qingyuan.cases.tests.test_case_data import propose
from qingyuan.conftest import make_user
from qingyuan.core.worklist import work_list
from qingyuan.leads import services as lead_services
from qingyuan.leads.models import Lead, Status

WZ = "苏州市吴中区木渎镇金星村12号"
XC = "苏州市相城区黄埭镇三埂村东头"


def make_lead(clerk, place, **state):
    lead = lead_services.lead_register(
        actor=clerk, channel="phone", content="有人在村里无证行医", place=place
    )
    Lead.objects.filter(pk=lead.pk).update(**state)  # a fixture state, not the workflow under test
    lead.refresh_from_db()
    return lead


def texts(user) -> str:
    work = work_list(user)
    return " ".join(i.text for i in work.overdue + work.near + work.today)


def section(html: str, key: str) -> str:
    match = re.search(rf'data-section="{key}">(.*?)</section>', html, re.S)
    assert match, key
    return match.group(1)


@pytest.fixture
def today():
    return timezone.localdate()


def test_an_inspector_sees_the_lead_assigned_to_them_and_its_link(personas, login, today):
    lead = make_lead(
        personas["clerk"], WZ, status=Status.ASSIGNED, conclude_due=today + dt.timedelta(days=40)
    )
    lead.officers.add(personas["alice"])
    page = login("alice").get(reverse("core:home")).content.decode()
    assert page.index("已超期") < page.index("两个工作日内到期") < page.index("今日") < page.index("辖区数据")
    today_items = section(page, "today")
    assert f"线索 {lead.number} 已分派给您核查" in today_items
    assert f'href="{lead.get_absolute_url()}"' in today_items
    assert "没有超期事项" in section(page, "overdue")  # an empty section says so
    # Bob, in the same unit but not assigned, has nothing to do about it.
    assert lead.number not in login("bob").get(reverse("core:home")).content.decode()


def test_a_chief_sees_an_overdue_lead_in_red_and_a_case_due_tomorrow_in_amber(
    personas, regions, login, today
):
    late = make_lead(personas["clerk"], WZ, accept_due=today - dt.timedelta(days=3))
    case = propose(personas, regions)
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.INVESTIGATING, number="吴卫医罚〔2026〕1号", decide_due=today + dt.timedelta(days=1)
    )
    page = login("chief").get(reverse("core:home")).content.decode()
    overdue, near = section(page, "overdue"), section(page, "near")
    assert f"线索 {late.number} 待受理" in overdue
    assert 'class="badge badge-due-red" data-due="overdue"' in overdue and "已超期3天" in overdue
    assert "吴卫医罚〔2026〕1号" in near and "办案期限" in near
    assert 'class="badge badge-due-amber" data-due="near"' in near
    assert late.number not in near and "吴卫医罚" not in overdue


def test_another_countys_items_never_appear(personas, units, regions, login, today):
    dan = make_user("dan", units["xiangcheng"], Role.INSPECTOR, "许丹", "32050701002")
    theirs = make_lead(personas["clerk"], XC, accept_due=today - dt.timedelta(days=3))
    assert theirs.handling_unit.region.code == "320507"
    theirs.officers.add(personas["carol"])
    case = propose(personas, regions, actor="carol", region="xc_village", officers=[personas["carol"], dan])
    Case.objects.filter(pk=case.pk).update(open_due=today - dt.timedelta(days=1))
    for name in ("alice", "chief", "clerk"):
        page = login(name).get(reverse("core:home")).content.decode()
        assert theirs.number not in page and "未取得医疗机构执业许可证" not in page, name
        assert theirs.number not in texts(personas[name])
    # …while the county's own officer does see them.
    assert theirs.number in texts(personas["carol"]) and "未取得医疗机构执业许可证" in texts(dan)


def test_the_home_page_costs_a_bounded_number_of_queries(personas, regions, login, today):
    """The work list reads each source once: more items cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chief = login("chief")

    def add_items(count):
        for n in range(count):
            lead = make_lead(personas["clerk"], WZ, accept_due=today - dt.timedelta(days=n))
            lead.officers.add(personas["alice"])
            case = propose(personas, regions)
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.INVESTIGATING, decide_due=today)

    def home_queries():
        chief.get(reverse("core:home"))  # caches (workday calendar, session) warm on this same data
        with CaptureQueriesContext(connection) as queries:
            page = chief.get(reverse("core:home")).content.decode()
        return len(queries), page

    add_items(3)
    fewer, _ = home_queries()
    add_items(3)
    more, page = home_queries()
    assert page.count("badge-due-") >= 12
    assert more == fewer, f"{fewer} queries for 6 items, {more} for 12"
    assert more <= 31, f"{more} queries"  # one query per source (core.worklist.SOURCES), plus the page


def test_forms_awaiting_review_and_returned_forms(personas, regions, login):
    from qingyuan.reports.forms.base import Scope
    from qingyuan.reports.submissions import submission_return, submission_submit

    scope = Scope(regions["wuzhong"], dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    submission = submission_submit(actor=personas["chief"], code="S003-A1", scope=scope)
    assert "报表 S003-A1 待审核：江苏省苏州市吴中区" in texts(personas["dave"])
    assert "S003-A1" not in texts(personas["chief"])
    submission_return(actor=personas["dave"], submission=submission, reason="口腔类罚款金额请核实")
    page = login("chief").get(reverse("core:home")).content.decode()
    assert "报表 S003-A1 被退回" in page and "退回理由：口腔类罚款金额请核实" in page
    assert f'href="{submission.get_absolute_url()}"' in page
    assert "S003-A1" not in texts(personas["dave"]) and "S003-A1" not in texts(personas["carol"])
    # Once submitted again, the returned version leaves the county's list.
    submission_submit(actor=personas["chief"], code="S003-A1", scope=scope)
    assert "被退回" not in texts(personas["chief"])
