"""The public licence look-up (page, institution page, QR code, open API): what a resident and a
partner system see without an account, and what they never see."""

import datetime as dt
import io

import pytest
import segno
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from qingyuan.registry import importing, services

from .conftest import ZHANG_ID, institution_row, make_institution

LOOKUP = "/public/verify/"
API = "/api/v1/public/"
HOSTILE = "仁心&<>=𠮷诊所"


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def revoked_today(places):
    """The revoked clinic of the fixture, revoked again through the service: dated today."""
    clinic = make_institution(name="吴中区康泰诊所", licence_no="PDY32050600009", address="吴中区宝带路9号")
    data = {"status": "revoked"}
    return services.institution_save(actor=None, institution=clinic, data=data)


def _page(client, **params):
    return client.get(LOOKUP, params)


# --- the page -----------------------------------------------------------------------------------


def test_resident_finds_a_licensed_clinic_by_name_with_its_public_facts(client, places, doctor):
    response = _page(client, q="仁心诊所")
    text = response.content.decode()
    assert response.status_code == 200
    assert "吴中区木渎仁心诊所" in text and "有效" in text and "内科、外科" in text
    assert "2030年12月31日" in text and "PDY32050600001" in text and "诊所" in text
    # The legal representative is not what the licence look-up publishes.
    assert "张仁" not in text.replace("张仁心", "")


def test_revoked_clinic_is_shown_revoked_with_the_date(client, revoked_today):
    assert revoked_today.status_changed_on == timezone.localdate()
    text = _page(client, q="康泰诊所").content.decode()
    today = timezone.localdate()
    assert "吊销" in text and f"{today.year}年{today.month}月{today.day}日吊销" in text


def test_expired_clinic_is_shown_expired_with_the_end_of_its_validity(client, places):
    text = _page(client, q="康宁中医").content.decode()
    assert "过期" in text and "有效期至2020年6月30日，已过期" in text


def test_unknown_name_says_it_may_be_unlicensed_and_offers_to_report(client, places):
    response = _page(client, q="无名黑诊所")
    text = response.content.decode()
    assert response.status_code == 200
    assert "未查到与“无名黑诊所”相符的医疗机构，可能未取得执业许可" in text
    assert reverse("portal:tip") in text


def test_two_characters_found_nowhere_ask_for_more_instead_of_calling_the_clinic_unlicensed(client, places):
    # "仁心" is inside a licensed clinic's name; two characters are matched at the start only, so the
    # answer must not suggest the clinic is unlicensed.
    text = _page(client, q="仁心").content.decode()
    assert "可能未取得执业许可" not in text
    assert "请输入名称或地址中连续的3个字以上" in text
    assert "吴中区木渎仁心诊所" in _page(client, q="仁心诊").content.decode()


def test_resident_finds_a_doctor_by_name_and_institution_without_private_data(client, doctor):
    response = _page(client, kind="practitioner", name="张仁心", institution="仁心诊所")
    text = response.content.decode()
    assert "张仁心" in text and "执业医师" in text and "临床" in text and "内科专业" in text
    assert "吴中区木渎仁心诊所" in text and "110320506000001" in text
    assert ZHANG_ID not in text and ZHANG_ID[-4:] not in text
    assert "199832110320506" not in text  # the qualification number is not published
    none = _page(client, kind="practitioner", name="张仁心", institution="光明口腔").content.decode()
    assert "未查到姓名为“张仁心”" in none


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "仁"}, "请至少输入2个字"),
        ({"kind": "practitioner", "institution": "仁心诊所"}, "请输入要查询的姓名"),
        ({"q": "x" * 101}, "100"),
    ],
)
def test_bad_query_is_a_400_page_naming_the_problem_and_keeping_the_input(client, places, params, message):
    response = _page(client, **params)
    text = response.content.decode()
    assert response.status_code == 400 and message in text
    if "q" in params:
        assert f'value="{params["q"]}"' in text


def test_hostile_text_round_trips_escaped(client, regions):
    make_institution(name=HOSTILE, licence_no="PDY32050600077")
    text = _page(client, q="&<>=𠮷").content.decode()
    assert "仁心&amp;&lt;&gt;=𠮷诊所" in text and HOSTILE not in text
    data = client.get(API + "institutions/", {"q": "&<>=𠮷"}).json()
    assert [r["name"] for r in data["results"]] == [HOSTILE]


