import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from qingyuan.core.models import AuditEvent
from qingyuan.inspections import services
from qingyuan.inspections.checklists import items_for, template_for
from qingyuan.inspections.models import CustodyAction, Evidence, Inspection

from .conftest import PNG


@pytest.fixture
def evidence(personas, subject, inspection):
    return services.evidence_add(
        actor=personas["alice"],
        subject=subject,
        inspection=inspection,
        kind="photo",
        uploaded_file=SimpleUploadedFile("诊室.png", PNG),
    )


def _form(subject, personas, **extra):
    data = {
        "subject": subject.pk,
        "kind": "covert",
        "started_at": (timezone.localtime() - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "officers": [personas["alice"].pk, personas["bob"].pk],
        "persons_present": "张某",
        "vehicles": "2",
        "findings": "有人正在输液",
        "outcome": "violation",
    }
    data.update(extra)
    return data


def test_anonymous_visitor_is_sent_to_login(client, inspection, evidence):
    for url in (
        "/inspections/",
        f"/inspections/{inspection.pk}/",
        f"/inspections/evidence/{evidence.pk}/file/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inspector_records_an_inspection_from_the_form(login, personas, subject):
    item = items_for(template_for(subject))[0]
    page = login("alice").get(f"/inspections/new/?subject={subject.pk}")
    html = page.content.decode()
    assert 'type="datetime-local"' in html and "执业许可证或备案凭证" in html
    assert f'value="{personas["alice"].pk}" ' in html and "checked" in html  # the current user pre-ticked
    response = login("alice").post("/inspections/new/", _form(subject, personas, **{f"item_{item.pk}": "no"}))
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    assert inspection.vehicles == 2 and inspection.answers.get().result == "no"
    detail = login("bob").get(response["Location"]).content.decode()
    assert "暗访" in detail and "李爱丽" in detail and "32050601002" in detail and "不符合" in detail


def test_one_officer_in_the_form_is_refused_and_the_input_kept(login, personas, subject):
    response = login("alice").post(
        "/inspections/new/", _form(subject, personas, officers=[personas["alice"].pk])
    )
    html = response.content.decode()
    assert response.status_code == 200 and "请选择至少2名执法人员" in html
    assert "有人正在输液" in html
    assert not Inspection.objects.exists()


def test_an_officer_without_credential_is_refused_in_the_form(login, personas, subject, rookie):
    response = login("alice").post(
        "/inspections/new/", _form(subject, personas, officers=[personas["alice"].pk, rookie.pk])
    )
    assert "刘新没有执法证号" in response.content.decode()
    assert not Inspection.objects.exists()


def test_an_inspection_made_to_verify_a_lead_links_it(login, personas, subject):
    from qingyuan.leads.services import lead_register

    lead = lead_register(
        actor=personas["clerk"], channel="phone", content="黑诊所", place="吴中区木渎镇金星村"
    )
    response = login("alice").post("/inspections/new/", _form(subject, personas, lead=lead.pk))
    assert response.status_code == 302
    assert Inspection.objects.get().lead == lead


def test_neighbouring_county_gets_404_on_the_inspection_and_its_evidence(
    login, inspection, evidence, subject
):
    carol = login("carol")
    for url in (
        f"/inspections/{inspection.pk}/",
        f"/inspections/{inspection.pk}/record.docx",
        f"/inspections/evidence/{evidence.pk}/",
        f"/inspections/evidence/{evidence.pk}/file/",
        f"/inspections/new/?subject={subject.pk}",
    ):
        assert carol.get(url).status_code == 404, url
    assert carol.post(f"/inspections/{inspection.pk}/evidence/", {"kind": "photo"}).status_code == 404
    assert not evidence.custody.exclude(action=CustodyAction.UPLOAD).exists()
    assert "金星村" not in carol.get("/inspections/").content.decode()


def test_sysadmin_sees_no_inspection_content(login, inspection, evidence):
    sam = login("sam")
    for url in (
        "/inspections/",
        f"/inspections/{inspection.pk}/",
        f"/inspections/evidence/{evidence.pk}/file/",
    ):
        assert sam.get(url).status_code == 403, url
    assert sam.get("/inspections/checklists/").status_code == 200


def test_clerk_without_evidence_add_cannot_upload(login, inspection):
    clerk = login("clerk")
    assert "添加证据" not in clerk.get(f"/inspections/{inspection.pk}/").content.decode()
    response = clerk.post(
        f"/inspections/{inspection.pk}/evidence/", {"kind": "photo", "file": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 403 and not Evidence.objects.exists()


def test_inspector_uploads_a_photo_and_a_lying_file_is_refused(login, inspection):
    alice = login("alice")
    fake = SimpleUploadedFile("现场.jpg", b"hello, I am text\n" * 20, content_type="image/jpeg")
    response = alice.post(f"/inspections/{inspection.pk}/evidence/", {"kind": "photo", "file": fake})
    assert response.status_code == 400 and "内容不是允许的类型" in response.content.decode()
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = alice.post(f"/inspections/{inspection.pk}/evidence/", {"kind": "photo", "file": photo})
    assert response.status_code == 302 and Evidence.objects.get().inspection == inspection


def test_download_serves_the_file_as_attachment_and_logs_custody(login, personas, evidence):
    response = login("bob").get(f"/inspections/evidence/{evidence.pk}/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment")
    assert "%E8%AF%8A%E5%AE%A4.png" in response["Content-Disposition"]
    event = evidence.custody.order_by("-id").first()
    assert event.action == CustodyAction.DOWNLOAD and event.user == personas["bob"] and event.client_address
    log = login("alice").get(f"/inspections/evidence/{evidence.pk}/").content.decode()
    assert "下载" in log and "王博" in log and evidence.sha256 in log


def test_inline_view_is_logged_as_view(login, personas, evidence):
    response = login("dave").get(f"/inspections/evidence/{evidence.pk}/file/?inline=1")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    assert evidence.custody.order_by("-id").first().action == CustodyAction.VIEW


def test_the_docx_record_opens_and_names_subject_officers_and_checklist(login, inspection):
    page = login("alice").get(f"/inspections/{inspection.pk}/").content.decode()
    link = f"/cases/inspections/{inspection.pk}/documents/site_record/"
    assert f'href="{link}"' in page
    response = login("alice").get(link)
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "现场笔录" in text and "金星村无证诊所" in text and "木渎镇金星村12号" in text
    for expected in ("李爱丽", "32050601001", "王博", "32050601002", "签名", "被检查人", "日期"):
        assert expected in text
    # The checklist answers, one line each, with the officer's note.
    assert "执业许可证或备案凭证" in text and "不符合" in text and "未能出示" in text
    assert (
        doc.styles["Normal"].element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "仿宋"
    )
    assert AuditEvent.objects.filter(action="export", target_id=str(inspection.pk)).exists()


def test_list_filters_and_exports_what_is_shown(login, inspection, personas, subject, when):
    services.inspection_record(
        actor=personas["alice"],
        subject=subject,
        kind="patrol",
        started_at=when,
        officers=[personas["alice"], personas["bob"]],
        outcome="no_violation",
    )
    alice = login("alice")
    html = alice.get("/inspections/?kind=patrol").content.decode()
    assert "共 1 条" in html and "巡查" in html
    response = alice.get("/inspections/?outcome=violation&export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2 and "发现违法行为" in rows[1] and "李爱丽、王博" in rows[1]


def test_subject_page_lists_its_inspections(login, inspection, subject):
    html = login("alice").get(subject.get_absolute_url()).content.decode()
    assert "监督检查" in html and inspection.get_absolute_url() in html and "记录监督检查" in html


def test_sysadmin_edits_a_checklist_item_and_it_is_audited(login, subject):
    item = items_for(template_for(subject))[0]
    response = login("sam").post(
        f"/inspections/checklists/{item.template_id}/items/{item.pk}/",
        {"text": "执业许可证或诊所备案凭证", "basis": "医疗机构管理条例", "order": 1, "active": "on"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.text == "执业许可证或诊所备案凭证"
    assert AuditEvent.objects.filter(target_type="inspections.checklistitem", action="update").exists()
    assert login("alice").get("/inspections/checklists/").status_code == 403
