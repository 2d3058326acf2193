"""Subjects and their persons are written and revealed only by those with the permission, within
their jurisdiction, whoever calls the service."""

import pytest
from django.core.exceptions import PermissionDenied

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.subjects import services
from qingyuan.subjects.models import Subject, SubjectPerson

DATA = {
    "name": "金星村无名诊所",
    "kind": "unlicensed_clinic",
    "address": "吴中区木渎镇金星村12号",
    "practice_content": "internal",
    "institution_type": "western",
}


@pytest.fixture
def clinic(regions, personas):
    subject = services.subject_save(
        actor=personas["alice"], subject=None, data={**DATA, "region": regions["village"]}
    )
    services.person_add(
        actor=personas["alice"], subject=subject, data={"name": "张医生", "role": "practitioner"}
    )
    return subject


def test_neighbouring_inspector_cannot_change_or_add_to_a_subject(personas, clinic):
    carol = personas["carol"]
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.subject_save(actor=carol, subject=clinic, data={"name": "改名"})
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.person_add(actor=carol, subject=clinic, data={"name": "李某", "role": "practitioner"})
    assert Subject.objects.get(pk=clinic.pk).name == DATA["name"]
    assert SubjectPerson.objects.count() == 1 and AuditEvent.objects.count() == events


def test_inspector_cannot_place_a_subject_in_the_neighbouring_county(personas, regions):
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.subject_save(
            actor=personas["alice"], subject=None, data={**DATA, "region": regions["xc_village"]}
        )
    assert not Subject.objects.exists()


def test_supervisor_and_auditor_cannot_register_a_subject(personas, units, regions):
    supervisor = make_user("sup", units["city"], Role.SUPERVISOR, "督查员甲")
    for actor in [supervisor, personas["aud"]]:
        with pytest.raises(PermissionDenied):
            services.subject_save(actor=actor, subject=None, data={**DATA, "region": regions["village"]})
    assert not Subject.objects.exists()


def test_clerk_cannot_reveal_and_nothing_is_recorded(personas, clinic):
    person = clinic.persons.get()
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.person_reveal(actor=personas["clerk"], person=person)
    assert AuditEvent.objects.count() == events
