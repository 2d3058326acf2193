import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qingyuan.core.models import AuditEvent
from qingyuan.leads import services
from qingyuan.leads.models import Lead, Status

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def lead(personas):
    return services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="村里有人无证看病",
        place="吴中区木渎镇金星村",
        reporter={"name": "王举报", "phone": "13912345678"},
    )


def _intake(**extra):
    data = {
        "channel": "phone",
        "received_at": "2026-11-20T09:30",
        "category": "unlicensed",
        "content": "金星村有人开黑诊所",
        "place": "苏州市吴中区木渎镇金星村12号",
        "practice_content": "internal",
        "anonymous": "on",
    }
    data.update(extra)
    return data


def test_clerk_registers_a_hotline_tip_with_a_photo(login, units):
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = login("clerk").post("/leads/new/", {**_intake(), "attachments": [photo]})
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.handling_unit == units["wuzhong"] and lead.attachments.get().content_type == "image/png"


def test_a_disguised_file_is_refused_and_nothing_is_saved(login, units):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = login("clerk").post("/leads/new/", {**_intake(), "attachments": [fake]})
    assert "类型不允许" in response.content.decode()
    assert not Lead.objects.exists()


def test_real_name_tip_needs_name_and_phone(login, units):
    response = login("clerk").post("/leads/new/", _intake(anonymous=""))
    page = response.content.decode()
    assert "实名举报请填写姓名" in page and "金星村有人开黑诊所" in page  # input kept
    assert not Lead.objects.exists()


def test_transfer_needs_the_transferring_department(login, units):
    response = login("clerk").post("/leads/new/", _intake(channel="transfer"))
    assert "移送单位类型" in response.content.decode()


def test_chief_handles_the_lead_through_the_pages(login, personas, lead):
    chief = login("chief")
    chief.post(f"/leads/{lead.pk}/accept/")
    chief.post(f"/leads/{lead.pk}/assign/", {"officers": [personas["alice"].pk, personas["bob"].pk]})
    alice = login("alice")
    alice.post(f"/leads/{lead.pk}/verify/")
    alice.post(f"/leads/{lead.pk}/conclude/", {"conclusion": "true", "note": "现场核实"})
    alice.post(f"/leads/{lead.pk}/answer/", {"text": "已核实并依法处理。"})
    chief.post(f"/leads/{lead.pk}/close/")
    lead.refresh_from_db()
    assert lead.status == Status.CLOSED
    page = chief.get(lead.get_absolute_url()).content.decode()
    assert "办结" in page and "已核实并依法处理" in page


def test_refused_step_shows_a_chinese_message(login, lead):
    response = login("alice").post(f"/leads/{lead.pk}/accept/", follow=True)
    assert "没有“受理”的权限" in response.content.decode()


def test_reporter_identity_is_not_on_the_page_or_export(login, lead):
    for name in ["chief", "alice", "dave"]:
        client = login(name)
        page = client.get(lead.get_absolute_url()).content.decode()
        export = client.get("/leads/", {"export": "xlsx"}).content
        assert "王举报" not in page and "13912345678" not in page
        assert "王举报".encode() not in export


def test_chief_reveals_the_reporter_and_it_is_recorded(login, lead):
    response = login("chief").post(f"/leads/{lead.pk}/reporter/")
    assert "王举报" in response.content.decode()
    assert AuditEvent.objects.filter(action="reveal", actor_name="chief").exists()


def test_unassigned_inspector_cannot_reveal_the_reporter(login, lead):
    assert login("alice").post(f"/leads/{lead.pk}/reporter/").status_code == 403


def test_neighbouring_county_cannot_see_the_lead(login, lead):
    client = login("carol")
    assert client.get(lead.get_absolute_url()).status_code == 404
    assert client.post(f"/leads/{lead.pk}/reporter/").status_code == 404
    assert client.post(f"/leads/{lead.pk}/accept/").status_code == 404
    assert lead.number not in client.get("/leads/").content.decode()


@pytest.mark.parametrize("persona", ["sam", "aud", "sec"])
def test_administrators_see_no_leads(login, lead, persona):
    assert login(persona).get("/leads/").status_code == 404


def test_detail_page_shows_matching_candidates(login, personas, regions, lead):
    from qingyuan.subjects import services as subject_services

    subject_services.subject_save(
        actor=personas["alice"],
        subject=None,
        data={
            "name": "金星诊所",
            "kind": "unlicensed_clinic",
            "address": "吴中区木渎镇金星村12号",
            "region": regions["village"],
            "practice_content": "internal",
            "institution_type": "western",
        },
    )
    page = login("alice").get(lead.get_absolute_url()).content.decode()
    assert "可能对应的对象" in page and "金星诊所" in page and "地址相近" in page


def test_sysadmin_words_the_answer_template_and_conclusions_use_it(login, personas):
    client = login("sam")
    bad = client.post("/leads/templates/", {"conclusion": "untrue", "text": "编号{编号}"})
    assert "只能使用" in bad.content.decode()
    client.post("/leads/templates/", {"conclusion": "untrue", "text": "您反映的{number}经核查{conclusion}。"})
    client.post("/leads/templates/", {"conclusion": "untrue", "text": "线索{number}：{conclusion}，谢谢。"})
    lead = services.lead_register(
        actor=personas["clerk"], channel="phone", content="某村黑诊所", place="吴中区木渎镇金星村"
    )
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=lead)
    services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=lead)
    lead = services.lead_conclude(actor=alice, lead=lead, conclusion="untrue", note="未发现")
    assert lead.feedback == f"线索{lead.number}：不属实，谢谢。"
    assert AuditEvent.objects.filter(target_type="leads.feedbacktemplate", action="update").exists()


def test_only_the_sysadmin_edits_answer_templates(login):
    assert login("chief").get("/leads/templates/").status_code == 404
