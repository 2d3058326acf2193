"""Leads, inspections and cases tagged to a campaign: the forms offer the campaigns in force, the
services refuse one that was not in force there and then, and the campaign page counts them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.campaigns.models import Campaign
from qingyuan.cases import services as case_services
from qingyuan.cases.models import Case, PartyKind
from qingyuan.conftest import make_user
from qingyuan.inspections import services as inspection_services
from qingyuan.inspections.models import Inspection
from qingyuan.leads import services as lead_services
from qingyuan.leads.models import Lead
from qingyuan.subjects.models import Subject, SubjectKind


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def city_campaign(units, today):
    return Campaign.objects.create(
        unit=units["city"],
        region=units["city"].region,
        name="苏州市打击非法行医专项行动",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=60),
    )


@pytest.fixture
def wz_plan(units, city_campaign):
    return Campaign.objects.create(
        parent=city_campaign,
        unit=units["wuzhong"],
        region=units["wuzhong"].region,
        name="吴中区实施方案",
        starts_on=city_campaign.starts_on,
        ends_on=city_campaign.ends_on,
    )


@pytest.fixture
def xc_plan(units, city_campaign):
    return Campaign.objects.create(
        parent=city_campaign,
        unit=units["xiangcheng"],
        region=units["xiangcheng"].region,
        name="相城区实施方案",
        starts_on=city_campaign.starts_on,
        ends_on=city_campaign.ends_on,
    )


@pytest.fixture
def subject(regions):
    return Subject.objects.create(
        name="金星村无证诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="木渎镇金星村12号",
        region=regions["village"],
    )


def _started():
    return (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def _lead_form(**extra):
    data = {
        "channel": "phone",
        "received_at": _started(),
        "category": "unlicensed",
        "content": "金星村有人开黑诊所",
        "place": "苏州市吴中区木渎镇金星村12号",
        "practice_content": "internal",
        "anonymous": "on",
    }
    data.update(extra)
    return data


def _inspection_form(subject, personas, **extra):
    data = {
        "subject": subject.pk,
        "kind": "covert",
        "started_at": _started(),
        "officers": [personas["alice"].pk, personas["bob"].pk],
        "vehicles": "1",
        "findings": "有人正在输液",
        "outcome": "violation",
    }
    data.update(extra)
    return data


def _case_form(subject, personas, **extra):
    data = {
        "subject": subject.pk,
        "source": "direct",
        "title": "擅自执业案",
        "party_kind": "citizen",
        "party_name": "张三",
        "offence_date": "2026-05-01",
        "offence_codes": ["ZY-01"],
        "illegal_income": "3000",
        "officers": [personas["alice"].pk, personas["bob"].pk],
    }
    data.update(extra)
    return data


def test_forms_offer_the_campaigns_in_force_and_preselect_the_county_plan(
    login, subject, city_campaign, wz_plan, xc_plan
):
    client = login("alice")
    for url in (
        "/leads/new/",
        f"/inspections/new/?subject={subject.pk}",
        f"/cases/new/?subject={subject.pk}",
    ):
        html = client.get(url).content.decode()
        assert "专项行动" in html and city_campaign.name in html, url
        assert f'<option value="{wz_plan.pk}" selected>' in html, url
        assert xc_plan.name not in html, url


def test_no_preselection_when_two_unrelated_campaigns_apply(login, subject, units, city_campaign, today):
    other = Campaign.objects.create(
        unit=units["wuzhong"],
        region=units["wuzhong"].region,
        name="吴中区医疗美容整治",
        starts_on=today,
        ends_on=today,
    )
    html = login("alice").get(f"/inspections/new/?subject={subject.pk}").content.decode()
    assert other.name in html and city_campaign.name in html and '<option value="" selected>' in html


def test_lead_tagged_through_the_intake_form(login, wz_plan):
    response = login("clerk").post("/leads/new/", _lead_form(campaign=wz_plan.pk))
    lead = Lead.objects.get()
    assert response.status_code == 302 and lead.campaign == wz_plan
    assert wz_plan.name in login("alice").get(lead.get_absolute_url()).content.decode()


def test_inspection_tagged_through_the_form(login, personas, subject, wz_plan):
    response = login("alice").post(
        "/inspections/new/", _inspection_form(subject, personas, campaign=wz_plan.pk)
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and inspection.campaign == wz_plan
    assert wz_plan.name in login("bob").get(inspection.get_absolute_url()).content.decode()


def test_case_tagged_through_the_propose_form(login, personas, subject, city_campaign):
    response = login("alice").post("/cases/new/", _case_form(subject, personas, campaign=city_campaign.pk))
    case = Case.objects.get()
    assert response.status_code == 302 and case.campaign == city_campaign
    assert city_campaign.name in login("alice").get(case.get_absolute_url()).content.decode()


def test_campaign_of_another_county_is_refused_by_each_service(personas, subject, xc_plan):
    with pytest.raises(ValidationError, match="专项行动") as caught:
        case_services.case_propose(
            actor=personas["alice"],
            subject=subject,
            source="direct",
            title="擅自执业案",
            party_kind=PartyKind.CITIZEN,
            party_name="张三",
            offence_date=dt.date(2026, 5, 1),
            offence_codes=["ZY-01"],
            illegal_income=Decimal("3000"),
            officers=[personas["alice"], personas["bob"]],
            campaign=xc_plan,
        )
    assert "campaign" in caught.value.message_dict
    with pytest.raises(ValidationError, match="专项行动"):
        inspection_services.inspection_record(
            actor=personas["alice"],
            subject=subject,
            kind="covert",
            started_at=timezone.now() - dt.timedelta(hours=1),
            officers=[personas["alice"], personas["bob"]],
            campaign=xc_plan,
        )
    with pytest.raises(ValidationError, match="专项行动"):
        lead_services.lead_register(
            actor=personas["clerk"],
            channel="phone",
            content="金星村有人开黑诊所",
            place="苏州市吴中区木渎镇金星村12号",
            campaign=xc_plan,
        )
    assert not Case.objects.exists() and not Inspection.objects.exists() and not Lead.objects.exists()


def test_campaign_of_another_region_posted_to_the_form_is_refused(login, personas, subject, xc_plan):
    response = login("alice").post(
        "/inspections/new/", _inspection_form(subject, personas, campaign=xc_plan.pk)
    )
    assert response.status_code == 200 and not Inspection.objects.exists()
    assert "专项行动" in response.content.decode()


def test_campaign_not_in_force_on_the_date_is_refused(personas, subject, units, today):
    ended = Campaign.objects.create(
        unit=units["wuzhong"],
        region=units["wuzhong"].region,
        name="去年的专项行动",
        starts_on=today - dt.timedelta(days=400),
        ends_on=today - dt.timedelta(days=300),
    )
    with pytest.raises(ValidationError, match="不在实施期内"):
        inspection_services.inspection_record(
            actor=personas["alice"],
            subject=subject,
            kind="covert",
            started_at=timezone.now() - dt.timedelta(hours=1),
            officers=[personas["alice"], personas["bob"]],
            campaign=ended,
        )


def _tag_everything(personas, subject, regions, city_campaign, wz_plan, xc_plan):
    for campaign in (wz_plan, city_campaign):
        lead_services.lead_register(
            actor=personas["clerk"],
            channel="phone",
            content="金星村有人开黑诊所",
            place="苏州市吴中区木渎镇金星村12号",
            campaign=campaign,
        )
    inspection_services.inspection_record(
        actor=personas["alice"],
        subject=subject,
        kind="covert",
        started_at=timezone.now() - dt.timedelta(hours=1),
        officers=[personas["alice"], personas["bob"]],
        campaign=wz_plan,
    )
    xc_subject = Subject.objects.create(
        name="黄埭镇某养生馆", kind=SubjectKind.WELLNESS, address="三埂村5号", region=regions["xc_village"]
    )
    dan = make_user("dan", personas["carol"].unit, Role.INSPECTOR, "丁丹", "32050701002")
    for actor, where, campaign in (("alice", subject, wz_plan), ("carol", xc_subject, xc_plan)):
        case_services.case_propose(
            actor=personas[actor],
            subject=where,
            source="direct",
            title="擅自执业案",
            party_kind=PartyKind.CITIZEN,
            party_name="张三",
            offence_date=dt.date(2026, 5, 1),
            offence_codes=["ZY-01"],
            illegal_income=Decimal("3000"),
            officers=[personas["carol"], dan] if actor == "carol" else [personas["alice"], personas["bob"]],
            campaign=campaign,
        )


def test_campaign_page_counts_tagged_records_of_the_campaign_and_its_plans(
    login, personas, subject, regions, city_campaign, wz_plan, xc_plan
):
    _tag_everything(personas, subject, regions, city_campaign, wz_plan, xc_plan)
    city = login("dave").get(f"/campaigns/{city_campaign.pk}/").content.decode()
    assert "线索 <a" in city
    block = city.split('id="tagged-counts"')[1].split("</p>")[0]
    assert ">2</a> 条" in block and ">1</a> 次" in block and ">2</a> 件" in block
    # A county officer sees only the records of their own county, even on the city campaign.
    own = login("alice").get(f"/campaigns/{city_campaign.pk}/").content.decode()
    block = own.split('id="tagged-counts"')[1].split("</p>")[0]
    assert ">2</a> 条" in block and ">1</a> 次" in block and ">1</a> 件" in block
    plan = login("alice").get(f"/campaigns/{wz_plan.pk}/").content.decode()
    block = plan.split('id="tagged-counts"')[1].split("</p>")[0]
    assert ">1</a> 条" in block and ">1</a> 次" in block and ">1</a> 件" in block


def test_list_pages_filter_by_campaign_including_its_plans(
    login, personas, subject, regions, city_campaign, wz_plan, xc_plan
):
    _tag_everything(personas, subject, regions, city_campaign, wz_plan, xc_plan)
    client = login("dave")
    whole = client.get(f"/cases/?campaign={city_campaign.pk}").content.decode()
    plan = client.get(f"/cases/?campaign={xc_plan.pk}").content.decode()
    assert whole.count("擅自执业案") == 2 and plan.count("擅自执业案") == 1
    leads = login("alice").get(f"/leads/?campaign={wz_plan.pk}").content.decode()
    assert leads.count("金星村有人开黑诊所") + leads.count("苏州市吴中区木渎镇金星村12号") >= 1
    assert "专项行动" in leads
    inspections = client.get(f"/inspections/?campaign={xc_plan.pk}").content.decode()
    assert "金星村无证诊所" not in inspections
