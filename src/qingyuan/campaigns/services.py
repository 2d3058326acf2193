"""Every write to a campaign, plan, phase, requirement, duty, sweep, outreach or media record: one
transaction each, checked against the actor's role and jurisdiction, audited in the same transaction."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.regions.models import Level, Region

from .models import (
    Campaign,
    Duty,
    FormRequirement,
    LeadingGroupMember,
    MediaReport,
    OutreachEvent,
    Phase,
    Schedule,
    Sweep,
    due_dates,
)

CAMPAIGN_FIELDS = (
    "name",
    "doc_number",
    "starts_on",
    "ends_on",
    "focus",
    "hotline",
    "email",
    "office",
    "notes",
    "published",
)


# --- who may do what --------------------------------------------------------------------------


def _prefix(actor) -> str:
    prefix = jurisdiction_prefix(actor)
    if prefix is None:
        raise PermissionDenied("您没有所属单位，不能办理专项行动事务")
    return prefix


def _within(actor, region_code: str) -> bool:
    return region_code.startswith(_prefix(actor))


def can_manage(actor, campaign) -> bool:
    """Only the issuing level edits a campaign: a unit in the campaign's own region with campaigns.manage."""
    return bool(
        actor.can("campaigns.manage") and actor.unit_id and actor.unit.region_id == campaign.region_id
    )


def can_complete(actor, duty) -> bool:
    """A liaison completes its own unit's duties; a chief or leader those of units in their jurisdiction."""
    if actor.can("campaigns.duty") and actor.unit_id == duty.unit_id:
        return True
    return actor.can("campaigns.manage") and _within(actor, duty.unit.region_id)


def can_record(actor) -> bool:
    return actor.can("campaigns.sweep") or actor.can("campaigns.manage") or actor.can("campaigns.duty")


def _require_manage(actor, campaign):
    if not can_manage(actor, campaign):
        raise PermissionDenied("只有发文单位的负责人可以修改该专项行动")


def _check_region(actor, campaign, region, field):
    """The record's region must lie in the campaign's region and in the actor's jurisdiction."""
    if not region.code.startswith(campaign.region.prefix):
        raise ValidationError({field: f"{region}不在该专项行动的区划（{campaign.region}）内"})
    if not _within(actor, region.code):
        raise ValidationError({field: f"{region}不在您的辖区内"})


def _save(instance, *, actor, region_code, before=None):
    instance.full_clean()
    instance.save()
    b, a = audit.diff(before, audit.snapshot(instance))
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE if before is None else audit.AuditAction.UPDATE,
        target=instance,
        before=b,
        after=a,
        region_code=region_code,
    )
    return instance


def _lock(model, pk):
    # Row lock: two officers editing one record at once must not overwrite each other silently.
    return model.objects.select_for_update().get(pk=pk)


# --- campaigns and plans ----------------------------------------------------------------------


def _check_office(actor, office):
    if office is not None and not _within(actor, office.region_id):
        raise ValidationError({"office": "领导小组办公室须设在本辖区的单位"})


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    doc_number: str = "",
    focus: list | tuple = (),
    hotline: str = "",
    email: str = "",
    office=None,
    notes: str = "",
    published: bool = False,
) -> Campaign:
    """A campaign issued by the actor's unit for that unit's region."""
    if not actor.can("campaigns.manage") or not actor.unit_id:
        raise PermissionDenied("您没有发布专项行动的权限")
    _check_office(actor, office)
    campaign = Campaign(
        unit=actor.unit,
        region=actor.unit.region,
        name=name.strip(),
        doc_number=doc_number.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        focus=list(dict.fromkeys(focus)),
        hotline=hotline.strip(),
        email=email.strip(),
        office=office,
        notes=notes,
        published=published,
        created_by=actor,
    )
    return _save(campaign, actor=actor, region_code=campaign.region_id)


@transaction.atomic
def campaign_update(*, actor, campaign, **changes) -> Campaign:
    campaign = _lock(Campaign, campaign.pk)
    _require_manage(actor, campaign)
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValueError(f"不能修改：{', '.join(sorted(unknown))}")
    _check_office(actor, changes.get("office"))
    before = audit.snapshot(campaign)
    for field, value in changes.items():
        setattr(campaign, field, value)
    if campaign.parent_id:
        _check_plan_period(campaign, campaign.parent)
        missing = [c for c in campaign.parent.focus if c not in campaign.focus]
        if missing:
            raise ValidationError({"focus": "实施方案须包含上级专项行动的全部整治重点"})
    return _save(campaign, actor=actor, region_code=campaign.region_id, before=before)


