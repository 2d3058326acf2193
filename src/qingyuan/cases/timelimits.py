"""The case's time limits: extensions approved by a chief and the periods that do not count
(中止, 听证), each keeping the stored decide_due current for the lists that compare it in SQL."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit

from . import deadlines, workflow
from .models import Case, CaseExtension, CasePause, CaseStatus, ExtensionKind, PauseKind
from .steps import _audit_change, _event, _lock, _require, _today
from .workflow import TransitionNotAllowed


def _refresh_decide_due(case):
    """Keep the stored decide_due current whenever 立案, an extension or a pause changes it: the lists,
    counts and dashboard compare it in SQL (models.overdue_condition)."""
    due = deadlines.stored_decide_due(case)
    if due != case.decide_due:
        Case.objects.filter(pk=case.pk).update(decide_due=due, updated_at=timezone.now())  # sync cursor
        case.decide_due = due


@transaction.atomic
def case_extend(*, actor, case, kind: str, reason: str) -> CaseExtension:
    """延长期限 with approval: the opening period +7 working days, the deciding period +60 days by
    the head, +30 more by collective decision (needs the first)."""
    case = _lock(case, actor)
    if kind not in ExtensionKind.values:
        raise ValidationError({"kind": "请选择延期类型"})
    perm = "cases.decide" if kind == ExtensionKind.DECIDE_COLLECTIVE else "cases.approve"
    if not actor.can(perm):
        raise TransitionNotAllowed(f"您没有批准“{ExtensionKind(kind).label}”的权限")
    _require(reason, "reason", "请填写延期理由")
    if case.extensions.filter(kind=kind).exists():
        raise TransitionNotAllowed(f"该案件已{ExtensionKind(kind).label}，不能再次延长")
    if kind == ExtensionKind.OPEN:
        if case.status != CaseStatus.PROPOSED or case.open_due is None:
            raise TransitionNotAllowed("只有待立案审批的案件可以延长立案期限")
        new_due = deadlines.deadline("CASE_OPEN_EXTENSION", case.open_due)
        field = "open_due"
    else:
        if case.status not in workflow.DECIDING_STATES:
            raise TransitionNotAllowed("只有已立案、尚未作出决定的案件可以延长办案期限")
        if (
            kind == ExtensionKind.DECIDE_COLLECTIVE
            and not case.extensions.filter(kind=ExtensionKind.DECIDE).exists()
        ):
            raise TransitionNotAllowed("须先经负责人批准延长办案期限，才能经集体讨论再次延长")
        new_due = None
        field = "decide_due"
    before = audit.snapshot(case)
    extension = CaseExtension(
        case=case, kind=kind, reason=reason, approved_by=actor, new_due=new_due or _today()
    )
    if kind == ExtensionKind.OPEN:
        case.open_due = new_due
    extension.save()
    if kind != ExtensionKind.OPEN:
        case.decide_due = deadlines.stored_decide_due(case)
        extension.new_due = case.decide_due
        extension.save(update_fields=["new_due"])
    case.save()
    _event(case, actor, ExtensionKind(kind).label, note=f"至{getattr(case, field):%Y-%m-%d}；{reason}")
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=extension,
        after=audit.snapshot(extension),
        region_code=case.region_id,
    )
    _audit_change(actor, case, before)
    return extension


@transaction.atomic
def pause_start(*, actor, case, kind: str, started_on: dt.date, note: str = "") -> CasePause:
    """检测、检验, 鉴定 or 公告: the period does not count towards the 90 days."""
    case = _lock(case, actor)
    if not actor.can("cases.edit"):
        raise TransitionNotAllowed("您没有登记中止期间的权限")
    if case.status not in workflow.DECIDING_STATES:
        raise TransitionNotAllowed("只有已立案、尚未作出决定的案件可以登记不计入期限的期间")
    if kind not in PauseKind.values or kind == PauseKind.HEARING:
        raise ValidationError({"kind": "请选择中止事由（听证由“当事人要求听证”自动登记）"})
    if started_on is None or (case.opened_on and started_on < case.opened_on):
        raise ValidationError({"started_on": "起始日期须在立案日期之后"})
    if case.pauses.filter(ended_on__isnull=True).exists():
        raise ValidationError({"kind": "已有尚未结束的中止期间，请先登记其结束"})
    pause = CasePause.objects.create(
        case=case, kind=kind, started_on=started_on, note=note, recorded_by=actor
    )
    _event(case, actor, f"{pause.get_kind_display()}开始", note=f"{started_on:%Y-%m-%d} {note}")
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=pause,
        after=audit.snapshot(pause),
        region_code=case.region_id,
    )
    return pause


def _close_pause(actor, case, pause, ended_on):
    if ended_on < pause.started_on:
        raise ValidationError({"ended_on": "结束日期不能早于起始日期"})
    before = audit.snapshot(pause)
    pause.ended_on = ended_on
    pause.save()
    _event(
        case,
        actor,
        f"{pause.get_kind_display()}结束",
        note=f"{pause.started_on:%Y-%m-%d}至{ended_on:%Y-%m-%d}",
    )
    _audit_change(actor, pause, before, region_code=case.region_id)


@transaction.atomic
def pause_end(*, actor, case, ended_on: dt.date) -> Case:
    case = _lock(case, actor)
    if not actor.can("cases.edit"):
        raise TransitionNotAllowed("您没有登记中止期间的权限")
    pause = case.pauses.filter(ended_on__isnull=True).exclude(kind=PauseKind.HEARING).first()
    if pause is None:
        raise TransitionNotAllowed("没有尚未结束的中止期间")
    _close_pause(actor, case, pause, ended_on or _today())
    _refresh_decide_due(case)
    return case
