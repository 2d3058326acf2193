"""A burst beyond the rate is 429 in the one error shape with Retry-After; each partner system and
each officer has a budget of its own."""

import pytest

from qingyuan.api.models import PartnerSystem

from .conftest import partner_client

URL = "/api/v1/registry/institutions/"


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner": "5/min", "user": "3/min", "anon": "2/min"},
    }


def test_a_partners_burst_is_throttled_with_retry_after(hotline, units, low_rates):
    _partner, key = hotline
    client = partner_client(key)
    answers = [client.get(URL) for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    refused = answers[-1]
    body = refused.json()
    assert body["code"] == "throttled" and "请求过于频繁" in body["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60 and body["retry_after"] == int(refused["Retry-After"])
    # Another partner system has its own budget.
    _other, other_key = PartnerSystem.issue(name="相城区12345分中心", unit=units["xiangcheng"])
    assert partner_client(other_key).get(URL).status_code == 200


def test_an_officers_token_and_session_share_one_budget(api, login, low_rates):
    token = api("alice")
    assert [token.get(URL).status_code for _ in range(2)] == [200, 200]
    session = login("alice")
    assert session.get(URL).status_code == 200
    assert session.get(URL).status_code == 429
    assert token.get(URL).status_code == 429
    # bob is another officer: his own budget.
    assert api("bob").get(URL).status_code == 200
