"""The officer records the facts of 解释 第1条/第2条 on the case page; the earlier penalties are counted."""

import datetime as dt

from qingyuan.cases.models import Case
from qingyuan.cases.tests.test_followup_data import earlier_penalty, make_case


def test_recording_no_qualification_flags_a_third_offence(login, personas, regions):
    for day in (dt.date(2024, 5, 1), dt.date(2025, 5, 1)):
        earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=day)
    case = make_case(region=regions["village"], proposer=personas["alice"])
    client = login("alice")

    panel = client.get(f"/cases/{case.pk}/followup/").content.decode()
    assert "未取得或非法取得医师资格" in panel and 'data-crime="not-suspected"' in panel

    response = client.post(f"/cases/{case.pk}/followup/crime_facts/", {"no_qualification": "on"})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.no_qualification and case.crime_suspected
    assert 'data-crime="suspected"' in client.get(f"/cases/{case.pk}/followup/").content.decode()


def test_an_inspector_of_another_county_cannot_record_facts(login, personas, regions):
    case = make_case(region=regions["village"], proposer=personas["alice"])

    response = login("carol").post(f"/cases/{case.pk}/followup/crime_facts/", {"no_qualification": "on"})

    assert response.status_code == 404
    assert not Case.objects.get(pk=case.pk).no_qualification
