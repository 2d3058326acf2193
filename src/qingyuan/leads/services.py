"""Every write to a lead: one transaction each, its audit row and timeline step in the same
transaction, notifications after commit. Every step that moves a lead goes through its workflow
(workflow.LEAD_WORKFLOW.apply), which decides what is allowed; the deadlines come from the time limits
in force (rules), never from constants here."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qingyuan.campaigns.selectors import check_campaign_tag
from qingyuan.core import audit, concurrency
from qingyuan.core.crypto import blind_index
from qingyuan.core.notifications import notify
from qingyuan.core.sequences import next_value
from qingyuan.regions.addresses import city_office_unit, jurisdiction_unit, resolve_address
from qingyuan.rules.limits import due as limit_due
from qingyuan.rules.models import TimeLimit
from qingyuan.rules.selectors import limit_in_force
from qingyuan.subjects.services import normalize_phone

from . import feedback, workflow
from .models import Attachment, Channel, Conclusion, FeedbackTemplate, Lead, Reporter, Status
from .rewards import reward_decide, reward_pay  # noqa: F401  (the rewards' services live in rewards.py)
from .workflow import LEAD_WORKFLOW, TRANSITIONS
from .workflow import lead_event as _event
from .workflow import responsible as _responsible

# RULES.md "tips from the public", as time limits (rules.TimeLimit) an administrator keeps current:
# pass on or assign, conclude, the approved extension, and telling a real-name reporter.
TIP_ASSIGN = "TIP_ASSIGN"
TIP_CONCLUDE = "TIP_CONCLUDE"
TIP_CONCLUDE_EXTENSION = "TIP_CONCLUDE_EXTENSION"
TIP_CASE_NOTICE = "TIP_CASE_NOTICE"


def tip_limit(code: str, on: dt.date) -> TimeLimit:
    """The version of tip limit `code` in force on `on`. A lead received before the first version
    recorded (an import of an old tip) is held to that first version: its deadlines cannot be left
    empty, and the 信访 periods were the same under the earlier 信访条例. A code with no version at all
    is a gap in the rules an administrator fills; the step is refused with that said, not broken."""
    try:
        return limit_in_force(code, on)
    except TimeLimit.DoesNotExist:
        first = TimeLimit.objects.filter(code=code, effective_from__gt=on).order_by("effective_from").first()
        if first is None:
            raise ValidationError(f"时限规则 {code} 没有有效版本，请系统管理员在“规则”中补录") from None
        return first


def tip_due(code: str, start, *, on: dt.date) -> dt.date:
    """The last day of tip period `code` counted from `start` (a date, or an aware datetime for a
    limit in hours), by the version in force on `on` (the day the period's lead was received)."""
    result = limit_due(tip_limit(code, on), start)
    return timezone.localdate(result) if isinstance(result, dt.datetime) else result


def route(*, place: str, fallback_unit=None):
    """Region and handling unit for a reported place. Border areas and places that cannot be
    resolved go to the city office, which assigns them (a county picking its own would go wrong)."""
    resolution = resolve_address(place or "")
    if resolution.region is not None and not resolution.ambiguous and resolution.level >= 3:
        unit = jurisdiction_unit(resolution.region)
        if unit is not None:
            return resolution.region, unit, resolution.explanation
    anchor = resolution.region or (resolution.candidates[0] if resolution.candidates else None)
    if anchor is None and fallback_unit is not None:
        anchor = fallback_unit.region
    office = city_office_unit(anchor) if anchor is not None else None
    unit = office or fallback_unit
    if unit is None:
        raise ValidationError("无法确定承办单位：请填写更具体的地点")
    note = resolution.explanation or "地址无法识别，由市级统一分派"
    return (resolution.region if not resolution.ambiguous else None), unit, note


def _require(actor, perm: str, message: str, *leads) -> None:
    """Permission and jurisdiction, checked here so pages, the API and commands all refuse alike: the
    actor holds `perm` and every lead is handled within their jurisdiction (a lead moved to another
    unit by rerouting leaves the old unit's reach)."""
    if actor is None or not getattr(actor, "can", None) or not actor.can(perm):
        raise workflow.NotPermitted(message)
    for lead in leads:
        if not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
            raise workflow.NotPermitted("该线索不在您的管辖范围内")


# What the lead page's other actions need, beyond the workflow's own steps (workflow.TRANSITIONS).
ACTION_PERMS = {"duplicate": "leads.accept", "reward": "leads.reward", "payment": "leads.reward"}


def lead_action_check(*, actor, lead, action: str) -> None:
    """Refuse a step the actor may never take on this lead, before any form is read, so that a page
    answers 403 whatever was posted; each service checks again where it writes."""
    transition = TRANSITIONS.get(action)
    if transition is not None and transition.also_may is not None and transition.also_may(lead, actor):
        return
    perm = transition.perm if transition is not None else ACTION_PERMS.get(action)
    if perm is not None:
        label = transition.label if transition is not None else "该操作"
        _require(actor, perm, f"您没有“{label}”的权限", lead)


def _number(received_at) -> str:
    year = timezone.localtime(received_at).year
    return f"XS{year}{next_value(f'lead-{year}'):06d}"


@transaction.atomic
def lead_register(
    *,
    actor,
    channel: str,
    content: str,
    received_at=None,
    place: str = "",
    category: str = "other",
    practice_content: str = "other",
    reported_person: str = "",
    reported_phone: str = "",
    reporter: dict | None = None,
    attachments: list | None = None,
    transfer_source: str = "",
    transfer_document: str = "",
    handling_unit=None,
    partner=None,
    external_id: str = "",
    fallback_unit=None,
    campaign=None,
    intake_note: str = "",
) -> Lead:
    """Register a lead from any channel. `attachments` are checked files (uploads.check_files).
    `intake_note` joins the registration step on the timeline (e.g. a partner's links to photos).
    `fallback_unit` is used only when neither the place nor the actor/partner gives a unit: the public
    portal has no actor, and its configured default unit must not override the routing by place."""
    if getattr(actor, "is_authenticated", False):
        # The public portal and partner systems register without an account (actor None).
        # Another department's liaison registers only what it transfers (部门移送), not tips at large.
        department = channel == Channel.TRANSFER and actor.can("liaison.receive")
        if not department:
            _require(actor, "leads.register", "您没有登记线索的权限")
    received_at = received_at or timezone.now()
    fallback = (
        handling_unit or getattr(actor, "unit", None) or getattr(partner, "unit", None) or fallback_unit
    )
    region, unit, routing_note = route(place=place, fallback_unit=fallback)
    if handling_unit is not None:  # an officer registering for a unit they chose explicitly
        unit = handling_unit
    received_day = timezone.localtime(received_at).date()
    check_campaign_tag(campaign, region=region or unit.region, on=received_day)
    reporter_obj = None
    if reporter and any(reporter.values()):
        data = dict(reporter)
        data["phone"] = normalize_phone(data.get("phone", ""))
        reporter_obj = Reporter.objects.create(phone_index=blind_index(data["phone"]), **data)
    lead = Lead(
        channel=channel,
        category=category,
        received_at=received_at,
        content=content,
        place=place,
        reported_person=reported_person,
        reported_phone=normalize_phone(reported_phone),
        practice_content=practice_content,
        region=region,
        routing_note=routing_note[:300],
        handling_unit=unit,
        is_anonymous=reporter_obj is None,
        reporter=reporter_obj,
        transfer_source=transfer_source,
        transfer_document=transfer_document,
        accept_due=tip_due(TIP_ASSIGN, received_at, on=received_day),
        conclude_due=tip_due(TIP_CONCLUDE, received_at, on=received_day),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        partner=partner,
        external_id=external_id,
        campaign=campaign,
    )
    lead.full_clean(exclude=["tracking_code", "number"])
    # The yearly counter's row lock is held until commit and serialises every registration (measured in
    # bench/RESULTS.md, public form): take the number last, after the checks that only read.
    lead.number = _number(received_at)
    lead.save()
    for item in attachments or []:
        Attachment.objects.create(
            lead=lead,
            file=item["file"],
            original_name=item["original_name"],
            content_type=item["content_type"],
            size=item["size"],
            sha256=item["sha256"],
        )
    note = "；".join(filter(None, [lead.get_channel_display(), routing_note, intake_note]))
    _event(lead, actor, "登记", note=note, to_status=lead.status)
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=lead,
        after=audit.snapshot(lead),
        region_code=unit.region_id,
    )
    transaction.on_commit(
        lambda: notify(_responsible(lead), f"新线索 {lead.number} 待受理", lead.get_absolute_url())
    )
    return lead


