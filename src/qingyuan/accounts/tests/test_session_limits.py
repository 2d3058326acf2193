"""Sessions end 12 hours after login whatever the activity, and after 30 minutes idle."""

import time
from unittest import mock

from django.test import Client

from qingyuan.conftest import PASSWORD


def _login(username):
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def _at(seconds_from_now):
    real = time.time()
    return mock.patch("qingyuan.accounts.middleware.time.time", return_value=real + seconds_from_now)


def test_active_session_ends_twelve_hours_after_login(personas, settings):
    client = _login("alice")
    # Busy all day: a request every 20 minutes, never idle for 30.
    for minutes in range(20, 12 * 60, 20):
        with _at(minutes * 60):
            assert client.get("/").status_code == 200, minutes
    with _at(12 * 3600 + 60):
        response = client.get("/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert client.get("/").status_code == 302  # logged out for good


def test_session_expiry_does_not_move_forward_with_activity(personas):
    client = _login("alice")
    for minutes in range(20, 6 * 60 + 1, 20):
        with _at(minutes * 60):
            assert client.get("/").status_code == 200
    # Six hours in, the stored expiry (cookie and session row) is what is left of the 12 hours.
    assert 6 * 3600 - 60 <= client.session.get_expiry_age() <= 6 * 3600 + 5


def test_session_within_both_limits_stays_open(personas):
    client = _login("alice")
    with _at(25 * 60):
        assert client.get("/").status_code == 200


def test_login_time_is_recorded_at_login(personas):
    client = _login("alice")
    assert abs(client.session["login_at"] - time.time()) < 5