def _check_plan_period(plan, parent):
    if plan.starts_on < parent.starts_on:
        raise ValidationError(
            {"starts_on": f"实施方案的开始日期不能早于上级专项行动的开始日期（{parent.starts_on:%Y-%m-%d}）"}
        )
    if plan.ends_on > parent.ends_on:
        raise ValidationError(
            {"ends_on": f"实施方案的结束日期不能晚于上级专项行动的结束日期（{parent.ends_on:%Y-%m-%d}）"}
        )


@transaction.atomic
def plan_create(
    *,
    actor,
    parent: Campaign,
    unit,
    name: str,
    doc_number: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    focus: list | tuple = (),
    hotline: str = "",
    email: str = "",
    office=None,
    notes: str = "",
    published: bool = False,
) -> Campaign:
    """A lower unit's implementation plan (实施方案) under a higher campaign.

    The plan inherits the parent's focus, phases and form requirements (copies with `inherited_from`
    set) and may add its own. Its period and deadlines may be earlier than the parent's, never later:
    the lower level reports to the higher one, so it must be done first.
    """
    if not actor.can("campaigns.manage") or not actor.unit_id:
        raise PermissionDenied("您没有制定实施方案的权限")
    if unit.pk != actor.unit_id:
        raise PermissionDenied("只能为本单位制定实施方案")
    if not Campaign.objects.visible_to(actor).filter(pk=parent.pk).exists():
        raise PermissionDenied("看不到该专项行动")
    region = unit.region
    if region.code == parent.region_id or not region.code.startswith(parent.region.prefix):
        raise ValidationError({"unit": f"实施方案须由{parent.region}的下级单位制定"})
    _check_office(actor, office)
    plan = Campaign(
        parent=parent,
        unit=unit,
        region=region,
        name=name.strip(),
        doc_number=doc_number.strip(),
        starts_on=starts_on or parent.starts_on,
        ends_on=ends_on or parent.ends_on,
        focus=list(dict.fromkeys([*parent.focus, *focus])),
        hotline=hotline.strip() or parent.hotline,
        email=email.strip() or parent.email,
        office=office,
        notes=notes,
        published=published,
        created_by=actor,
    )
    _check_plan_period(plan, parent)
    _save(plan, actor=actor, region_code=region.code)
    for phase in parent.phases.all():
        ends = min(phase.ends_on, plan.ends_on)
        copy = Phase(
            campaign=plan,
            kind=phase.kind,
            starts_on=min(max(phase.starts_on, plan.starts_on), ends),
            ends_on=ends,
            note=phase.note,
            inherited_from=phase,
        )
        _save(copy, actor=actor, region_code=region.code)
    for requirement in parent.requirements.all():
        copy = FormRequirement(
            campaign=plan,
            form_code=requirement.form_code,
            schedule=requirement.schedule,
            due_on=requirement.due_on,
            day_of_month=requirement.day_of_month,
            days_after=requirement.days_after,
            note=requirement.note,
            inherited_from=requirement,
        )
        _save(copy, actor=actor, region_code=region.code)
    return plan


# --- leading group ----------------------------------------------------------------------------


@transaction.atomic
def group_member_add(*, actor, campaign, name: str, post: str = "", role: str = "member", unit=None):
    _require_manage(actor, campaign)
    if not name.strip():
        raise ValidationError({"name": "请填写姓名"})
    member = LeadingGroupMember(campaign=campaign, name=name.strip(), post=post.strip(), role=role, unit=unit)
    return _save(member, actor=actor, region_code=campaign.region_id)


# --- phases -----------------------------------------------------------------------------------


def _check_phase(phase):
    campaign = phase.campaign
    if phase.starts_on and phase.ends_on:
        if phase.starts_on < campaign.starts_on or phase.ends_on > campaign.ends_on:
            raise ValidationError(
                {
                    "ends_on": f"阶段须在专项行动期间内（{campaign.starts_on:%Y-%m-%d}至{campaign.ends_on:%Y-%m-%d}）"
                }
            )
    origin = phase.inherited_from
    if origin is not None and phase.ends_on and phase.ends_on > origin.ends_on:
        raise ValidationError(
            {
                "ends_on": f"“{phase.get_kind_display()}”阶段的结束日期不能晚于上级专项行动"
                f"（{origin.ends_on:%Y-%m-%d}）"
            }
        )


