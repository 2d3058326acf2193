"""Writes to subjects and their persons: one transaction each, audited in the same transaction."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from qingyuan.core import audit, concurrency
from qingyuan.core.crypto import blind_index

from .models import Subject, SubjectPerson


def _require(actor, perm: str, message: str, subject: Subject | None = None) -> None:
    """Permission and jurisdiction, here so that pages, imports and scripts are all held to them. A
    designation (operations.access) also opens a subject across county lines; a joint operation's
    visitors read it and record inspections, but do not edit it."""
    from qingyuan.operations.access import may_write_subject

    if actor is None:
        return  # the system's own writes (like registry._save); every page and command passes a user
    if not getattr(actor, "can", None) or not actor.can(perm):
        raise PermissionDenied(message)
    if subject is not None and subject.pk:
        if not may_write_subject(actor, subject):
            raise PermissionDenied("该监管对象不在您的管辖范围内")


def normalize_phone(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


@transaction.atomic
def subject_save(
    *, actor, subject: Subject | None, data: dict, change_date=None, version: str | None = None
) -> Subject:
    """Create or update a subject; `change_date` dates a change of its region or 需联合查处 flag in its
    history (Subject.TRACKED_FIELDS), today when not given. `version` is the token of the edit form
    (core.concurrency): a form opened before someone else's save is refused, nothing written."""

    def dated(instance):
        instance._change_date = change_date

    _require(actor, "subjects.edit", "您没有登记监管对象的权限", subject)
    if subject is not None and subject.pk:
        # The lock is taken here, before save_with_audit takes it again in the same transaction, so the
        # check sees the row the save will overwrite.
        concurrency.check_version(Subject.objects.select_for_update().get(pk=subject.pk), version, data)
    saved = audit.save_with_audit(
        actor=actor, model=Subject, pk=subject.pk if subject else None, data=data, prepare=dated
    )
    # Re-checked after saving: the subject must not be placed (or moved) outside the jurisdiction.
    _require(actor, "subjects.edit", "", saved)
    return saved


@transaction.atomic
def person_add(*, actor, subject: Subject, data: dict) -> SubjectPerson:
    _require(actor, "subjects.edit", "您没有登记监管对象的权限", subject)
    person = SubjectPerson(subject=subject, **data)
    person.phone = normalize_phone(person.phone)
    person.id_number_index = blind_index(person.id_number)
    person.phone_index = blind_index(person.phone)
    person.full_clean()
    person.save()
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=person,
        after=audit.snapshot(person),
        region_code=subject.region_id,
    )
    return person


@transaction.atomic
def person_reveal(*, actor, person: SubjectPerson) -> dict:
    """Decrypted ID number and phone for a role that needs them; every reveal is recorded."""
    _require(actor, "subjects.reveal", "您无权查看身份证号和电话", person.subject)
    audit.record(
        actor=actor,
        action=audit.AuditAction.REVEAL,
        target=person,
        region_code=person.subject.region_id,
        after={"fields": ["id_number", "phone"]},
    )
    return {"id_number": person.id_number, "phone": person.phone}
