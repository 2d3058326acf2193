"""Spot checks (双随机): ≥30% per county, reproducible from the seed, inspectors drawn with recusal."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.operations import services
from qingyuan.operations.models import Population
from qingyuan.regions.models import Unit, UnitKind
from qingyuan.registry.models import Institution


def _institutions(region, n, start=0):
    return [
        Institution.objects.create(
            name=f"{region.name}诊所{i}",
            category="clinic",
            licence_no=f"L{region.code}{i:03d}",
            address="某路",
            region=region,
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def pool(units):
    return [
        make_user("sup1", units["city"], Role.SUPERVISOR, "督查甲", "32050001001"),
        make_user("sup2", units["city"], Role.SUPERVISOR, "督查乙", "32050001002"),
    ]


@pytest.fixture
def population(regions):
    return {
        "wuzhong": _institutions(regions["village"], 10),
        "xiangcheng": _institutions(regions["xc_village"], 4),
    }


def _plan(dave, region, seed=42, ratio=Decimal("0.30")):
    return services.spotcheck_create(
        actor=dave,
        region=region,
        name="2024年市级督查",
        population=Population.INSTITUTIONS,
        ratio=ratio,
        seed=seed,
    )


def _items(plan):
    return sorted(plan.items.values_list("institution_id", flat=True))


def test_sample_is_stratified_by_county_with_ceil_of_ratio(regions, units, pool, population):
    province = Unit.objects.create(
        name="江苏省卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=regions["province"]
    )
    leader = make_user("prov", province, Role.LEADER, "省领导")
    prov_pool = [
        make_user(f"ps{i}", province, Role.SUPERVISOR, f"省督查{i}", f"3200000100{i}") for i in range(3)
    ]
    plan = services.spotcheck_draw(actor=leader, plan=_plan(leader, regions["city"]))
    assert plan.items.filter(county_id="320506").count() == 3  # 10 × 30%
    assert plan.items.filter(county_id="320507").count() == 2  # ceil(4 × 30%)
    wz_ids = {i.pk for i in population["wuzhong"]}
    assert set(plan.items.filter(county_id="320506").values_list("institution_id", flat=True)) <= wz_ids
    # The city's own supervisors are inside the checked region: recused, only the province's drawn.
    assert set(plan.inspectors.all()) <= set(prov_pool) and plan.inspectors.count() == 2


def test_same_seed_same_items_different_seed_different_items(personas, regions, pool, population):
    dave = personas["dave"]
    first = services.spotcheck_draw(actor=dave, plan=_plan(dave, regions["wuzhong"], seed=7))
    again = services.spotcheck_draw(actor=dave, plan=_plan(dave, regions["wuzhong"], seed=7))
    other = services.spotcheck_draw(actor=dave, plan=_plan(dave, regions["wuzhong"], seed=8))
    assert _items(first) == _items(again)
    assert _items(first) != _items(other)
    redrawn = services.spotcheck_draw(actor=dave, plan=first)
    assert _items(redrawn) == _items(again)


def test_seed_is_generated_and_recorded_when_not_given(personas, regions):
    plan = services.spotcheck_create(
        actor=personas["dave"], region=regions["wuzhong"], name="抽查", population=Population.INSTITUTIONS
    )
    assert plan.seed > 0 and plan.ratio == Decimal("0.30")


def test_no_inspector_of_the_checked_county_is_drawn(personas, regions, units, pool, population):
    # The checked county's own officers are in the city's jurisdiction but must recuse themselves.
    plan = services.spotcheck_draw(actor=personas["dave"], plan=_plan(personas["dave"], regions["wuzhong"]))
    drawn = set(plan.inspectors.all())
    assert personas["alice"] not in drawn and personas["bob"] not in drawn
    for seed in range(20):
        plan = services.spotcheck_draw(
            actor=personas["dave"], plan=_plan(personas["dave"], regions["wuzhong"], seed=seed)
        )
        assert not plan.inspectors.filter(unit=units["wuzhong"]).exists()


def test_too_small_a_pool_is_refused(personas, regions, population):
    # Only alice, bob (checked county) and carol are credentialed: after recusal one remains.
    plan = _plan(personas["dave"], regions["wuzhong"])
    with pytest.raises(ValidationError, match="可抽取的督查人员不足"):
        services.spotcheck_draw(actor=personas["dave"], plan=plan)
    assert not plan.items.exists()


def test_ratio_below_thirty_percent_is_refused(personas, regions):
    with pytest.raises(ValidationError, match="不得低于30%"):
        _plan(personas["dave"], regions["wuzhong"], ratio=Decimal("0.29"))


def test_a_county_cannot_spot_check_the_city(personas, regions, units):
    sup = make_user("wzsup", units["wuzhong"], Role.SUPERVISOR, "区督查", "32050601009")
    with pytest.raises(ValidationError, match="下级"):
        _plan(sup, regions["city"])


def test_results_recorded_and_published(personas, regions, pool, population):
    dave = personas["dave"]
    plan = services.spotcheck_draw(actor=dave, plan=_plan(dave, regions["wuzhong"]))
    sup = plan.inspectors.first()  # permission follows the draw (test_spotcheck_draw.py)
    item = plan.items.first()
    services.spotcheck_record(actor=sup, item=item, result="证照齐全", compliant=True)
    item.refresh_from_db()
    assert item.compliant and item.recorded_by == sup
    with pytest.raises(ValidationError, match="不能重新抽取"):
        services.spotcheck_draw(actor=dave, plan=plan)
    for other in plan.items.exclude(pk=item.pk):
        services.spotcheck_record(actor=sup, item=other, result="证照齐全", compliant=True)
    services.spotcheck_complete(actor=dave, plan=plan)
    services.spotcheck_publish(actor=dave, plan=plan)
    plan.refresh_from_db()
    assert plan.published
