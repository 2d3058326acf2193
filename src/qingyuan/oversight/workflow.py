"""The steps of 挂牌督办 and of 督导 rectification items, declared once on the one workflow mechanism
(core.workflow): every step is locked, checked, written to the timeline and audited alike.

- 挂牌督办: (new) → 督办中; 报送进展 (recorded, repeatable, state unchanged); 报送办理结果 → 已报结果;
  the supervising level 验收办结 → 已办结 or 退回 (with reason) → 督办中; 撤销督办 (with reason).
- 整改事项: (new) → 待整改; the responsible unit 报告整改 → 已报整改; the visiting level 验收销号 →
  已验收销号 or 退回整改 (with reason) → 待整改.

Who acts is checked on the regions: only a unit strictly above the supervised region supervises it
(and at city level or above: a county does not put its own townships under 挂牌督办), only the
supervised unit (or its region's units) reports, and only the supervising level accepts or returns.
"""

from __future__ import annotations

from qingyuan.core.workflow import NEW, Transition, Workflow
from qingyuan.regions.models import Level

from .models import (
    RectificationItem,
    RectificationStatus,
    SupervisedItem,
    SupervisionEvent,
    SupervisionStatus,
)


def strictly_above(unit, region) -> bool:
    """The unit's region is an ancestor of `region` (not `region` itself)."""
    own = unit.region
    return own.level < region.level and (own.level == 0 or region.code.startswith(own.prefix))


def supervisor_problem(user, region) -> str | None:
    """Why `user` may not supervise `region`, or None."""
    unit = getattr(user, "unit", None)
    if unit is None or unit.region.level > Level.CITY:
        return "挂牌督办、督导由市级以上单位实施，区县不能督办"
    if not strictly_above(unit, region):
        return "只能对本辖区的下级地区挂牌督办或督导"
    return None


def supervises(user) -> bool:
    """Whether the user's unit supervises at all (city level or above, with the permission)."""
    unit = getattr(user, "unit", None)
    return unit is not None and unit.region.level <= Level.CITY and user.can("oversight.manage")


def _same_or_above(user, unit) -> bool:
    """The user's unit is `unit`, or one of its ancestors' regions holds it (the level above may act
    for the supervising unit)."""
    own = getattr(user, "unit", None)
    if own is None:
        return False
    if own.pk == unit.pk:
        return True
    return own.region_id == unit.region_id or strictly_above(own, unit.region)


def _in_lower_unit(user, unit, region) -> bool:
    own = getattr(user, "unit", None)
    return own is not None and (own.pk == unit.pk or own.region_id == region.code)


# --- 挂牌督办 ---------------------------------------------------------------------------------------

ACTIVE, REPORTED = SupervisionStatus.ACTIVE, SupervisionStatus.REPORTED
CLOSED, WITHDRAWN = SupervisionStatus.CLOSED, SupervisionStatus.WITHDRAWN


def _may_supervise(item, user) -> str | None:
    return supervisor_problem(user, item.region)


def _supervising_level(item, user) -> str | None:
    if _same_or_above(user, item.supervising_unit):
        return None
    return "只有督办单位可以验收、退回或撤销督办"


def _supervised_unit(item, user) -> str | None:
    if _in_lower_unit(user, item.supervised_unit, item.region):
        return None
    return "只有承办单位可以报送督办进展和结果"


def _case_not_supervised(item, inputs) -> str | None:
    if item.case_id is None:
        return None
    running = SupervisedItem.objects.open().filter(case_id=item.case_id).exclude(pk=item.pk)
    return "该案件已在挂牌督办中" if running.exists() else None


def _item_event(item, actor, label, note, from_status, to_status):
    SupervisionEvent.objects.create(
        item=item,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=label,
        note=(note or "")[:2000],
    )
    if item.case_id:
        # The case's own timeline tells that it is supervised and how the supervision ended.
        from qingyuan.cases.models import CaseEvent

        if label in {"挂牌督办", "验收办结", "撤销督办"}:
            CaseEvent.add(item.case, actor, label, note)


def _sees_item(user, item) -> bool:
    return SupervisedItem.objects.visible_to(user).filter(pk=item.pk).exists()