def partner_lead(partner, external_id: str) -> Lead | None:
    """The lead `partner` already sent under its reference `external_id`, if any."""
    if not external_id:
        return None
    return Lead.objects.filter(partner=partner, external_id=external_id).first()


def partner_lead_register(*, partner, external_id: str = "", **fields) -> tuple[Lead, bool]:
    """A lead sent by a partner system (the partner API and the Open311 facade): registered through
    lead_register unless the partner already sent this reference. Returns (lead, created); a
    reference met twice gives the first lead back and registers nothing, also when two deliveries
    of one ticket race and the second meets the unique constraint."""
    existing = partner_lead(partner, external_id)
    if existing is not None:
        return existing, False
    try:
        lead = lead_register(
            actor=None, channel=Channel.PARTNER, partner=partner, external_id=external_id, **fields
        )
    except (IntegrityError, ValidationError):
        existing = partner_lead(partner, external_id)
        if existing is not None:
            return existing, False
        raise
    return lead, True


def _lock(lead) -> Lead:
    # Row lock: two officers acting on one lead at once must not overwrite each other.
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _transition(lead, *, actor, action, note="", to=None, after=None, **changes) -> Lead:
    """Take workflow step `action`; `changes` are the fields set with it."""
    return LEAD_WORKFLOW.apply(lead, action, actor=actor, note=note, changes=changes, to=to, after=after)


