"""Partner keys: a bad key and an expired key are 401 in Chinese in the one error shape; after a
rotation both keys work during the overlap, then only the new one; the last use is recorded; a
partner reads the register of its unit's jurisdiction and nothing of the case files."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from qingyuan.api.models import PartnerSystem
from qingyuan.core.models import AuditEvent

from .conftest import partner_client

URL = "/api/v1/registry/institutions/"


def _refused(response, fragment):
    body = response.json()
    assert response.status_code == 401, body
    assert response.has_header("WWW-Authenticate")
    assert body["code"] == "authentication_failed" and body["field"] is None
    assert fragment in body["message"], body


def test_a_bad_key_is_refused_in_chinese(hotline):
    _refused(partner_client("qy_guessed").get(URL), "对接密钥无效或已停用")
    _refused(partner_client("& < > = ;").get(URL), "对接密钥无效或已停用")


def test_no_credentials_at_all_is_401_in_the_one_shape(client):
    response = client.get(URL)
    body = response.json()
    assert response.status_code == 401 and body["code"] == "not_authenticated"
    assert set(body) == {"code", "message", "field", "errors"}


def test_an_expired_key_is_refused_with_its_date(hotline):
    partner, key = hotline
    assert partner_client(key).get(URL).status_code == 200
    PartnerSystem.objects.filter(pk=partner.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    _refused(partner_client(key).get(URL), "过期")


def test_a_deactivated_partner_is_refused(hotline):
    partner, key = hotline
    PartnerSystem.objects.filter(pk=partner.pk).update(is_active=False)
    _refused(partner_client(key).get(URL), "已停用")


def test_issue_sets_an_expiry_and_prints_it(units, settings):
    settings.QINGYUAN_PARTNER_KEY_DAYS = 30
    out = io.StringIO()
    call_command("partner_issue", "相城区12345分中心", str(units["xiangcheng"].pk), stdout=out)
    partner = PartnerSystem.objects.get(name="相城区12345分中心")
    assert timedelta(days=29) < partner.expires_at - timezone.now() <= timedelta(days=30)
    assert f"有效期至：{timezone.localtime(partner.expires_at):%Y-%m-%d}" in out.getvalue()
    key = out.getvalue().strip().splitlines()[-1]
    assert partner_client(key).get(URL).status_code == 200


def test_rotation_keeps_the_old_key_for_the_overlap_then_stops_it(hotline):
    partner, old_key = hotline
    out = io.StringIO()
    call_command("partner_rotate", partner.name, "--overlap-days", "7", stdout=out)
    new_key = out.getvalue().strip().splitlines()[-1]
    assert new_key != old_key and new_key.startswith("qy_")
    assert "旧密钥继续有效至" in out.getvalue()
    # During the overlap both keys work.
    assert partner_client(old_key).get(URL).status_code == 200
    assert partner_client(new_key).get(URL).status_code == 200
    # The overlap ends: the old key stops, the new one goes on.
    PartnerSystem.objects.filter(pk=partner.pk).update(
        previous_expires_at=timezone.now() - timedelta(seconds=1)
    )
    _refused(partner_client(old_key).get(URL), "该对接密钥已更换")
    assert partner_client(new_key).get(URL).status_code == 200
    # The audit row tells of the rotation without the hashes an attacker would test guesses against.
    event = AuditEvent.objects.filter(target_type="api.partnersystem", action="update").get()
    assert "key_hash" not in str(event.after) and "previous_key_hash" not in str(event.after)


def test_rotation_without_overlap_stops_the_old_key_at_once(hotline):
    partner, old_key = hotline
    out = io.StringIO()
    call_command("partner_rotate", partner.name, "--overlap-days", "0", stdout=out)
    _refused(partner_client(old_key).get(URL), "该对接密钥已更换")
    assert partner_client(out.getvalue().strip().splitlines()[-1]).get(URL).status_code == 200


def test_rotating_an_unknown_partner_is_a_chinese_error(db):
    with pytest.raises(CommandError, match="不存在"):
        call_command("partner_rotate", "没有这个系统")


def test_last_use_is_recorded(hotline):
    partner, key = hotline
    assert partner.last_used_at is None
    partner_client(key).get(URL)
    partner.refresh_from_db()
    assert partner.last_used_at and timezone.now() - partner.last_used_at < timedelta(minutes=1)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/",
        "/api/v1/cases/decisions/",
        "/api/v1/cases/referrals/",
        "/api/v1/subjects/",
        "/api/v1/inspections/",
    ],
)
def test_a_partner_reads_no_case_files(hotline, url):
    _partner, key = hotline
    response = partner_client(key).get(url)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
