"""The records officers make on site and during the investigation: 询问笔录, 卫生监督意见书 and
责令改正通知书, 先行登记保存 and its 处理决定 (行政处罚法 第55、56条).

They belong to a case or to an inspection. They are records, not steps: the case's state does not
move, but a case that has ended (workflow.FINAL_STATES) takes no more of them, and each one made on a
case is a line of its timeline. Every write is one transaction with its audit row."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.crypto import mask, mask_phone
from qingyuan.core.idcard import validate_id_number

from . import workflow
from .models import Case
from .models_procedure import EvidenceHold, HoldDecision, Inquiry, OrderKind, SupervisionOrder
from .steps import _event, require_in_scope

# Phone clocks drift; the inspection form allows the same few minutes (inspections.services).
FUTURE_SLACK = dt.timedelta(minutes=10)


# --- where a record belongs -------------------------------------------------------------------------


def inspection_visible(user, inspection) -> bool:
    """The inspection page's own rule: the user's jurisdiction, or an officer of another county who
    took part in it under a grant that still runs (a joint operation)."""
    from qingyuan.inspections.models import Inspection
    from qingyuan.operations import access

    if Inspection.objects.visible_to(user).filter(pk=inspection.pk).exists():
        return True
    return access.granted(user, inspection.subject_id) and inspection.officers.filter(pk=user.pk).exists()


def write_perm(*, case=None, inspection=None) -> str:
    """A record on a case is an investigation step (cases.edit); one on an inspection is part of
    recording the inspection (inspections.edit, as inspections.services.inspection_record)."""
    return "cases.edit" if case is not None else "inspections.edit"


def view_perm(record) -> str:
    return "cases.view" if record.case_id else "inspections.view"


def parent_of(record):
    return record.case if record.case_id else record.inspection


def may_write(user, *, case=None, inspection=None) -> bool:
    """Whether the pages offer to add a record here: the permission and a case that has not ended."""
    if not user.can(write_perm(case=case, inspection=inspection)):
        return False
    return case is None or case.status not in workflow.FINAL_STATES


def record_visible(user, record) -> bool:
    if record.case_id:
        return Case.objects.visible_to(user).filter(pk=record.case_id).exists()
    return inspection_visible(user, record.inspection)


def _parent(actor, *, case, inspection, what: str):
    """Check who writes and where; returns (case locked or None, inspection or None)."""
    if (case is None) == (inspection is None):
        raise ValueError("a record belongs to exactly one case or one inspection")
    if not getattr(actor, "can", None) or not actor.can(write_perm(case=case, inspection=inspection)):
        raise PermissionDenied(f"您没有记录{what}的权限")
    if case is not None:
        # Row lock: a record added while the case is being closed must see the closing.
        case = Case.objects.select_related("subject", "unit").select_for_update(of=("self",)).get(pk=case.pk)
        require_in_scope(actor, case)
        if case.status in workflow.FINAL_STATES:
            raise ValidationError(f"案件状态为“{case.get_status_display()}”，不能再记录{what}")
        return case, None
    if not inspection_visible(actor, inspection):
        raise PermissionDenied("该检查不在您的管辖范围内")
    return None, inspection


def _checked_officers(officers, *, case, inspection, errors) -> list:
    """RULES.md "Procedure facts": at least two officers with enforcement credentials, checked the
    way the case (cases.services) or the inspection (inspections.services) checks its own. The
    problems go to `errors` under "officers"; returns the distinct officers."""
    from qingyuan.inspections.services import officer_problems

    from .services import _officers_checked

    officers = list({o.pk: o for o in (officers or [])}.values())
    if case is not None:
        try:
            return _officers_checked(officers)
        except ValidationError as exc:
            problems = exc.message_dict["officers"]
    else:
        problems = officer_problems(officers, inspection.region_id, inspection.subject)
    if problems:
        errors.setdefault("officers", []).extend(problems)
        return []
    return officers


def _not_future(value, field, label, errors) -> None:
    if value is None:
        errors.setdefault(field, []).append(f"请填写{label}")
    elif isinstance(value, dt.datetime) and value > timezone.now() + FUTURE_SLACK:
        errors.setdefault(field, []).append(f"{label}不能晚于当前时间")
    elif not isinstance(value, dt.datetime) and value > timezone.localdate():
        errors.setdefault(field, []).append(f"{label}不能晚于今天")


def _required(value, field, label, errors) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(f"请填写{label}")
    return value


def _written(actor, record, officers, *, region_code) -> None:
    """The audit row, encrypted fields masked by audit.snapshot, officers by name and credential."""
    after = audit.snapshot(record)
    after["officers"] = [f"{o.full_name or o.username}（{o.credential_no}）" for o in officers]
    audit.record(
        actor=actor, action=audit.AuditAction.CREATE, target=record, after=after, region_code=region_code
    )


def _earlier(model, *, case, inspection, **same):
    """The record this form already saved, or None. A phone that lost the connection after sending
    resends the same form (drafts.js); the same person, time and recorder on the same case or
    inspection can only be that resent form, and it must land on the saved record."""
    earlier = model.objects.filter(case=case, inspection=inspection, **same).order_by("pk").first()
    if earlier is not None:
        earlier.resubmitted = True
    return earlier


def _region(case, inspection) -> str:
    return case.region_id if case is not None else inspection.region_id


# --- 询问笔录 ------------------------------------------------------------------------------------------


@transaction.atomic
def record_inquiry(
    *,
    actor,
    person_name: str,
    relation: str,
    started_at,
    place: str,
    officers,
    content: str,
    case=None,
    inspection=None,
    ended_at=None,
    person_id_number: str = "",
    person_phone: str = "",
    person_address: str = "",
) -> Inquiry:
    """询问笔录 of the party, a witness or a patient. The ID number and phone are stored encrypted."""
    from qingyuan.subjects.services import normalize_phone

    case, inspection = _parent(actor, case=case, inspection=inspection, what="询问笔录")
    where = {"case": case, "inspection": inspection}
    same = {"person_name": (person_name or "").strip(), "started_at": started_at, "recorded_by": actor}
    if started_at is not None and (earlier := _earlier(Inquiry, **where, **same)) is not None:
        return earlier
    errors: dict[str, list[str]] = {}
    person_name = _required(person_name, "person_name", "被询问人姓名", errors)
    relation = _required(relation, "relation", "与案件关系", errors)
    place = _required(place, "place", "询问地点", errors)
    content = _required(content, "content", "询问内容", errors)
    _not_future(started_at, "started_at", "询问开始时间", errors)
    if ended_at is not None:
        _not_future(ended_at, "ended_at", "询问结束时间", errors)
        if started_at is not None and ended_at <= started_at:
            errors.setdefault("ended_at", []).append("询问结束时间须晚于开始时间")
    person_id_number = (person_id_number or "").strip()
    if person_id_number:
        try:
            person_id_number = validate_id_number(person_id_number)
        except ValidationError as exc:
            errors.setdefault("person_id_number", []).extend(exc.messages)
    person_phone = normalize_phone(person_phone or "")
    if person_phone and not (7 <= len(person_phone) <= 12):
        errors.setdefault("person_phone", []).append("联系电话应为7到12位数字")
    officers = _checked_officers(officers, case=case, inspection=inspection, errors=errors)
    if errors:
        raise ValidationError(errors)
    inquiry = Inquiry(
        case=case,
        inspection=inspection,
        person_name=person_name,
        person_id_number=person_id_number,
        person_phone=person_phone,
        person_address=(person_address or "").strip(),
        relation=relation,
        started_at=started_at,
        ended_at=ended_at,
        place=place,
        content=content,
        recorded_by=actor,
    )
    inquiry.full_clean()
    inquiry.save()
    inquiry.officers.set(officers)
    _written(actor, inquiry, officers, region_code=_region(case, inspection))
    if case is not None:
        _event(case, actor, "询问笔录", note=f"询问{person_name}（{relation}）")
    return inquiry


def masked_person(inquiry) -> dict:
    """What a page shows of the person's numbers (SECURITY.md: masked by default)."""
    return {
        "id_number": mask(inquiry.person_id_number or ""),
        "phone": mask_phone(inquiry.person_phone or ""),
    }


