import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.accounts.roles import Role
from qingyuan.campaigns import selectors, services
from qingyuan.campaigns.models import (
    Campaign,
    FormRequirement,
    PhaseKind,
    Schedule,
    due_after_operation,
    due_dates,
)
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.regions.models import Unit, UnitKind

from .conftest import d


def test_cascade_inherits_focus_phases_and_deadlines(province_campaign, city_plan, county_plan):
    assert county_plan.parent == city_plan and city_plan.parent == province_campaign
    assert county_plan.region_id == "320506"
    assert set(county_plan.focus) == {"unlicensed", "aesthetic", "tcm_wellness"}

    kinds = list(county_plan.phases.values_list("kind", "starts_on", "ends_on"))
    assert kinds == list(province_campaign.phases.values_list("kind", "starts_on", "ends_on"))
    census = county_plan.phases.get(kind=PhaseKind.CENSUS)
    assert census.inherited_from.inherited_from.campaign == province_campaign

    a1 = county_plan.requirements.get(form_code="S003-A1")
    assert a1.due_on == d(8, 9)
    assert a1.inherited_from.inherited_from.campaign == province_campaign
    assert due_dates(county_plan.requirements.get(form_code="S004-Q"), until=d(12, 31)) == [
        d(6, 20),
        d(9, 20),
    ]


def test_plan_may_set_an_earlier_deadline_but_not_a_later_one(county_plan, personas):
    chief = personas["chief"]
    a1 = county_plan.requirements.get(form_code="S003-A1")

    services.requirement_edit(actor=chief, requirement=a1, due_on=d(8, 2))
    a1.refresh_from_db()
    assert a1.due_on == d(8, 2)

    with pytest.raises(ValidationError) as exc:
        services.requirement_edit(actor=chief, requirement=a1, due_on=d(8, 15))
    assert "不能晚于上级专项行动的要求（2024-08-09）" in exc.value.message_dict["due_on"][0]
    a1.refresh_from_db()
    assert a1.due_on == d(8, 2)  # nothing half-saved

    quarterly = county_plan.requirements.get(form_code="S004-Q")
    with pytest.raises(ValidationError, match="每季度最后一个月20日"):
        services.requirement_edit(actor=chief, requirement=quarterly, day_of_month=25)
    after_op = county_plan.requirements.get(form_code="S001-A3")
    with pytest.raises(ValidationError, match="7日内"):
        services.requirement_edit(actor=chief, requirement=after_op, days_after=10)

    census = county_plan.phases.get(kind=PhaseKind.CENSUS)
    with pytest.raises(ValidationError, match="结束日期不能晚于上级专项行动"):
        services.phase_edit(actor=chief, phase=census, ends_on=d(8, 10))
    services.phase_edit(actor=chief, phase=census, ends_on=d(7, 20))


def test_plan_period_cannot_end_after_the_higher_campaign(city_plan, personas):
    with pytest.raises(ValidationError) as exc:
        services.plan_create(
            actor=personas["chief"],
            parent=city_plan,
            unit=personas["chief"].unit,
            name="吴中区实施方案",
            ends_on=d(11, 30),
        )
    assert "结束日期不能晚于上级专项行动的结束日期" in exc.value.message_dict["ends_on"][0]
    assert not Campaign.objects.filter(name="吴中区实施方案").exists()


def test_plan_must_come_from_a_lower_unit(city_plan, personas):
    with pytest.raises(ValidationError, match="下级单位"):
        services.plan_create(
            actor=personas["dave"], parent=city_plan, unit=personas["dave"].unit, name="重复"
        )
    with pytest.raises(PermissionDenied):
        services.plan_create(
            actor=personas["chief"], parent=city_plan, unit=personas["dave"].unit, name="代写"
        )


def test_only_the_issuing_level_edits_a_campaign(city_plan, county_plan, personas):
    with pytest.raises(PermissionDenied):
        services.phase_add(
            actor=personas["chief"],
            campaign=city_plan,
            kind=PhaseKind.SWEEP,
            starts_on=d(5, 1),
            ends_on=d(5, 31),
        )
    with pytest.raises(PermissionDenied):
        services.duty_add(
            actor=personas["dave"],
            campaign=county_plan,
            unit=personas["chief"].unit,
            task="x",
            due_on=d(5, 1),
        )


