"""The steps of joint operations, jurisdiction disputes and spot checks, declared once on the one
workflow mechanism (core.workflow): services take every status change through `Workflow.take`, so each is
locked, checked, audited and refused alike.

- Joint operation: 筹备中 → 已部署 (the city confirms the teams and grants access; a grouping that
  departs from seed 001 only with a recorded reason) → 已结束; an operation may also be ended before
  it is deployed. Only the unit that runs it (or one above).
- Jurisdiction dispute: 待处理 → 已明确管辖 or 已指定管辖, by the city (the level above decides
  within 7 working days: the due date is set when the dispute is raised, disputes.dispute_due_on).
- Spot check: 已创建 → 已抽取 (redrawn from the same seed while no result is recorded; the drawn
  inspectors record results) → 已结束 (every drawn item has its result; recording ends) → 已公开.
  Only the planning unit draws, ends and publishes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from qingyuan.core.workflow import NotPermitted, Transition, TransitionNotAllowed, Workflow
from qingyuan.regions.models import Level

from ._common import _in_jurisdiction
from .joint import grouping_condition
from .models import (
    DisputeStatus,
    JointOperation,
    JurisdictionDispute,
    OperationStatus,
    SpotCheckPlan,
    SpotCheckStatus,
)


def precheck(workflow: Workflow, obj, action: str, actor) -> None:
    """State, jurisdiction and permission before the step's inputs are looked at, so that someone
    who may not act is refused as such whatever they typed (`take` checks again on the locked row)."""
    try:
        workflow.check(obj, action, actor, conditions=False)
    except NotPermitted:
        raise
    except TransitionNotAllowed as refused:
        raise ValidationError(str(refused)) from None


# --- joint operations -----------------------------------------------------------------------


def _sees_operation(user, operation) -> bool:
    # A county sees the city's operation (and is told below why it may not act on it).
    return JointOperation.objects.visible_to(user).filter(pk=operation.pk).exists()


def _not_running_unit(operation, user) -> str | None:
    """Only the unit that runs the operation (or one above it) changes it."""
    return None if _in_jurisdiction(user, operation.region_id) else "该联动执法行动不由本单位组织"


def _has_groups(operation, inputs) -> str | None:
    return None if operation.groups.exists() else "请先划分行动分组"


PLANNING, CONFIRMED, CLOSED = OperationStatus.PLANNING, OperationStatus.CONFIRMED, OperationStatus.CLOSED

OPERATION_WORKFLOW = Workflow(
    noun="联动执法行动",
    model=JointOperation,
    transitions={
        "confirm": Transition(
            "确认小组并授权",
            frozenset({PLANNING}),
            CONFIRMED,
            "operations.manage",
            conditions=(_has_groups, grouping_condition),
            actor_problem=_not_running_unit,
        ),
        "close": Transition(
            "结束行动",
            frozenset({PLANNING, CONFIRMED}),
            CLOSED,
            "operations.manage",
            actor_problem=_not_running_unit,
        ),
    },
    in_scope=_sees_operation,
    region_code=lambda operation: operation.region_id,
    related=("region",),
)


# --- jurisdiction disputes ------------------------------------------------------------------


def _sees_dispute(user, dispute) -> bool:
    # The counties that claim the site see the dispute too (and are told below why they may not decide).
    return JurisdictionDispute.objects.visible_to(user).filter(pk=dispute.pk).exists()


def _not_the_level_above(dispute, user) -> str | None:
    """The city (or the province) over the disputed site decides; a county never does."""
    unit = getattr(user, "unit", None)
    if unit is None or unit.region.level > Level.CITY:
        return "管辖争议由上一级（市级）指定，区县不能作出决定"
    if not _in_jurisdiction(user, dispute.subject.region_id):
        return "该管辖争议不在您的管辖范围内"
    return None


OPEN, ASSIGNED, DESIGNATED = DisputeStatus.OPEN, DisputeStatus.ASSIGNED, DisputeStatus.DESIGNATED

DISPUTE_WORKFLOW = Workflow(
    noun="管辖争议",
    model=JurisdictionDispute,
    transitions={
        # The caller names the outcome: a claimant found competent, or a unit designated.
        "resolve": Transition(
            "作出管辖决定",
            frozenset({OPEN}),
            frozenset({ASSIGNED, DESIGNATED}),
            "operations.designate",
            actor_problem=_not_the_level_above,
        ),
    },
    in_scope=_sees_dispute,
    region_code=lambda dispute: dispute.subject.region_id,
    related=("subject",),
)


# --- spot checks ----------------------------------------------------------------------------


def _planning_unit(user, plan) -> bool:
    return getattr(user, "unit_id", None) is not None and user.unit_id == plan.unit_id


def _nothing_recorded(plan, inputs) -> str | None:
    # A redraw would replace items whose results are already recorded.
    return "已有抽查结果，不能重新抽取" if plan.items.exclude(recorded_at=None).exists() else None


def _enough_inspectors(plan, inputs) -> str | None:
    from .spotchecks import drawn_sample, inspector_pool

    available = inspector_pool(plan, drawn_sample(plan)).count()
    if available < plan.inspectors_count:
        return (
            f"可抽取的督查人员不足：需要{plan.inspectors_count}名，回避被抽查单位和"
            f"办理过抽中对象案件的人员后只有{available}名"
        )
    return None


def _all_recorded(plan, inputs) -> str | None:
    # The check ends when every drawn item has its result: the published results are complete.
    left = plan.items.filter(recorded_at=None).count()
    return f"还有{left}个抽查对象未记录检查结果，不能结束检查" if left else None


def _spotcheck_notices(plan, action, transition):
    # The drawn learn that they are drawn: the plan is also on their home page (core.worklist).
    if action == "draw":
        return [(list(plan.inspectors.all()), f"您被抽取为督查抽查“{plan.name}”的督查人员，请记录抽查结果")]
    return []


DRAFT, DRAWN, COMPLETED, PUBLISHED = (
    SpotCheckStatus.DRAFT,
    SpotCheckStatus.DRAWN,
    SpotCheckStatus.COMPLETED,
    SpotCheckStatus.PUBLISHED,
)

SPOTCHECK_WORKFLOW = Workflow(
    noun="督查抽查",
    model=SpotCheckPlan,
    transitions={
        "draw": Transition(
            "抽取样本和督查人员",
            frozenset({DRAFT, DRAWN}),
            DRAWN,
            "spotchecks.manage",
            conditions=(_nothing_recorded, _enough_inspectors),
        ),
        "complete": Transition(
            "结束检查", frozenset({DRAWN}), COMPLETED, "spotchecks.manage", conditions=(_all_recorded,)
        ),
        "publish": Transition("公开", frozenset({COMPLETED}), PUBLISHED, "spotchecks.manage"),
    },
    in_scope=_planning_unit,
    region_code=lambda plan: plan.region_id,
    notices=_spotcheck_notices,
    related=("unit__region", "region"),
)
