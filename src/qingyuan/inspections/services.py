"""Every write of an inspection or a piece of evidence: one transaction each, audited in it.

Other apps call `inspection_record` (cases: 复查, 回头看), `evidence_add` and `evidence_open`.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qingyuan.campaigns.selectors import check_campaign_tag
from qingyuan.core import audit
from qingyuan.core.middleware import client_ip, current_request
from qingyuan.core.scoping import jurisdiction_prefix

from . import checklists, storage
from .models import (
    AnswerResult,
    ChecklistAnswer,
    ChecklistItem,
    CustodyAction,
    CustodyEvent,
    Evidence,
    EvidenceKind,
    Inspection,
    InspectionKind,
    InspectionOutcome,
)

MIN_OFFICERS = 2  # RULES.md "Procedure facts": at least 2 officers with enforcement credentials
FUTURE_SLACK = dt.timedelta(minutes=10)  # phone clocks drift; a later start is a typing error


def officer_name(user) -> str:
    return user.full_name or user.username


def covers(user, region_code: str) -> bool:
    """Whether a user's jurisdiction includes a region."""
    prefix = jurisdiction_prefix(user)
    return prefix is not None and region_code.startswith(prefix)


def may_act_on(user, subject) -> bool:
    """The subject is in the user's jurisdiction, or a joint operation or a designation granted the user
    (or their unit) access to it for now: Subject's visible_to opens granted sites (operations.access)."""
    from qingyuan.subjects.models import Subject

    return Subject.objects.visible_to(user).filter(pk=subject.pk).exists()


def officer_problems(officers, region_code: str, subject=None) -> list[str]:
    """Why these officers may not inspect in a region, one Chinese sentence per problem (empty: fine).
    With `subject`, an officer outside the region passes while a grant covers them for that site."""
    from qingyuan.operations.access import granted

    problems = []
    distinct = list({o.pk: o for o in officers}.values())
    if len(distinct) < MIN_OFFICERS:
        problems.append(f"现场检查须有至少{MIN_OFFICERS}名执法人员（已选{len(distinct)}名）")
    for officer in distinct:
        name = officer_name(officer)
        if not officer.is_active:
            problems.append(f"执法人员{name}的账号已停用")
        elif not (officer.credential_no or "").strip():
            problems.append(f"执法人员{name}没有执法证号，不能参加现场检查")
        elif not covers(officer, region_code) and not (subject is not None and granted(officer, subject)):
            problems.append(f"执法人员{name}的管辖范围不包括被检查对象所在地")
    return problems


def _answers(answers, items) -> list[tuple[ChecklistItem, str, str]]:
    """Normalise answers to (item, result, note); items must belong to the subject's checklist."""
    by_id = {item.pk: item for item in items}
    rows, errors = [], []
    entries = answers.items() if isinstance(answers, dict) else ((a["item"], a) for a in answers)
    for key, value in entries:
        item_id = key.pk if isinstance(key, ChecklistItem) else int(key)
        if isinstance(value, dict):
            result, note = value.get("result", ""), value.get("note", "")
        elif isinstance(value, (tuple, list)):
            result, note = value[0], (value[1] if len(value) > 1 else "")
        else:
            result, note = value, ""
        if not result:
            continue
        item = by_id.get(item_id)
        if item is None:
            errors.append(f"检查项目#{item_id}不属于该对象适用的检查表")
        elif result not in AnswerResult.values:
            errors.append(f"检查项目“{item.text}”的结果无效")
        else:
            rows.append((item, result, (note or "").strip()[:300]))
    if errors:
        raise ValidationError({"answers": errors})
    return rows


def resubmitted(actor, client_id):
    """The inspection this user already saved from the form carrying `client_id`, or None. A phone
    that lost the connection after sending resends the same form; it must land on the saved record."""
    if not client_id:
        return None
    return Inspection.objects.filter(client_id=client_id, recorded_by=actor).first()


