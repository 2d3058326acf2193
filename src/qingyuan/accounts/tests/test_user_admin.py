from qingyuan.accounts.models import User
from qingyuan.core.models import AuditEvent


def test_sysadmin_creates_an_account_that_must_change_its_password(login, units):
    response = login("sam").post(
        "/accounts/users/new/",
        {
            "username": "newbie",
            "full_name": "新同事",
            "unit": units["wuzhong"].pk,
            "role": "inspector",
            "credential_no": "32050601099",
            "is_active": "on",
            "initial_password": "Start-2025x",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.must_change_password
    # 三员分立: the sysadmin cannot grant roles; the default role stands until 安全管理员 changes it.
    assert AuditEvent.objects.filter(
        action="create", target_type="accounts.user", target_id=str(user.pk)
    ).exists()


def test_inspector_needs_an_enforcement_credential(login, units):
    response = login("sam").post(
        "/accounts/users/new/",
        {
            "username": "nocred",
            "full_name": "无证号",
            "unit": units["wuzhong"].pk,
            "role": "inspector",
            "is_active": "on",
            "initial_password": "Start-2025x",
        },
    )
    assert "监督员必须填写执法证号" in response.content.decode()
    assert not User.objects.filter(username="nocred").exists()


def test_security_admin_grants_a_role_and_the_change_is_audited(login, personas, units):
    bob = personas["bob"]
    response = login("sec").post(
        f"/accounts/users/{bob.pk}/edit/", {"unit": units["wuzhong"].pk, "role": "chief"}
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.role == "chief"
    event = AuditEvent.objects.filter(action="update", target_id=str(bob.pk)).latest("id")
    assert event.before == {"role": "inspector"} and event.after == {"role": "chief"}


def test_sysadmin_cannot_change_roles(login, personas, units):
    bob = personas["bob"]
    login("sam").post(
        f"/accounts/users/{bob.pk}/edit/",
        {
            "username": "bob",
            "full_name": "王博",
            "credential_no": "32050601002",
            "unit": units["city"].pk,
            "role": "leader",
            "is_active": "on",
        },
    )
    bob.refresh_from_db()
    assert bob.role == "inspector" and bob.unit == units["wuzhong"]


def test_inspector_cannot_list_users(login):
    assert login("alice").get("/accounts/users/").status_code == 404


def test_county_chief_does_not_see_neighbouring_county_users(login, personas):
    client = login("chief")
    assert client.get(f"/accounts/users/{personas['bob'].pk}/").status_code == 200
    assert client.get(f"/accounts/users/{personas['carol'].pk}/").status_code == 404
    assert "陈可" not in client.get("/accounts/users/").content.decode()


def test_auditor_reads_the_audit_log_and_nothing_else(login):
    client = login("aud")
    assert client.get("/audit/").status_code == 200
    for url in ["/subjects/", "/accounts/users/", "/regions/", "/registry/institutions/"]:
        assert client.get(url).status_code == 404, url


def test_only_the_auditor_reads_the_audit_log(login):
    for name in ["alice", "sam", "sec", "dave"]:
        assert login(name).get("/audit/").status_code == 404