def _require_note(action: str, text: str, field: str) -> None:
    """The written reason a step needs (its needs_note), reported against the form's own field."""
    if not (text or "").strip():
        raise ValidationError({field: TRANSITIONS[action].needs_note})


@transaction.atomic
def lead_accept(*, actor, lead) -> Lead:
    return _transition(lead, actor=actor, action="accept")


@transaction.atomic
def lead_reject(*, actor, lead, reason: str) -> Lead:
    _require_note("reject", reason, "reason")
    template = "您反映的事项（编号{number}）经审查不予受理，理由：{reason}。"
    return _transition(
        lead,
        actor=actor,
        action="reject",
        note=reason,
        reject_reason=reason,
        feedback=template.format(number=lead.number, reason=reason),
        answered_at=timezone.now(),
        feedback_released_at=timezone.now() if feedback.released_by_default(lead) else None,
    )


@transaction.atomic
def lead_assign(*, actor, lead, officers: list) -> Lead:
    """RULES.md: at least two officers with enforcement credentials verify every lead. The officers
    are told by the workflow's notices once the step commits."""
    officers = list(dict.fromkeys(officers))
    if len(officers) < 2:
        raise ValidationError({"officers": "核查须分派至少2名执法人员"})
    missing = [o.full_name or o.username for o in officers if not o.credential_no]
    if missing:
        raise ValidationError({"officers": f"{'、'.join(missing)}没有执法证号，不能承担核查"})
    return _transition(
        lead,
        actor=actor,
        action="assign",
        note="、".join(o.full_name for o in officers),
        after=lambda record: record.officers.set(officers),
    )


@transaction.atomic
def lead_start_verification(*, actor, lead) -> Lead:
    return _transition(lead, actor=actor, action="verify")


def default_feedback(lead, conclusion: str) -> str:
    template = FeedbackTemplate.objects.filter(conclusion=conclusion).values_list("text", flat=True).first()
    template = template or "您于{received}反映的问题（编号{number}），经核查{conclusion}。感谢您的监督。"
    return template.format(
        number=lead.number,
        conclusion=Conclusion(conclusion).label,
        received=timezone.localtime(lead.received_at).strftime("%Y年%m月%d日"),
    )


@transaction.atomic
def lead_conclude(*, actor, lead, conclusion: str, note: str) -> Lead:
    if conclusion not in Conclusion.values:
        raise ValidationError({"conclusion": "请选择核查结论"})
    _require_note("conclude", note, "note")
    now = timezone.now()
    feedback_due = None
    if not lead.is_anonymous:
        today = timezone.localtime(now).date()
        feedback_due = tip_due(TIP_CASE_NOTICE, today, on=today)
    return _transition(
        lead,
        actor=actor,
        action="conclude",
        note=note,
        conclusion=conclusion,
        conclusion_note=note,
        concluded_at=now,
        feedback_due=feedback_due,
        feedback=default_feedback(lead, conclusion),
    )


# The fields the answer form overwrites: what its version token covers.
ANSWER_FIELDS = ("feedback",)


