"""Field work: an inspection started from a lead, a form resent after a lost connection, and a burst of
photos uploaded at once."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingyuan.cases.models import Case, CaseSource, PartyKind
from qingyuan.inspections.models import CustodyEvent, Evidence, Inspection
from qingyuan.leads.models import Lead

from .conftest import JPEG, PNG

pytestmark = pytest.mark.django_db


def make_lead(unit, *, subject=None, campaign=None, number="XS000101"):
    today = timezone.localdate()
    return Lead.objects.create(
        number=number,
        channel="phone",
        category="unlicensed",
        received_at=timezone.now() - dt.timedelta(days=1),
        content="金星村12号有人无证输液",
        place="木渎镇金星村12号",
        handling_unit=unit,
        subject=subject,
        campaign=campaign,
        accept_due=today + dt.timedelta(days=15),
        conclude_due=today + dt.timedelta(days=60),
    )


def _form(subject, personas, **extra):
    data = {
        "subject": subject.pk,
        "kind": "overt",
        "started_at": timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "officers": [personas["alice"].pk, personas["bob"].pk],
        "vehicles": 1,
        "findings": "现场有输液器具。",
        "outcome": "violation",
    }
    data.update(extra)
    return data


def test_the_form_opened_from_a_lead_names_it_and_the_inspection_is_linked(login, personas, units, subject):
    lead = make_lead(units["wuzhong"], subject=subject)
    client = login("alice")

    page = client.get(f"/inspections/new/?lead={lead.pk}").content.decode()
    assert "检查事由" in page and "核查线索" in page and lead.number in page
    assert subject.name in page and subject.region.full_name in page
    assert f'name="lead" value="{lead.pk}"' in page

    response = client.post("/inspections/new/", _form(subject, personas, lead=lead.pk))
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    assert inspection.lead == lead and inspection.subject == subject

    detail = client.get(inspection.get_absolute_url()).content.decode()
    assert lead.get_absolute_url() in detail and lead.number in detail


def test_a_lead_without_a_subject_offers_to_create_one_or_pick_a_site(login, personas, units, subject):
    lead = make_lead(units["wuzhong"])
    client = login("alice")

    page = client.get(f"/inspections/new/?lead={lead.pk}").content.decode()
    assert "该线索尚未关联监管对象" in page
    assert f"/leads/{lead.pk}/subject/" in page and "建立监管对象" in page
    # The lead's place finds the site already on file.
    assert f"?lead={lead.pk}&amp;subject={subject.pk}" in page

    form = client.get(f"/inspections/new/?lead={lead.pk}&subject={subject.pk}").content.decode()
    assert "记录监督检查" in form and "保存检查记录" in form


def test_another_countys_lead_cannot_start_an_inspection(login, units, subject):
    lead = make_lead(units["xiangcheng"], subject=subject)
    assert login("alice").get(f"/inspections/new/?lead={lead.pk}").status_code == 404


def test_the_same_form_sent_twice_makes_one_inspection(login, personas, subject):
    client = login("alice")
    client_id = str(uuid.uuid4())

    first = client.post("/inspections/new/", _form(subject, personas, client_id=client_id))
    second = client.post("/inspections/new/", _form(subject, personas, client_id=client_id))

    inspection = Inspection.objects.get()
    assert str(inspection.client_id) == client_id
    assert first["Location"] == second["Location"] == inspection.get_absolute_url()
    page = client.get(second["Location"]).content.decode()
    assert "该检查记录已经保存过，本次没有重复保存" in page
    # The page that confirms the record tells the phone the draft with this id is done with.
    assert f'data-drafts-done="{client_id}"' in page


def test_the_service_returns_the_first_inspection_for_a_repeated_id(personas, subject):
    from qingyuan.inspections import services

    client_id = uuid.uuid4()
    kwargs = dict(
        actor=personas["alice"],
        subject=subject,
        kind="overt",
        started_at=timezone.now() - dt.timedelta(hours=1),
        officers=[personas["alice"], personas["bob"]],
        client_id=client_id,
    )
    first = services.inspection_record(**kwargs)
    again = services.inspection_record(**kwargs)
    assert again.pk == first.pk and again.resubmitted
    assert Inspection.objects.count() == 1


def test_two_forms_with_different_ids_make_two_inspections(login, personas, subject):
    client = login("alice")
    client.post("/inspections/new/", _form(subject, personas, client_id=str(uuid.uuid4())))
    client.post("/inspections/new/", _form(subject, personas, client_id=str(uuid.uuid4())))
    assert Inspection.objects.count() == 2


def test_the_inspection_page_offers_a_case_then_links_it(login, personas, inspection):
    alice = login("alice")
    page = alice.get(inspection.get_absolute_url()).content.decode()
    assert f'href="/cases/new/?inspection={inspection.pk}"' in page and ">立案<" in page

    # A leader sees the inspection and approves cases, but proposing one is the inspectors' work.
    assert personas["dave"].can("inspections.view") and not personas["dave"].can("cases.edit")
    leader_page = login("dave").get(inspection.get_absolute_url()).content.decode()
    assert "/cases/new/?inspection=" not in leader_page

    case = Case.objects.create(
        unit=inspection.unit,
        region=inspection.region,
        subject=inspection.subject,
        source=CaseSource.INSPECTION,
        inspection=inspection,
        title="未取得医疗机构执业许可证擅自执业",
        party_kind=PartyKind.CITIZEN,
        party_name="张某",
        offence_date=timezone.localdate(),
        proposed_by=personas["alice"],
    )
    page = alice.get(inspection.get_absolute_url()).content.decode()
    assert "/cases/new/?inspection=" not in page
    assert case.get_absolute_url() in page and "已提请立案" in page


def _photo(name, content=JPEG):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_several_photos_in_one_upload_make_several_evidence_items(login, inspection):
    client = login("alice")
    response = client.post(
        f"/inspections/{inspection.pk}/evidence/",
        {
            "kind": "photo",
            "description": "药品柜",
            "file": [_photo("柜子1.jpg"), _photo("柜子2.png", PNG)],
            "camera": [_photo("现场拍摄.jpg")],
        },
    )
    assert response.status_code == 302
    items = list(Evidence.objects.order_by("pk"))
    assert [e.original_name for e in items] == ["柜子1.jpg", "柜子2.png", "现场拍摄.jpg"]
    assert all(
        e.inspection == inspection and e.description == "药品柜" and len(e.sha256) == 64 for e in items
    )
    assert len({e.path for e in items}) == 3
    assert CustodyEvent.objects.filter(action="upload").count() == 3
    page = client.get(response["Location"]).content.decode()
    assert all(f"证据#{e.pk}" in page for e in items)


def test_one_bad_file_refuses_the_whole_upload_and_names_it(login, inspection, evidence_dir):
    response = login("alice").post(
        f"/inspections/{inspection.pk}/evidence/",
        {
            "kind": "photo",
            "description": "药品柜",
            "file": [_photo("柜子1.jpg"), SimpleUploadedFile("病历.jpg", b"MZ\x90\x00not an image")],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "病历.jpg" in page and "一个也未保存" in page
    assert "药品柜" in page  # what was typed is kept
    assert Evidence.objects.count() == 0 and CustodyEvent.objects.count() == 0
    stored = [p for p in evidence_dir.rglob("*") if p.is_file()] if evidence_dir.exists() else []
    assert stored == []


def test_the_upload_form_takes_several_files_and_the_camera(login, inspection):
    page = login("alice").get(inspection.get_absolute_url()).content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert page.count("multiple") >= 2
    assert "js/drafts.js" in page
