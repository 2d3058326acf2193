"""Joint operations, jurisdiction disputes and spot checks on the one workflow mechanism: a step from
the wrong state or by someone who may not take it is refused with nothing written; a step taken
writes one audit row of action "transition" naming the step."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.operations import services
from qingyuan.operations.models import (
    DisputeStatus,
    JointOperation,
    OperationStatus,
    Population,
    SpotCheckPlan,
    SpotCheckStatus,
)
from qingyuan.registry.models import Institution

from .conftest import make_site


def _rows(record, action=None):
    rows = AuditEvent.objects.filter(target_type=record._meta.label_lower, target_id=str(record.pk))
    return rows.filter(action=action) if action else rows


# --- joint operations -----------------------------------------------------------------------


@pytest.fixture
def operation(personas):
    return services.operation_create(
        actor=personas["dave"],
        name="联动执法行动",
        nomination_deadline=dt.date(2024, 5, 31),
        periods=[(dt.date(2024, 6, 10), dt.date(2024, 6, 16))],
    )


def test_confirming_and_closing_write_one_transition_row_each(operation, personas):
    services.groups_propose(actor=personas["dave"], operation=operation)
    services.operation_confirm(actor=personas["dave"], operation=operation)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.CONFIRMED and operation.confirmed_at is not None
    (row,) = _rows(operation, "transition")
    assert row.after["action"] == "confirm" and row.after["status"] == "confirmed"
    assert row.before["status"] == "planning" and row.region_code == "320500"

    services.operation_close(actor=personas["dave"], operation=operation)
    assert JointOperation.objects.get(pk=operation.pk).status == OperationStatus.CLOSED
    assert [r.after["action"] for r in _rows(operation, "transition").order_by("id")] == ["confirm", "close"]


def test_confirming_without_groups_is_refused_and_writes_nothing(operation, personas):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="请先划分行动分组"):
        services.operation_confirm(actor=personas["dave"], operation=operation)
    assert AuditEvent.objects.count() == before
    assert JointOperation.objects.get(pk=operation.pk).status == OperationStatus.PLANNING


def test_a_closed_operation_can_be_neither_closed_again_nor_confirmed(operation, personas):
    services.groups_propose(actor=personas["dave"], operation=operation)
    services.operation_close(actor=personas["dave"], operation=operation)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="联动执法行动当前为“已结束”，不能执行“结束行动”"):
        services.operation_close(actor=personas["dave"], operation=operation)
    with pytest.raises(ValidationError, match="不能执行“确认小组并授权”"):
        services.operation_confirm(actor=personas["dave"], operation=operation)
    assert AuditEvent.objects.count() == before and not operation.grants.exists()


def test_only_the_running_unit_with_the_permission_confirms(operation, personas, units):
    services.groups_propose(actor=personas["dave"], operation=operation)
    county_leader = make_user("wzleader", units["wuzhong"], Role.LEADER, "吴中区领导")
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied, match="不由本单位组织"):
        services.operation_confirm(actor=county_leader, operation=operation)
    # The city's auditor is in the city but may not run operations.
    with pytest.raises(PermissionDenied, match="没有“确认小组并授权”的权限"):
        services.operation_confirm(actor=personas["aud"], operation=operation)
    assert AuditEvent.objects.count() == before
    assert JointOperation.objects.get(pk=operation.pk).status == OperationStatus.PLANNING


# --- jurisdiction disputes ------------------------------------------------------------------


@pytest.fixture
def dispute(regions, personas):
    site = make_site(regions["village"], "交界诊所", border=True)
    return services.dispute_raise(
        actor=personas["chief"],
        subject=site,
        counties=[regions["wuzhong"], regions["xiangcheng"]],
        reason="两区均认为不属本辖区",
        raised_on=dt.date(2024, 3, 4),
    )


def _resolve(actor, dispute, unit, **kw):
    return services.dispute_resolve(
        actor=actor,
        dispute=dispute,
        unit=unit,
        decision=kw.pop("decision", "指定相城区管辖"),
        designated=kw.pop("designated", True),
        decided_on=dt.date(2024, 3, 12),
    )


def test_a_designation_writes_one_transition_row_and_the_grant_its_own(dispute, personas, units):
    _resolve(personas["dave"], dispute, units["xiangcheng"])
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DESIGNATED and dispute.resolved_unit == units["xiangcheng"]
    (row,) = _rows(dispute, "transition")
    assert row.after["action"] == "resolve" and row.after["status"] == "designated"
    assert row.region_code == dispute.subject.region_id
    assert _rows(dispute.grants.get(), "create").count() == 1


def test_a_settled_dispute_is_not_settled_again(dispute, personas, units):
    _resolve(personas["dave"], dispute, units["xiangcheng"])
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="管辖争议当前为“已指定管辖”，不能执行“作出管辖决定”"):
        _resolve(personas["dave"], dispute, units["wuzhong"], designated=False, decision="属吴中区")
    assert AuditEvent.objects.count() == before
    dispute.refresh_from_db()
    assert dispute.resolved_unit == units["xiangcheng"] and dispute.grants.count() == 1


def test_a_county_may_not_settle_a_dispute_and_nothing_is_written(dispute, personas, units):
    county_leader = make_user("wzleader", units["wuzhong"], Role.LEADER, "吴中区领导")
    before = AuditEvent.objects.count()
    for actor, reason in (
        (county_leader, "区县不能作出决定"),
        (personas["chief"], "您没有“作出管辖决定”的权限"),
        (personas["aud"], "您没有“作出管辖决定”的权限"),
        (personas["carol"], "不在您的管辖范围内|没有“作出管辖决定”的权限"),
    ):
        with pytest.raises(PermissionDenied, match=reason):
            _resolve(actor, dispute, units["wuzhong"], designated=False)
    assert AuditEvent.objects.count() == before
    assert type(dispute).objects.get(pk=dispute.pk).status == DisputeStatus.OPEN


def test_a_bad_unit_is_named_at_its_field(dispute, personas, units):
    with pytest.raises(ValidationError) as refused:
        _resolve(personas["dave"], dispute, units["city"])
    assert refused.value.message_dict == {"unit": ["请选择本市一个区县的执法单位"]}
    assert not _rows(dispute, "transition").exists()


# --- spot checks ----------------------------------------------------------------------------


@pytest.fixture
def plan(personas, regions, units):
    for i in range(2):
        make_user(f"sup{i}", units["city"], Role.SUPERVISOR, f"督查员{i}", f"3205000100{i}")
    Institution.objects.create(
        name="甲诊所", category="clinic", licence_no="L1", address="某路", region=regions["village"]
    )
    return services.spotcheck_create(
        actor=personas["dave"],
        region=regions["wuzhong"],
        name="市级抽查",
        population=Population.INSTITUTIONS,
        seed=1,
    )


def _record_all(plan):
    # Permission follows the draw: one of the drawn inspectors records every item.
    for item in plan.items.all():
        services.spotcheck_record(actor=plan.inspectors.first(), item=item, result="合格", compliant=True)


def test_drawing_and_publishing_move_the_status_and_keep_the_flags(plan, personas):
    assert plan.status == SpotCheckStatus.DRAFT
    services.spotcheck_draw(actor=personas["dave"], plan=plan)
    plan.refresh_from_db()
    assert plan.status == SpotCheckStatus.DRAWN and plan.drawn_at is not None and not plan.published
    (row,) = _rows(plan, "transition")
    assert row.after["action"] == "draw" and row.after["status"] == "drawn"
    # What was drawn stays in the log beside the step.
    assert _rows(plan, "update").get().after["items"] == list(
        plan.items.values_list("institution_id", flat=True)
    )

    _record_all(plan)
    services.spotcheck_complete(actor=personas["dave"], plan=plan)
    services.spotcheck_publish(actor=personas["dave"], plan=plan)
    plan.refresh_from_db()
    assert plan.status == SpotCheckStatus.PUBLISHED and plan.published and plan.published_at is not None
    assert [r.after["action"] for r in _rows(plan, "transition").order_by("id")] == [
        "draw",
        "complete",
        "publish",
    ]


def test_publishing_before_drawing_is_refused_and_writes_nothing(plan, personas):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="督查抽查当前为“已创建”，不能执行“公开”"):
        services.spotcheck_publish(actor=personas["dave"], plan=plan)
    assert AuditEvent.objects.count() == before
    plan.refresh_from_db()
    assert plan.status == SpotCheckStatus.DRAFT and not plan.published


def test_a_published_sample_is_not_redrawn(plan, personas, login):
    services.spotcheck_draw(actor=personas["dave"], plan=plan)
    _record_all(plan)
    services.spotcheck_complete(actor=personas["dave"], plan=plan)
    services.spotcheck_publish(actor=personas["dave"], plan=plan)
    items = list(plan.items.values_list("pk", flat=True))
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="不能执行“抽取样本和督查人员”"):
        services.spotcheck_draw(actor=personas["dave"], plan=plan)
    assert AuditEvent.objects.count() == before
    assert list(plan.items.values_list("pk", flat=True)) == items
    page = login("dave").get(plan.get_absolute_url()).content.decode()
    assert "重新抽取" not in page and "公示页" in page


def test_only_the_planning_unit_with_the_permission_draws(plan, personas, units):
    other_unit = make_user("xcleader", units["xiangcheng"], Role.LEADER, "相城区领导")
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        services.spotcheck_draw(actor=other_unit, plan=plan)
    with pytest.raises(PermissionDenied, match="没有“抽取样本和督查人员”的权限"):
        services.spotcheck_draw(actor=personas["aud"], plan=plan)
    assert AuditEvent.objects.count() == before
    plan.refresh_from_db()
    assert plan.status == SpotCheckStatus.DRAFT and not plan.items.exists()


def test_the_migration_reads_the_status_from_the_old_flags(plan, personas):
    """Plans made before the status existed: drawn_at and published say where each one stands."""
    migration = importlib.import_module("qingyuan.operations.migrations.0003_spotcheck_status")
    drawn_at = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    for name, flags in (
        ("已抽取", {"drawn_at": drawn_at}),
        ("已公开", {"drawn_at": drawn_at, "published": True}),
    ):
        SpotCheckPlan.objects.create(
            unit=plan.unit,
            region=plan.region,
            name=name,
            population=plan.population,
            seed=2,
            created_by=personas["dave"],
            **flags,
        )
    assert set(SpotCheckPlan.objects.values_list("status", flat=True)) == {"draft"}
    migration.status_from_flags(apps, None)
    states = dict(SpotCheckPlan.objects.values_list("name", "status"))
    assert states == {"市级抽查": "draft", "已抽取": "drawn", "已公开": "published"}


# --- the pages ------------------------------------------------------------------------------


def test_steps_posted_by_those_who_may_not_take_them_are_refused_with_nothing_written(
    operation, dispute, plan, personas, units, login
):
    from django.test import Client
    from django.urls import reverse

    services.groups_propose(actor=personas["dave"], operation=operation)
    posts = [reverse("operations:action", args=[operation.pk, a]) for a in ("confirm", "close")]
    posts += [reverse("operations:spotcheck_action", args=[plan.pk, a]) for a in ("draw", "publish")]
    posts.append(dispute.get_absolute_url())
    clients = {"carol": login("carol"), "aud": login("aud")}
    for username, unit in (("wzleader", units["wuzhong"]), ("xcleader", units["xiangcheng"])):
        clients[username] = Client()
        clients[username].force_login(make_user(username, unit, Role.LEADER, f"{unit.region.name}领导"))
    before = AuditEvent.objects.exclude(action__in=["login", "logout"]).count()
    form = {"unit": units["wuzhong"].pk, "decision": "属吴中区", "designated": ""}
    for username, client in clients.items():
        for url in posts:
            assert client.post(url, form).status_code in (403, 404), (username, url)
    assert AuditEvent.objects.exclude(action__in=["login", "logout"]).count() == before
    assert JointOperation.objects.get(pk=operation.pk).status == OperationStatus.PLANNING
    assert type(dispute).objects.get(pk=dispute.pk).status == DisputeStatus.OPEN
    assert SpotCheckPlan.objects.get(pk=plan.pk).status == SpotCheckStatus.DRAFT
