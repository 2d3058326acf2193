"""A `next` in a link is followed only within this site: never to another host (open redirect)."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingyuan.conftest import PASSWORD

EVIL = ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example/"]


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def _password_login(username):
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("target", EVIL)
def test_login_does_not_follow_next_to_another_site(personas, target):
    response = Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_two_factor_verify_does_not_follow_next_to_another_site(personas, target):
    device = TOTPDevice.objects.create(user=personas["alice"], name="手机", confirmed=True)
    client = _password_login("alice")
    response = client.post(f"/accounts/otp/verify/?next={target}", {"code": _code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_two_factor_verify_follows_next_within_the_site(personas):
    device = TOTPDevice.objects.create(user=personas["alice"], name="手机", confirmed=True)
    client = _password_login("alice")
    response = client.post("/accounts/otp/verify/?next=/subjects/", {"code": _code(device)})
    assert response["Location"] == "/subjects/"


@pytest.mark.parametrize("target", EVIL)
def test_two_factor_setup_does_not_follow_next_to_another_site(personas, target):
    client = _password_login("sam")
    client.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user=personas["sam"])
    response = client.post(f"/accounts/otp/setup/?next={target}", {"code": _code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert TOTPDevice.objects.get(user=personas["sam"]).confirmed


@pytest.mark.parametrize("target", EVIL)
def test_password_change_does_not_follow_next_to_another_site(personas, target):
    client = _password_login("alice")
    response = client.post(
        f"/accounts/password/?next={target}",
        {"old_password": PASSWORD, "new_password1": "Neues-Pass-2025", "new_password2": "Neues-Pass-2025"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_password_change_follows_next_within_the_site(personas):
    client = _password_login("alice")
    response = client.post(
        "/accounts/password/?next=/subjects/",
        {"old_password": PASSWORD, "new_password1": "Neues-Pass-2025", "new_password2": "Neues-Pass-2025"},
    )
    assert response["Location"] == "/subjects/"


@pytest.mark.parametrize("target", EVIL)
def test_logout_does_not_follow_next_to_another_site(personas, target):
    client = _password_login("alice")
    response = client.post(f"/accounts/logout/?next={target}")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
