import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.registry.models import Institution, Practitioner

from .conftest import ZHANG_ID


def test_institution_list_shows_the_jurisdiction_with_filters_and_effective_status(login, places):
    page = login("alice").get("/registry/institutions/").content.decode()
    assert "吴中区木渎仁心诊所" in page and "吴中区光明口腔诊所" in page
    assert "相城区黄埭康宁中医诊所" not in page
    filtered = login("alice").get("/registry/institutions/", {"status": "revoked"}).content.decode()
    assert "吴中区光明口腔诊所" in filtered and "吴中区木渎仁心诊所" not in filtered


def test_city_leader_sees_the_expired_clinic_of_either_county_under_expired(login, places):
    page = login("dave").get("/registry/institutions/", {"status": "expired"}).content.decode()
    assert "相城区黄埭康宁中医诊所" in page and "吴中区木渎仁心诊所" not in page


def test_institution_search_by_name_fragment_or_licence_number(login, places):
    client = login("alice")
    assert "吴中区光明口腔诊所" in client.get("/registry/institutions/", {"q": "光明"}).content.decode()
    page = client.get("/registry/institutions/", {"q": "pdy32050600001"}).content.decode()
    assert "吴中区木渎仁心诊所" in page and "吴中区光明口腔诊所" not in page


def test_institution_page_lists_its_practitioners(login, places, doctor):
    page = login("bob").get(places["clinic"].get_absolute_url()).content.decode()
    assert "吴中区木渎仁心诊所" in page and "张仁心" in page and "PDY32050600001" in page


def test_practitioner_page_shows_the_id_number_masked(login, doctor):
    page = login("alice").get(doctor.get_absolute_url()).content.decode()
    assert "3205**********" + ZHANG_ID[-4:] in page
    assert ZHANG_ID not in page


def test_practitioner_list_export_leaves_the_id_number_out(login, doctor):
    response = login("dave").get("/registry/practitioners/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and rows[1][0] == "张仁心"
    assert ZHANG_ID not in str(rows)


def test_neighbouring_county_gets_404_on_the_institution_and_its_people(login, places, doctor):
    carol = login("carol")
    assert carol.get(places["clinic"].get_absolute_url()).status_code == 404
    assert carol.get(f"/registry/institutions/{places['clinic'].pk}/edit/").status_code == 404
    assert carol.get(doctor.get_absolute_url()).status_code == 404
    assert carol.get("/registry/institutions/999999/").status_code == 404
    assert "吴中区木渎仁心诊所" not in carol.get("/registry/institutions/").content.decode()


def test_anonymous_visitor_is_sent_to_login(client, places):
    response = client.get(places["clinic"].get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/registry/institutions/", "/registry/practitioners/", "/registry/import/"])
def test_auditor_cannot_reach_registry_pages(login, places, url):
    assert login("aud").get(url).status_code == 404


def test_liaison_can_look_but_not_edit_or_import(places, units):
    liaison = make_user("police", units["wuzhong"], Role.LIAISON, "公安联络员")
    client = Client()
    client.force_login(liaison)
    assert client.get("/registry/institutions/").status_code == 200
    assert client.get("/registry/institutions/new/").status_code == 404
    assert client.get(f"/registry/institutions/{places['clinic'].pk}/edit/").status_code == 404
    assert client.get("/registry/import/").status_code == 404


def test_inspector_cannot_edit_the_registry(login, places):
    assert login("alice").get(f"/registry/institutions/{places['clinic'].pk}/edit/").status_code == 404


INSTITUTION_FORM = {
    "name": "吴中区甪直康乐诊所",
    "category": "clinic",
    "licence_kind": "licence",
    "licence_no": " pdy32050600077 ",
    "valid_until": "2029-06-30",
    "address": "吴中区甪直镇",
    "region": "320506",
    "legal_representative": "王康",
    "departments": "内科",
    "status": "valid",
}


def test_clerk_registers_an_institution_and_it_is_audited(login, regions, personas):
    response = login("clerk").post("/registry/institutions/new/", INSTITUTION_FORM)
    institution = Institution.objects.get(licence_no="PDY32050600077")
    assert response.status_code == 302 and response["Location"] == institution.get_absolute_url()
    event = AuditEvent.objects.get(
        action="create", target_type="registry.institution", target_id=str(institution.pk)
    )
    assert event.actor_name == "clerk" and event.after["name"] == "吴中区甪直康乐诊所"


def test_clerk_cannot_register_an_institution_in_the_neighbouring_county(login, regions, personas):
    response = login("clerk").post("/registry/institutions/new/", {**INSTITUTION_FORM, "region": "320507"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Institution.objects.exists()


def test_a_duplicate_licence_number_is_refused_with_the_field_named(login, places):
    response = login("clerk").post(
        "/registry/institutions/new/", {**INSTITUTION_FORM, "licence_no": "PDY32050600001"}
    )
    assert "该许可证号/备案号已登记" in response.content.decode()


def test_editing_an_institution_records_before_and_after(login, places):
    clinic = places["clinic"]
    data = {**INSTITUTION_FORM, "licence_no": clinic.licence_no, "name": clinic.name, "status": "cancelled"}
    assert login("chief").post(f"/registry/institutions/{clinic.pk}/edit/", data).status_code == 302
    event = AuditEvent.objects.filter(action="update", target_id=str(clinic.pk)).latest("id")
    assert (
        event.before["status"] == "valid"
        and event.after["status"] == "cancelled"
        and event.actor_name == "chief"
    )


PRACTITIONER_FORM = {
    "name": "王医生",
    "id_number": "",
    "qualification_no": "",
    "certificate_no": "110320506000099",
    "kind": "assistant",
    "practice_category": "临床",
    "practice_scope": "全科医学专业",
    "institution_licence": "PDY32050700003",  # licences are public: any county's institution may be named
    "region": "320506",
    "status": "valid",
}


def test_clerk_registers_a_practitioner_with_a_validated_id_number(login, places):
    response = login("clerk").post(
        "/registry/practitioners/new/", {**PRACTITIONER_FORM, "id_number": "320506198001010011"}
    )
    assert "身份证号码校验位错误" in response.content.decode()
    response = login("clerk").post(
        "/registry/practitioners/new/", {**PRACTITIONER_FORM, "id_number": ZHANG_ID}
    )
    person = Practitioner.objects.get(certificate_no="110320506000099")
    assert response.status_code == 302 and person.id_number == ZHANG_ID and person.id_number_index
    assert person.institution == places["neighbour"]
    event = AuditEvent.objects.get(
        action="create", target_type="registry.practitioner", target_id=str(person.pk)
    )
    assert ZHANG_ID not in str(event.after) and event.after["id_number"].endswith(ZHANG_ID[-4:])


def test_editing_a_practitioner_keeps_the_id_number_when_left_blank(login, doctor):
    form = {**PRACTITIONER_FORM, "certificate_no": doctor.certificate_no, "status": "suspended"}
    page = login("clerk").get(f"/registry/practitioners/{doctor.pk}/edit/").content.decode()
    assert ZHANG_ID not in page
    assert login("clerk").post(f"/registry/practitioners/{doctor.pk}/edit/", form).status_code == 302
    doctor.refresh_from_db()
    assert doctor.id_number == ZHANG_ID and doctor.status == "suspended"