@transaction.atomic
def inspection_record(
    *,
    actor,
    subject,
    kind: str,
    started_at,
    officers,
    outcome: str = InspectionOutcome.NO_VIOLATION,
    unit=None,
    ended_at=None,
    persons_present: str = "",
    vehicles: int = 0,
    findings: str = "",
    lead=None,
    answers=None,
    campaign=None,
    client_id=None,
) -> Inspection:
    """Record an inspection made by `officers` (users) at `subject`.

    `answers` are the checklist results: {item or item id: result | (result, note) | {"result", "note"}}
    or a list of {"item", "result", "note"}; results are AnswerResult values. Raises ValidationError
    (messages keyed by field) or PermissionDenied; nothing is saved then.

    `client_id` is the id the form was given on the phone: a second submission with the same id
    returns the inspection the first one saved (marked `resubmitted`) and records nothing new.
    """

    if not getattr(actor, "can", None) or not actor.can("inspections.edit"):
        raise PermissionDenied("无权记录监督检查")
    if not may_act_on(actor, subject):
        raise PermissionDenied("该监管对象不在您的管辖范围内")
    from qingyuan.operations.access import require_may_act, responsible_region

    # 指定管辖: the county of the address no longer records inspections there from the designation on.
    require_may_act(actor, subject, started_at)
    if client_id:
        earlier = resubmitted(actor, client_id)
        if earlier is not None:
            earlier.resubmitted = True
            return earlier
        if Inspection.objects.filter(client_id=client_id).exists():
            raise ValidationError({"client_id": ["该表单标识已被使用，请刷新页面后重新填写"]})
    errors: dict[str, list[str]] = {}
    if kind not in InspectionKind.values:
        errors.setdefault("kind", []).append("请选择检查方式")
    if outcome not in InspectionOutcome.values:
        errors.setdefault("outcome", []).append("请选择处理结果")
    if started_at is None:
        errors.setdefault("started_at", []).append("请填写检查开始时间")
    elif started_at > timezone.now() + FUTURE_SLACK:
        errors.setdefault("started_at", []).append("检查开始时间不能晚于当前时间")
    if started_at and ended_at and ended_at < started_at:
        errors.setdefault("ended_at", []).append("检查结束时间不能早于开始时间")
    officers = list(officers or [])
    problems = officer_problems(officers, subject.region_id, subject)
    if problems:
        errors["officers"] = problems
    unit = unit or getattr(actor, "unit", None)
    if unit is None:
        errors.setdefault("unit", []).append("请指定检查单位")
    if lead is not None:
        from qingyuan.leads.models import Lead

        if not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
            errors.setdefault("lead", []).append("该线索不在您的管辖范围内")
        elif lead.subject_id and lead.subject_id != subject.pk:
            errors.setdefault("lead", []).append("该线索关联的是另一个监管对象")
    if started_at is not None:
        try:
            check_campaign_tag(
                campaign,
                region=responsible_region(subject, started_at),
                on=timezone.localtime(started_at).date(),
            )
        except ValidationError as exc:
            errors.setdefault("campaign", []).extend(exc.message_dict["campaign"])
    template = checklists.template_for(subject)
    rows = []
    try:
        rows = _answers(answers or {}, checklists.items_for(template))
    except ValidationError as exc:
        errors.setdefault("answers", []).extend(exc.message_dict["answers"])
    if errors:
        raise ValidationError(errors)

    inspection = Inspection(
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
        subject=subject,
        # Counted where the site was answered for on the day of the visit (指定管辖 moves it).
        region=responsible_region(subject, started_at),
        unit=unit,
        persons_present=(persons_present or "").strip(),
        vehicles=vehicles or 0,
        findings=(findings or "").strip(),
        outcome=outcome,
        lead=lead,
        campaign=campaign,
        checklist=template,
        recorded_by=actor,
        officer_count=len({o.pk for o in officers}),
        client_id=client_id or None,
    )
    inspection.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError:
        # The same form arrived twice at once: the other request saved it first.
        earlier = resubmitted(actor, client_id)
        if earlier is None:
            raise
        earlier.resubmitted = True
        return earlier
    inspection.officers.set({o.pk: o for o in officers}.values())
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(inspection=inspection, item=item, result=result, note=note)
        for item, result, note in rows
    )
    after = audit.snapshot(inspection)
    after["officers"] = [f"{officer_name(o)}（{o.credential_no}）" for o in inspection.officers.all()]
    after["answers"] = {item.text: result for item, result, _note in rows}
    from qingyuan.operations.access import grant_audit_facts

    # A visit allowed through a cross-jurisdiction grant names the grant (and its operation).
    after.update(grant_audit_facts(subject, [actor, *inspection.officers.all()]))
    audit.record(actor=actor, action=audit.AuditAction.CREATE, target=inspection, after=after)
    return inspection


def _grant_facts(subject, actor) -> dict:
    """The grant an evidence upload was allowed through, named in its audit row (empty: own site)."""
    from qingyuan.operations.access import grant_audit_facts

    return grant_audit_facts(subject, [actor])


def _custody(evidence, action, *, user=None, request=None, note=""):
    request = request or current_request()
    return CustodyEvent.objects.create(
        evidence=evidence,
        action=action,
        user=user if getattr(user, "is_authenticated", False) else None,
        client_address=client_ip(request) if request is not None else "",
        note=note[:300],
    )


