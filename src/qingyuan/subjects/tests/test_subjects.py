import pytest

from qingyuan.core.models import AuditEvent
from qingyuan.subjects import services
from qingyuan.subjects.models import Subject

ID = "32050619800101001X"


def _fix_check_digit(first17):
    from qingyuan.core.idcard import check_digit

    return first17 + check_digit(first17)


@pytest.fixture
def clinic(regions, personas):
    subject = services.subject_save(
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
    services.person_add(
        actor=personas["alice"],
        subject=subject,
        data={
            "name": "张医生",
            "role": "practitioner",
            "id_number": _fix_check_digit("32050619800101001"),
            "phone": "139-1234-5678",
        },
    )
    return subject


@pytest.fixture
def neighbour_site(regions, personas):
    return services.subject_save(
        actor=personas["carol"],
        subject=None,
        data={
            "name": "三埂村牙科",
            "kind": "unlicensed_clinic",
            "address": "相城区黄埭镇三埂村",
            "region": regions["xc_village"],
            "practice_content": "dental",
            "institution_type": "dental",
        },
    )


def test_location_type_defaults_from_the_village_class(clinic):
    assert clinic.location_type == "rural"


def test_subject_page_shows_its_history(login, clinic):
    page = login("bob").get(clinic.get_absolute_url()).content.decode()
    assert "金星村无名诊所" in page and "新增" in page and "张医生" in page


def test_id_number_and_phone_are_masked_on_the_page(login, clinic):
    page = login("bob").get(clinic.get_absolute_url()).content.decode()
    assert "139****5678" in page
    assert "13912345678" not in page
    person = clinic.persons.get()
    assert person.id_number not in page


def test_reveal_shows_the_id_number_and_is_recorded(login, clinic):
    person = clinic.persons.get()
    response = login("bob").post(f"/subjects/persons/{person.pk}/reveal/")
    assert person.id_number in response.content.decode()
    assert AuditEvent.objects.filter(action="reveal", actor_name="bob", target_id=str(person.pk)).exists()


def test_clerk_cannot_reveal_the_id_number(login, clinic):
    person = clinic.persons.get()
    assert login("clerk").post(f"/subjects/persons/{person.pk}/reveal/").status_code == 403
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize("query", ["无名诊所", "金星村12号", "张医生", "13912345678"])
def test_search_finds_the_subject_by_name_address_person_or_phone(login, clinic, query):
    page = login("bob").get("/subjects/", {"q": query}).content.decode()
    assert "金星村无名诊所" in page


def test_search_by_full_id_number(login, clinic):
    person = clinic.persons.get()
    assert "金星村无名诊所" in login("bob").get("/subjects/", {"q": person.id_number}).content.decode()


def test_neighbouring_county_cannot_open_or_list_the_subject(login, clinic, neighbour_site):
    carol = login("carol")
    assert carol.get(clinic.get_absolute_url()).status_code == 404
    assert carol.get(f"/subjects/{clinic.pk}/edit/").status_code == 404
    assert carol.post(f"/subjects/persons/{clinic.persons.get().pk}/reveal/").status_code == 404
    listing = carol.get("/subjects/").content.decode()
    assert "金星村无名诊所" not in listing and "三埂村牙科" in listing


def test_city_leader_sees_both_counties(login, clinic, neighbour_site):
    listing = login("dave").get("/subjects/").content.decode()
    assert "金星村无名诊所" in listing and "三埂村牙科" in listing


@pytest.mark.parametrize("persona", ["sam", "aud", "sec"])
def test_administrators_see_no_case_content(login, clinic, persona):
    client = login(persona)
    assert client.get("/subjects/").status_code == 404
    assert client.get(clinic.get_absolute_url()).status_code == 404


def test_public_is_sent_to_login(client, clinic):
    assert client.get(clinic.get_absolute_url()).status_code == 302


def test_inspector_registers_a_subject_and_it_is_audited(login, regions):
    response = login("alice").post(
        "/subjects/new/",
        {
            "name": "山塘美容院",
            "kind": "beauty_salon",
            "address": "木渎镇山塘街8号",
            "region": "320506100001",
            "practice_content": "aesthetic",
            "institution_type": "aesthetic",
            "status": "active",
        },
    )
    assert response.status_code == 302
    subject = Subject.objects.get(name="山塘美容院")
    assert subject.location_type == "city"
    assert AuditEvent.objects.filter(action="create", target_id=str(subject.pk), actor_name="alice").exists()


def test_inspector_cannot_register_a_subject_in_the_neighbouring_county(login, regions):
    response = login("alice").post(
        "/subjects/new/",
        {
            "name": "越界",
            "kind": "itinerant",
            "address": "黄埭镇",
            "region": "320507100201",
            "practice_content": "other",
            "institution_type": "other",
            "status": "active",
        },
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Subject.objects.filter(name="越界").exists()


def test_bad_id_number_on_a_person_is_refused_with_the_field_named(login, clinic):
    response = login("alice").post(
        f"/subjects/{clinic.pk}/persons/new/",
        {"name": "李四", "role": "operator", "id_number": "320506198001010011", "phone": ""},
    )
    assert "身份证号码校验位错误" in response.content.decode()
    assert clinic.persons.count() == 1


def test_editing_records_before_and_after(login, clinic):
    data = {
        "name": "金星村无名诊所",
        "kind": "unlicensed_clinic",
        "address": "吴中区木渎镇金星村12号",
        "region": "320506100201",
        "practice_content": "dental",
        "institution_type": "dental",
        "status": "banned",
    }
    assert login("bob").post(f"/subjects/{clinic.pk}/edit/", data).status_code == 302
    event = AuditEvent.objects.filter(action="update", target_id=str(clinic.pk)).latest("id")
    assert event.before["status"] == "active" and event.after["status"] == "banned"
    assert event.actor_name == "bob"


def test_list_export_contains_exactly_the_filtered_rows(login, clinic, neighbour_site):
    import io

    from openpyxl import load_workbook

    response = login("dave").get("/subjects/", {"q": "金星", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "名称"
    assert [r[0] for r in rows[1:]] == ["金星村无名诊所"]


def _edit(client, subject, **changes):
    data = {
        "name": subject.name,
        "kind": subject.kind,
        "address": subject.address,
        "region": subject.region_id,
        "location_type": subject.location_type,
        "practice_content": subject.practice_content,
        "institution_type": subject.institution_type,
        "status": subject.status,
        "found_on": subject.found_on.isoformat(),
        **changes,
    }
    return client.post(f"/subjects/{subject.pk}/edit/", data)


def test_a_move_is_dated_so_forms_count_the_site_where_it_was(login, regions):
    import datetime as dt

    from qingyuan.subjects.models import SubjectChange

    site = Subject.objects.create(
        name="流动诊所",
        kind="itinerant",
        address="金星村",
        region=regions["village"],
        found_on=dt.date(2024, 1, 1),
    )
    response = _edit(login("alice"), site, region="320506100001", change_kind="move", changed_on="2024-05-01")
    assert response.status_code == 302
    change = SubjectChange.objects.get(subject=site, field="region_id")
    assert (change.old_value, change.new_value, change.changed_on) == (
        "320506100201",
        "320506100001",
        dt.date(2024, 5, 1),
    )


def test_a_correction_counts_the_new_region_from_the_start(login, regions):
    import datetime as dt

    from qingyuan.subjects.models import SubjectChange

    site = Subject.objects.create(
        name="错登诊所",
        kind="unlicensed_clinic",
        address="山塘",
        region=regions["village"],
        found_on=dt.date(2024, 3, 1),
    )
    _edit(login("alice"), site, region="320506100001", change_kind="correct", changed_on="")
    assert SubjectChange.objects.get(subject=site).changed_on == dt.date(2024, 2, 29)  # the day before found


def test_a_move_without_a_date_or_before_the_site_was_found_is_refused(login, regions):
    import datetime as dt

    site = Subject.objects.create(
        name="无日期",
        kind="itinerant",
        address="金星村",
        region=regions["village"],
        found_on=dt.date(2024, 3, 1),
    )
    page = _edit(
        login("alice"), site, region="320506100001", change_kind="move", changed_on=""
    ).content.decode()
    assert "请填写变更日期" in page
    page = _edit(login("alice"), site, region="320506100001", changed_on="2024-01-01").content.decode()
    assert "变更日期不能早于发现日期" in page
    site.refresh_from_db()
    assert site.region_id == "320506100201"
