"""Two officers editing one case from pages opened at the same time: the later save from the earlier
page is refused and shows the difference, instead of silently undoing the colleague's change."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qingyuan.cases import services
from qingyuan.cases.models import Case, MeasureKind, PenaltyDecision, Procedure
from qingyuan.core.models import AuditEvent
from qingyuan.core.tests.pages import form_data

from .test_case_data import opened

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def _forms(case, login, action):
    """The action's form as alice and as bob see it on the case page, both opened now."""
    alice, bob = login("alice"), login("bob")
    url = f"/cases/{case.pk}/actions/{action}/"
    return (
        alice,
        bob,
        url,
        form_data(alice.get(case.get_absolute_url()).content.decode(), url),
        form_data(bob.get(case.get_absolute_url()).content.decode(), url),
    )


def test_stale_facts_form_is_refused_and_keeps_alices_input(personas, regions, login):
    case = opened(personas, regions)
    alice, bob, url, alices_form, bobs_form = _forms(case, login, "facts")
    assert alices_form["version"]
    assert bob.post(url, {**bobs_form, "illegal_income": "4500"}).status_code == 302
    updates = AuditEvent.objects.filter(target_type="cases.case", action="update").count()

    response = alice.post(url, {**alices_form, "facts": "当事人在家中开设诊所，为村民输液、开药。"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "该记录已被他人修改（王博，" in page and "请查看变化后重新提交" in page
    assert '<th scope="row">违法所得（元）</th><td>3000.00</td><td>4500.00</td>' in page
    assert "为村民输液、开药。" in page
    case.refresh_from_db()
    assert case.illegal_income == Decimal("4500") and case.facts == "当事人在金星村家中开设诊所，为村民输液。"
    assert AuditEvent.objects.filter(target_type="cases.case", action="update").count() == updates

    # Resubmitted from the conflict page, after reading it: saved as alice now decides.
    assert alice.post(url, form_data(page)).status_code == 302
    assert Case.objects.get(pk=case.pk).facts == "当事人在家中开设诊所，为村民输液、开药。"


def test_stale_national_entry_is_refused(personas, regions, login):
    # The case page's 国家系统录入 panel (cases.national) sets the number and the entry date together.
    case = opened(personas, regions)
    alice, bob = login("alice"), login("bob")
    url = f"/cases/{case.pk}/national/"
    alices_form = form_data(alice.get(case.get_absolute_url()).content.decode(), url)
    bobs_form = form_data(bob.get(case.get_absolute_url()).content.decode(), url)
    assert alices_form["version"]
    assert bob.post(url, {**bobs_form, "national_no": "GJ-1", "entered_on": "2026-06-05"}).status_code == 302
    response = alice.post(url, {**alices_form, "national_no": "GJ-2", "entered_on": "2026-06-09"})
    page = response.content.decode()
    assert response.status_code == 409 and "2026-06-05" in page and 'value="2026-06-09"' in page
    assert "GJ-1" in page and 'value="GJ-2"' in page
    case = Case.objects.get(pk=case.pk)
    assert case.national_entry_on == dt.date(2026, 6, 5) and case.national_no == "GJ-1"
    # Resubmitted from the conflict page, after reading it: saved as alice now decides.
    assert alice.post(url, form_data(page)).status_code == 302
    assert Case.objects.get(pk=case.pk).national_no == "GJ-2"


def test_stale_filing_of_a_decision_is_refused(personas, regions, login):
    case = opened(personas, regions, codes=["XC-02"])
    case = services.case_to_review(actor=personas["alice"], case=case)
    services.decision_record(
        actor=personas["chief"],
        case=case,
        offence_code="XC-02",
        procedure=Procedure.SIMPLIFIED,
        decided_on=dt.date(2026, 11, 2),
        measures=[{"kind": MeasureKind.WARNING}],
        discretion_reason="",
    )
    case = Case.objects.get(pk=case.pk)
    alice, bob, url, alices_form, bobs_form = _forms(case, login, "file")
    assert bob.post(url, {**bobs_form, "on": "2026-11-20"}).status_code == 302
    response = alice.post(url, {**alices_form, "on": "2026-11-21"})
    page = response.content.decode()
    assert response.status_code == 409 and "该记录已被他人修改（王博，" in page
    assert "<td>2026-11-21</td><td>2026-11-20</td>" in page
    assert PenaltyDecision.objects.get(case=case).filed_on == dt.date(2026, 11, 20)


def test_service_refuses_a_stale_version_without_a_page(personas, regions):
    """Any caller that passes the token it read gets the same check (API, commands)."""
    from qingyuan.core import concurrency

    case = opened(personas, regions)
    token = concurrency.version_token(case, services.FACTS_FIELDS)
    services.case_edit_facts(actor=personas["bob"], case=case, facts="甲", illegal_income=1, version=token)
    with pytest.raises(concurrency.StaleEdit) as refused:
        services.case_edit_facts(
            actor=personas["alice"], case=case, facts="乙", illegal_income=1, version=token
        )
    assert refused.value.changed == ["facts", "illegal_income"] and refused.value.changed_by == "王博"
    assert Case.objects.get(pk=case.pk).facts == "甲"


def test_stale_crime_facts_form_is_refused(personas, regions, login):
    case = opened(personas, regions)
    url = f"/cases/{case.pk}/followup/crime_facts/"
    alice, bob = login("alice"), login("bob")
    panel = f"/cases/{case.pk}/followup/"
    alices_form = form_data(alice.get(panel).content.decode(), url)
    bobs_form = form_data(bob.get(panel).content.decode(), url)
    assert alices_form["version"]
    assert bob.post(url, {**bobs_form, "no_qualification": "on"}).status_code == 302

    # alice's form, opened before, has the box unticked: saving it would silently untick bob's.
    response = alice.post(url, {**alices_form, "other_serious": "多次为儿童输液"})
    page = response.content.decode()
    assert response.status_code == 409 and "该记录已被他人修改（王博，" in page
    assert "<td>否</td><td>是</td>" in page and 'value="多次为儿童输液"' in page
    case.refresh_from_db()
    assert case.no_qualification and case.other_serious == ""
