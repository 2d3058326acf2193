"""三员分立: administrators never change their own account, never make another administrator (or
turn one into a business account) alone, and 系统管理员/安全管理员 each keep to their half."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.accounts import services
from qingyuan.accounts.models import ChangeStatus, User, UserChangeRequest
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent


def _account_events(user):
    return AuditEvent.objects.filter(target_type="accounts.user", target_id=str(user.pk), action="update")


def _reload(user):
    return User.objects.get(pk=user.pk)


def test_security_admin_cannot_make_itself_city_leader(login, personas, units):
    sec = personas["sec"]
    client = login("sec")
    response = client.post(f"/accounts/users/{sec.pk}/edit/", {"unit": units["city"].pk, "role": "leader"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "管理员不能修改自己的账号" in page
    assert _reload(sec).role == "secadmin"
    assert not _account_events(sec).exists() and not UserChangeRequest.objects.exists()
    # What the attacker wanted stays out of reach.
    assert client.get("/cases/").status_code == 404
    assert client.get("/leads/").status_code == 404


def test_administrator_sees_its_own_account_read_only(login, personas):
    sec = personas["sec"]
    page = login("sec").get(f"/accounts/users/{sec.pk}/edit/").content.decode()
    assert "管理员不能修改自己的账号" in page
    assert 'name="role"' in page and "disabled" in page.split('name="role"')[1].split(">")[0]
    detail = login("sec").get(f"/accounts/users/{sec.pk}/").content.decode()
    assert f"/accounts/users/{sec.pk}/edit/" not in detail


@pytest.mark.parametrize("name", ["sam", "sec", "aud"])
def test_no_administrator_changes_its_own_account_through_the_service(personas, units, name):
    me = personas[name]
    for data in ({"role": "leader"}, {"unit": units["wuzhong"]}, {"phone": "13800000000"}):
        with pytest.raises((ValidationError, PermissionDenied)):
            services.user_update(actor=me, user=me, data=data)
    me = _reload(me)
    assert me.role == name.replace("sam", "sysadmin").replace("sec", "secadmin").replace("aud", "auditor")
    assert me.unit == units["city"] and me.phone == ""
    assert not _account_events(me).exists()


def test_sysadmin_cannot_grant_a_business_role_to_the_auditor(login, personas, units):
    aud = personas["aud"]
    login("sam").post(
        f"/accounts/users/{aud.pk}/edit/",
        {
            "username": "aud",
            "full_name": "郑审",
            "unit": units["city"].pk,
            "role": "leader",
            "is_active": "on",
        },
    )
    with pytest.raises(PermissionDenied):
        services.user_update(actor=personas["sam"], user=aud, data={"role": "leader"})
    assert _reload(aud).role == "auditor"
    assert not _account_events(aud).filter(after__has_key="role").exists()
    assert not UserChangeRequest.objects.filter(changes__has_key="role").exists()


def test_security_admin_alone_cannot_turn_the_auditor_into_a_leader(login, personas, units):
    aud = personas["aud"]
    client = login("sec")
    client.post(f"/accounts/users/{aud.pk}/edit/", {"unit": units["city"].pk, "role": "leader"})
    assert _reload(aud).role == "auditor"
    change = UserChangeRequest.objects.get(user=aud)
    assert change.status == ChangeStatus.PENDING and change.changes == {"role": "leader"}
    # The requester cannot approve it, nor can the account concerned.
    client.post(f"/accounts/users/changes/{change.pk}/approve/")
    assert login("aud").post(f"/accounts/users/changes/{change.pk}/approve/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.user_change_approve(actor=personas["sec"], change=change)
    assert _reload(aud).role == "auditor"
    assert UserChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.PENDING


def test_role_change_of_an_administrator_takes_effect_when_the_sysadmin_approves(login, personas, units):
    aud = personas["aud"]
    login("sec").post(f"/accounts/users/{aud.pk}/edit/", {"unit": units["city"].pk, "role": "leader"})
    change = UserChangeRequest.objects.get(user=aud)
    page = login("sam").get(f"/accounts/users/{aud.pk}/").content.decode()
    assert "批准" in page and "审计管理员 → 领导" in page
    assert "待审批变更" in login("sam").get("/accounts/users/").content.decode()
    login("sam").post(f"/accounts/users/changes/{change.pk}/approve/")
    assert _reload(aud).role == "leader"
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.decided_by == personas["sam"]
    # Every step audited: the request, its approval, and the change of the account itself.
    request_events = AuditEvent.objects.filter(
        target_type="accounts.userchangerequest", target_id=str(change.pk)
    )
    assert {(e.action, e.actor_id) for e in request_events} == {
        ("create", personas["sec"].pk),
        ("transition", personas["sam"].pk),
    }
    event = _account_events(aud).latest("id")
    assert event.before == {"role": "auditor"} and event.after == {"role": "leader"}


def test_making_a_business_account_an_administrator_needs_a_second_administrator(login, personas, units):
    bob = personas["bob"]
    login("sec").post(f"/accounts/users/{bob.pk}/edit/", {"unit": units["wuzhong"].pk, "role": "secadmin"})
    assert _reload(bob).role == "inspector"
    change = UserChangeRequest.objects.get(user=bob)
    login("sam").post(f"/accounts/users/changes/{change.pk}/approve/")
    assert _reload(bob).role == "secadmin"


def test_sysadmin_change_of_the_security_admin_needs_another_security_admin(login, personas, units):
    sec = personas["sec"]
    other = make_user("sec2", units["city"], "secadmin", "冯安")
    login("sam").post(
        f"/accounts/users/{sec.pk}/edit/",
        {"username": "sec", "full_name": "吴安", "phone": "13900000000", "is_active": ""},
    )
    assert _reload(sec).is_active
    change = UserChangeRequest.objects.get(user=sec)
    # The phone number waits encrypted, and neither the audit log nor the page shows it in clear.
    assert "13900000000" not in json.dumps(change.changes)
    request_events = AuditEvent.objects.filter(target_type="accounts.userchangerequest")
    assert "13900000000" not in json.dumps([e.after for e in request_events])
    assert "13900000000" not in login("sam").get(f"/accounts/users/{sec.pk}/").content.decode()
    # The security admin concerned cannot approve its own deactivation, nor can the requester.
    with pytest.raises(PermissionDenied):
        services.user_change_approve(actor=sec, change=change)
    with pytest.raises(PermissionDenied):
        services.user_change_approve(actor=personas["sam"], change=change)
    services.user_change_approve(actor=other, change=change)
    sec = _reload(sec)
    assert not sec.is_active and sec.phone == "13900000000"


def test_rejected_change_leaves_the_account_as_it_was(login, personas, units):
    aud = personas["aud"]
    login("sec").post(f"/accounts/users/{aud.pk}/edit/", {"unit": units["city"].pk, "role": "leader"})
    change = UserChangeRequest.objects.get(user=aud)
    login("sam").post(f"/accounts/users/changes/{change.pk}/reject/")
    assert UserChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.REJECTED
    with pytest.raises(ValidationError, match="已驳回"):
        services.user_change_approve(actor=personas["sam"], change=change)
    assert _reload(aud).role == "auditor"


def test_approval_is_refused_when_the_account_changed_meanwhile(personas, units):
    aud = personas["aud"]
    change = services.user_update(actor=personas["sec"], user=aud, data={"role": "leader"})
    User.objects.filter(pk=aud.pk).update(role="chief")
    with pytest.raises(ValidationError, match="已被修改"):
        services.user_change_approve(actor=personas["sam"], change=change)
    assert _reload(aud).role == "chief"


def test_second_pending_change_of_the_same_account_is_refused(personas):
    aud = personas["aud"]
    services.user_update(actor=personas["sec"], user=aud, data={"role": "leader"})
    with pytest.raises(ValidationError, match="待审批"):
        services.user_update(actor=personas["sec"], user=aud, data={"role": "chief"})
    assert UserChangeRequest.objects.filter(user=aud).count() == 1


def test_no_administrator_account_is_created_directly(personas, units):
    with pytest.raises((ValidationError, PermissionDenied)):
        services.user_create(
            actor=personas["sam"],
            data={"username": "aud2", "full_name": "新审计", "role": "auditor"},
            initial_password="Start-2025x",
        )
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=personas["sam"],
            data={"username": "boss", "full_name": "新领导", "role": "leader", "unit": units["city"]},
            initial_password="Start-2025x",
        )
    assert not User.objects.filter(username__in=["aud2", "boss"]).exists()


def test_security_admin_cannot_edit_account_details(personas):
    bob = personas["bob"]
    with pytest.raises(PermissionDenied):
        services.user_update(actor=personas["sec"], user=bob, data={"is_active": False})
    assert _reload(bob).is_active


def test_business_account_role_change_still_applies_at_once(login, personas, units):
    bob = personas["bob"]
    login("sec").post(f"/accounts/users/{bob.pk}/edit/", {"unit": units["wuzhong"].pk, "role": "chief"})
    assert _reload(bob).role == "chief" and not UserChangeRequest.objects.exists()