@transaction.atomic
def phase_add(*, actor, campaign, kind: str, starts_on: dt.date, ends_on: dt.date, note: str = "") -> Phase:
    _require_manage(actor, campaign)
    phase = Phase(campaign=campaign, kind=kind, starts_on=starts_on, ends_on=ends_on, note=note)
    _check_phase(phase)
    return _save(phase, actor=actor, region_code=campaign.region_id)


@transaction.atomic
def phase_edit(*, actor, phase, **changes) -> Phase:
    phase = _lock(Phase, phase.pk)
    _require_manage(actor, phase.campaign)
    before = audit.snapshot(phase)
    for field in ("kind", "starts_on", "ends_on", "note"):
        if field in changes:
            setattr(phase, field, changes[field])
    _check_phase(phase)
    return _save(phase, actor=actor, region_code=phase.campaign.region_id, before=before)


# --- form requirements ------------------------------------------------------------------------

REQUIREMENT_FIELDS = ("form_code", "schedule", "due_on", "day_of_month", "days_after", "note")


def _check_requirement(requirement):
    """A plan's deadline may be earlier than the higher campaign's, never later."""
    origin = requirement.inherited_from
    if origin is None:
        return
    if requirement.schedule != origin.schedule:
        raise ValidationError({"schedule": "继承的报表要求不能改变报送规则"})
    later = None
    if requirement.schedule == Schedule.ONCE and requirement.due_on and requirement.due_on > origin.due_on:
        later = ("due_on", f"{origin.due_on:%Y-%m-%d}")
    elif requirement.schedule == Schedule.QUARTERLY and (requirement.day_of_month or 0) > origin.day_of_month:
        later = ("day_of_month", f"每季度最后一个月{origin.day_of_month}日")
    elif (
        requirement.schedule == Schedule.AFTER_OPERATION and (requirement.days_after or 0) > origin.days_after
    ):
        later = ("days_after", f"行动结束后{origin.days_after}日内")
    if later:
        field, limit = later
        raise ValidationError(
            {field: f"{requirement.form_code}的报送期限不能晚于上级专项行动的要求（{limit}）"}
        )


@transaction.atomic
def requirement_add(*, actor, campaign, form_code: str, schedule: str, **params) -> FormRequirement:
    _require_manage(actor, campaign)
    requirement = FormRequirement(campaign=campaign, form_code=form_code, schedule=schedule)
    for field in ("due_on", "day_of_month", "days_after", "note"):
        if field in params:
            setattr(requirement, field, params[field])
    requirement.note = requirement.note or ""
    return _save(requirement, actor=actor, region_code=campaign.region_id)


@transaction.atomic
def requirement_edit(*, actor, requirement, **changes) -> FormRequirement:
    requirement = _lock(FormRequirement, requirement.pk)
    _require_manage(actor, requirement.campaign)
    before = audit.snapshot(requirement)
    for field in REQUIREMENT_FIELDS:
        if field in changes:
            setattr(requirement, field, changes[field])
    requirement.note = requirement.note or ""
    _check_requirement(requirement)
    return _save(requirement, actor=actor, region_code=requirement.campaign.region_id, before=before)


# --- duties -----------------------------------------------------------------------------------


def _check_duty(duty):
    if duty.phase_id and duty.phase.campaign_id != duty.campaign_id:
        raise ValidationError({"phase": "所选阶段不属于该专项行动"})
    if not duty.unit.region_id.startswith(duty.campaign.region.prefix):
        raise ValidationError({"unit": f"成员单位须在{duty.campaign.region}辖区内"})
    if not (duty.task or "").strip():
        raise ValidationError({"task": "请填写任务内容"})


@transaction.atomic
def duty_add(*, actor, campaign, unit, task: str, due_on: dt.date, phase=None) -> Duty:
    _require_manage(actor, campaign)
    duty = Duty(campaign=campaign, unit=unit, task=task.strip(), due_on=due_on, phase=phase)
    _check_duty(duty)
    return _save(duty, actor=actor, region_code=campaign.region_id)


@transaction.atomic
def duty_edit(*, actor, duty, **changes) -> Duty:
    duty = _lock(Duty, duty.pk)
    _require_manage(actor, duty.campaign)
    before = audit.snapshot(duty)
    for field in ("unit", "task", "due_on", "phase"):
        if field in changes:
            setattr(duty, field, changes[field])
    _check_duty(duty)
    return _save(duty, actor=actor, region_code=duty.campaign.region_id, before=before)


