"""Two officers editing one subject: the form opened before the other's save is refused, not saved."""

import pytest

from qingyuan.core.models import AuditEvent
from qingyuan.core.tests.pages import form_data
from qingyuan.subjects import services
from qingyuan.subjects.models import Subject


@pytest.fixture
def clinic(regions, personas):
    return services.subject_save(
        actor=personas["alice"],
        subject=None,
        data={
            "name": "金星村无名诊所",
            "kind": "unlicensed_clinic",
            "address": "吴中区木渎镇金星村12号",
            "region": regions["village"],
            "practice_content": "internal",
            "institution_type": "western",
        },
    )


def test_stale_subject_form_is_refused_and_shows_both_values(clinic, login):
    url = f"/subjects/{clinic.pk}/edit/"
    alice, bob = login("alice"), login("bob")
    alices_form = form_data(alice.get(url).content.decode())
    assert alices_form["version"]

    bobs_form = form_data(bob.get(url).content.decode())
    assert bob.post(url, {**bobs_form, "address": "吴中区木渎镇金星村14号"}).status_code == 302
    updates = AuditEvent.objects.filter(action="update", target_id=str(clinic.pk)).count()

    response = alice.post(url, {**alices_form, "address": "吴中区木渎镇金星村16号", "notes": "后门进出"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "该记录已被他人修改（王博，" in page and "请查看变化后重新提交" in page
    # The difference, and what alice typed, still in the form.
    assert "吴中区木渎镇金星村14号" in page and "吴中区木渎镇金星村16号" in page and "后门进出" in page
    clinic.refresh_from_db()
    assert clinic.address == "吴中区木渎镇金星村14号" and clinic.notes == ""
    assert AuditEvent.objects.filter(action="update", target_id=str(clinic.pk)).count() == updates

    # Having read the difference, alice submits again: now it is her decision, and it is saved.
    assert alice.post(url, form_data(page)).status_code == 302
    clinic.refresh_from_db()
    assert clinic.address == "吴中区木渎镇金星村16号" and clinic.notes == "后门进出"


def test_unchanged_record_saves_from_a_form_opened_earlier(clinic, login):
    url = f"/subjects/{clinic.pk}/edit/"
    alice = login("alice")
    form = form_data(alice.get(url).content.decode())
    # Adding a person does not touch the fields the edit form overwrites.
    services.person_add(actor=None, subject=clinic, data={"name": "张医生", "role": "practitioner"})
    assert alice.post(url, {**form, "notes": "已约谈"}).status_code == 302
    assert Subject.objects.get(pk=clinic.pk).notes == "已约谈"


def test_a_tampered_version_is_refused(clinic, login):
    url = f"/subjects/{clinic.pk}/edit/"
    alice = login("alice")
    form = form_data(alice.get(url).content.decode())
    response = alice.post(url, {**form, "version": form["version"][:-2] + "xx", "notes": "改"})
    assert response.status_code == 409 and Subject.objects.get(pk=clinic.pk).notes == ""