def test_inspector_cannot_create_a_campaign(personas):
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=personas["alice"], name="x", starts_on=d(1, 1), ends_on=d(2, 1))


def test_campaign_create_is_audited(province_campaign):
    event = AuditEvent.objects.filter(
        target_type="campaigns.campaign", target_id=str(province_campaign.pk)
    ).get()
    assert event.action == "create"
    assert event.region_code == "320000"
    assert event.after["doc_number"] == "苏卫办监督〔2024〕1号"


def test_city_coverage_lists_the_county_without_a_plan_as_missing(city_plan, county_plan, personas):
    coverage = selectors.plan_coverage(city_plan)
    assert [n.region.name for n in coverage.missing] == ["相城区"]
    assert coverage.expected == 2 and coverage.with_plan == 1
    wuzhong = next(n for depth, n in coverage.flat() if n.region.code == "320506")
    assert wuzhong.plans == [county_plan]
    # Townships without a health unit are listed under their county, not counted as missing.
    assert [c.region.name for c in wuzhong.children] == ["木渎镇", "甪直镇"]

    province = selectors.plan_coverage(city_plan.parent)
    assert [n.region.name for n in province.missing] == ["相城区"]  # the city has its plan, 吴中 too


def test_duty_progress_counts_one_late_duty(county_plan, personas, more_regions):
    chief = personas["chief"]
    police = Unit.objects.create(name="木渎派出所", kind=UnitKind.POLICE, region=more_regions["town"])
    market = Unit.objects.create(
        name="木渎市场监管所", kind=UnitKind.MARKET_REGULATION, region=more_regions["town"]
    )
    census = county_plan.phases.get(kind=PhaseKind.CENSUS)
    today = d(6, 1)
    late = services.duty_add(
        actor=chief, campaign=county_plan, unit=police, task="打击医托诈骗", due_on=d(5, 20)
    )
    done = services.duty_add(
        actor=chief, campaign=county_plan, unit=market, task="查处虚假医疗广告", due_on=d(5, 20), phase=census
    )
    services.duty_add(
        actor=chief, campaign=county_plan, unit=market, task="药品药械监管", due_on=d(6, 30), phase=census
    )
    services.duty_complete(actor=chief, duty=done, completed_on=d(5, 18), note="已查处2起")

    progress = selectors.duty_progress(county_plan, today=today)
    assert (progress["total"], progress["done"], progress["late_count"]) == (3, 1, 1)
    assert progress["late"] == [late]
    by_unit = {r["unit__name"]: (r["total"], r["done"], r["late"]) for r in progress["by_unit"]}
    assert by_unit == {"木渎派出所": (1, 0, 1), "木渎市场监管所": (2, 1, 0)}
    by_phase = {r["label"]: (r["total"], r["done"], r["late"]) for r in progress["by_phase"]}
    assert by_phase == {"未分阶段": (1, 0, 1), "普查治理": (2, 1, 0)}


def test_liaison_completes_only_its_own_units_duty(county_plan, personas, more_regions):
    police = Unit.objects.create(name="木渎派出所", kind=UnitKind.POLICE, region=more_regions["town"])
    market = Unit.objects.create(
        name="木渎市场监管所", kind=UnitKind.MARKET_REGULATION, region=more_regions["town"]
    )
    liaison = make_user("li", police, Role.LIAISON, "刘联络")
    own = services.duty_add(
        actor=personas["chief"], campaign=county_plan, unit=police, task="打击医托", due_on=d(5, 1)
    )
    other = services.duty_add(
        actor=personas["chief"], campaign=county_plan, unit=market, task="广告", due_on=d(5, 1)
    )

    with pytest.raises(PermissionDenied):
        services.duty_complete(actor=liaison, duty=other, completed_on=d(5, 1), note="越权")
    with pytest.raises(ValidationError, match="完成情况"):
        services.duty_complete(actor=liaison, duty=own, completed_on=d(5, 1), note=" ")
    services.duty_complete(actor=liaison, duty=own, completed_on=d(5, 1), note="已开展专项打击")
    own.refresh_from_db()
    assert own.completed_by == liaison and own.completed_on == d(5, 1)