def evidence_add(
    *,
    actor,
    subject,
    uploaded_file=None,
    kind: str,
    description: str = "",
    inspection=None,
    quantity: str = "",
    storage_place: str = "",
) -> Evidence:
    """Store a piece of evidence: the file streamed to disk with its SHA-256, the record, its audit row
    and the first custody event. A seized item may have no photo; every other kind needs a file."""

    if not getattr(actor, "can", None) or not actor.can("evidence.add"):
        raise PermissionDenied("无权添加证据")
    if not may_act_on(actor, subject):
        raise PermissionDenied("该监管对象不在您的管辖范围内")
    errors: dict[str, list[str]] = {}
    if kind not in EvidenceKind.values:
        errors.setdefault("kind", []).append("请选择证据类型")
    if inspection is not None and inspection.subject_id != subject.pk:
        errors.setdefault("inspection", []).append("该检查不是对此监管对象的检查")
    description, quantity, storage_place = (
        (description or "").strip(),
        (quantity or "").strip(),
        (storage_place or "").strip(),
    )
    if kind == EvidenceKind.SEIZED:
        if not description:
            errors.setdefault("description", []).append("请填写扣押/先行登记保存物品的名称和状况")
        if not quantity:
            errors.setdefault("quantity", []).append("请填写物品数量")
        if not storage_place:
            errors.setdefault("storage_place", []).append("请填写物品存放地点")
    elif uploaded_file is None:
        errors.setdefault("file", []).append("请选择要上传的文件")
    if errors:
        raise ValidationError(errors)

    stored = storage.store(uploaded_file, kind=kind) if uploaded_file is not None else None
    try:
        with transaction.atomic():
            evidence = Evidence(
                subject=subject,
                inspection=inspection,
                kind=kind,
                description=description,
                quantity=quantity,
                storage_place=storage_place,
                uploaded_by=actor,
            )
            if stored is not None:
                evidence.path = stored.path
                evidence.original_name = stored.original_name
                evidence.content_type = stored.content_type
                evidence.size = stored.size
                evidence.sha256 = stored.sha256
            evidence.full_clean()
            evidence.save()
            _custody(evidence, CustodyAction.UPLOAD, user=actor)
            audit.record(
                actor=actor,
                action=audit.AuditAction.CREATE,
                target=evidence,
                after={**audit.snapshot(evidence), **_grant_facts(subject, actor)},
                region_code=subject.region_id,
            )
    except BaseException:
        # The row was not saved: the file must not stay behind as evidence of nothing.
        if stored is not None:
            storage.discard(stored.path)
        raise
    return evidence


MAX_FILES_AT_ONCE = 20


def evidence_add_many(*, actor, subject, files, kind: str, inspection=None, description: str = "", **fields):
    """Several files chosen at once (a burst of photos): each stored as its own piece of evidence by
    `evidence_add`, with its own hash, audit row and custody event, and all of them or none. Every file
    refused is named in the error; the files already written for this submission are removed."""
    files = [f for f in (files or []) if f is not None]
    if len(files) <= 1:
        return [
            evidence_add(
                actor=actor,
                subject=subject,
                uploaded_file=files[0] if files else None,
                kind=kind,
                description=description,
                inspection=inspection,
                **fields,
            )
        ]
    if len(files) > MAX_FILES_AT_ONCE:
        raise ValidationError({"file": [f"一次最多上传{MAX_FILES_AT_ONCE}个文件（已选{len(files)}个）"]})
    saved, problems = [], []
    try:
        with transaction.atomic():
            for uploaded in files:
                try:
                    saved.append(
                        evidence_add(
                            actor=actor,
                            subject=subject,
                            uploaded_file=uploaded,
                            kind=kind,
                            description=description,
                            inspection=inspection,
                            **fields,
                        )
                    )
                except ValidationError as exc:
                    messages = exc.message_dict if hasattr(exc, "error_dict") else {"file": exc.messages}
                    for field, texts in messages.items():
                        problems.append((field, texts))
                    if any(field != "file" for field, _texts in problems):
                        break  # a wrong form field is wrong for every file: once is enough
            if problems:
                errors: dict[str, list[str]] = {}
                for field, texts in problems:
                    errors.setdefault(field, []).extend(t for t in texts if t not in errors.get(field, []))
                errors.setdefault("file", []).append(f"共选择{len(files)}个文件，以上问题改正前一个也未保存")
                raise ValidationError(errors)
    except BaseException:
        for evidence in saved:
            if evidence.path:
                storage.discard(evidence.path)
        raise
    return saved


