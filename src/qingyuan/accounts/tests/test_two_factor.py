from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingyuan.conftest import PASSWORD
from qingyuan.core.models import AuditEvent


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def _wrong(device):
    return f"{(int(_code(device)) + 500_000) % 1_000_000:06d}"


def _password_login(username):
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_administrator_without_a_device_must_set_one_up_first(personas):
    client = _password_login("sam")
    assert client.get("/accounts/users/")["Location"] == "/accounts/otp/setup/"
    page = client.get("/accounts/otp/setup/").content.decode()
    assert "<svg" in page and "管理员账号必须启用两步验证" in page
    device = TOTPDevice.objects.get(user=personas["sam"])
    response = client.post("/accounts/otp/setup/", {"code": _code(device)})
    assert response.status_code == 302
    assert client.get("/accounts/users/").status_code == 200
    assert AuditEvent.objects.filter(
        target_id=str(personas["sam"].pk), after={"two_factor": "enabled"}
    ).exists()


def test_setup_refuses_a_wrong_code(personas):
    client = _password_login("sam")
    client.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user=personas["sam"])
    response = client.post("/accounts/otp/setup/", {"code": _wrong(device)})
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.get(user=personas["sam"]).confirmed


def test_user_with_a_device_must_enter_a_code_after_the_password(personas):
    device = TOTPDevice.objects.create(user=personas["alice"], name="手机", confirmed=True)
    client = _password_login("alice")
    assert client.get("/subjects/")["Location"] == "/accounts/otp/verify/"
    assert client.get("/api/v1/").status_code == 403
    bad = client.post("/accounts/otp/verify/", {"code": "12345x"})
    assert "6位数字" in bad.content.decode()
    assert client.post("/accounts/otp/verify/", {"code": _code(device)}).status_code == 302
    assert client.get("/subjects/").status_code == 200


def test_wrong_codes_are_recorded_and_throttled(personas):
    device = TOTPDevice.objects.create(user=personas["alice"], name="手机", confirmed=True)
    client = _password_login("alice")
    client.post("/accounts/otp/verify/", {"code": _wrong(device)})
    response = client.post("/accounts/otp/verify/", {"code": _code(device)})
    # django-otp backs off after a failure: an immediate retry is refused even with the right code.
    assert "尝试次数过多" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", after={"step": "two_factor"}).exists()


def test_inspector_without_a_device_is_not_forced(personas):
    client = _password_login("alice")
    assert client.get("/subjects/").status_code == 200