def test_sweep_coverage_per_township_and_county(city_plan, county_plan, personas, more_regions):
    r = more_regions
    alice = personas["alice"]
    services.sweep_record(
        actor=alice,
        campaign=county_plan,
        village=r["village"],
        swept_on=d(5, 3),
        swept_by=[alice],
        sites_found=2,
    )
    services.sweep_record(
        actor=alice,
        campaign=county_plan,
        village=r["luzhi_a"],
        swept_on=d(5, 4),
        swept_by=[alice, personas["bob"]],
        sites_found=1,
    )

    # The city page counts the sweeps of its plans; 相城区's village is a gap.
    coverage = selectors.sweep_coverage(city_plan)
    towns = {
        row["name"]: (row["villages"], row["swept"], row["percent"], row["sites"])
        for row in coverage["townships"]
    }
    assert towns == {"木渎镇": (2, 1, 50.0, 2), "甪直镇": (2, 1, 50.0, 1), "黄埭镇": (1, 0, 0.0, 0)}
    counties = {
        row["name"]: (row["villages"], row["swept"], row["percent"], row["sites"])
        for row in coverage["counties"]
    }
    assert counties == {"吴中区": (4, 2, 50.0, 3), "相城区": (1, 0, 0.0, 0)}
    assert (coverage["villages"], coverage["swept"], coverage["percent"], coverage["sites"]) == (
        5,
        2,
        40.0,
        3,
    )

    # A county officer opening the city campaign sees their own county's figures only.
    assert selectors.sweep_coverage(city_plan, user=personas["carol"])["villages"] == 1


def test_sweep_is_recorded_once_per_village_and_only_in_the_own_jurisdiction(
    county_plan, city_plan, personas, more_regions
):
    alice = personas["alice"]
    services.sweep_record(
        actor=alice, campaign=county_plan, village=more_regions["village"], swept_on=d(5, 3), swept_by=[alice]
    )
    with pytest.raises(ValidationError, match="已登记排查"):
        services.sweep_record(
            actor=personas["bob"],
            campaign=county_plan,
            village=more_regions["village"],
            swept_on=d(5, 4),
            swept_by=[alice],
        )
    with pytest.raises(ValidationError, match="不在您的辖区内"):
        services.sweep_record(
            actor=alice,
            campaign=city_plan,
            village=more_regions["xc_village"],
            swept_on=d(5, 4),
            swept_by=[alice],
        )
    with pytest.raises(ValidationError, match="不在该专项行动的区划"):
        services.sweep_record(
            actor=personas["carol"],
            campaign=county_plan,
            village=more_regions["xc_village"],
            swept_on=d(5, 4),
            swept_by=[alice],
        )
    with pytest.raises(ValidationError, match="村（社区）"):
        services.sweep_record(
            actor=alice,
            campaign=county_plan,
            village=more_regions["town"],
            swept_on=d(5, 4),
            swept_by=[alice],
        )
    assert [v.name for v in selectors.villages_to_sweep(county_plan, alice)] == [
        "山塘社区居委会",
        "澄湖村委会",
        "淞南村委会",
    ]


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "expected"),
    [
        (d(2, 20), d(12, 31), [d(3, 20), d(6, 20), d(9, 20), d(12, 20)]),
        (d(4, 1), d(9, 10), [d(6, 20)]),
        (d(3, 21), dt.date(2025, 3, 20), [d(6, 20), d(9, 20), d(12, 20), dt.date(2025, 3, 20)]),
    ],
)
def test_quarterly_due_dates_are_the_20th_of_each_quarters_last_month(starts_on, ends_on, expected):
    campaign = Campaign(starts_on=starts_on, ends_on=ends_on)
    requirement = FormRequirement(
        campaign=campaign, form_code="S004-Q", schedule=Schedule.QUARTERLY, day_of_month=20
    )
    assert due_dates(requirement, until=dt.date(2030, 1, 1)) == expected
    assert due_dates(requirement, until=d(6, 19)) == [x for x in expected if x <= d(6, 19)]


