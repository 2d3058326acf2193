"""The subject page's "全部记录": one timeline of everything done about a site, newest first, scoped."""

import datetime as dt

import pytest
from django.utils import timezone

from qingyuan.cases.models import Case, CaseSource, PartyKind, Recheck, RecheckKind, Referral
from qingyuan.inspections.models import Inspection
from qingyuan.leads.models import Lead
from qingyuan.subjects.history import subject_timeline
from qingyuan.subjects.models import Subject, SubjectKind

pytestmark = pytest.mark.django_db


def _at(days_ago, hour=10):
    moment = timezone.localtime() - dt.timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _lead(unit, subject, number, days_ago):
    return Lead.objects.create(
        number=number,
        channel="phone",
        category="unlicensed",
        received_at=_at(days_ago),
        content="有人无证输液",
        handling_unit=unit,
        subject=subject,
        accept_due=timezone.localdate() + dt.timedelta(days=15),
        conclude_due=timezone.localdate() + dt.timedelta(days=60),
    )


@pytest.fixture
def site(regions):
    return Subject.objects.create(
        name="金星村无证诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="木渎镇金星村12号",
        region=regions["village"],
    )


@pytest.fixture
def records(site, personas, units):
    lead = _lead(units["wuzhong"], site, "XS000201", 20)
    lead.officers.set([personas["alice"]])
    inspection = Inspection.objects.create(
        kind="overt",
        started_at=_at(10, 9),
        subject=site,
        region=site.region,
        unit=units["wuzhong"],
        outcome="violation",
        lead=lead,
        recorded_by=personas["alice"],
        officer_count=2,
    )
    inspection.officers.set([personas["alice"], personas["bob"]])
    case = Case.objects.create(
        number="吴卫医罚〔2026〕7号",
        unit=units["wuzhong"],
        region=site.region,
        subject=site,
        source=CaseSource.INSPECTION,
        inspection=inspection,
        title="未取得医疗机构执业许可证擅自执业",
        party_kind=PartyKind.CITIZEN,
        party_name="张某",
        offence_date=_at(10).date(),
        proposed_by=personas["bob"],
    )
    Case.objects.filter(pk=case.pk).update(proposed_at=_at(9))
    referral = Referral.objects.create(
        case=case,
        target="police",
        target_unit="吴中公安分局",
        reason="涉嫌非法行医罪",
        proposed_on=_at(5).date(),
        created_by=personas["alice"],
    )
    recheck = Recheck.objects.create(kind=RecheckKind.RECHECK, case=case, subject=site, due_on=_at(2).date())
    return {"lead": lead, "inspection": inspection, "case": case, "referral": referral, "recheck": recheck}


def test_the_timeline_lists_lead_inspection_case_newest_first(site, records, personas):
    timeline = subject_timeline(site, personas["alice"])
    kinds = [e.kind for e in timeline]
    assert kinds == ["recheck", "referral", "case", "inspection", "lead"]
    lead, inspection, case = timeline.entries[4], timeline.entries[3], timeline.entries[2]
    assert lead.url == records["lead"].get_absolute_url() and "XS000201" in lead.text
    assert inspection.url == records["inspection"].get_absolute_url()
    assert inspection.officer_names == "李爱丽、王博"
    assert case.url == records["case"].get_absolute_url() and "吴卫医罚〔2026〕7号" in case.text
    assert case.officers == ["王博"]
    assert timeline.counts == {"复查": 1, "移送": 1, "案件": 1, "检查": 1, "线索": 1}


def test_the_subject_page_shows_all_records_with_links(login, site, records):
    page = login("alice").get(site.get_absolute_url()).content.decode()
    assert "全部记录" in page
    positions = [page.index(records[name].get_absolute_url()) for name in ("case", "inspection", "lead")]
    assert positions == sorted(positions)  # newest first
    assert "移送公安机关：吴中公安分局" in page and "复查" in page
    assert "李爱丽、王博" in page


def test_another_countys_records_are_hidden(login, site, records, units):
    foreign = _lead(units["xiangcheng"], site, "XS000999", 1)
    alice_page = login("alice").get(site.get_absolute_url()).content.decode()
    assert "XS000201" in alice_page and "XS000999" not in alice_page
    assert foreign.get_absolute_url() not in alice_page
    # The city sees both counties' leads about the site.
    city = login("dave").get(site.get_absolute_url()).content.decode()
    assert "XS000999" in city and "XS000201" in city


def test_roles_without_case_access_see_no_cases(site, records, personas):
    sam = personas["sam"]  # 系统管理员: no case content
    kinds = {e.kind for e in subject_timeline(site, sam)}
    assert not kinds & {"case", "referral", "decision", "recheck"}


def test_an_empty_subject_says_so(login, site):
    page = login("alice").get(site.get_absolute_url()).content.decode()
    assert "全部记录" in page and "暂无线索、检查或案件记录" in page
