from .conftest import ZHANG_ID


def test_institution_api_lists_only_the_jurisdiction(login, places):
    data = login("alice").get("/api/v1/registry/institutions/").json()
    assert {r["name"] for r in data["results"]} == {"吴中区木渎仁心诊所", "吴中区光明口腔诊所"}


def test_institution_api_filters_by_status_category_and_region_prefix(login, places):
    client = login("dave")
    assert [
        r["name"]
        for r in client.get("/api/v1/registry/institutions/", {"status": "expired"}).json()["results"]
    ] == ["相城区黄埭康宁中医诊所"]
    dental = client.get("/api/v1/registry/institutions/", {"category": "dental"}).json()["results"]
    assert [r["licence_no"] for r in dental] == ["PDY32050600002"]
    xc = client.get("/api/v1/registry/institutions/", {"region": "320507"}).json()["results"]
    assert [r["name"] for r in xc] == ["相城区黄埭康宁中医诊所"]


def test_neighbouring_county_gets_404_on_institution_and_practitioner_detail(login, places, doctor):
    carol = login("carol")
    assert carol.get(f"/api/v1/registry/institutions/{places['clinic'].pk}/").status_code == 404
    assert carol.get(f"/api/v1/registry/practitioners/{doctor.pk}/").status_code == 404
    assert carol.get("/api/v1/registry/institutions/999999/").status_code == 404
    assert carol.get(f"/api/v1/registry/institutions/{places['neighbour'].pk}/").status_code == 200


def test_practitioner_api_never_includes_the_id_number(login, doctor):
    response = login("alice").get(f"/api/v1/registry/practitioners/{doctor.pk}/")
    body = response.json()
    assert body["certificate_no"] == "110320506000001" and body["institution_name"] == "吴中区木渎仁心诊所"
    assert "id_number" not in body and ZHANG_ID not in response.content.decode()


def test_anonymous_api_client_gets_401(client, places):
    assert client.get("/api/v1/registry/institutions/").status_code == 401
    assert client.get(f"/api/v1/registry/institutions/{places['clinic'].pk}/").status_code == 401


def test_auditor_gets_no_registry_data_from_the_api(login, places):
    assert login("aud").get("/api/v1/registry/institutions/").status_code == 403
