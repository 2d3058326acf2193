"""An officer rotates his own API token: the new one works, the old one is refused at once; from a
logged-in session he gets his first token; administrators and partner systems get none."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qingyuan.core.models import AuditEvent

from .conftest import partner_client

URL = "/api/v1/auth/token/rotate/"
READ = "/api/v1/registry/institutions/"


def _token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_rotation_replaces_the_token(personas, settings):
    settings.QINGYUAN_API_TOKEN_DAYS = 90
    old = Token.objects.create(user=personas["alice"]).key
    response = _token_client(old).post(URL)
    body = response.json()
    assert response.status_code == 201 and body["token"] != old
    assert body["expires_at"] > body["created_at"]
    assert _token_client(body["token"]).get(READ).status_code == 200
    refused = _token_client(old).get(READ)
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert AuditEvent.objects.filter(target_type="authtoken.token", action="update").count() == 1
    assert body["token"] not in str(list(AuditEvent.objects.values_list("after", flat=True)))


def test_a_logged_in_officer_gets_a_first_token(personas):
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(personas["bob"])
    response = client.post(URL)
    assert response.status_code == 201
    assert Token.objects.get(user=personas["bob"]).key == response.json()["token"]


def test_without_credentials_no_token(client):
    assert client.post(URL).status_code == 401


def test_a_partner_gets_no_officer_token(hotline):
    _partner, key = hotline
    response = partner_client(key).post(URL)
    assert response.status_code == 403 and "对接系统" in response.json()["message"]
    assert not Token.objects.exists()
