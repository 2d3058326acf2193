import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from qingyuan.cases.models import Case, CaseStatus
from qingyuan.core.models import AuditEvent
from qingyuan.leads import services as lead_services
from qingyuan.leads.models import Lead

from .test_case_data import decided, make_subject, opened, propose

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


@pytest.fixture
def case(personas, regions):
    return opened(personas, regions)


def _pages(case):
    return [
        "/cases/",
        "/cases/new/",
        f"/cases/new/?subject={case.subject_id}",
        case.get_absolute_url(),
        f"/cases/{case.pk}/documents/opening_approval/",
    ]


def test_anonymous_visitor_is_sent_to_login(case):
    client = Client()
    for url in [*_pages(case), "/cases/templates/", "/cases/templates/decision/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(f"/cases/{case.pk}/actions/to_review/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_neighbouring_county_gets_404(case, login):
    carol = login("carol")
    assert carol.get(case.get_absolute_url()).status_code == 404
    assert carol.get(f"/cases/{case.pk}/documents/opening_approval/").status_code == 404
    assert carol.post(f"/cases/{case.pk}/actions/to_review/").status_code == 404
    assert carol.get(f"/cases/new/?subject={case.subject_id}").status_code == 404
    assert case.number not in carol.get("/cases/").content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATING


@pytest.mark.parametrize("persona", ["sam", "sec", "aud"])
def test_administrators_see_no_case_pages(case, login, persona):
    # Like every area outside a role (core.permissions.require_perm), the answer is 404.
    client = login(persona)
    for url in _pages(case):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cases/{case.pk}/actions/revoke/", {"reason": "x"}).status_code == 404


def test_clerk_sees_the_case_but_cannot_approve(personas, regions, login):
    proposed = propose(personas, regions)
    client = login("clerk")
    page = client.get(proposed.get_absolute_url()).content.decode()
    assert "批准立案" not in page
    response = client.post(f"/cases/{proposed.pk}/actions/approve_open/", {"on": "2026-06-01"}, follow=True)
    assert "权限" in response.content.decode()
    assert Case.objects.get(pk=proposed.pk).status == CaseStatus.PROPOSED
    assert login("clerk").get("/cases/new/").status_code == 404


def test_chief_approves_the_opening_from_the_page(personas, regions, login):
    proposed = propose(personas, regions)
    client = login("chief")
    assert "批准立案" in client.get(proposed.get_absolute_url()).content.decode()
    response = client.post(f"/cases/{proposed.pk}/actions/approve_open/", {"on": "2026-06-01"})
    assert response.status_code == 302
    assert Case.objects.get(pk=proposed.pk).number == "吴中区卫生监督所卫医罚〔2026〕1号"


def test_case_page_shows_clocks_ranges_followup_and_actions(case, login):
    page = login("alice").get(case.get_absolute_url()).content.decode()
    assert case.number in page
    assert "办案期限" in page and "已超期" in page  # opened 2026-06-01, 90 days have passed
    assert 'data-offence="ZY-01"' in page and "50000.00元 至 200000.00元" in page
    assert f'hx-get="/cases/{case.pk}/followup/"' in page
    assert "提交合议审理" in page


def test_decided_case_page_shows_measures_and_owed_today(personas, regions, login):
    case = decided(personas, regions)
    page = login("alice").get(case.get_absolute_url()).content.decode()
    assert "罚款 50000.00元" in page and "没收违法所得 3000.00元" in page


def test_national_system_entry_date_is_recorded(case, login):
    client = login("alice")
    client.post(f"/cases/{case.pk}/actions/national_entry/", {"on": "2026-06-05"})
    assert Case.objects.get(pk=case.pk).national_entry_on == dt.date(2026, 6, 5)
    assert "已于2026-06-05录入" in client.get(case.get_absolute_url()).content.decode()
    assert AuditEvent.objects.filter(target_id=str(case.pk), action="update").exists()


def test_unknown_action_is_404(case, login):
    assert login("alice").post(f"/cases/{case.pk}/actions/delete/").status_code == 404


def test_list_filters_and_exports(personas, regions, case, login):
    propose(personas, regions)
    client = login("alice")
    page = client.get("/cases/?status=investigating").content.decode()
    assert case.number in page and "共 1 条" in page
    assert "共 1 条" in client.get("/cases/?year=2026").content.decode()
    response = client.get("/cases/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", target_type="cases.case").exists()


def test_proposing_from_a_concluded_lead(personas, regions, login):
    lead = lead_services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在家中开设诊所",
        place="苏州市吴中区木渎镇金星村12号",
    )
    subject = make_subject(regions["village"])
    Lead.objects.filter(pk=lead.pk).update(
        conclusion="case_opened", subject=subject, status="concluded", concluded_at=timezone.now()
    )
    client = login("alice")
    assert f"/cases/new/?lead={lead.pk}" in client.get(lead.get_absolute_url()).content.decode()
    form = client.get(f"/cases/new/?lead={lead.pk}").content.decode()
    assert "金星村黑诊所" in form
    response = client.post(
        "/cases/new/",
        {
            "lead": lead.pk,
            "source": "lead",
            "title": "擅自执业案",
            "party_kind": "citizen",
            "party_name": "张三",
            "offence_date": "2026-05-01",
            "offence_codes": ["ZY-01"],
            "illegal_income": "3000",
            "officers": [personas["alice"].pk, personas["bob"].pk],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.lead == Lead.objects.get(pk=lead.pk) and case.subject == subject


def test_proposal_form_keeps_input_and_names_the_field(personas, regions, login):
    subject = make_subject(regions["village"])
    response = login("alice").post(
        "/cases/new/",
        {
            "subject": subject.pk,
            "source": "direct",
            "title": "擅自执业案",
            "party_kind": "citizen",
            "party_name": "张三",
            "offence_date": "2026-05-01",
            "offence_codes": ["ZY-01"],
            "illegal_income": "3000",
            "officers": [personas["alice"].pk],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "至少2名" in page and "擅自执业案" in page
    assert not Case.objects.exists()


def test_lead_not_concluded_for_a_case_cannot_be_proposed(personas, regions, login):
    lead = lead_services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在家中开设诊所",
        place="苏州市吴中区木渎镇金星村12号",
    )
    response = login("alice").get(f"/cases/new/?lead={lead.pk}", follow=True)
    assert "立案查处" in response.content.decode()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 2048


def test_evidence_is_attached_to_the_case(case, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.QINGYUAN_EVIDENCE_DIR = tmp_path / "evidence"
    client = login("alice")
    photo = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    client.post(
        f"/cases/{case.pk}/actions/evidence/", {"kind": "photo", "file": photo, "description": "输液架"}
    )
    evidence = case.evidence.get()
    assert evidence.subject == case.subject and evidence.kind == "photo"
    assert "添加证据" in client.get(case.get_absolute_url()).content.decode()
    # A clerk has no evidence.add: refused, nothing attached.
    login("clerk").post(
        f"/cases/{case.pk}/actions/evidence/", {"kind": "photo", "file": SimpleUploadedFile("a.jpg", JPEG)}
    )
    assert case.evidence.count() == 1


def test_decision_is_recorded_from_the_page_and_a_fine_outside_is_refused(personas, regions, login):
    from .test_case_data import notified

    case = notified(personas, regions)
    client = login("chief")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "作出处罚决定" in page
    data = {
        "offence_code": "ZY-01",
        "procedure": "general",
        "decided_on": "2026-08-20",
        "fine": "40000",
        "confiscate_income": "3000",
        "ban": "on",
        "discretion_reason": "初次违法",
    }
    response = client.post(f"/cases/{case.pk}/actions/decide/", data, follow=True)
    assert "50,000.00元至200,000.00元" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOTIFIED
    client.post(f"/cases/{case.pk}/actions/decide/", {**data, "fine": "50000"})
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.DECIDED
    assert sorted(case.decision.measures.values_list("kind", flat=True)) == [
        "ban",
        "confiscate_income",
        "fine",
    ]


def test_case_page_renders_in_every_stage(personas, regions, login):
    from qingyuan.cases import services

    from .test_case_data import served

    case = served(personas, regions)
    services.payment_record(
        actor=personas["alice"], case=case, kind="fine", amount=10000, paid_on=dt.date(2026, 9, 20)
    )
    page = login("alice").get(case.get_absolute_url()).content.decode()
    assert "今日应缴合计" in page and "登记缴款" in page and "缴款期限" in page
    for kind in ["opening_approval", "prior_notice", "decision"]:
        assert f"/documents/{kind}/" in page
