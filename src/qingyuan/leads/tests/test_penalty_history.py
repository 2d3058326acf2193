"""On intake the officer sees at once whether the site or person was penalised before, and how many
times: two earlier penalties for illegal practice make a new offence a suspected crime."""

import datetime as dt

import pytest

from qingyuan.cases.tests.test_followup_data import ID_ZHANG, earlier_penalty, make_subject
from qingyuan.core.crypto import blind_index
from qingyuan.core.models import AuditAction, AuditEvent
from qingyuan.leads import services
from qingyuan.subjects.models import SubjectPerson


@pytest.fixture
def site(regions):
    subject = make_subject(regions["village"], name="金星村张三诊所")
    SubjectPerson.objects.create(
        subject=subject, name="张三", id_number=ID_ZHANG, id_number_index=blind_index(ID_ZHANG)
    )
    return subject


def _tip(personas, **extra):
    return services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="金星村张三诊所又在给人输液",
        place="吴中区木渎镇金星村委会12号",
        reported_person="张三",
        **extra,
    )


def test_candidate_shows_two_penalties_from_another_county_and_the_crime_threshold(
    login, personas, regions, site
):
    earlier = [
        earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=day)
        for day in (dt.date(2024, 3, 1), dt.date(2025, 4, 1))
    ]
    lead = _tip(personas)

    page = login("chief").get(f"/leads/{lead.pk}/").content.decode()

    assert "金星村张三诊所" in page
    assert "曾因非法行医受行政处罚2次" in page
    assert "最近一次 2025-04-01" in page
    assert "涉嫌非法行医罪" in page
    # Only counts cross the county line: the other county's case numbers and facts stay out.
    for case in earlier:
        assert case.number not in page and case.title not in page
    # ...and the look-up across it is audited, with the count and nothing of the cases.
    row = AuditEvent.objects.get(action=AuditAction.REVEAL, target_id=str(lead.pk))
    assert row.actor == personas["chief"] and row.after == {"outside_penalties": 2}


def test_one_earlier_penalty_is_shown_without_the_crime_note(login, personas, regions, site):
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=dt.date(2025, 4, 1))
    lead = _tip(personas)

    page = login("chief").get(f"/leads/{lead.pk}/").content.decode()

    assert "曾因非法行医受行政处罚1次" in page
    assert "涉嫌非法行医罪" not in page


def test_linked_subject_without_penalties_says_so(login, personas, regions, site):
    lead = _tip(personas)
    services.lead_link_subject(actor=personas["chief"], lead=lead, subject=site)

    page = login("chief").get(f"/leads/{lead.pk}/").content.decode()

    assert "无非法行医行政处罚记录" in page
