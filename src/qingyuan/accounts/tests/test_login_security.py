import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from qingyuan.accounts.validators import CharacterClassValidator
from qingyuan.conftest import PASSWORD
from qingyuan.core.models import AuditEvent


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_with_correct_password_opens_home_and_is_audited(personas):
    client = Client()
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert "李爱丽" in client.get("/").content.decode()
    assert AuditEvent.objects.filter(action="login", actor_name="alice").exists()


def test_wrong_password_shows_chinese_error_and_is_audited(personas):
    response = _login(Client(), "alice", "wrong")
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", target_repr="alice", result="fail").exists()


def test_account_locks_after_five_failures_even_with_the_right_password(personas):
    for _ in range(5):
        _login(Client(), "alice", "wrong", ip="10.0.0.9")
    response = _login(Client(), "alice", PASSWORD, ip="10.0.0.10")
    assert response.status_code == 429
    assert "锁定30分钟" in response.content.decode()
    assert AuditEvent.objects.filter(action="lockout").exists()
    # A colleague's account is not affected by alice's lock.
    assert _login(Client(), "bob", PASSWORD, ip="10.0.0.11").status_code == 302


def test_client_address_locks_after_five_failures_across_accounts(personas):
    for name in ["alice", "bob", "carol", "dave", "chief"]:
        _login(Client(), name, "wrong", ip="10.0.0.66")
    assert _login(Client(), "clerk", PASSWORD, ip="10.0.0.66").status_code == 429


def test_idle_session_ends_after_thirty_minutes(personas, settings):
    client = Client()
    client.force_login(personas["alice"])
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert client.get("/").status_code == 302  # logged out for good


def test_new_account_must_change_password_before_anything_else(personas):
    alice = personas["alice"]
    alice.must_change_password = True
    alice.save()
    client = Client()
    client.force_login(alice)
    assert client.get("/subjects/")["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Neu-Pass2025", "new_password2": "Neu-Pass2025"},
    )
    assert response.status_code == 302
    assert client.get("/subjects/").status_code == 200


def test_password_change_logs_out_other_sessions(personas):
    alice = personas["alice"]
    other = Client()
    other.force_login(alice)
    me = Client()
    me.force_login(alice)
    me.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Neu-Pass2025", "new_password2": "Neu-Pass2025"},
    )
    assert me.get("/").status_code == 200
    assert other.get("/").status_code == 302


@pytest.mark.parametrize("password", ["alllowercase1", "ALLUPPER123", "abcdefgh!"])
def test_passwords_need_three_character_classes(password):
    with pytest.raises(ValidationError, match="至少三类"):
        CharacterClassValidator().validate(password)


def test_password_with_three_classes_is_accepted():
    CharacterClassValidator().validate("Qingyuan2024")


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from qingyuan import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