def evidence_open(*, actor, evidence, action: str = CustodyAction.DOWNLOAD, request=None):
    """Open an evidence file for reading after checking access and logging custody (view or download).

    Returns a binary file handle the caller closes (FileResponse does)."""
    if action not in (CustodyAction.VIEW, CustodyAction.DOWNLOAD):
        raise ValueError(action)
    if not getattr(actor, "can", None) or not actor.can("evidence.view"):
        raise PermissionDenied("无权查看证据")
    if not Evidence.objects.visible_to(actor).filter(pk=evidence.pk).exists():
        raise PermissionDenied("该证据不在您的管辖范围内")
    if not evidence.path:
        raise ValidationError("该证据没有文件")
    handle = open(storage.full_path(evidence.path), "rb")  # noqa: SIM115 - the response closes it
    try:
        with transaction.atomic():
            _custody(evidence, action, user=actor, request=request)
    except BaseException:
        handle.close()
        raise
    return handle


def _rehashed():
    """(evidence, reason) for every stored file, re-hashed; reason is "" when the file is intact."""
    for evidence in Evidence.objects.exclude(path="").select_related("subject").iterator(chunk_size=500):
        result = storage.file_hash(evidence.path)
        if result is None:
            yield evidence, "文件缺失"
        elif result != (evidence.sha256, evidence.size):
            yield evidence, "文件已改变（SHA-256不符）"
        else:
            yield evidence, ""


def verify_all(*, stdout_line=None) -> list[tuple[Evidence, str]]:
    """Re-hash every stored file; record a custody event for each and one audit row for the run.

    Returns the evidence whose file changed or is missing, with the reason."""
    failed, ok_events, failed_events, checked = [], [], [], 0
    for evidence, reason in _rehashed():
        checked += 1
        if not reason:
            ok_events.append(CustodyEvent(evidence=evidence, action=CustodyAction.VERIFY_OK))
            continue
        failed.append((evidence, reason))
        failed_events.append(CustodyEvent(evidence=evidence, action=CustodyAction.VERIFY_FAILED, note=reason))
        if stdout_line:
            stdout_line(evidence, reason)
    with transaction.atomic():
        CustodyEvent.objects.bulk_create(ok_events + failed_events, batch_size=1000)
        audit.record(
            action="verify",
            target_type="inspections.evidence",
            target_repr="证据文件哈希校验",
            after={
                "checked": checked,
                "failed": [{"evidence": e.pk, "path": e.path, "reason": r} for e, r in failed],
            },
            result="failed" if failed else "ok",
        )
    return failed


def verify_nightly() -> tuple[int, list[tuple[Evidence, str]]]:
    """The nightly check (inspections.tasks): re-hash every stored file like verify_all, but record only
    what is new. A file found changed or missing is written to its custody record and the audit log,
    and told to the system administrators of its region, once for that file, reason and hash; an
    intact file leaves no row (verify_all, run by hand, records those too). Returns (files checked,
    every problem found, announced before or not)."""
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role
    from qingyuan.core.notifications import notify
    from qingyuan.core.schedule import remember

    checked, failed = 0, []
    for evidence, reason in _rehashed():
        checked += 1
        if not reason:
            continue
        failed.append((evidence, reason))
        region = evidence.subject.region_id
        with transaction.atomic():
            if not remember(f"inspections.evidence_verify:{evidence.pk}:{reason}:{evidence.sha256}"):
                continue
            admins = [
                u
                for u in User.objects.filter(is_active=True, role=Role.SYSADMIN).select_related(
                    "unit__region"
                )
                if (prefix := jurisdiction_prefix(u)) is not None and region.startswith(prefix)
            ]
            # 系统管理员 see no case content: the message names the file, not the subject or the case.
            name = evidence.original_name or evidence.path
            notify(admins, f"证据文件校验：证据#{evidence.pk}（{name}）{reason}，请核查存储与备份")
            CustodyEvent.objects.create(evidence=evidence, action=CustodyAction.VERIFY_FAILED, note=reason)
            audit.record(
                action="verify",
                target=evidence,
                after={"path": evidence.path, "reason": reason},
                region_code=region,
                result="failed",
            )
    return checked, failed


@transaction.atomic
def record_export(*, actor, inspection, what: str) -> None:
    """An inspection document leaving the platform is an export (SECURITY.md: every export recorded)."""
    audit.record(
        actor=actor,
        action=audit.AuditAction.EXPORT,
        target=inspection,
        after={"document": what},
    )
