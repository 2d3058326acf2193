"""Earlier penalties found by who the party is: the same ID number counts; the same name is listed
as 须人工核实 until an officer confirms (then it counts) or rejects it (then it never counts)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.cases import crime, crime_matches
from qingyuan.cases.models import CaseEvent, CrimeMatchReview, MatchVerdict
from qingyuan.core.crypto import blind_index
from qingyuan.core.models import AuditEvent
from qingyuan.rules.models import Threshold
from qingyuan.subjects.models import SubjectPerson

from .test_followup_data import earlier_penalty, make_case

D = dt.date
ZHANG_OTHER = "320506198207071239"  # another 张三, born 1982-07-07


@pytest.fixture
def case(regions, personas):
    # The party has an ID number: the history search used to stop at it and miss name-only records.
    return make_case(region=regions["village"], proposer=personas["alice"], no_qualification=True)


def _by_name(regions, personas, day, **kwargs):
    """An earlier penalty recorded without an ID number (as every ledger import was)."""
    return earlier_penalty(
        region=regions["xc_village"], proposer=personas["carol"], decided_on=day, id_number="", **kwargs
    )


def _by_id(regions, personas, day):
    return earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=day)


def test_a_name_only_earlier_penalty_is_listed_as_须人工核实_for_a_party_with_an_id_number(
    case, regions, personas
):
    _by_id(regions, personas, D(2024, 5, 10))
    by_name = _by_name(regions, personas, D(2025, 3, 1))

    result = crime.evaluate(case)

    kinds = {m.earlier.pk: m.label for m in result.matches}
    assert kinds[by_name.pk] == "姓名一致（须人工核实）"
    assert result.prior_penalties == 1 and result.pending == 1
    # One counted and one unconfirmed reach the threshold of two: flagged, but for a person to check.
    assert result.suspected and result.needs_review
    assert result.reasons[0] == "涉嫌非法行医罪（须人工核实）"
    assert any("仅按姓名“张三”匹配" in r for r in result.reasons)


def test_id_matches_are_counted_and_make_the_flag_definite(case, regions, personas):
    for day in (D(2024, 5, 10), D(2025, 3, 1)):
        _by_id(regions, personas, day)
    result = crime.evaluate(case)
    assert [m.label for m in result.matches] == ["身份证号一致", "身份证号一致"]
    assert result.prior_penalties == 2 and result.suspected and not result.needs_review


def test_a_different_id_number_or_birth_date_rules_the_name_match_out(case, regions, personas):
    earlier_penalty(
        region=regions["xc_village"],
        proposer=personas["carol"],
        decided_on=D(2024, 5, 10),
        id_number=ZHANG_OTHER,
    )
    # No ID number on the case, but its linked person's ID gives another birth date.
    other = _by_name(regions, personas, D(2025, 3, 1))
    other.party_person = SubjectPerson.objects.create(
        subject=other.subject, name="张三", id_number=ZHANG_OTHER
    )
    other.save()
    result = crime.evaluate(case)
    assert result.matches == [] and not result.suspected


def test_a_matching_phone_is_shown_as_support(regions, personas):
    party = make_case(
        region=regions["village"], proposer=personas["alice"], id_number="", no_qualification=True
    )
    earlier = _by_name(regions, personas, D(2025, 3, 1))
    phone = blind_index("13900001111")
    for c in (party, earlier):
        c.party_person = SubjectPerson.objects.create(
            subject=c.subject, name="张三", phone="13900001111", phone_index=phone
        )
        c.save()
    (match,) = crime.evaluate(party).matches
    assert match.kind == crime_matches.BY_NAME and match.support == ["联系电话一致"]


def test_an_officer_confirms_or_rejects_a_name_match_and_the_flag_follows(case, regions, personas):
    _by_id(regions, personas, D(2024, 5, 10))
    by_name = _by_name(regions, personas, D(2025, 3, 1))
    crime.crime_refresh(case=case, actor=personas["alice"])
    case.refresh_from_db()
    assert case.crime_suspected and "须人工核实" in case.crime_reasons[0]

    with pytest.raises(ValidationError, match="核实依据"):
        crime_matches.review_match(
            actor=personas["alice"], case=case, earlier_pk=by_name.pk, verdict=MatchVerdict.REJECTED, note=" "
        )
    crime_matches.review_match(
        actor=personas["alice"],
        case=case,
        earlier_pk=by_name.pk,
        verdict=MatchVerdict.REJECTED,
        note="核对户籍信息，出生年份不同",
    )
    case.refresh_from_db()
    assert not case.crime_suspected and crime.evaluate(case).prior_penalties == 1

    crime_matches.review_match(
        actor=personas["alice"],
        case=case,
        earlier_pk=by_name.pk,
        verdict=MatchVerdict.CONFIRMED,
        note="经公安协查确认为同一人",
    )
    case.refresh_from_db()
    result = crime.evaluate(case)
    assert case.crime_suspected and result.prior_penalties == 2 and not result.needs_review
    assert CrimeMatchReview.objects.get(case=case).verdict == MatchVerdict.CONFIRMED
    reviews = AuditEvent.objects.filter(target_type="cases.crimematchreview").order_by("pk")
    assert [e.action for e in reviews] == ["create", "update"]
    assert CaseEvent.objects.filter(case=case, action="核实此前处罚记录").count() == 2


def test_only_name_matches_of_the_case_may_be_reviewed_and_only_by_editors(case, regions, personas):
    by_id = _by_id(regions, personas, D(2024, 5, 10))
    with pytest.raises(ValidationError, match="不是本案当事人仅按姓名匹配"):
        crime_matches.review_match(
            actor=personas["alice"], case=case, earlier_pk=by_id.pk, verdict=MatchVerdict.REJECTED, note="x"
        )
    by_name = _by_name(regions, personas, D(2025, 3, 1))
    with pytest.raises(PermissionDenied):
        crime_matches.review_match(
            actor=personas["aud"], case=case, earlier_pk=by_name.pk, verdict=MatchVerdict.REJECTED, note="x"
        )


def test_the_threshold_is_the_rules_data_in_force(case, regions, personas):
    for day in (D(2024, 5, 10), D(2025, 3, 1)):
        _by_id(regions, personas, day)
    Threshold.objects.filter(code="CRIME_PRIOR_PENALTIES").update(value=3)
    result = crime.evaluate(case)
    assert result.prior_penalties == 2 and not result.suspected


def test_the_panel_lists_each_match_with_its_kind_and_takes_the_review(login, case, regions, personas):
    _by_id(regions, personas, D(2024, 5, 10))
    by_name = _by_name(regions, personas, D(2025, 3, 1))
    client = login("alice")
    page = client.get(f"/cases/{case.pk}/followup/").content.decode()
    assert "涉嫌非法行医罪（须人工核实）" in page
    assert "身份证号一致" in page and "姓名一致（须人工核实）" in page
    assert 'data-figure="pending-matches">1<' in page

    prefix = f"m{by_name.pk}"
    refused = client.post(
        f"/cases/{case.pk}/followup/crime_match/",
        {
            "prefix": prefix,
            f"{prefix}-earlier": by_name.pk,
            f"{prefix}-verdict": "rejected",
            f"{prefix}-note": "",
        },
    )
    assert refused.status_code == 200 and "核实依据" in refused.content.decode()
    done = client.post(
        f"/cases/{case.pk}/followup/crime_match/",
        {
            "prefix": prefix,
            f"{prefix}-earlier": by_name.pk,
            f"{prefix}-verdict": "rejected",
            f"{prefix}-note": "核对照片，非同一人",
        },
    )
    assert done.status_code == 302
    page = client.get(f"/cases/{case.pk}/followup/").content.decode()
    assert "姓名一致（已排除，不是同一人）" in page and "核对照片，非同一人" in page
    assert "涉嫌非法行医罪（须人工核实）" not in page


def test_an_act_before_the_first_recorded_threshold_is_judged_by_the_earliest_version(
    case, regions, personas
):
    # The rules data starts after this act (as for an old ledger case): the earliest version stands.
    Threshold.objects.filter(code="CRIME_PRIOR_PENALTIES").update(effective_from=D(2026, 7, 1))
    for day in (D(2024, 5, 10), D(2025, 3, 1)):
        _by_id(regions, personas, day)
    result = crime.evaluate(case)
    assert result.prior_penalties == 2 and result.suspected
