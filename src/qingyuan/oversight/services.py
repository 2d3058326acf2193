"""Writing supervision: every change goes through one of these functions, which check the permission
and the jurisdiction (the workflow's actor rules and scoping) and leave an audit row."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.cases.models import Case
from qingyuan.core import audit
from qingyuan.core.workflow import NotPermitted

from .models import (
    Finding,
    ProgressReport,
    RectificationItem,
    ReportKind,
    SupervisedItem,
    SupervisionKind,
    SupervisionVisit,
)
from .workflow import (
    RECTIFICATION_WORKFLOW,
    SUPERVISION_WORKFLOW,
    _same_or_above,
    supervisor_problem,
)


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _future(day: dt.date | None, field: str, label: str) -> dt.date:
    if day is None:
        raise ValidationError({field: f"请填写{label}"})
    if day < timezone.localdate():
        raise ValidationError({field: f"{label}不能早于今天"})
    return day


def _require(actor, perm: str) -> None:
    if actor is None or not actor.can(perm):
        raise PermissionDenied


# --- 挂牌督办 ---------------------------------------------------------------------------------------


def supervise_case(*, actor, case, requirements: str, deadline: dt.date) -> SupervisedItem:
    """Put a major case under 挂牌督办 by the actor's (upper) unit; the case's handling unit reports.
    Only a case within the actor's jurisdiction (a city leader's counties)."""
    _require(actor, "oversight.manage")
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied
    item = SupervisedItem(
        kind=SupervisionKind.CASE,
        case=case,
        title=f"{case.number or '（待立案）'} {case.title}"[:200],
        region=case.unit.region,
        supervising_unit=actor.unit,
        leader=actor,
        supervised_unit=case.unit,
        created_by=actor,
    )
    return _open(item, actor, requirements, deadline)


def supervise_region(*, actor, unit, title: str, requirements: str, deadline: dt.date) -> SupervisedItem:
    """Put a lagging region under 挂牌督办: `unit` (a unit of that region) reports for it."""
    _require(actor, "oversight.manage")
    if unit is None:
        raise ValidationError({"unit": "请选择被督办单位"})
    item = SupervisedItem(
        kind=SupervisionKind.REGION,
        title=_text(title, "title", "请填写督办事项"),
        region=unit.region,
        supervising_unit=actor.unit,
        leader=actor,
        supervised_unit=unit,
        created_by=actor,
    )
    return _open(item, actor, requirements, deadline)


def _open(item, actor, requirements, deadline):
    item.requirements = _text(requirements, "requirements", "请填写督办要求")
    item.deadline = _future(deadline, "deadline", "办结期限")
    return SUPERVISION_WORKFLOW.take(item, "open", actor=actor, note=f"办结期限{item.deadline:%Y-%m-%d}")


def _report(actor, item, action, kind, text, on):
    text = (text or "").strip()
    on = on or timezone.localdate()

    def write(record):
        ProgressReport.objects.create(item=record, kind=kind, text=text, reported_on=on, reported_by=actor)

    changes = {"result": text, "reported_on": on} if kind == ReportKind.RESULT else {}
    return SUPERVISION_WORKFLOW.take(item, action, actor=actor, note=text, changes=changes, after=write)


def report_progress(*, actor, item, text: str, on: dt.date | None = None) -> SupervisedItem:
    return _report(actor, item, "progress", ReportKind.PROGRESS, text, on)


def report_result(*, actor, item, text: str, on: dt.date | None = None) -> SupervisedItem:
    return _report(actor, item, "report", ReportKind.RESULT, text, on)


def accept(*, actor, item, note: str = "") -> SupervisedItem:
    return SUPERVISION_WORKFLOW.take(
        item, "accept", actor=actor, note=note, changes={"closed_on": timezone.localdate()}
    )


def return_result(*, actor, item, note: str) -> SupervisedItem:
    return SUPERVISION_WORKFLOW.take(item, "return", actor=actor, note=note)


def withdraw(*, actor, item, note: str) -> SupervisedItem:
    return SUPERVISION_WORKFLOW.take(
        item, "withdraw", actor=actor, note=note, changes={"closed_on": timezone.localdate()}
    )


SUPERVISION_STEPS = {
    "progress": report_progress,
    "report": report_result,
    "accept": accept,
    "return": return_result,
    "withdraw": withdraw,
}


# --- 督导 -------------------------------------------------------------------------------------------


@transaction.atomic
def visit_create(*, actor, region, visited_on: dt.date, summary: str = "") -> SupervisionVisit:
    """Record a supervision visit by the actor's unit to a region below it."""
    _require(actor, "oversight.manage")
    if region is None:
        raise ValidationError({"region": "请选择被督导地区"})
    problem = supervisor_problem(actor, region)
    if problem:
        raise NotPermitted(problem)
    if visited_on is None:
        raise ValidationError({"visited_on": "请填写督导日期"})
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": "督导日期不能晚于今天"})
    visit = SupervisionVisit.objects.create(
        unit=actor.unit, region=region, visited_on=visited_on, leader=actor, summary=(summary or "").strip()
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=visit,
        region_code=region.code,
        after=audit.snapshot(visit),
    )
    return visit


def visiting_problem(actor, visit) -> str | None:
    """Why `actor` may not add findings and items to `visit` (only the visiting level may), or None."""
    if _same_or_above(actor, visit.unit):
        return None
    return "只有督导单位可以登记问题和整改事项"


def _visiting(actor, visit) -> None:
    _require(actor, "oversight.manage")
    if not SupervisionVisit.objects.visible_to(actor).filter(pk=visit.pk).exists():
        raise PermissionDenied
    problem = visiting_problem(actor, visit)
    if problem:
        raise NotPermitted(problem)


@transaction.atomic
def finding_add(*, actor, visit, text: str) -> Finding:
    _visiting(actor, visit)
    finding = Finding.objects.create(visit=visit, text=_text(text, "text", "请填写发现的问题"))
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=finding,
        region_code=visit.region_id,
        after=audit.snapshot(finding),
    )
    return finding


def rectification_add(*, actor, finding, text: str, unit, due_on: dt.date) -> RectificationItem:
    """An item to rectify for one finding, with the unit responsible (in the visited region)."""
    visit = finding.visit
    _visiting(actor, visit)
    if unit is None:
        raise ValidationError({"unit": "请选择责任单位"})
    if not unit.region_id.startswith(visit.region.prefix):
        raise ValidationError({"unit": "责任单位须为被督导地区的单位"})
    item = RectificationItem(
        finding=finding,
        text=_text(text, "text", "请填写整改事项"),
        responsible_unit=unit,
        due_on=_future(due_on, "due_on", "整改期限"),
        created_by=actor,
    )
    return RECTIFICATION_WORKFLOW.take(item, "add", actor=actor)


def rectify(*, actor, item, note: str) -> RectificationItem:
    note = (note or "").strip()
    changes = {"report_note": note, "reported_on": timezone.localdate()}
    return RECTIFICATION_WORKFLOW.take(item, "rectify", actor=actor, note=note, changes=changes)


def verify(*, actor, item, note: str = "") -> RectificationItem:
    changes = {"verify_note": (note or "").strip(), "verified_on": timezone.localdate()}
    return RECTIFICATION_WORKFLOW.take(item, "verify", actor=actor, note=note, changes=changes)


def rectification_return(*, actor, item, note: str) -> RectificationItem:
    changes = {"verify_note": (note or "").strip()}
    return RECTIFICATION_WORKFLOW.take(item, "return", actor=actor, note=note, changes=changes)


RECTIFICATION_STEPS = {"rectify": rectify, "verify": verify, "return": rectification_return}
