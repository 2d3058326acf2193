"""First start (manage.py bootstrap): on an empty database, the region tree, the top unit and the three
administrators (三员分立), each with a one-time password shown once, a forced password change and a
forced TOTP enrolment; refused as soon as any account exists."""

import io
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import Role
from qingyuan.cases.models import CaseNumbering
from qingyuan.core.models import AuditEvent
from qingyuan.regions.models import Region, Unit


def _bootstrap(*args):
    out = io.StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def first_start(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path / "evidence"
    output = _bootstrap("--region", "320500", "--unit", "苏州市卫生健康委员会", "--short", "苏卫")
    passwords = dict(re.findall(r"^\s+(\S+)\s+\S+\s+一次性密码：(\S+)$", output, re.M))
    return output, passwords


def test_empty_database_gets_regions_top_unit_and_three_administrators(first_start, settings):
    output, passwords = first_start
    assert Region.objects.filter(code="320506").exists()  # the national tree was loaded
    unit = Unit.objects.get()
    assert (unit.name, unit.region_id, unit.kind) == ("苏州市卫生健康委员会", "320500", "health_commission")
    assert CaseNumbering.objects.get(unit=unit).abbr == "苏卫"
    users = {u.username: u for u in User.objects.all()}
    assert {name: u.role for name, u in users.items()} == {
        "sysadmin": Role.SYSADMIN,
        "secadmin": Role.SECADMIN,
        "auditadmin": Role.AUDITOR,
    }
    for name, user in users.items():
        assert user.unit == unit and user.full_name == Role(user.role).label
        assert user.must_change_password and not user.is_staff and not user.is_superuser
        assert user.credential_no == ""  # administrators are not inspectors: no 执法证号 needed
        assert user.check_password(passwords[name])
        validate_password(passwords[name], user)
    assert len(set(passwords.values())) == 3
    assert output.count("一次性密码") == 3
    assert settings.MEDIA_ROOT.is_dir() and settings.QINGYUAN_EVIDENCE_DIR.is_dir()


def test_first_start_is_audited_without_the_passwords(first_start):
    _output, passwords = first_start
    created = AuditEvent.objects.filter(action="create")
    assert set(created.filter(target_type="accounts.user").values_list("target_repr", flat=True)) == {
        "系统管理员（sysadmin）",
        "安全管理员（secadmin）",
        "审计管理员（auditadmin）",
    }
    assert created.filter(target_type="regions.unit").count() == 1
    assert created.filter(target_type="cases.casenumbering").count() == 1
    everything = str(list(AuditEvent.objects.values_list("before", "after")))
    assert not any(password in everything for password in passwords.values())


def test_administrator_must_enrol_totp_then_change_the_password(first_start):
    _output, passwords = first_start
    client = Client()
    response = client.post("/accounts/login/", {"username": "secadmin", "password": passwords["secadmin"]})
    assert response.status_code == 302
    assert client.get("/")["Location"] == "/accounts/otp/setup/"
    assert client.get("/accounts/users/")["Location"] == "/accounts/otp/setup/"


def test_refused_once_any_account_exists(personas):
    before = User.objects.count()
    with pytest.raises(CommandError, match="数据库中已有 9 个用户账号，拒绝初始化"):
        _bootstrap("--region", "320500", "--unit", "苏州市卫生健康委员会")
    assert User.objects.count() == before
    assert not User.objects.filter(username__in=["sysadmin", "secadmin", "auditadmin"]).exists()


def test_unknown_region_code_is_refused_and_nothing_is_created(db):
    with pytest.raises(CommandError, match="--region（区划代码）：区划代码“999999”不存在"):
        _bootstrap("--region", "999999", "--unit", "某单位")
    assert not User.objects.exists() and not Unit.objects.exists()


def test_chosen_usernames_in_the_order_of_the_three_roles(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "s"
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path / "e"
    _bootstrap("--region", "320000", "--unit", "江苏省卫生健康委员会", "--usernames", "js_sys,js_sec,js_aud")
    assert dict(User.objects.values_list("username", "role")) == {
        "js_sys": Role.SYSADMIN,
        "js_sec": Role.SECADMIN,
        "js_aud": Role.AUDITOR,
    }


def test_usernames_must_be_three_different_names(db):
    with pytest.raises(CommandError, match="--usernames 须为三个不同的账号名"):
        _bootstrap("--region", "320000", "--unit", "江苏省卫生健康委员会", "--usernames", "a,a,b")