def test_once_at_end_and_after_operation_deadlines():
    campaign = Campaign(starts_on=d(4, 1), ends_on=d(10, 31))
    once = FormRequirement(campaign=campaign, schedule=Schedule.ONCE, due_on=d(8, 9))
    assert due_dates(once, until=d(12, 31)) == [d(8, 9)]
    assert due_dates(once, until=d(8, 8)) == []
    assert due_dates(FormRequirement(campaign=campaign, schedule=Schedule.AT_END), until=d(12, 31)) == [
        d(10, 31)
    ]
    after = FormRequirement(campaign=campaign, schedule=Schedule.AFTER_OPERATION, days_after=7)
    assert due_dates(after, until=d(12, 31)) == []
    assert due_after_operation(after, d(6, 14)) == d(6, 21)


def test_outreach_and_media_totals_per_region(city_plan, county_plan, personas, more_regions):
    r = more_regions
    alice, carol, dave = personas["alice"], personas["carol"], personas["dave"]
    services.outreach_record(
        actor=alice,
        campaign=county_plan,
        region=r["town"],
        held_on=d(5, 10),
        title="木渎镇宣教",
        people_reached=120,
    )
    services.outreach_record(
        actor=alice,
        campaign=county_plan,
        region=r["village"],
        held_on=d(6, 2),
        title="金星村宣教",
        people_reached=30,
    )
    services.outreach_record(
        actor=carol,
        campaign=city_plan,
        region=r["xiangcheng"],
        held_on=d(5, 12),
        title="相城宣教",
        people_reached=80,
    )
    services.media_record(
        actor=dave,
        campaign=city_plan,
        region=r["city"],
        published_on=d(5, 15),
        outlet="苏州日报",
        title="全市专项行动启动",
        count=2,
    )
    services.media_record(
        actor=alice,
        campaign=county_plan,
        region=r["wuzhong"],
        published_on=d(5, 16),
        outlet="吴中电视台",
        title="吴中区取缔黑诊所",
        link="https://example.cn/a",
    )

    assert selectors.outreach_totals(region=r["wuzhong"]) == {
        "events": 2,
        "people_reached": 150,
        "media_reports": 1,
        "outlets": 1,
    }
    assert selectors.outreach_totals(region=r["city"], campaign=city_plan) == {
        "events": 3,
        "people_reached": 230,
        "media_reports": 3,
        "outlets": 2,
    }
    assert selectors.outreach_totals(region=r["city"], start=d(6, 1), end=d(6, 30))["people_reached"] == 30
    rows = {
        row["name"]: (row["events"], row["people"], row["media"])
        for row in selectors.outreach_by_county(city_plan)
    }
    assert rows == {"苏州市": (0, 0, 2), "吴中区": (2, 150, 1), "相城区": (1, 80, 0)}

    with pytest.raises(ValidationError, match="不在您的辖区内"):
        services.outreach_record(
            actor=alice,
            campaign=city_plan,
            region=r["xiangcheng"],
            held_on=d(5, 1),
            title="x",
            people_reached=1,
        )
    with pytest.raises(ValidationError, match="报道次数"):
        services.media_record(
            actor=alice, region=r["wuzhong"], published_on=d(5, 1), outlet="x", title="y", count=0
        )


def test_campaigns_in_force_apply_from_above(
    province_campaign, city_plan, county_plan, personas, more_regions
):
    xc_plan = services.plan_create(
        actor=make_user("xcchief", personas["carol"].unit, Role.CHIEF, "相城科长"),
        parent=city_plan,
        unit=personas["carol"].unit,
        name="相城区实施方案",
        ends_on=d(9, 30),
    )
    in_force = set(selectors.campaigns_in_force(more_regions["village"], d(6, 1)))
    assert in_force == {province_campaign, city_plan, county_plan}
    assert set(selectors.campaigns_in_force("320507100201", d(10, 15))) == {province_campaign, city_plan}
    assert xc_plan not in in_force
    assert not selectors.campaigns_in_force(more_regions["village"], d(11, 1)).exists()
