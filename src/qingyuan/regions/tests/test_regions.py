import pytest
from django.core.exceptions import ValidationError

from qingyuan.core.models import AuditEvent
from qingyuan.regions.models import Level, Region
from qingyuan.regions.services import regions_import_local, regions_load_national


@pytest.mark.django_db
def test_national_tree_loads_every_county_and_reloading_changes_nothing():
    first = regions_load_national()
    assert first["created"] > 3000
    assert Region.objects.filter(level=Level.PROVINCE).count() == 33
    suzhou = Region.objects.get(code="320500")
    assert suzhou.full_name == "江苏省苏州市" and suzhou.prefix == "3205"
    assert Region.objects.get(code="320506").parent_id == "320500"
    assert (
        Region.objects.get(code="110105").parent_id == "110000"
    )  # municipality districts hang on the province
    assert (
        AuditEvent.objects.filter(action="create", target_type="regions.region").count() == first["created"]
    )
    assert regions_load_national() == {"created": 0, "updated": 0, "retired": 0}


@pytest.mark.django_db
def test_a_code_dropped_from_the_national_list_is_retired_not_deleted():
    regions_load_national()
    Region.objects.create(
        code="320599",
        name="旧区",
        level=Level.COUNTY,
        parent_id="320500",
        full_name="江苏省苏州市旧区",
        prefix="320599",
    )
    summary = regions_load_national()
    old = Region.objects.get(code="320599")
    assert summary["retired"] == 1 and not old.is_active and old.retired_on is not None


def test_subtree_covers_townships_and_villages(regions):
    codes = set(regions["wuzhong"].subtree().values_list("code", flat=True))
    assert {"320506", "320506100", "320506100201"} <= codes
    assert "320507100" not in codes


def test_village_default_location_type_comes_from_urban_rural_class(regions):
    assert regions["village"].default_location_type == "rural"
    assert regions["community"].default_location_type == "city"


CSV_OK = "统计用区划代码,名称,城乡分类代码\n320506101000,甪直镇,\n320506101201,澄湖村委会,220\n".encode()


def test_csv_import_adds_townships_and_villages(regions, personas):
    summary = regions_import_local(actor=personas["sam"], file_bytes=CSV_OK)
    assert summary == {"created": 2, "updated": 0}
    village = Region.objects.get(code="320506101201")
    assert village.parent_id == "320506101" and village.full_name == "江苏省苏州市吴中区甪直镇澄湖村委会"
    assert AuditEvent.objects.filter(action="import", target_id="320506101201", actor_name="sam").exists()


def test_csv_with_bad_lines_is_refused_whole_with_each_line_named(regions, personas):
    bad = (
        "统计用区划代码,名称,城乡分类代码\n320506101000,甪直镇,\n32050610,短代码,\n"
        "320506101202,,220\n320506101203,某村,999\n320508100201,无上级村,220\n"
    ).encode("gbk")
    with pytest.raises(ValidationError) as excinfo:
        regions_import_local(actor=personas["sam"], file_bytes=bad)
    messages = excinfo.value.messages
    assert any(m.startswith("第3行") and "9位" in m for m in messages)
    assert any(m.startswith("第4行") and "名称" in m for m in messages)
    assert any(m.startswith("第5行") and "城乡分类代码" in m for m in messages)
    assert any(m.startswith("第6行") and "上级区划" in m for m in messages)
    assert not Region.objects.filter(code="320506101").exists()  # the good line was not saved either


def test_import_page_shows_errors_and_saves_nothing(login, regions):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("v.csv", "统计用区划代码,名称\n123,坏\n".encode())
    response = login("sam").post("/regions/import/", {"file": upload})
    assert "第2行" in response.content.decode()


def test_county_admin_cannot_import_outside_jurisdiction(regions, units):
    from qingyuan.conftest import make_user

    admin = make_user("wzadmin", units["wuzhong"], "sysadmin", "吴中管理员")
    with pytest.raises(ValidationError, match="不在您的辖区内"):
        regions_import_local(
            actor=admin,
            file_bytes="统计用区划代码,名称\n320507101000,某镇\n".encode(),
            within_prefix=admin.unit.region.prefix,
        )


def test_inspector_sees_own_county_regions_only(login, regions):
    client = login("alice")
    assert client.get("/regions/320506100/").status_code == 200
    assert client.get("/regions/320507100/").status_code == 404
    assert client.get("/regions/320599999/").status_code == 404
    page = client.get("/regions/?q=镇").content.decode()
    assert "木渎镇" in page and "黄埭镇" not in page


def test_unit_pages_are_scoped_to_the_jurisdiction(login, units):
    client = login("alice")
    assert client.get(f"/regions/units/{units['wuzhong'].pk}/").status_code == 200
    assert client.get(f"/regions/units/{units['xiangcheng'].pk}/").status_code == 404
    assert login("dave").get(f"/regions/units/{units['xiangcheng'].pk}/").status_code == 200


def test_sysadmin_creates_a_unit_and_it_is_audited(login, regions):
    response = login("sam").post(
        "/regions/units/new/",
        {"name": "木渎镇卫生院", "kind": "township_hospital", "region": "320506100", "is_active": "on"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="create", target_type="regions.unit", target_repr="木渎镇卫生院"
    ).exists()


def test_inspector_cannot_create_units_or_regions(login, regions):
    client = login("alice")
    assert client.get("/regions/units/new/").status_code == 404
    assert client.get("/regions/new/").status_code == 404


def test_sysadmin_retires_a_village_with_a_date_and_it_is_audited(login, regions):
    client = login("sam")
    response = client.post(
        "/regions/320506100201/edit/",
        {"name": "金星村委会", "urban_rural_class": "220", "aliases": "金星村", "is_active": ""},
    )
    assert "撤销日期" in response.content.decode()
    response = client.post(
        "/regions/320506100201/edit/",
        {"name": "金星村委会", "urban_rural_class": "220", "aliases": "金星村", "retired_on": "2024-06-30"},
    )
    assert response.status_code == 302
    village = Region.objects.get(code="320506100201")
    assert not village.is_active and village.aliases == "金星村"
    event = AuditEvent.objects.filter(action="update", target_id="320506100201").latest("id")
    assert event.after["is_active"] is False


def test_county_names_are_not_edited_by_hand(login, regions):
    login("sam").post("/regions/320506/edit/", {"name": "改名区", "aliases": "吴中", "is_active": "on"})
    county = Region.objects.get(code="320506")
    assert county.name == "吴中区" and county.aliases == "吴中"


def test_inspector_cannot_edit_regions(login, regions):
    assert login("alice").get("/regions/320506100201/edit/").status_code == 404
