"""Re-inspections after a ban (复查) and look-backs over earlier bans (回头看).

A ban is only worth something if someone goes back: every decision with a 取缔/责令停止执业活动
measure schedules a re-inspection, and a look-back revisits every site banned in a period. A site
found practising again gets a new case that points at the earlier one (再次非法行医), which is
what the crime criteria and the forms count.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.operations.access import require_may_act, responsible_region

from .models import (
    Case,
    CaseEvent,
    CaseStatus,
    LookBack,
    MeasureKind,
    PenaltyDecision,
    Recheck,
    RecheckKind,
    RecheckResult,
)

# The daily reminder (cases.tasks): how far ahead a coming re-inspection is announced.
REMIND_DAYS = 3


def _today():
    return timezone.localdate()


_event = CaseEvent.add


def _require_in_scope(actor, recheck: Recheck) -> None:
    # The same rule as the pages' 404, here so that every caller is held to it.
    if not Recheck.objects.visible_to(actor).filter(pk=recheck.pk).exists():
        raise PermissionDenied("该复查不在您的管辖范围内")


def _has_inspection_field() -> bool:
    # Recheck.inspection arrives with the inspections app's first migration.
    return any(f.name == "inspection" for f in Recheck._meta.concrete_fields)


@transaction.atomic
def schedule_after_decision(*, actor, decision: PenaltyDecision) -> Recheck | None:
    """A decision that bans schedules one re-inspection QINGYUAN_RECHECK_DAYS after the decision
    day and marks the subject 已取缔. Running it again for the same decision changes nothing."""
    from qingyuan.subjects.models import Subject, SubjectStatus

    if not decision.measures.filter(kind=MeasureKind.BAN).exists():
        return None
    case = decision.case
    existing = Recheck.objects.filter(case=case, kind=RecheckKind.RECHECK, lookback__isnull=True).first()
    if existing is not None:
        return existing
    recheck = Recheck.objects.create(
        kind=RecheckKind.RECHECK,
        case=case,
        subject=case.subject,
        # Owed by the region answerable for the site on the day of the ban (指定管辖 moves it).
        region=responsible_region(case.subject, decision.decided_on),
        due_on=decision.decided_on + dt.timedelta(days=settings.QINGYUAN_RECHECK_DAYS),
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=recheck,
        after=audit.snapshot(recheck),
        region_code=case.subject.region_id,
    )
    subject = Subject.objects.select_for_update().get(pk=case.subject_id)
    if subject.status != SubjectStatus.BANNED:
        before = audit.snapshot(subject)
        subject.status = SubjectStatus.BANNED
        subject.save(update_fields=["status", "updated_at"])
        b, a = audit.diff(before, audit.snapshot(subject))
        audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=subject, before=b, after=a)
    _event(case, actor, "安排复查", note=f"应于{recheck.due_on:%Y-%m-%d}前复查")
    return recheck


def _link_new_case(actor, recheck: Recheck, new_case: Case):
    if new_case.pk == recheck.case_id:
        raise ValidationError({"new_case": "再次违法案件不能是原案件本身"})
    if new_case.earlier_case_id not in (None, recheck.case_id):
        raise ValidationError({"new_case": f"案件 {new_case} 已关联其他前案"})
    if new_case.status == CaseStatus.REVOKED:
        raise ValidationError({"new_case": "已撤销的案件不能作为再次违法案件"})
    new_case = Case.objects.select_for_update().get(pk=new_case.pk)
    before = audit.snapshot(new_case)
    new_case.earlier_case = recheck.case
    new_case.save(update_fields=["earlier_case", "updated_at"])
    b, a = audit.diff(before, audit.snapshot(new_case))
    audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=new_case, before=b, after=a)
    _event(new_case, actor, "关联前案", note=f"再次非法行医，前案 {recheck.case}")
    _event(recheck.case, actor, "发现再次违法", note=f"新案件 {new_case}")
    recheck.new_case = new_case
    return new_case


@transaction.atomic
def recheck_complete(
    *,
    actor,
    recheck: Recheck,
    inspection=None,
    result: str,
    new_case: Case | None = None,
    done_on: dt.date | None = None,
) -> Recheck:
    """Record the re-inspection: the inspection that was made, and whether the site practises again.
    A new case for the re-offence may be linked now or later (reoffence_link)."""
    if not actor.can("cases.edit"):
        raise PermissionDenied("您没有登记复查结果的权限")
    recheck = Recheck.objects.select_for_update().select_related("case", "subject").get(pk=recheck.pk)
    _require_in_scope(actor, recheck)
    if recheck.result != RecheckResult.PENDING:
        raise ValidationError({"result": "该复查已登记结果"})
    if result not in (RecheckResult.CLEAN, RecheckResult.REOFFENDED):
        raise ValidationError({"result": "请选择复查结果"})
    if inspection is not None:
        if inspection.subject_id != recheck.subject_id:
            raise ValidationError({"inspection": "检查记录须为该监管对象的检查"})
        done_on = timezone.localdate(inspection.started_at)
    elif _has_inspection_field():
        raise ValidationError({"inspection": "请选择复查时的检查记录"})
    if done_on is None:
        raise ValidationError({"done_on": "请填写检查日期"})
    if done_on > _today():
        raise ValidationError({"done_on": "检查日期不能晚于今天"})
    decided_on = (
        PenaltyDecision.objects.filter(case=recheck.case_id).values_list("decided_on", flat=True).first()
    )
    if decided_on and done_on < decided_on:
        raise ValidationError({"done_on": "检查日期不能早于原处罚决定日期"})
    # 指定管辖: from the designation on, the designated county re-inspects, and the re-inspection
    # counts in the region answerable on the day it was made.
    require_may_act(actor, recheck.subject, done_on)
    if new_case is not None and result != RecheckResult.REOFFENDED:
        raise ValidationError({"new_case": "只有发现再次违法时才能关联新案件"})
    before = audit.snapshot(recheck)
    recheck.result = result
    recheck.done_on = done_on
    recheck.region = responsible_region(recheck.subject, done_on)
    if inspection is not None:
        recheck.inspection = inspection
    if new_case is not None:
        _link_new_case(actor, recheck, new_case)
    recheck.save()
    b, a = audit.diff(before, audit.snapshot(recheck))
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=recheck,
        before=b,
        after=a,
        region_code=recheck.subject.region_id,
    )
    _event(recheck.case, actor, f"{recheck.get_kind_display()}完成", note=recheck.get_result_display())
    if new_case is not None:
        from . import crime

        crime.crime_refresh(case=new_case, actor=actor)
    return recheck


@transaction.atomic
def reoffence_link(*, actor, recheck: Recheck, new_case: Case) -> Recheck:
    """Link the case opened for a re-offence found by a re-inspection: the new case's earlier_case
    becomes the banned case, so the new one is counted as 再次非法行医."""
    from . import crime

    if not actor.can("cases.edit"):
        raise PermissionDenied("您没有关联案件的权限")
    recheck = Recheck.objects.select_for_update().select_related("case", "subject").get(pk=recheck.pk)
    _require_in_scope(actor, recheck)
    if recheck.result != RecheckResult.REOFFENDED:
        raise ValidationError({"new_case": "只有发现再次违法的复查才能关联新案件"})
    if recheck.new_case_id:
        raise ValidationError({"new_case": "该复查已关联案件"})
    before = audit.snapshot(recheck)
    _link_new_case(actor, recheck, new_case)
    recheck.save(update_fields=["new_case"])
    b, a = audit.diff(before, audit.snapshot(recheck))
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=recheck,
        before=b,
        after=a,
        region_code=recheck.subject.region_id,
    )
    crime.crime_refresh(case=new_case, actor=actor)
    return recheck


def banned_cases(*, user, region, banned_from: dt.date, banned_to: dt.date):
    """Cases in the user's jurisdiction and `region`'s subtree whose decision, made in the period,
    includes a ban. A revoked case banned no one."""
    return (
        Case.objects.visible_to(user)
        .filter(
            region__code__startswith=region.prefix,
            decision__decided_on__gte=banned_from,
            decision__decided_on__lte=banned_to,
            decision__measures__kind=MeasureKind.BAN,
        )
        .exclude(status=CaseStatus.REVOKED)
        .select_related("subject", "decision")
        .distinct()
        .order_by("decision__decided_on", "pk")
    )


@transaction.atomic
def lookback_start(
    *, actor, name: str, region, banned_from: dt.date, banned_to: dt.date, due_on: dt.date | None = None
) -> LookBack:
    """回头看: one item for every case that banned a site in the period, within the actor's
    jurisdiction and the chosen region."""
    if not actor.can("cases.approve"):
        raise PermissionDenied("您没有组织回头看的权限")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写名称"})
    prefix = jurisdiction_prefix(actor)
    if region is None or prefix is None or not region.code.startswith(prefix):
        raise ValidationError({"region": "范围须在本单位辖区内"})
    if banned_from is None or banned_to is None:
        raise ValidationError({"banned_from": "请填写取缔日期范围"})
    if banned_from > banned_to:
        raise ValidationError({"banned_to": "取缔日期“至”不能早于“自”"})
    if due_on is not None and due_on < _today():
        raise ValidationError({"due_on": "完成期限不能早于今天"})
    due_on = due_on or _today() + dt.timedelta(days=settings.QINGYUAN_RECHECK_DAYS)
    lookback = LookBack.objects.create(
        name=name,
        unit=actor.unit,
        region=region,
        banned_from=banned_from,
        banned_to=banned_to,
        due_on=due_on,
        created_by=actor,
    )
    cases = list(banned_cases(user=actor, region=region, banned_from=banned_from, banned_to=banned_to))
    today = _today()
    Recheck.objects.bulk_create(
        Recheck(
            kind=RecheckKind.LOOKBACK,
            case=c,
            subject=c.subject,
            region=responsible_region(c.subject, today),
            lookback=lookback,
            due_on=due_on,
        )
        for c in cases
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=lookback,
        after={**audit.snapshot(lookback), "items": [c.pk for c in cases]},
    )
    return lookback


def lookback_progress(lookback: LookBack) -> dict:
    figures = lookback.items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=~Q(result=RecheckResult.PENDING)),
        reoffended=Count("pk", filter=Q(result=RecheckResult.REOFFENDED)),
    )
    figures["percent"] = round(100 * figures["done"] / figures["total"]) if figures["total"] else 0
    return figures


STATE_DUE, STATE_OVERDUE, STATE_DONE = "due", "overdue", "done"


def rechecks_in_state(qs, state: str, today: dt.date | None = None):
    today = today or _today()
    if state == STATE_DUE:
        return qs.filter(result=RecheckResult.PENDING, due_on__gte=today)
    if state == STATE_OVERDUE:
        return qs.filter(result=RecheckResult.PENDING, due_on__lt=today)
    if state == STATE_DONE:
        return qs.exclude(result=RecheckResult.PENDING)
    return qs


def reminders_due(today: dt.date | None = None):
    """Pending re-inspections due within REMIND_DAYS days or already overdue."""
    today = today or _today()
    return Recheck.objects.filter(
        result=RecheckResult.PENDING, due_on__lte=today + dt.timedelta(days=REMIND_DAYS)
    ).select_related("case__unit", "subject")


def _responsible_users(unit):
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role

    return list(User.objects.filter(unit=unit, role__in=[Role.INSPECTOR, Role.CHIEF], is_active=True))


def rechecks_remind(*, today: dt.date | None = None) -> int:
    """Tell the unit that handled the original case about each re-inspection due within REMIND_DAYS
    days or overdue. A text is sent to a user once (the "due" and the "overdue" message are
    different texts), so the daily job can run any number of times."""
    from django.urls import reverse

    from qingyuan.core.models import Notification
    from qingyuan.core.notifications import notify

    today = today or _today()
    url = reverse("cases:rechecks")
    sent = 0
    users_by_unit = {}
    for recheck in reminders_due(today):
        unit = recheck.case.unit
        if unit.pk not in users_by_unit:
            users_by_unit[unit.pk] = _responsible_users(unit)
        state = f"已超期{(today - recheck.due_on).days}天" if recheck.due_on < today else "即将到期"
        text = (
            f"{recheck.get_kind_display()}：{recheck.subject}（原案件 {recheck.case}）"
            f"应于{recheck.due_on:%Y-%m-%d}前完成，{state}"
        )
        if recheck.due_on < today:
            # One overdue message per re-inspection, not one per day.
            prefix = text.split("，已超期")[0]
            already = set(
                Notification.objects.filter(text__startswith=prefix, text__contains="已超期").values_list(
                    "user_id", flat=True
                )
            )
        else:
            already = set(Notification.objects.filter(text=text).values_list("user_id", flat=True))
        users = [u for u in users_by_unit[unit.pk] if u.pk not in already]
        sent += notify(users, text, url)
    return sent
