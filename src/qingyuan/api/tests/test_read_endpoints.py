"""Subjects, inspections, cases, decisions and referrals over the API: scoped like the pages, another
county's records are 404 in the one shape, a role without the page's permission is 403, and no ID
number, phone number or home address leaves, not even inside free text."""

import pytest

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user

from .conftest import ID_NUMBER, PHONE


def _no_personal_data(response):
    text = response.content.decode()
    assert ID_NUMBER not in text and PHONE not in text
    assert "party_address" not in text and "party_id" not in text


def test_an_officer_reads_the_case_file_of_his_county(api, casefile):
    client = api("alice")
    case = casefile["case"]
    cases = client.get("/api/v1/cases/")
    assert [c["id"] for c in cases.json()["results"]] == [case.pk]
    detail = client.get(f"/api/v1/cases/{case.pk}/")
    body = detail.json()
    assert (
        body["number"] == case.number and body["party_name"] == "张三" and body["status_label"] == "调查取证"
    )
    assert "3205**********1234" in body["facts"] and "party_address" not in body
    _no_personal_data(cases)
    _no_personal_data(detail)

    decision = client.get(f"/api/v1/cases/decisions/{casefile['decision'].pk}/").json()
    assert decision["case_number"] == case.number
    assert [(m["kind"], m["amount"]) for m in decision["measures"]] == [("fine", "20000.00"), ("ban", None)]
    assert [d["id"] for d in client.get("/api/v1/cases/decisions/").json()["results"]] == [
        casefile["decision"].pk
    ]

    referrals = client.get("/api/v1/cases/referrals/")
    [referral] = referrals.json()["results"]
    assert referral["target_label"] == "公安机关" and "139******78" in referral["reason"]
    _no_personal_data(referrals)

    subjects = client.get("/api/v1/subjects/")
    assert [s["name"] for s in subjects.json()["results"]] == ["金星村黑诊所"]
    assert "persons" not in subjects.json()["results"][0] and "notes" not in subjects.json()["results"][0]
    assert ID_NUMBER not in subjects.content.decode() and PHONE not in subjects.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/{case}/",
        "/api/v1/cases/decisions/{decision}/",
        "/api/v1/cases/referrals/{referral}/",
        "/api/v1/subjects/{subject}/",
    ],
)
def test_another_countys_officer_gets_404_in_the_one_shape(api, casefile, url):
    ids = {
        "case": casefile["case"].pk,
        "decision": casefile["decision"].pk,
        "referral": casefile["referral"].pk,
        "subject": casefile["case"].subject_id,
    }
    response = api("carol").get(url.format(**ids))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到该记录", "field": None, "errors": []}
    # Her own county's case is there for her, and the city's leader sees both.
    assert api("carol").get(f"/api/v1/cases/{casefile['other'].pk}/").status_code == 200
    assert api("dave").get(url.format(**ids)).status_code == 200


def test_a_role_without_the_case_pages_gets_403(casefile, units, api, personas):
    personas["lia"] = make_user("lia", units["wuzhong"], Role.LIAISON, "刘联")
    response = api("lia").get(f"/api/v1/cases/{casefile['case'].pk}/")
    body = response.json()
    assert (
        response.status_code == 403
        and body["code"] == "permission_denied"
        and body["message"] == "您的角色不能查看案件"
    )


def test_anonymous_and_hostile_ids(client, api, casefile):
    assert client.get("/api/v1/cases/").status_code == 401
    officer = api("alice")
    for bad in ("9" * 40, "-1", "abc", "%F0%A0%AE%B7"):
        response = officer.get(f"/api/v1/cases/{bad}/")
        assert response.status_code == 404 and response.json()["message"] == "未找到该记录"


def test_inspections_mask_numbers_in_the_findings(api, casefile, personas, units):
    from django.utils import timezone

    from qingyuan.inspections.models import Inspection

    Inspection.objects.create(
        kind="overt",
        started_at=timezone.now(),
        subject=casefile["case"].subject,
        region=casefile["case"].region,
        unit=units["wuzhong"],
        officer_count=2,
        persons_present=f"张三（{PHONE}）",
        findings=f"现场发现输液器材，当事人电话{PHONE}。",
        outcome="violation",
        recorded_by=personas["alice"],
    )
    response = api("alice").get("/api/v1/inspections/")
    [row] = response.json()["results"]
    assert row["outcome_label"] == "发现违法行为" and "当事人电话139******78" in row["findings"]
    assert "persons_present" not in row
    _no_personal_data(response)
    assert api("carol").get("/api/v1/inspections/").json()["results"] == []


def test_cases_sync_with_a_cursor(api, casefile):
    client = api("dave")  # the city: both counties
    first = client.get("/api/v1/cases/", {"updated_since": "2000-01-01T00:00:00Z", "page_size": 1}).json()
    second = client.get(first["next"]).json()
    assert [first["results"][0]["id"], second["results"][0]["id"]] == [
        casefile["case"].pk,
        casefile["other"].pk,
    ]
    assert second["next"] is None and second["next_cursor"]
