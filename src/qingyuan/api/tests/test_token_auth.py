"""Officers' API tokens: refused for the three administrator roles, and expired after
QINGYUAN_API_TOKEN_DAYS, each answered 401 with a Chinese reason."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

URLS = ["/api/v1/registry/institutions/", "/api/v1/leads/", "/api/v1/reports/forms/"]


def _client(user, *, age_days=0):
    token = Token.objects.get_or_create(user=user)[0]
    if age_days:
        Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=age_days))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("admin", ["sam", "sec", "aud"])
def test_administrator_token_is_refused(personas, admin, url):
    response = _client(personas[admin]).get(url)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "authentication_failed"
    assert "管理员账号不能使用接口令牌" in body["message"]


@pytest.mark.parametrize("url", URLS)
def test_token_older_than_the_limit_is_refused(personas, settings, url):
    settings.QINGYUAN_API_TOKEN_DAYS = 90
    response = _client(personas["chief"], age_days=91).get(url)
    assert response.status_code == 401
    assert "接口令牌已过期" in response.json()["message"]


def test_token_within_the_limit_works(personas, settings):
    settings.QINGYUAN_API_TOKEN_DAYS = 90
    assert _client(personas["chief"], age_days=89).get("/api/v1/reports/forms/").status_code == 200


def test_token_limit_follows_the_setting(personas, settings):
    settings.QINGYUAN_API_TOKEN_DAYS = 7
    assert _client(personas["chief"], age_days=8).get("/api/v1/reports/forms/").status_code == 401
