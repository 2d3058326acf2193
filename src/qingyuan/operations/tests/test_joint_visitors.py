"""Joint operations as the visiting officers and the city use them (issue 15): the targets reached from
the operation page under the grant, the grant named in the audit rows it allows, a week per period
unless a reason is recorded, groups of 4–6 covering every county unless a reason is recorded, the team
editor, and S001-A3 counted from the records only."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qingyuan.core.models import AuditEvent
from qingyuan.inspections import services as inspections
from qingyuan.operations import services
from qingyuan.operations.models import JointOperation, OperationResult, OperationStatus
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.forms.s001 import S001A3

from .conftest import BORDERS, make_site

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(city, personas, regions):
    """An operation running this week: 吴中区's site is a target; two officers of another county of
    吴中区's group are nominated, in its team, and hold grants for the site."""
    dave = personas["dave"]
    for a, b in BORDERS:
        services.adjacency_add(actor=dave, a=city["counties"][a], b=city["counties"][b])
    today = timezone.localdate()
    operation = services.operation_create(
        actor=dave,
        name="本周联动执法",
        nomination_deadline=today + dt.timedelta(days=30),
        periods=[(today - dt.timedelta(days=1), today + dt.timedelta(days=5))],
    )
    site = make_site(regions["village"], "金星村黑诊所")
    services.targets_add(actor=dave, operation=operation, subjects=[site])
    groups = services.groups_propose(actor=dave, operation=operation)
    group = next(g for g in groups if g.counties.filter(code="320506").exists())
    other = next(g for g in groups if g != group)
    visiting = next(c.code for c in group.counties.order_by("code") if c.code != "320506")
    outsider_county = other.counties.order_by("code").first().code
    visitors = city["inspectors"][visiting]
    services.nominations_set(actor=city["chiefs"][visiting], operation=operation, users=visitors)
    services.nominations_set(
        actor=city["chiefs"][outsider_county], operation=operation, users=city["inspectors"][outsider_county]
    )
    services.operation_confirm(actor=dave, operation=operation)
    operation.refresh_from_db()
    return {
        "operation": operation,
        "site": site,
        "group": group,
        "visitors": visitors,
        "outsider": city["inspectors"][outsider_county][0],
    }


def _record(officers, site, kind="special", vehicles=1):
    return inspections.inspection_record(
        actor=officers[0],
        subject=site,
        kind=kind,
        started_at=timezone.now() - dt.timedelta(minutes=30),
        officers=officers,
        vehicles=vehicles,
        findings="联动执法现场检查",
        outcome="violation",
    )


def test_visiting_officer_reaches_the_target_from_the_operation_page(world):
    operation, site, visitor = world["operation"], world["site"], world["visitors"][0]
    assert operation.status == OperationStatus.CONFIRMED
    client = client_for(visitor)
    page = client.get(operation.get_absolute_url()).content.decode()
    inspect_url = f"{reverse('inspections:create')}?subject={site.pk}"
    assert site.get_absolute_url() in page and inspect_url in page and "记录检查" in page
    assert client.get(site.get_absolute_url()).status_code == 200
    assert "记录监督检查" in client.get(inspect_url).content.decode()
    assert "记录检查后可上传证据" in page

    inspection = _record(world["visitors"], site)
    page = client.get(operation.get_absolute_url()).content.decode()
    assert f"{inspection.get_absolute_url()}#evidence" in page and "上传证据" in page
    assert client.get(inspection.get_absolute_url()).status_code == 200


def test_the_grant_is_named_in_the_audit_rows_it_allows(world, settings, tmp_path):
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path
    operation, site, visitors = world["operation"], world["site"], world["visitors"]
    inspection = _record(visitors, site)
    evidence = inspections.evidence_add(
        actor=visitors[0],
        subject=site,
        inspection=inspection,
        kind="photo",
        uploaded_file=SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
    )
    for target_type, pk in (("inspections.inspection", inspection.pk), ("inspections.evidence", evidence.pk)):
        row = AuditEvent.objects.get(target_type=target_type, target_id=str(pk))
        named = row.after["access_grants"]
        assert {g["user"] for g in named} >= {visitors[0].pk}
        grant = operation.grants.get(user=visitors[0], subject=site)
        assert {
            "grant": grant.pk,
            "operation": operation.pk,
            "operation_name": "本周联动执法",
        }.items() <= next(g for g in named if g["user"] == visitors[0].pk).items()


