from django.db.models import Q

from qingyuan.core.crypto import blind_index
from qingyuan.core.idcard import normalize_id_number

from .models import Subject, SubjectPerson
from .services import normalize_phone


def subject_search(queryset, text: str):
    """Name, address fragment, person name, or an exact phone / ID number (matched by blind index)."""
    text = (text or "").strip()
    if not text:
        return queryset
    condition = Q(name__contains=text) | Q(address__contains=text)
    person_match = Q(name__contains=text)
    digits = normalize_phone(text)
    if len(digits) >= 7 and len(digits) == len(text.replace("-", "").replace(" ", "")):
        person_match |= Q(phone_index=blind_index(digits))
    if len(text) == 18:
        person_match |= Q(id_number_index=blind_index(normalize_id_number(text)))
    condition |= Q(pk__in=SubjectPerson.objects.filter(person_match).values("subject_id"))
    return queryset.filter(condition)


def subject_history(subject: Subject):
    """What happened to this subject, newest first. Later apps (leads, inspections, cases) add their events."""
    from qingyuan.core.models import AuditEvent

    person_ids = [str(pk) for pk in subject.persons.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(target_type="subjects.subject", target_id=str(subject.pk))
        | Q(target_type="subjects.subjectperson", target_id__in=person_ids)
    ).order_by("-id")[:100]