# --- 卫生监督意见书 / 责令改正通知书 ----------------------------------------------------------------------


@transaction.atomic
def record_order(
    *,
    actor,
    kind: str,
    issued_on: dt.date,
    content: str,
    officers,
    case=None,
    inspection=None,
    basis: str = "",
    correct_by: dt.date | None = None,
    number: str = "",
) -> SupervisionOrder:
    """卫生监督意见书 or 责令改正通知书 served on the case's or the inspection's subject. A 责令改正通知书
    states the day by which the party must correct (行政处罚法 第28条)."""
    what = OrderKind(kind).label if kind in OrderKind.values else "文书"
    case, inspection = _parent(actor, case=case, inspection=inspection, what=what)
    where = {"case": case, "inspection": inspection}
    same = {"kind": kind, "issued_on": issued_on, "content": (content or "").strip(), "issued_by": actor}
    if issued_on is not None and (earlier := _earlier(SupervisionOrder, **where, **same)) is not None:
        return earlier
    errors: dict[str, list[str]] = {}
    if kind not in OrderKind.values:
        errors.setdefault("kind", []).append("请选择文书种类")
    content = _required(content, "content", "意见或违法事实及改正要求", errors)
    _not_future(issued_on, "issued_on", "出具日期", errors)
    if kind == OrderKind.CORRECTION:
        basis = _required(basis, "basis", "法律依据", errors)
        if correct_by is None:
            errors.setdefault("correct_by", []).append("请填写改正期限")
    if correct_by is not None and issued_on is not None and correct_by < issued_on:
        errors.setdefault("correct_by", []).append("改正期限不能早于出具日期")
    officers = _checked_officers(officers, case=case, inspection=inspection, errors=errors)
    if errors:
        raise ValidationError(errors)
    order = SupervisionOrder(
        kind=kind,
        subject=case.subject if case is not None else inspection.subject,
        case=case,
        inspection=inspection,
        number=(number or "").strip(),
        issued_on=issued_on,
        content=content,
        basis=(basis or "").strip(),
        correct_by=correct_by,
        issued_by=actor,
    )
    order.full_clean()
    order.save()
    order.officers.set(officers)
    _written(actor, order, officers, region_code=_region(case, inspection))
    if case is not None:
        note = f"改正期限{correct_by:%Y-%m-%d}" if correct_by else ""
        _event(case, actor, f"出具{order.get_kind_display()}", note=note)
    return order