def test_the_own_countys_visit_names_no_grant(world, personas):
    inspection = _record([personas["alice"], personas["bob"]], world["site"])
    row = AuditEvent.objects.get(target_type="inspections.inspection", target_id=str(inspection.pk))
    assert "access_grants" not in row.after


def test_an_officer_outside_the_team_gets_404_and_no_links(world):
    operation, site = world["operation"], world["site"]
    client = client_for(world["outsider"])
    page = client.get(operation.get_absolute_url()).content.decode()
    assert f"?subject={site.pk}" not in page and site.get_absolute_url() not in page
    assert client.get(site.get_absolute_url()).status_code == 404
    assert client.get(f"{reverse('inspections:create')}?subject={site.pk}").status_code == 404


def test_an_eight_day_period_is_refused_without_a_reason_and_accepted_with_one(login, personas):
    dave = login("dave")
    form = {
        "name": "八天行动",
        "nomination_deadline": "2030-05-31",
        "nominations_per_county": 2,
        "first_starts_on": "2030-06-10",
        "first_ends_on": "2030-06-17",
    }
    response = dave.post(reverse("operations:create"), form)
    page = response.content.decode()
    assert response.status_code == 200 and "共8天，超过规定的7天" in page and "延长原因" in page
    assert 'value="八天行动"' in page and not JointOperation.objects.exists()

    response = dave.post(reverse("operations:create"), {**form, "first_extended_reason": "端午假期顺延一天"})
    operation = JointOperation.objects.get()
    assert response.status_code == 302
    assert "延长原因：端午假期顺延一天" in dave.get(operation.get_absolute_url()).content.decode()
    row = AuditEvent.objects.get(target_type="operations.jointoperation", target_id=str(operation.pk))
    assert row.after["periods"] == [["2030-06-10", "2030-06-17", "端午假期顺延一天"]]


def test_the_limit_is_rules_data(personas):
    from qingyuan.rules.models import Threshold

    Threshold.objects.filter(code="JOINT_OPERATION_DAYS").update(value=10)
    operation = services.operation_create(
        actor=personas["dave"],
        name="十天以内",
        nomination_deadline=dt.date(2030, 5, 31),
        periods=[(dt.date(2030, 6, 10), dt.date(2030, 6, 19))],
    )
    assert operation.periods.get().extended_reason == ""


def test_a_bad_grouping_is_warned_and_refused_without_a_reason(city, login, personas):
    dave = personas["dave"]
    operation = services.operation_create(
        actor=dave,
        name="分组检查",
        nomination_deadline=dt.date(2030, 5, 31),
        periods=[(dt.date(2030, 6, 10), dt.date(2030, 6, 16))],
    )
    groups = services.groups_propose(actor=dave, operation=operation)
    assert services.grouping_problems(operation) == []
    # The issue's case: a group cut down to one county, the others left in no group.
    first = groups[0]
    kept = first.counties.order_by("code").first()
    services.group_save(actor=dave, group=first, name=first.name, counties=[kept])
    client = login("dave")
    page = client.get(operation.get_absolute_url()).content.decode()
    assert "未编入任何分组的区县" in page and f"{first.name}只有1个区县" in page

    url = reverse("operations:action", args=[operation.pk, "confirm"])
    response = client.post(url, {})
    assert response.status_code == 200 and "请填写原因后再确认" in response.content.decode()
    operation.refresh_from_db()
    assert operation.status == OperationStatus.PLANNING

    assert client.post(url, {"grouping_reason": "虎丘区本次无点位，单独行动"}).status_code == 302
    operation.refresh_from_db()
    assert operation.status == OperationStatus.CONFIRMED
    assert operation.grouping_reason == "虎丘区本次无点位，单独行动"
    assert (
        "已记录原因：虎丘区本次无点位，单独行动" in client.get(operation.get_absolute_url()).content.decode()
    )
    row = AuditEvent.objects.filter(target_type="operations.jointoperation", after__action="confirm").get()
    assert row.after["grouping_reason"] == "虎丘区本次无点位，单独行动"


