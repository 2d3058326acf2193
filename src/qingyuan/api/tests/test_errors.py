"""One error shape for everything under /api/: DRF's refusals, Django's own 404 for an unknown
address, a method not allowed, and a server error, always with a Chinese message."""

import pytest
from django.test import Client

SHAPE = {"code", "message", "field", "errors"}


def test_unknown_api_address_is_json_not_a_page(login):
    response = login("alice").get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "未找到该记录", "field": None, "errors": []}


def test_the_english_no_match_message_is_gone(api):
    response = api("alice").get("/api/v1/registry/institutions/999999/")
    assert response.status_code == 404 and response.json()["message"] == "未找到该记录"


def test_method_not_allowed(api):
    response = api("alice").delete("/api/v1/registry/institutions/")
    body = response.json()
    assert (
        response.status_code == 405 and body["code"] == "method_not_allowed" and "DELETE" in body["message"]
    )


def test_validation_errors_name_every_field(hotline):
    from .conftest import partner_client

    _partner, key = hotline
    response = partner_client(key).post(
        "/api/v1/leads/", {"anonymous": False, "reporter": {"name": "", "phone": "abc"}}, format="json"
    )
    body = response.json()
    assert response.status_code == 400 and set(body) == SHAPE and body["code"] == "invalid"
    fields = {e["field"] for e in body["errors"]}
    assert {"external_id", "content", "place", "reporter.name", "reporter.phone"} <= fields
    assert body["field"] == body["errors"][0]["field"] and body["message"] == body["errors"][0]["message"]


def test_a_duplicate_is_409_with_the_existing_number(hotline):
    from .conftest import partner_client

    _partner, key = hotline
    lead = {"external_id": "T-1", "content": "有人输液 & < > = 𠮷", "place": "吴中区木渎镇金星村12号"}
    client = partner_client(key)
    number = client.post("/api/v1/leads/", lead, format="json").json()["number"]
    again = client.post("/api/v1/leads/", lead, format="json")
    body = again.json()
    assert again.status_code == 409 and body["code"] == "duplicate" and body["number"] == number
    assert body["field"] == "external_id" and number in body["message"]


@pytest.fixture
def failing_view(settings):
    settings.ROOT_URLCONF = "qingyuan.api.tests.urls_failing"


def test_a_server_error_under_api_is_json_with_the_request_id(failing_view):
    client = Client(raise_request_exception=False)
    response = client.get("/api/boom/")
    body = response.json()
    assert response.status_code == 500 and body["code"] == "server_error"
    assert "服务器内部错误" in body["message"] and "request_id" in body
