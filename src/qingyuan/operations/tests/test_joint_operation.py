"""A joint operation end to end at service level: groups, targets, nominations, grants, results."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.operations import access, services
from qingyuan.operations.models import AccessGrant, OperationStatus

from .conftest import BORDERS, make_site

JUNE = (dt.date(2024, 6, 10), dt.date(2024, 6, 16))
OCTOBER = (dt.date(2024, 10, 14), dt.date(2024, 10, 20))


def at(day, hour=12):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=services.LOCAL_TZ)


@pytest.fixture
def operation(city, personas):
    dave = personas["dave"]
    for a, b in BORDERS:
        services.adjacency_add(actor=dave, a=city["counties"][a], b=city["counties"][b])
    return services.operation_create(
        actor=dave,
        name="2024年打击无证行医联动执法",
        nomination_deadline=dt.date(2024, 5, 31),
        periods=[JUNE, OCTOBER],
    )


def test_joint_operation_end_to_end(city, personas, regions, operation):
    dave, counties = personas["dave"], city["counties"]
    wz_site = make_site(regions["village"], "金星村黑诊所")
    xc_site = make_site(regions["xc_village"], "三埂村牙科诊所")
    make_site(regions["village"], "普通诊所", joint=False)

    assert set(services.target_candidates(operation)) == {wz_site, xc_site}
    services.targets_add(actor=dave, operation=operation, subjects=[wz_site, xc_site])

    groups = services.groups_propose(actor=dave, operation=operation)
    assert all(4 <= g.counties.count() <= 6 for g in groups)
    assert sorted(c.code for g in groups for c in g.counties.all()) == sorted(counties)
    wz_group = next(g for g in groups if g.counties.filter(code="320506").exists())
    # Put both counties in one group, as the city may edit the proposal.
    other = next(g for g in groups if g != wz_group)
    if not wz_group.counties.filter(code="320507").exists():
        services.group_save(
            actor=dave, group=other, name=other.name, counties=list(other.counties.exclude(code="320507"))
        )
        services.group_save(
            actor=dave, group=wz_group, name="吴中组", counties=[*wz_group.counties.all(), counties["320507"]]
        )
    wz_group.refresh_from_db()
    assert set(wz_group.targets.all()) == set(operation.targets.all())

    alice, bob = personas["alice"], personas["bob"]
    carol, erin = city["inspectors"]["320507"]
    today = dt.date(2024, 5, 20)
    services.nominations_set(actor=personas["chief"], operation=operation, users=[alice, bob], today=today)
    services.nominations_set(
        actor=city["chiefs"]["320507"], operation=operation, users=[carol, erin], today=today
    )
    with pytest.raises(ValidationError, match="最多提名2名"):
        third = make_user("dan", personas["chief"].unit, Role.INSPECTOR, "钱丹", "32050601003")
        services.nominations_set(
            actor=personas["chief"], operation=operation, users=[alice, bob, third], today=today
        )
    status = {row["county"].code: row for row in services.nomination_status(operation)}
    assert status["320506"]["missing"] == 0 and status["320509"]["missing"] == 2

    # Moving 相城区 left the other group with 3 counties: confirmed only with the reason recorded.
    with pytest.raises(ValidationError, match="少于每组4个"):
        services.operation_confirm(actor=dave, operation=operation)
    grants = services.operation_confirm(
        actor=dave, operation=operation, grouping_reason="两区交界点位须同组查处"
    )
    operation.refresh_from_db()
    assert operation.status == OperationStatus.CONFIRMED
    assert operation.grouping_reason == "两区交界点位须同组查处"
    # Every member of the other county gets one grant per period per site of the group; each
    # county's officers need none for their own county's site.
    members_by_county = {"320506": {alice, bob}, "320507": {carol, erin}}
    for site, own in ((wz_site, "320506"), (xc_site, "320507")):
        holders = {g.user for g in grants if g.subject == site}
        assert holders & members_by_county[own] == set()
        assert members_by_county["320507" if own == "320506" else "320506"] <= holders
    assert len([g for g in grants if g.subject == wz_site and g.user == carol]) == 2
    assert AuditEvent.objects.filter(target_type="operations.accessgrant").count() == len(grants)

    assert not access.granted(carol, wz_site, at(JUNE[0] - dt.timedelta(days=1)))
    assert access.granted(carol, wz_site, at(JUNE[0], 0))
    assert access.granted(carol, wz_site, at(JUNE[1], 23))
    assert not access.granted(carol, wz_site, at(JUNE[1] + dt.timedelta(days=1), 0))
    assert not access.granted(carol, wz_site, at(dt.date(2024, 8, 1)))
    assert access.granted(carol, wz_site, at(OCTOBER[0]))
    assert not access.granted(alice, wz_site, at(JUNE[0]))  # her own county: her jurisdiction, no grant
    assert access.granted_subject_ids(alice, at(JUNE[0])) == {xc_site.pk}

    for grant in AccessGrant.objects.filter(user=carol, subject=wz_site):
        services.grant_revoke(actor=dave, grant=grant)
    assert not access.granted(carol, wz_site, at(OCTOBER[0]))
    assert access.granted(erin, wz_site, at(OCTOBER[0]))

    target = operation.targets.get(subject=wz_site)
    result = services.result_report(
        actor=personas["chief"], target=target, notes="取缔1户", reported_on=dt.date(2024, 10, 30)
    )
    assert result.due_on == dt.date(2024, 10, 27) and result.late
    with pytest.raises(PermissionDenied):
        services.result_report(actor=city["chiefs"]["320507"], target=target, notes="x")
    services.evaluation_add(actor=dave, operation=operation, text="行动效果良好")

    services.operation_close(actor=dave, operation=operation)
    assert not AccessGrant.objects.filter(
        operation=operation, revoked_at=None, ends_at__gt=dt.datetime.now(dt.UTC)
    ).exists()


def test_late_nomination_is_refused_until_the_city_reopens(city, personas, operation):
    chief, alice = personas["chief"], personas["alice"]
    with pytest.raises(ValidationError, match="提名已于2024年5月31日截止"):
        services.nominations_set(actor=chief, operation=operation, users=[alice], today=dt.date(2024, 6, 1))
    assert not operation.nominations.exists()
    services.nominations_reopen(actor=personas["dave"], operation=operation, deadline=dt.date(2024, 6, 5))
    operation.refresh_from_db()
    services.nominations_set(actor=chief, operation=operation, users=[alice], today=dt.date(2024, 6, 1))
    assert list(operation.nominations.values_list("user__username", flat=True)) == ["alice"]


def test_only_credentialed_inspectors_of_the_own_unit_can_be_nominated(city, personas, operation):
    today = dt.date(2024, 5, 1)
    with pytest.raises(ValidationError, match="本单位持有执法证的监督员"):
        services.nominations_set(
            actor=personas["chief"], operation=operation, users=[personas["carol"]], today=today
        )
    with pytest.raises(ValidationError, match="本单位持有执法证的监督员"):
        services.nominations_set(
            actor=personas["chief"], operation=operation, users=[personas["clerk"]], today=today
        )
    with pytest.raises(PermissionDenied):
        services.nominations_set(
            actor=personas["alice"], operation=operation, users=[personas["bob"]], today=today
        )


def test_adjacency_is_symmetric_and_stored_once(city, personas):
    wz, xc = city["counties"]["320506"], city["counties"]["320507"]
    services.adjacency_add(actor=personas["dave"], a=xc, b=wz)
    services.adjacency_add(actor=personas["dave"], a=wz, b=xc)
    rows = services.adjacency_of([wz, xc])
    assert [(r.a_id, r.b_id) for r in rows] == [("320506", "320507")]
    with pytest.raises(PermissionDenied):
        services.adjacency_add(actor=personas["chief"], a=wz, b=xc)


def test_only_sites_needing_joint_action_can_be_targets(city, personas, regions, operation):
    plain = make_site(regions["village"], "普通诊所", joint=False)
    with pytest.raises(ValidationError, match="需联合查处"):
        services.targets_add(actor=personas["dave"], operation=operation, subjects=[plain])