def test_page_is_rate_limited_per_address_with_a_chinese_429(client, places, settings):
    settings.QINGYUAN_PORTAL_RATES = {**settings.QINGYUAN_PORTAL_RATES, "verify": (2, 600)}
    assert _page(client, q="仁心诊所").status_code == 200
    assert _page(client, q="仁心诊所").status_code == 200
    response = _page(client, q="仁心诊所")
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()
    assert response["Retry-After"] == "600"


def test_the_empty_form_and_the_home_page_link_to_the_look_up(client, regions):
    assert _page(client).status_code == 200
    assert reverse("registry_public:lookup") in client.get(reverse("portal:home")).content.decode()


# --- the institution page, its QR code and poster -----------------------------------------------------


def test_institution_page_lists_its_practitioners_and_its_qr_code(client, doctor, places):
    url = reverse("registry_public:institution", args=[places["clinic"].pk])
    text = client.get(url).content.decode()
    assert "张仁心" in text and "共 1 人" in text and ZHANG_ID not in text
    assert reverse("registry_public:institution_qr", args=[places["clinic"].pk]) in text
    assert client.get(reverse("registry_public:institution", args=[10**30])).status_code == 404


def test_qr_code_encodes_the_published_site_address(client, places, settings):
    settings.QINGYUAN_SITE_URL = "https://qingyuan.example.gov.cn/"
    pk = places["clinic"].pk
    response = client.get(reverse("registry_public:institution_qr", args=[pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    expected = io.BytesIO()
    address = f"https://qingyuan.example.gov.cn/public/verify/institutions/{pk}/"
    segno.make(address, error="m").save(
        expected, kind="svg", scale=8, border=2, dark="#000", light="#fff", title="执业资格公示页二维码"
    )
    assert response.content == expected.getvalue()
    poster = client.get(reverse("registry_public:institution_poster", args=[pk])).content.decode()
    assert address in poster and "执业许可证号：PDY32050600001" in poster
    assert '举报电话 <span class="fw-bold">12320</span>' in poster


def test_qr_code_falls_back_to_the_request_host(client, places, settings):
    settings.QINGYUAN_SITE_URL = ""
    pk = places["clinic"].pk
    poster = client.get(reverse("registry_public:institution_poster", args=[pk])).content.decode()
    assert f"http://testserver/public/verify/institutions/{pk}/" in poster


def test_officer_reaches_the_qr_poster_from_the_institution_page(login, places):
    page = login("alice").get(reverse("registry:institution_detail", args=[places["clinic"].pk]))
    assert "公示二维码" in page.content.decode()
    assert reverse("registry_public:institution_poster", args=[places["clinic"].pk]) in page.content.decode()


# --- the open API --------------------------------------------------------------------------------------

INSTITUTION_FIELDS = {
    "id",
    "name",
    "category",
    "category_display",
    "licence_kind_display",
    "licence_no",
    "status",
    "status_display",
    "status_date",
    "valid_until",
    "departments",
    "address",
    "region",
    "region_name",
    "url",
}
PRACTITIONER_FIELDS = {
    "name",
    "kind",
    "kind_display",
    "certificate_no",
    "practice_category",
    "practice_scope",
    "status",
    "status_display",
    "status_date",
    "institution",
}


def test_api_finds_institutions_by_licence_number_with_public_fields_only(client, places):
    response = client.get(API + "institutions/", {"licence_no": "pdy32050600001"})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert set(row) == INSTITUTION_FIELDS
    assert row["name"] == "吴中区木渎仁心诊所" and row["status_display"] == "有效"
    assert row["valid_until"] == "2030-12-31" and row["departments"] == "内科、外科"
    assert row["url"].endswith(f"/public/verify/institutions/{places['clinic'].pk}/")


def test_api_gives_statuses_with_dates(client, places, revoked_today):
    rows = {
        r["name"]: r
        for r in client.get(API + "institutions/", {"licence_no": "PDY3205", "region": "3205"}).json()[
            "results"
        ]
    }
    expired = rows["相城区黄埭康宁中医诊所"]
    assert expired["status"] == "expired" and expired["status_date"] == "2020-06-30"
    revoked = rows["吴中区康泰诊所"]
    assert revoked["status_display"] == "吊销" and revoked["status_date"] == timezone.localdate().isoformat()
    assert rows["吴中区木渎仁心诊所"]["status_date"] is None


def test_api_finds_practitioners_and_never_sends_id_numbers_or_phones(client, doctor):
    response = client.get(API + "practitioners/", {"name": "张仁心", "institution": "仁心"})
    body = response.content.decode()
    [row] = response.json()["results"]
    assert set(row) == PRACTITIONER_FIELDS
    assert row["institution"]["name"] == "吴中区木渎仁心诊所" and row["practice_scope"] == "内科专业"
    assert ZHANG_ID not in body and "id_number" not in body and "qualification" not in body
    assert "phone" not in body


def test_api_institution_detail_lists_practitioners_and_unknown_is_a_chinese_404(client, doctor, places):
    data = client.get(API + f"institutions/{places['clinic'].pk}/").json()
    assert data["practitioner_count"] == 1 and data["practitioners"][0]["name"] == "张仁心"
    assert ZHANG_ID not in str(data)
    missing = client.get(API + "institutions/999999/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert not missing.json()["message"].isascii()


def test_api_ignores_an_officer_session_and_needs_no_key(login, places):
    officer = login("carol")  # another county's inspector: the public answer is the same for everyone
    assert officer.get(API + "institutions/", {"q": "仁心诊所"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("institutions/", {}, "q"),
        ("institutions/", {"q": "仁"}, "q"),
        ("institutions/", {"q": "诊所", "limit": "999"}, "limit"),
        ("institutions/", {"q": "诊所", "limit": "NaN"}, "limit"),
        ("institutions/", {"q": "诊所", "region": "<script>"}, "region"),
        ("institutions/", {"licence_no": "P1"}, "licence_no"),
        ("practitioners/", {}, "name"),
        ("practitioners/", {"name": "张仁心", "institution": "仁"}, "institution"),
    ],
)
def test_api_bad_parameters_are_a_400_in_chinese_naming_the_field(client, regions, path, params, field):
    response = client.get(API + path, params)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid" and data["field"] == field
    assert field in data["message"] and not data["message"].isascii()


def test_api_burst_is_throttled_with_a_chinese_429(client, places, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "public_lookup": "3/min",
        },
    }
    codes = [client.get(API + "institutions/", {"q": "仁心诊所"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get(API + "institutions/", {"q": "仁心诊所"})
    assert response.json()["code"] == "throttled" and "请求过于频繁" in response.json()["message"]
    assert int(response["Retry-After"]) > 0
    # Another address has its own allowance.
    assert client.get(API + "institutions/", {"q": "仁心诊所"}, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_api_caps_results_and_says_so(client, regions):
    for n in range(4):
        make_institution(name=f"吴中区同名诊所{n}", licence_no=f"PDY3205060010{n}")
    data = client.get(API + "institutions/", {"q": "同名诊所", "limit": "3"}).json()
    assert data["count"] == 3 and data["more"] is True and "只返回前3条" in data["note"]


# --- status dates in the registry -------------------------------------------------------------------------


def test_status_change_is_dated_today_unless_the_officer_gives_a_date(places):
    clinic = places["clinic"]
    given = dt.date(2026, 1, 5)
    saved = services.institution_save(
        actor=None, institution=clinic, data={"status": "cancelled", "status_changed_on": given}
    )
    assert saved.status_changed_on == given
    unchanged = services.institution_save(actor=None, institution=saved, data={"address": "吴中区新地址1号"})
    assert unchanged.status_changed_on == given


def test_import_reads_the_optional_status_date_column_and_files_without_it_still_import(write_csv, regions):
    with_date = write_csv([institution_row(状态="注销", 状态变更日期="2025-05-06")])
    importing.import_institutions(actor=None, path=with_date)
    [row] = importing.INSTITUTIONS.model.objects.all()
    assert row.status == "cancelled" and row.status_changed_on == dt.date(2025, 5, 6)
    old_template = write_csv([institution_row(许可证号="x")], name="old.csv")
    lines = old_template.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    position = header.index("状态变更日期")
    trimmed = [",".join(cell for i, cell in enumerate(line.split(",")) if i != position) for line in lines]
    old_template.write_text("\n".join(trimmed) + "\n", encoding="utf-8")
    result = importing.import_institutions(actor=None, path=old_template)
    assert result.total == 1


def test_reimport_without_a_status_date_keeps_the_recorded_date(write_csv, regions):
    dated = write_csv([institution_row(状态="注销", 状态变更日期="2025-05-06")])
    importing.import_institutions(actor=None, path=dated)
    blank = write_csv([institution_row(状态="注销", 状态变更日期="")], name="again.csv")
    result = importing.import_institutions(actor=None, path=blank)
    [row] = importing.INSTITUTIONS.model.objects.all()
    assert row.status_changed_on == dt.date(2025, 5, 6)
    assert result.created == 0