def test_the_city_edits_a_team_from_the_operation_page(city, login, personas):
    dave = personas["dave"]
    operation = services.operation_create(
        actor=dave,
        name="小组编排",
        nomination_deadline=dt.date(2030, 5, 31),
        periods=[(dt.date(2030, 6, 10), dt.date(2030, 6, 16))],
    )
    group = services.groups_propose(actor=dave, operation=operation)[0]
    code = group.counties.order_by("code").first().code
    a, b = city["inspectors"][code]
    services.nominations_set(actor=city["chiefs"][code], operation=operation, users=[a, b])
    url = reverse("operations:team_edit", args=[operation.pk, group.pk])
    client = login("dave")
    assert url in client.get(operation.get_absolute_url()).content.decode()
    assert a.full_name in client.get(url).content.decode()

    response = client.post(url, {"members": [a.pk], "leader": b.pk})
    assert response.status_code == 200 and "带队人须为本组队员" in response.content.decode()
    response = client.post(url, {"members": [a.pk, personas["carol"].pk], "leader": a.pk})
    assert response.status_code == 200 and not hasattr(group, "team")
    assert client.post(url, {"members": [a.pk, b.pk], "leader": b.pk}).status_code == 302
    group.refresh_from_db()
    assert set(group.team.members.all()) == {a, b} and group.team.leader == b
    assert "带队" in client.get(operation.get_absolute_url()).content.decode()

    # A county chief may not edit the city's teams (a role's area only: 404, as elsewhere).
    assert login("chief").post(url, {"members": [a.pk], "leader": a.pk}).status_code == 404
    group.team.refresh_from_db()
    assert group.team.leader == b
    # The county withdraws one nominee afterwards: confirming takes them out of the team (no grant).
    services.nominations_set(actor=city["chiefs"][code], operation=operation, users=[b])
    services.operation_confirm(actor=dave, operation=operation, grouping_reason="测试")
    group.team.refresh_from_db()
    assert list(group.team.members.all()) == [b] and group.team.leader == b
    assert not operation.grants.filter(user=a).exists()


def test_s001_a3_comes_from_the_records_and_the_county_writes_notes_only(world, city, personas):
    operation, site, visitors = world["operation"], world["site"], world["visitors"]
    _record(visitors, site, vehicles=2)
    _record([personas["alice"], personas["bob"]], site, kind="recheck", vehicles=1)
    target = operation.targets.get()

    chief = client_for(personas["chief"])
    url = reverse("operations:result", args=[operation.pk, target.pk])
    page = chief.get(url).content.decode()
    assert "出动执法人次数" in page and "<td>4</td>" in page and "<td>3</td>" in page
    response = chief.post(url, {"notes": "取缔1户，移交复查", "educated": 500, "officer_trips": 99})
    assert response.status_code == 302
    result = OperationResult.objects.get()
    assert result.notes == "取缔1户，移交复查"
    assert not any(hasattr(result, f) for f in ("educated", "officer_trips", "vehicle_trips"))

    span = services.operation_span(operation)
    figures = (
        S001A3()
        .compute(Scope(city["counties"]["320506"], span[0], span[1], operation=operation))
        .table("main")
        .cells["figures"]
    )
    assert figures["officer_trips"] == 4 and figures["vehicle_trips"] == 3
    assert figures["rechecked"] == 1 and figures["educated"] == 0
    assert dict(services.target_figures(target))["出动执法人次数"] == figures["officer_trips"]
    # The county's 附件3 is that form: the operation page links to it for the county.
    page = chief.get(operation.get_absolute_url()).content.decode()
    assert f"operation={operation.pk}" in page and "region=320506" in page
    # Another county's chief may not write 吴中区's account.
    assert client_for(city["chiefs"]["320507"]).get(url).status_code == 404


def test_a_mixed_team_records_one_visit_together(world, personas):
    """The host county's officer and the visitor from the neighbouring county are both offered on the
    inspection form of either, and one inspection records them together; an officer outside the
    operation is not offered."""
    from qingyuan.inspections.forms import InspectionForm
    from qingyuan.operations.access import joint_teammates
    from qingyuan.operations.models import Team

    alice = personas["alice"]  # 吴中区, the site's own county
    visitor = world["visitors"][0]
    team = Team.objects.get(group=world["group"])
    team.members.add(alice)

    offered = set(
        InspectionForm(actor=visitor, teammates=joint_teammates(visitor, world["site"]))
        .fields["officers"]
        .queryset.values_list("pk", flat=True)
    )
    assert alice.pk in offered and visitor.pk in offered
    assert world["outsider"].pk not in offered
    host_offered = set(
        InspectionForm(actor=alice, teammates=joint_teammates(alice, world["site"]))
        .fields["officers"]
        .queryset.values_list("pk", flat=True)
    )
    assert visitor.pk in host_offered

    inspection = _record([visitor, alice], world["site"])
    assert set(inspection.officers.values_list("pk", flat=True)) == {visitor.pk, alice.pk}
    # Away from the operation's site nobody from the other county is offered.
    elsewhere = make_site(personas["alice"].unit.region, "别处诊所")
    assert joint_teammates(alice, elsewhere) == set()