def _item_notices(item, action, transition):
    from .selectors import unit_people

    lower = unit_people(item.supervised_unit, "oversight.report")
    upper = [item.leader, item.created_by]
    deadline = f"{item.deadline:%Y年%-m月%-d日}"
    if action == "open":
        return [(lower, f"挂牌督办：{item.title}，请于{deadline}前报送办理结果")]
    if action == "return":
        return [(lower, f"挂牌督办结果被退回：{item.title}，请继续办理，期限{deadline}")]
    if action == "report":
        return [(upper, f"挂牌督办已报办理结果，待验收：{item.title}")]
    if action == "accept":
        return [(lower, f"挂牌督办已验收办结：{item.title}")]
    if action == "withdraw":
        return [(lower, f"挂牌督办已撤销：{item.title}")]
    return []


T = Transition
SUPERVISION_WORKFLOW = Workflow(
    noun="挂牌督办事项",
    model=SupervisedItem,
    transitions={
        "open": T(
            "挂牌督办",
            frozenset({NEW}),
            ACTIVE,
            "oversight.manage",
            conditions=(_case_not_supervised,),
            actor_problem=_may_supervise,
        ),
        "progress": T(
            "报送进展",
            frozenset({ACTIVE}),
            None,
            "oversight.report",
            actor_problem=_supervised_unit,
            needs_note="请填写进展情况",
        ),
        "report": T(
            "报送办理结果",
            frozenset({ACTIVE}),
            REPORTED,
            "oversight.report",
            actor_problem=_supervised_unit,
            needs_note="请填写办理结果",
        ),
        "accept": T(
            "验收办结", frozenset({REPORTED}), CLOSED, "oversight.manage", actor_problem=_supervising_level
        ),
        "return": T(
            "退回",
            frozenset({REPORTED}),
            ACTIVE,
            "oversight.manage",
            actor_problem=_supervising_level,
            needs_note="请填写退回理由",
        ),
        "withdraw": T(
            "撤销督办",
            frozenset({ACTIVE, REPORTED}),
            WITHDRAWN,
            "oversight.manage",
            actor_problem=_supervising_level,
            needs_note="请填写撤销督办的理由",
        ),
    },
    event=_item_event,
    in_scope=_sees_item,
    region_code=lambda item: item.region_id,
    notices=_item_notices,
    related=("region", "supervising_unit__region", "supervised_unit"),
)


# --- 督导整改事项 ------------------------------------------------------------------------------------

OPEN, RECTIFIED, VERIFIED = (
    RectificationStatus.OPEN,
    RectificationStatus.RECTIFIED,
    RectificationStatus.VERIFIED,
)


def _visiting_level(item, user) -> str | None:
    visit = item.finding.visit
    if _same_or_above(user, visit.unit):
        return None
    return "只有督导单位可以添加整改事项、验收或退回"


def _responsible_unit(item, user) -> str | None:
    unit = item.responsible_unit
    if _in_lower_unit(user, unit, unit.region):
        return None
    return "只有责任单位可以报告整改情况"


def _sees_rectification(user, item) -> bool:
    return RectificationItem.objects.visible_to(user).filter(pk=item.pk).exists()


def _rectification_notices(item, action, transition):
    from .selectors import unit_people

    lower = unit_people(item.responsible_unit, "oversight.report")
    upper = [item.finding.visit.leader, item.created_by]
    text = item.text[:40]
    if action == "add":
        return [(lower, f"督导整改事项：{text}，整改期限{item.due_on:%Y-%m-%d}")]
    if action == "return":
        return [(lower, f"整改被退回，请继续整改：{text}")]
    if action == "rectify":
        return [(upper, f"整改事项已报告整改，待验收：{text}")]
    return []


RECTIFICATION_WORKFLOW = Workflow(
    noun="整改事项",
    model=RectificationItem,
    transitions={
        "add": T("添加整改事项", frozenset({NEW}), OPEN, "oversight.manage", actor_problem=_visiting_level),
        "rectify": T(
            "报告整改",
            frozenset({OPEN}),
            RECTIFIED,
            "oversight.report",
            actor_problem=_responsible_unit,
            needs_note="请填写整改情况",
        ),
        "verify": T(
            "验收销号", frozenset({RECTIFIED}), VERIFIED, "oversight.manage", actor_problem=_visiting_level
        ),
        "return": T(
            "退回整改",
            frozenset({RECTIFIED}),
            OPEN,
            "oversight.manage",
            actor_problem=_visiting_level,
            needs_note="请填写退回理由",
        ),
    },
    # No timeline of its own: the visit page shows each item's state and notes, the audit row the step.
    in_scope=_sees_rectification,
    region_code=lambda item: item.finding.visit.region_id,
    notices=_rectification_notices,
    related=("finding__visit__unit__region", "responsible_unit__region"),
)