@transaction.atomic
def lead_answer(*, actor, lead, text: str, version: str | None = None, release: bool | None = None) -> Lead:
    """The answer the reporter reads with the tracking code; duplicates' reporters get the same answer.
    An answer may be corrected; `version` (core.concurrency) keeps a form opened before a colleague's
    answer from replacing it unseen. `release`: 可网上查询 (leads.feedback); None follows
    feedback.released_by_default. A corrected answer has to be delivered or released again."""
    if not text.strip():
        raise ValidationError({"text": "答复内容不能为空"})
    # Compared on the locked row, which the step below keeps locked until commit.
    concurrency.check_version(_lock(lead), version, ANSWER_FIELDS)
    now = timezone.now()
    released = now if (release if release is not None else feedback.released_by_default(lead)) else None
    lead = _transition(
        lead, actor=actor, action="answer", feedback=text, answered_at=now, feedback_released_at=released
    )
    for duplicate in Lead.objects.select_for_update().filter(duplicate_of=lead):
        before = audit.snapshot(duplicate)
        duplicate.feedback, duplicate.answered_at = text, now
        duplicate.feedback_released_at = (
            now if (released or feedback.released_by_default(duplicate)) else None
        )
        duplicate.save(update_fields=["feedback", "answered_at", "feedback_released_at", "updated_at"])
        _event(duplicate, actor, "同步答复", note=f"与原线索 {lead.number} 答复相同")
        b, a = audit.diff(before, audit.snapshot(duplicate))
        audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=duplicate, before=b, after=a)
    return lead


@transaction.atomic
def lead_close(*, actor, lead) -> Lead:
    """A real-name reporter is answered first (the step's condition, checked on the locked row)."""
    return _transition(lead, actor=actor, action="close", closed_at=timezone.now())


@transaction.atomic
def lead_extend(*, actor, lead, reason: str) -> Lead:
    """The concluding period + TIP_CONCLUDE_EXTENSION, once, with a section chief's or leader's
    approval (RULES.md), by the version in force when the lead was received."""
    _require_note("extend", reason, "reason")
    locked = _lock(lead)  # extend the deadline as it stands now, not the caller's copy of it
    received_day = timezone.localtime(locked.received_at).date()
    conclude_due = tip_due(TIP_CONCLUDE_EXTENSION, locked.conclude_due, on=received_day)
    return _transition(
        locked, actor=actor, action="extend", note=reason, conclude_due=conclude_due, extended=True
    )


def extension_text(lead) -> str:
    """“延期30日”: what the extension adds for this lead, from the version of the rule it is held to."""
    try:
        limit = tip_limit(TIP_CONCLUDE_EXTENSION, timezone.localtime(lead.received_at).date())
    except ValidationError:
        return "延期"
    unit = limit.get_unit_display()
    return f"延期{limit.amount}{'个' if unit == '工作日' else ''}{unit}"


@transaction.atomic
def lead_reroute(*, actor, lead, unit, reason: str) -> Lead:
    """Move a lead to another handling unit (改派/转办); recorded, and the new unit's chiefs are told
    (the workflow's notices). The new unit assigns its own officers."""
    _require_note("reroute", reason, "reason")
    locked = _lock(lead)  # the state decides where the lead goes: read it under the lock
    old_unit = locked.handling_unit
    return _transition(
        locked,
        actor=actor,
        action="reroute",
        note=f"{old_unit} → {unit}：{reason}",
        to=workflow.REROUTE_TO.get(locked.status, locked.status),
        handling_unit=unit,
        after=lambda record: record.officers.clear(),
    )


# The field the link form overwrites: a lead linked by a colleague since the page was opened is not
# silently re-linked.
LINK_FIELDS = ("subject",)


@transaction.atomic
def lead_link_subject(*, actor, lead, subject, version: str | None = None) -> Lead:
    from qingyuan.subjects.models import Subject

    _require(actor, "subjects.edit", "您没有关联监管对象的权限", lead)
    if not Subject.objects.visible_to(actor).filter(pk=subject.pk).exists():
        raise workflow.NotPermitted("该监管对象不在您的管辖范围内")
    lead = _lock(lead)
    concurrency.check_version(lead, version, LINK_FIELDS)
    before = audit.snapshot(lead)
    lead.subject = subject
    lead.save()
    _event(lead, actor, "关联监管对象", note=str(subject))
    b, a = audit.diff(before, audit.snapshot(lead))
    audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=lead, before=b, after=a)
    return lead


