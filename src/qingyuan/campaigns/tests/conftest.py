"""A province → city → county cascade on top of the shared personas.

- 江苏省卫生健康委员会 issues the province campaign (leader `prov`);
- dave (苏州市) writes the city plan, chief (吴中区) the county plan; 相城区 writes none;
- 吴中区 has a second township (甪直镇, two villages), so the sweep has gaps to show.
"""

import datetime as dt

import pytest

from qingyuan.accounts.roles import Role
from qingyuan.campaigns import services
from qingyuan.campaigns.models import PhaseKind, Schedule
from qingyuan.conftest import make_region, make_user
from qingyuan.regions.models import Level, Unit, UnitKind

YEAR = 2024


def d(month, day, year=YEAR):
    return dt.date(year, month, day)


@pytest.fixture
def more_regions(regions):
    luzhi = make_region("320506101", "甪直镇", Level.TOWNSHIP, regions["wuzhong"])
    return {
        **regions,
        "luzhi": luzhi,
        "luzhi_a": make_region("320506101201", "澄湖村委会", Level.VILLAGE, luzhi, "220"),
        "luzhi_b": make_region("320506101202", "淞南村委会", Level.VILLAGE, luzhi, "220"),
    }


@pytest.fixture
def prov(personas, more_regions):
    unit = Unit.objects.create(
        name="江苏省卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=more_regions["province"]
    )
    return make_user("prov", unit, Role.LEADER, "省领导")


@pytest.fixture
def province_campaign(prov):
    campaign = services.campaign_create(
        actor=prov,
        name="打击无证行医及非法医疗美容专项行动",
        doc_number="苏卫办监督〔2024〕1号",
        starts_on=d(4, 1),
        ends_on=d(10, 31),
        focus=["unlicensed", "aesthetic"],
        hotline="025-12345678",
        email="jubao@example.gov.cn",
        published=True,
    )
    for kind, start, end in [
        (PhaseKind.MOBILISATION, d(4, 1), d(4, 29)),
        (PhaseKind.CENSUS, d(4, 30), d(7, 31)),
        (PhaseKind.SUPERVISION, d(8, 1), d(9, 30)),
        (PhaseKind.SUMMARY, d(10, 1), d(10, 31)),
    ]:
        services.phase_add(actor=prov, campaign=campaign, kind=kind, starts_on=start, ends_on=end)
    services.requirement_add(
        actor=prov, campaign=campaign, form_code="S003-A1", schedule=Schedule.ONCE, due_on=d(8, 9)
    )
    services.requirement_add(
        actor=prov, campaign=campaign, form_code="S004-Q", schedule=Schedule.QUARTERLY, day_of_month=20
    )
    services.requirement_add(
        actor=prov, campaign=campaign, form_code="S001-A3", schedule=Schedule.AFTER_OPERATION, days_after=7
    )
    return campaign


@pytest.fixture
def city_plan(province_campaign, personas):
    return services.plan_create(
        actor=personas["dave"],
        parent=province_campaign,
        unit=personas["dave"].unit,
        name="苏州市打击无证行医及非法医疗美容专项行动工作方案",
        focus=["tcm_wellness"],
    )


@pytest.fixture
def county_plan(city_plan, personas):
    return services.plan_create(
        actor=personas["chief"],
        parent=city_plan,
        unit=personas["chief"].unit,
        name="吴中区实施方案",
    )
