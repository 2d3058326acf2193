import pytest

from qingyuan.registry.selectors import verify_licence


def _names(results):
    return [r.name for r in results]


def test_verification_finds_a_clinic_by_its_exact_licence_number(places, doctor):
    [match] = verify_licence("pdy 32050600001")
    assert match.name == "吴中区木渎仁心诊所" and match.matched_by == "证号"
    assert match.is_valid and match.status_label == "有效" and match.category == "诊所"
    assert match.scope == "内科、外科" and str(match.valid_until) == "2030-12-31"


def test_verification_finds_a_doctor_by_certificate_number_with_category_scope_and_workplace(places, doctor):
    [match] = verify_licence("110320506000001")
    assert match.kind == "practitioner" and match.name == "张仁心"
    assert match.category == "执业医师" and match.scope == "临床：内科专业"
    assert match.institution_name == "吴中区木渎仁心诊所" and match.is_valid


@pytest.mark.parametrize(
    ("query", "expected"), [("仁心诊所", "吴中区木渎仁心诊所"), ("光明路5号", "吴中区光明口腔诊所")]
)
def test_verification_finds_places_by_name_or_address_fragment(places, query, expected):
    assert _names(verify_licence(query)) == [expected]


def test_verification_finds_a_person_by_name_and_short_queries_match_the_start(places, doctor):
    assert "张仁心" in _names(verify_licence("张仁心"))
    assert _names(verify_licence("张仁")) == ["张仁心"]  # two characters: prefix, not fragment
    assert "张仁心" not in _names(verify_licence("仁心"))


def test_verification_marks_revoked_and_expired_licences_invalid(places):
    [revoked] = verify_licence("PDY32050600002")
    assert not revoked.is_valid and revoked.status_label == "吊销"
    [expired] = verify_licence("康宁中医")
    # Recorded as 有效 but its 有效期 ended in 2020: verification must say 过期.
    assert places["neighbour"].status == "valid"
    assert not expired.is_valid and expired.status_label == "过期" and expired.status == "expired"


def test_verification_searches_every_region_but_never_returns_id_numbers(places, doctor):
    results = verify_licence("村88号")
    assert {r.region for r in results} >= {
        "江苏省苏州市吴中区木渎镇金星村委会",
        "江苏省苏州市相城区黄埭镇三埂村委会",
    }
    assert not any(hasattr(r, "id_number") for r in verify_licence("张仁心"))


def test_verification_limits_results(places):
    assert len(verify_licence("村88号")) == 2
    assert len(verify_licence("村88号", limit=1)) == 1
    assert verify_licence("   ") == []


def test_verify_page_shows_cards_with_a_validity_badge_for_the_neighbouring_county_too(login, places):
    page = login("alice").get("/registry/verify/", {"q": "康宁中医"}).content.decode()
    assert "相城区黄埭康宁中医诊所" in page and "无效 · 过期" in page and "中医科、针灸科" in page
    page = login("alice").get("/registry/verify/", {"q": "PDY32050600001"}).content.decode()
    assert "吴中区木渎仁心诊所" in page and ">有效<" in page


def test_verify_page_says_when_nothing_is_licensed(login, places):
    page = login("carol").get("/registry/verify/", {"q": "无名黑诊所"}).content.decode()
    assert "没有找到与“无名黑诊所”相符" in page


def test_verify_page_answers_htmx_with_the_results_only(login, places):
    response = login("alice").get("/registry/verify/", {"q": "仁心诊所"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "吴中区木渎仁心诊所" in body and "<html" not in body


def test_verify_api_answers_with_public_fields_only(login, places, doctor):
    response = login("carol").get("/api/v1/registry/verify/", {"q": "张仁心"})
    assert response.status_code == 200
    [match] = [m for m in response.json() if m["kind"] == "practitioner"]
    assert match["name"] == "张仁心" and match["is_valid"] is True and match["status_label"] == "有效"
    assert match["institution_name"] == "吴中区木渎仁心诊所"
    assert "id_number" not in response.content.decode() and doctor.id_number not in response.content.decode()


def test_verify_api_requires_a_query(login, places):
    response = login("alice").get("/api/v1/registry/verify/")
    assert response.status_code == 400 and "请输入查询内容" in response.content.decode()


def test_verify_api_is_documented_in_the_openapi_schema(login):
    response = login("alice").get("/api/schema/", {"format": "json"})
    schema = response.json()
    operation = schema["paths"]["/api/v1/registry/verify/"]["get"]
    assert operation["summary"] == "证照核验" and "不受辖区限制" in operation["description"]
    assert any(p["name"] == "q" and p["required"] for p in operation["parameters"])
    assert "/api/v1/registry/institutions/{id}/" in schema["paths"]
    assert "id_number" not in str(schema["components"]["schemas"]["Practitioner"])


def test_anonymous_clients_cannot_verify_through_the_platform(client):
    assert client.get("/registry/verify/", {"q": "诊所"}).status_code == 302
    assert client.get("/api/v1/registry/verify/", {"q": "诊所"}).status_code == 401


def test_auditor_cannot_use_verification(login, places):
    assert login("aud").get("/registry/verify/", {"q": "诊所"}).status_code == 404
    assert login("aud").get("/api/v1/registry/verify/", {"q": "诊所"}).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_has_trigram_indexes_that_split_chinese_text():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["registry_%_trgm"])
        names = {row[0] for row in cursor.fetchall()}
        # Under ctype C.UTF-8 Chinese characters are word characters: six of them give seven trigrams.
        cursor.execute("SELECT array_length(show_trgm('苏州中医诊所'), 1)")
        trigrams = cursor.fetchone()[0]
    assert names == {
        "registry_institution_name_trgm",
        "registry_institution_address_trgm",
        "registry_practitioner_name_trgm",
    }
    assert trigrams == 7