@transaction.atomic
def lead_mark_duplicate(*, actor, lead, original) -> Lead:
    """Linked, never deleted: the duplicate's reporter gets the original's answer. Deciding that two
    tips are one is a triage decision, taken by those who accept leads, on leads of their own."""
    _require(actor, "leads.accept", "您没有标记重复线索的权限", lead, original)
    if original.pk == lead.pk or original.duplicate_of_id == lead.pk:
        raise ValidationError({"original": "不能与自身或其重复线索互相关联"})
    lead = _lock(lead)
    before = audit.snapshot(lead)
    lead.duplicate_of = original.duplicate_of or original
    if lead.duplicate_of.answered_at:
        lead.feedback, lead.answered_at = lead.duplicate_of.feedback, lead.duplicate_of.answered_at
        lead.feedback_released_at = lead.duplicate_of.feedback_released_at or (
            timezone.now() if feedback.released_by_default(lead) else None
        )
    lead.save()
    _event(lead, actor, "标记重复", note=f"与 {lead.duplicate_of.number} 重复")
    b, a = audit.diff(before, audit.snapshot(lead))
    audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=lead, before=b, after=a)
    return lead


def can_see_reporter(user, lead) -> bool:
    """信访工作条例 第30条: the assigned officers and the handling unit's 科室负责人 and above only."""
    if not user.is_authenticated or not user.can("leads.view"):
        return False
    if lead.officers.filter(pk=user.pk).exists():
        return True
    return user.can("leads.reporter") and Lead.objects.visible_to(user).filter(pk=lead.pk).exists()


@transaction.atomic
def reporter_reveal(*, actor, lead) -> dict:
    if lead.reporter is None:
        return {}
    if not can_see_reporter(actor, lead):
        raise workflow.TransitionNotAllowed("您无权查看举报人信息")
    audit.record(
        actor=actor,
        action=audit.AuditAction.REVEAL,
        target=lead,
        after={"fields": ["reporter"]},
        region_code=lead.handling_unit.region_id,
    )
    r = lead.reporter
    return {
        "name": r.name,
        "phone": r.phone,
        "id_number": r.id_number,
        "email": r.email,
        "address": r.address,
    }


@transaction.atomic
def reported_phone_reveal(*, actor, lead) -> str:
    """The reported person's full phone for an officer who can see the lead (to call or check it);
    masked everywhere else, and each reveal audited like the reporter's (SECURITY.md)."""
    if not actor.is_authenticated or not actor.can("leads.view"):
        raise workflow.TransitionNotAllowed("您无权查看被反映人电话")
    if not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
        raise workflow.TransitionNotAllowed("您无权查看被反映人电话")
    if lead.reported_phone:
        audit.record(
            actor=actor,
            action=audit.AuditAction.REVEAL,
            target=lead,
            after={"fields": ["reported_phone"]},
            region_code=lead.handling_unit.region_id,
        )
    return lead.reported_phone


def current_due(lead) -> dt.date | None:
    """The deadline that matters now for this lead's state."""
    if lead.status == Status.REGISTERED:
        return lead.accept_due
    if lead.status in {Status.ACCEPTED, Status.ASSIGNED, Status.VERIFYING}:
        return lead.conclude_due
    if lead.status == Status.CONCLUDED and not lead.is_anonymous:
        return lead.feedback_due
    return None


def leads_overdue_notify(*, today: dt.date | None = None) -> int:
    """Scheduled job (leads.tasks): tell the responsible users about each lead past the deadline of its
    current step, once per deadline. Whether a lead is overdue is computed from its deadlines
    (Lead.objects.overdue); only the announcement is remembered, as the deadline announced, so an
    extended deadline that passes is announced again and the same one never twice. Returns the
    number of leads announced: 0 on a second run the same day."""
    today = today or timezone.localdate()
    announced = 0
    for pk in list(Lead.objects.overdue(today).values_list("pk", flat=True)):
        with transaction.atomic():
            # Row lock: another run at the same moment announces the lead once, not twice.
            locked = Lead.objects.select_for_update().get(pk=pk)
            due = current_due(locked)
            if due is None or due >= today or locked.overdue_notified_for == due:
                continue
            before = locked.overdue_notified_for
            locked.overdue_notified_for = due
            locked.save(update_fields=["overdue_notified_for"])
            _event(locked, None, "超期", note=f"期限 {due:%Y-%m-%d} 已过")
            audit.record(
                action=audit.AuditAction.UPDATE,
                target=locked,
                before={"overdue_notified_for": before.isoformat() if before else None},
                after={"overdue_notified_for": due.isoformat()},
                region_code=locked.handling_unit.region_id,
            )
            users = _responsible(locked)
            transaction.on_commit(
                lambda u=users, lead_=locked, due_=due: notify(
                    u, f"线索 {lead_.number} 已超期（期限 {due_:%Y-%m-%d}）", lead_.get_absolute_url()
                )
            )
        announced += 1
    return announced