def correction_followup(order, user, today: dt.date | None = None) -> dict | None:
    """What became of a 改正期限: the first inspection of the site after the order (the follow-up
    check), or the time left. None for an order with no deadline."""
    from qingyuan.core.workdays import due_badge
    from qingyuan.inspections.models import Inspection

    if order.correct_by is None:
        return None
    later = (
        Inspection.objects.visible_to(user)
        .filter(subject=order.subject_id, started_at__date__gt=order.issued_on)
        .exclude(pk=order.inspection_id or 0)
        .order_by("started_at", "pk")
        .first()
    )
    if later is not None:
        return {"due": order.correct_by, "checked": later, "badge": None}
    return {"due": order.correct_by, "checked": None, "badge": due_badge(order.correct_by, today)}


# --- 先行登记保存 --------------------------------------------------------------------------------------


def approvers(*, case=None, inspection=None):
    """Who may approve a 先行登记保存 (行政处罚法 第56条 “经行政机关负责人批准”): the chiefs and
    leaders of the unit in charge of the case or the inspection."""
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role

    unit_id = case.unit_id if case is not None else inspection.unit_id
    return User.objects.filter(unit_id=unit_id, role__in=[Role.CHIEF, Role.LEADER], is_active=True).order_by(
        "full_name", "username"
    )


@transaction.atomic
def record_hold(
    *,
    actor,
    held_at,
    items: str,
    place: str,
    approved_by,
    officers,
    case=None,
    inspection=None,
    keeper: str = "",
    number: str = "",
) -> EvidenceHold:
    """先行登记保存 of evidence that may be lost or hard to obtain later. The head who approves is
    not one of the officers who hold (the approval is a check on them)."""
    case, inspection = _parent(actor, case=case, inspection=inspection, what="先行登记保存")
    where = {"case": case, "inspection": inspection}
    same = {"held_at": held_at, "items": (items or "").strip(), "recorded_by": actor}
    if held_at is not None and (earlier := _earlier(EvidenceHold, **where, **same)) is not None:
        return earlier
    errors: dict[str, list[str]] = {}
    items = _required(items, "items", "物品清单", errors)
    place = _required(place, "place", "保存地点", errors)
    _not_future(held_at, "held_at", "保存时间", errors)
    officers = _checked_officers(officers, case=case, inspection=inspection, errors=errors)
    if approved_by is None:
        errors.setdefault("approved_by", []).append("请选择批准的负责人")
    elif not approvers(case=case, inspection=inspection).filter(pk=approved_by.pk).exists():
        errors.setdefault("approved_by", []).append("批准负责人须为本单位的科室负责人或领导")
    elif any(o.pk == approved_by.pk for o in officers):
        errors.setdefault("approved_by", []).append("批准负责人不能是实施保存的执法人员")
    if errors:
        raise ValidationError(errors)
    hold = EvidenceHold(
        case=case,
        inspection=inspection,
        subject=case.subject if case is not None else inspection.subject,
        number=(number or "").strip(),
        held_at=held_at,
        items=items,
        place=place,
        keeper=(keeper or "").strip(),
        approved_by=approved_by,
        recorded_by=actor,
    )
    hold.full_clean()
    hold.save()
    hold.officers.set(officers)
    _written(actor, hold, officers, region_code=_region(case, inspection))
    if case is not None:
        _event(case, actor, "先行登记保存", note=f"{approved_by.full_name}批准；保存于{place}")
    return hold