@transaction.atomic
def duty_complete(*, actor, duty, completed_on: dt.date, note: str = "") -> Duty:
    duty = _lock(Duty, duty.pk)
    if not can_complete(actor, duty):
        raise PermissionDenied("只能登记本单位的职责完成情况")
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "完成日期不能晚于今天"})
    if not note.strip():
        raise ValidationError({"completion_note": "请填写完成情况"})
    before = audit.snapshot(duty)
    duty.completed_on, duty.completion_note, duty.completed_by = completed_on, note.strip(), actor
    return _save(duty, actor=actor, region_code=duty.unit.region_id, before=before)


# --- sweep, outreach, media -------------------------------------------------------------------


@transaction.atomic
def sweep_record(
    *, actor, campaign, village, swept_on: dt.date, swept_by: list, sites_found: int = 0, note: str = ""
) -> Sweep:
    """One village of the 摸底排查 phase, once per campaign."""
    if not actor.can("campaigns.sweep"):
        raise PermissionDenied("您没有登记排查的权限")
    if village.level != Level.VILLAGE:
        raise ValidationError({"village": "排查须登记到村（社区）"})
    _check_region(actor, campaign, village, "village")
    if not swept_by:
        raise ValidationError({"swept_by": "请选择排查人员"})
    if sites_found is None or sites_found < 0:
        raise ValidationError({"sites_found": "发现场所数不能为负数"})
    if Sweep.objects.filter(campaign=campaign, village=village).exists():
        raise ValidationError({"village": f"{village.name}在本专项行动中已登记排查"})
    sweep = Sweep(
        campaign=campaign,
        village=village,
        swept_on=swept_on,
        sites_found=sites_found,
        note=note.strip(),
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            sweep.full_clean(validate_constraints=False)
            sweep.save()
    except IntegrityError:  # a colleague recorded the same village a moment ago
        raise ValidationError({"village": f"{village.name}在本专项行动中已登记排查"}) from None
    sweep.swept_by.set(swept_by)
    after = audit.snapshot(sweep)
    after["swept_by"] = [u.pk for u in swept_by]
    audit.record(
        actor=actor, action=audit.AuditAction.CREATE, target=sweep, after=after, region_code=village.code
    )
    return sweep


def _check_recorder(actor, campaign, region):
    if not can_record(actor):
        raise PermissionDenied("您没有登记宣传情况的权限")
    if campaign is not None:
        _check_region(actor, campaign, region, "region")
    elif not _within(actor, region.code):
        raise ValidationError({"region": f"{region}不在您的辖区内"})


@transaction.atomic
def outreach_record(
    *, actor, region: Region, held_on: dt.date, title: str, people_reached: int, campaign=None
) -> OutreachEvent:
    _check_recorder(actor, campaign, region)
    if not title.strip():
        raise ValidationError({"title": "请填写活动名称"})
    if people_reached is None or people_reached < 0:
        raise ValidationError({"people_reached": "宣教人数不能为负数"})
    event = OutreachEvent(
        campaign=campaign,
        region=region,
        held_on=held_on,
        title=title.strip(),
        people_reached=people_reached,
        recorded_by=actor,
    )
    return _save(event, actor=actor, region_code=region.code)


@transaction.atomic
def media_record(
    *,
    actor,
    region: Region,
    published_on: dt.date,
    outlet: str,
    title: str,
    link: str = "",
    count: int = 1,
    campaign=None,
) -> MediaReport:
    _check_recorder(actor, campaign, region)
    if not outlet.strip():
        raise ValidationError({"outlet": "请填写媒体名称"})
    if not title.strip():
        raise ValidationError({"title": "请填写报道标题"})
    if count is None or count < 1:
        raise ValidationError({"count": "报道次数至少为1"})
    report = MediaReport(
        campaign=campaign,
        region=region,
        published_on=published_on,
        outlet=outlet.strip(),
        title=title.strip(),
        link=link.strip(),
        count=count,
        recorded_by=actor,
    )
    return _save(report, actor=actor, region_code=region.code)


__all__ = [
    "campaign_create",
    "campaign_update",
    "plan_create",
    "group_member_add",
    "phase_add",
    "phase_edit",
    "requirement_add",
    "requirement_edit",
    "duty_add",
    "duty_edit",
    "duty_complete",
    "sweep_record",
    "outreach_record",
    "media_record",
    "due_dates",
]
