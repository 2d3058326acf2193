import datetime as dt
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingyuan.cases import documents
from qingyuan.cases.models import DocumentKind, DocumentTemplate
from qingyuan.core.models import AuditEvent
from qingyuan.leads import services as lead_services
from qingyuan.leads.models import Lead

from .test_case_data import decided, make_subject

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def _text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def case(personas, regions):
    lead = lead_services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在家中开设诊所",
        place="苏州市吴中区木渎镇金星村12号",
        reporter={"name": "王举报", "phone": "13912345678"},
    )
    subject = make_subject(regions["village"])
    Lead.objects.filter(pk=lead.pk).update(conclusion="case_opened", subject=subject, status="concluded")
    return decided(personas, regions, source="lead", lead=Lead.objects.get(pk=lead.pk), subject=subject)


@pytest.mark.parametrize("kind", DocumentKind.values)
def test_documents_open_in_word_with_number_party_and_fine(personas, case, login, kind):
    response = login("alice").get(f"/cases/{case.pk}/documents/{kind}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    text = _text(response.content)
    assert case.number in text and "张三" in text
    if kind != DocumentKind.OPENING_APPROVAL:
        assert "50,000.00" in text
    # The reporter never appears in a document (信访工作条例 第30条).
    assert "王举报" not in text and "13912345678" not in text
    assert AuditEvent.objects.filter(action="export", target_id=str(case.pk), after__document=kind).exists()


def _template(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_replacement_template_is_used_after_upload(personas, case, login):
    client = login("sam")
    upload = SimpleUploadedFile(
        "决定书.docx", _template("新版决定书 {{ case.number }} {{ party_name }} 罚款{{ fine }}元")
    )
    response = client.post("/cases/templates/", {"kind": "decision", "file": upload})
    assert response.status_code == 302
    assert DocumentTemplate.objects.get(kind="decision").original_name == "决定书.docx"
    text = _text(documents.document_render(actor=personas["alice"], case=case, kind="decision").content)
    assert text.startswith("新版决定书") and case.number in text and "50,000.00" in text
    client.post("/cases/templates/", {"reset": "decision"})
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_template("{{ case.number "), "模板语法错误"),
        (_template("{{ reporter.name }}"), "不存在的占位符"),
        (_template("{{ case.number.__class__.__mro__ }}"), "模板"),
        (b"not a docx", "不是有效的 .docx"),
    ],
)
def test_broken_template_is_refused_with_the_reason(personas, login, content, message):
    response = login("sam").post(
        "/cases/templates/", {"kind": "decision", "file": SimpleUploadedFile("坏模板.docx", content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_templates_page_lists_the_placeholders(login):
    page = login("sam").get("/cases/templates/").content.decode()
    assert "case.number" in page and "party_name" in page


@pytest.mark.parametrize("persona", ["alice", "chief", "dave"])
def test_only_the_system_administrator_replaces_templates(login, persona):
    assert login(persona).get("/cases/templates/").status_code == 404