def hold_clock(hold, today: dt.date | None = None) -> dict:
    """The two limits of a hold, from the rules data in force on the hold day: reported to the head
    within SEIZURE_REPORT (read as the record, which carries the approval, being made within it) and
    decided within SEIZURE_HANDLE (行政处罚法 第56条). A limit with no version in force then is not
    shown. `report_limit`/`decide_limit` are the TimeLimit rows, for the page to name them."""
    from qingyuan.core.workdays import due_badge
    from qingyuan.rules.limits import due
    from qingyuan.rules.models import TimeLimit
    from qingyuan.rules.selectors import limit_in_force

    on = timezone.localdate(hold.held_at)
    clock = {"report_limit": None, "report_due": None, "reported_late": False}
    clock.update(decide_limit=None, decide_due=None, late=False, badge=None)
    try:
        clock["report_limit"] = limit_in_force("SEIZURE_REPORT", on)
    except TimeLimit.DoesNotExist:
        pass
    else:
        clock["report_due"] = due(clock["report_limit"], hold.held_at)
        clock["reported_late"] = bool(hold.recorded_at and hold.recorded_at > clock["report_due"])
    try:
        clock["decide_limit"] = limit_in_force("SEIZURE_HANDLE", on)
    except TimeLimit.DoesNotExist:
        return clock
    clock["decide_due"] = due(clock["decide_limit"], hold.held_at)
    if hold.decided_on:
        clock["late"] = hold.decided_on > clock["decide_due"]
    else:
        clock["badge"] = due_badge(clock["decide_due"], today)
    return clock


@transaction.atomic
def decide_hold(*, actor, hold, decided_on: dt.date, decision: str, decision_text: str = "") -> EvidenceHold:
    """处理决定 on held evidence. One made after SEIZURE_HANDLE is still recorded (the goods must be
    dealt with all the same) but marked late on the page and in the timeline."""
    hold = (
        EvidenceHold.objects.select_related("case", "inspection")
        .select_for_update(of=("self",))
        .get(pk=hold.pk)
    )
    case, inspection = _parent(actor, case=hold.case, inspection=hold.inspection, what="先行登记保存处理决定")
    errors: dict[str, list[str]] = {}
    if hold.decided_on:
        raise ValidationError(f"该先行登记保存已于{hold.decided_on:%Y-%m-%d}作出处理决定")
    if decision not in HoldDecision.values:
        errors.setdefault("decision", []).append("请选择处理决定")
    decision_text = (decision_text or "").strip()
    if decision in (HoldDecision.CONFISCATE, HoldDecision.TRANSFER) and not decision_text:
        errors.setdefault("decision_text", []).append("请填写处理决定内容（依据、物品去向）")
    _not_future(decided_on, "decided_on", "处理决定日期", errors)
    if decided_on is not None and decided_on < timezone.localdate(hold.held_at):
        errors.setdefault("decided_on", []).append("处理决定日期不能早于保存日期")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(hold)
    hold.decided_on = decided_on
    hold.decision = decision
    hold.decision_text = decision_text
    hold.full_clean()
    hold.save(update_fields=["decided_on", "decision", "decision_text"])
    b, a = audit.diff(before, audit.snapshot(hold))
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=hold,
        before=b,
        after=a,
        region_code=_region(case, inspection),
    )
    if case is not None:
        clock = hold_clock(hold)
        late = f"（超过处理期限{clock['decide_due']:%Y-%m-%d}）" if clock["late"] else ""
        _event(case, actor, "先行登记保存处理决定", note=f"{hold.get_decision_display()}{late}")
    return hold
