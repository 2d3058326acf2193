"""Writes to subjects and their persons: one transaction each, audited in the same transaction."""

from django.db import transaction

from qingyuan.core import audit
from qingyuan.core.crypto import blind_index

from .models import Subject, SubjectPerson


def normalize_phone(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def subject_save(*, actor, subject: Subject | None, data: dict, change_date=None) -> Subject:
    """Create or update a subject; `change_date` dates a change of its region or 需联合查处 flag in its
    history (Subject.TRACKED_FIELDS), today when not given."""

    def dated(instance):
        instance._change_date = change_date

    return audit.save_with_audit(
        actor=actor, model=Subject, pk=subject.pk if subject else None, data=data, prepare=dated
    )


@transaction.atomic
def person_add(*, actor, subject: Subject, data: dict) -> SubjectPerson:
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
    audit.record(
        actor=actor,
        action=audit.AuditAction.REVEAL,
        target=person,
        region_code=person.subject.region_id,
        after={"fields": ["id_number", "phone"]},
    )
    return {"id_number": person.id_number, "phone": person.phone}
