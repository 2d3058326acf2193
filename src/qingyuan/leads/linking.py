"""A lead's subject made from the lead itself (建立监管对象): the subjects app's own form and service
create it, the leads service links it; one transaction, so a refused link leaves no stray subject."""

from django.db import transaction
from django.utils import timezone

from qingyuan.subjects import services as subject_services
from qingyuan.subjects.models import SubjectKind

from .models import Category

# The subject kind a lead's category usually points at; the officer can change it on the form.
KIND_FOR_CATEGORY = {
    Category.UNLICENSED: SubjectKind.UNLICENSED_CLINIC,
    Category.NON_PHYSICIAN: SubjectKind.UNLICENSED_CLINIC,
    Category.ITINERANT: SubjectKind.ITINERANT,
    Category.AESTHETIC: SubjectKind.BEAUTY_SALON,
    Category.TCM_WELLNESS: SubjectKind.WELLNESS,
    Category.LICENCE_RENTAL: SubjectKind.LICENSED,
}


def subject_initial(lead) -> dict:
    """The subject form's starting values, from what the lead says."""
    initial = {
        "name": lead.reported_person or lead.place,
        "address": lead.place,
        "practice_content": lead.practice_content,
        "found_on": timezone.localdate(),
    }
    if lead.region_id:
        initial["region"] = lead.region_id
    if lead.category in KIND_FOR_CATEGORY:
        initial["kind"] = KIND_FOR_CATEGORY[lead.category]
    return initial


def person_initial(lead) -> dict:
    return {"name": lead.reported_person, "phone": lead.reported_phone or ""}


@transaction.atomic
def subject_create_from_lead(
    *, actor, lead, data: dict, person: dict | None, change_date=None, version: str | None = None
):
    """Create the subject (and its person, when named) and link the lead to it, all audited."""
    from .services import _require, lead_link_subject

    _require(actor, "subjects.edit", "您没有登记监管对象的权限", lead)
    subject = subject_services.subject_save(actor=actor, subject=None, data=data, change_date=change_date)
    if person:
        subject_services.person_add(actor=actor, subject=subject, data=person)
    lead_link_subject(actor=actor, lead=lead, subject=subject, version=version)
    return subject
