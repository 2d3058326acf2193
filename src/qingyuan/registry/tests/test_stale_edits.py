"""Two registry keepers (the clerk and the section chief of 吴中区) editing one record: the form opened
before the other's save is refused and shows the difference; nothing is written."""

from django.core import signing

from qingyuan.core import concurrency
from qingyuan.core.models import AuditEvent
from qingyuan.core.tests.pages import form_data

from .conftest import ZHANG_ID


def _stale_save(login, url, first_change, second_change):
    clerk, chief = login("clerk"), login("chief")
    clerks_form = form_data(clerk.get(url).content.decode())
    chiefs_form = form_data(chief.get(url).content.decode())
    assert chief.post(url, {**chiefs_form, **first_change}).status_code == 302
    updates = AuditEvent.objects.filter(action="update").count()
    response = clerk.post(url, {**clerks_form, **second_change})
    assert AuditEvent.objects.filter(action="update").count() == updates
    return response


def test_stale_institution_form_is_refused(login, places):
    clinic = places["clinic"]
    url = f"/registry/institutions/{clinic.pk}/edit/"
    response = _stale_save(login, url, {"status": "cancelled"}, {"legal_representative": "李四"})
    page = response.content.decode()
    assert response.status_code == 409 and "该记录已被他人修改（孙志强，" in page
    # The status the chief set, next to the one the clerk's form still holds; the clerk's new name kept.
    assert '<th scope="row">状态</th><td>有效</td><td>注销</td>' in page and 'value="李四"' in page
    clinic.refresh_from_db()
    assert clinic.status == "cancelled" and clinic.legal_representative == "张仁"


def test_stale_practitioner_form_is_refused_without_showing_the_id_number(login, doctor):
    url = f"/registry/practitioners/{doctor.pk}/edit/"
    response = _stale_save(login, url, {"status": "suspended"}, {"practice_scope": "外科专业"})
    page = response.content.decode()
    assert response.status_code == 409 and "该记录已被他人修改（孙志强，" in page
    assert '<th scope="row">状态</th><td>有效</td><td>暂停</td>' in page
    assert ZHANG_ID not in page and 'value="外科专业"' in page
    doctor.refresh_from_db()
    assert doctor.status == "suspended" and doctor.practice_scope == "内科专业"


def _version(etag: str) -> dict:
    return signing.loads(etag.strip('"'), salt=concurrency.SALT)


def _patch(client, url, data, etag=None):
    headers = {"If-Match": etag} if etag else {}
    return client.patch(url, data, content_type="application/json", headers=headers)


def test_api_update_with_a_stale_etag_is_refused_with_412(login, places):
    clinic = places["clinic"]
    url = f"/api/v1/registry/institutions/{clinic.pk}/"
    clerk, chief = login("clerk"), login("chief")
    clerks_etag = clerk.get(url)["ETag"]
    chiefs_etag = chief.get(url)["ETag"]
    # Both read the same version (the tokens differ only by the second they were signed in).
    assert _version(clerks_etag) == _version(chiefs_etag)

    saved = _patch(chief, url, {"status": "cancelled"}, chiefs_etag)
    assert saved.status_code == 200 and saved.json()["status"] == "cancelled"
    assert saved["ETag"] != chiefs_etag

    refused = _patch(clerk, url, {"status": "valid", "legal_representative": "李四"}, clerks_etag)
    body = refused.json()
    assert refused.status_code == 412 and body["code"] == "precondition_failed"
    assert body["message"].startswith("该记录已被他人修改（孙志强，")
    assert body["changed_fields"] == ["status"] and body["changed_by"] == "孙志强"
    clinic.refresh_from_db()
    assert clinic.status == "cancelled" and clinic.legal_representative == "张仁"

    # Read again, then the change goes through.
    fresh = clerk.get(url)["ETag"]
    assert _patch(clerk, url, {"legal_representative": "李四"}, fresh).status_code == 200
    clinic.refresh_from_db()
    assert clinic.status == "cancelled" and clinic.legal_representative == "李四"


def test_api_practitioner_update_with_a_stale_etag_is_refused(login, doctor):
    url = f"/api/v1/registry/practitioners/{doctor.pk}/"
    clerk, chief = login("clerk"), login("chief")
    etag = clerk.get(url)["ETag"]
    assert _patch(chief, url, {"practice_scope": "外科专业"}, etag).status_code == 200
    refused = _patch(clerk, url, {"practice_scope": "全科医学专业"}, etag)
    assert refused.status_code == 412 and "请查看变化后重新提交" in refused.json()["message"]
    doctor.refresh_from_db()
    assert doctor.practice_scope == "外科专业" and doctor.id_number == ZHANG_ID


def test_api_update_without_if_match_is_428_and_nothing_changes(login, places):
    clinic = places["clinic"]
    response = _patch(login("chief"), f"/api/v1/registry/institutions/{clinic.pk}/", {"status": "revoked"})
    assert response.status_code == 428 and "If-Match" in response.json()["message"]
    assert response.json()["code"] == "precondition_required"
    clinic.refresh_from_db()
    assert clinic.status == "valid"


def test_inspector_and_neighbouring_county_cannot_update_through_the_api(login, places):
    clinic = places["clinic"]
    url = f"/api/v1/registry/institutions/{clinic.pk}/"
    etag = login("chief").get(url)["ETag"]
    assert _patch(login("alice"), url, {"status": "revoked"}, etag).status_code == 403
    assert _patch(login("carol"), url, {"status": "revoked"}, etag).status_code == 404
    assert login("chief").put(url, {}, content_type="application/json").status_code == 405
    clinic.refresh_from_db()
    assert clinic.status == "valid"
