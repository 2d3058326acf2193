import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.cases import crime, history, referrals
from qingyuan.cases.models import CaseStatus, ReferralTarget
from qingyuan.conftest import make_region
from qingyuan.core.models import AuditEvent, Notification
from qingyuan.regions.models import Level

from .test_followup_data import ID_ZHANG, earlier_penalty, make_case

D = dt.date


@pytest.fixture
def wuxi(regions):
    city = make_region("320200", "无锡市", Level.CITY, regions["province"])
    return make_region("320211", "滨湖区", Level.COUNTY, city)


@pytest.fixture
def case(regions, personas):
    return make_case(region=regions["village"], proposer=personas["alice"], no_qualification=True)


def test_flagged_after_two_earlier_penalties_in_another_county_and_city(case, regions, wuxi, personas):
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2024, 5, 10))
    earlier_penalty(region=wuxi, proposer=personas["carol"], decided_on=D(2025, 3, 1))

    result = crime.evaluate(case)

    assert result.suspected
    assert result.prior_penalties == 2
    assert any("受过2次行政处罚" in a for a in result.article2)
    assert any("相城区" in r and "滨湖区" in r for r in result.reasons)


def test_not_flagged_after_one_earlier_penalty(case, regions, personas):
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2025, 3, 1))
    result = crime.evaluate(case)
    assert not result.suspected and result.prior_penalties == 1


def test_qualified_physician_without_clinic_licence_is_not_a_crime_even_after_two_penalties(
    regions, personas
):
    # 2016 解释: running a clinic without a licence while holding 医师资格 is not in 第1条.
    case = make_case(region=regions["village"], proposer=personas["alice"], code="ZY-01")
    for day in (D(2024, 5, 10), D(2025, 3, 1)):
        earlier_penalty(
            region=regions["xc_village"], proposer=personas["carol"], decided_on=day, code="ZY-01"
        )
    result = crime.evaluate(case)
    assert result.prior_penalties == 2
    assert not result.suspected
    assert "不符合解释第一条" in result.reasons[0]


def test_a_single_article_two_fact_with_article_one_flags_the_case(regions, personas):
    case = make_case(
        region=regions["village"], proposer=personas["alice"], no_qualification=True, bad_drugs=True
    )
    result = crime.evaluate(case)
    assert result.suspected and result.prior_penalties == 0
    assert result.article1 == ["未取得或非法取得医师资格"]


def test_article_two_fact_without_article_one_is_not_flagged(regions, personas):
    case = make_case(region=regions["village"], proposer=personas["alice"], patient_death=True)
    assert not crime.evaluate(case).suspected


def test_penalties_decided_after_the_offence_date_do_not_count(case, regions, personas):
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2025, 3, 1))
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=case.offence_date)
    result = crime.evaluate(case)
    assert result.prior_penalties == 1 and not result.suspected


def test_revoked_cases_do_not_count(case, regions, personas):
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2024, 5, 10))
    revoked = earlier_penalty(
        region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2025, 3, 1)
    )
    revoked.status = CaseStatus.REVOKED
    revoked.save()
    assert crime.evaluate(case).prior_penalties == 1


def test_penalties_for_other_offences_do_not_count(case, regions, personas):
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2024, 5, 10))
    earlier_penalty(
        region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2025, 3, 1), code="ZY-08"
    )
    assert crime.evaluate(case).prior_penalties == 1


def test_another_person_with_the_same_name_does_not_count_when_ids_are_known(case, regions, personas):
    for day in (D(2024, 5, 10), D(2025, 3, 1)):
        earlier_penalty(
            region=regions["xc_village"],
            proposer=personas["carol"],
            decided_on=day,
            id_number="320507199002022345",
        )
    assert crime.evaluate(case).prior_penalties == 0


def test_without_an_id_number_the_name_is_used_and_the_reasons_say_so(regions, personas):
    case = make_case(
        region=regions["village"], proposer=personas["alice"], id_number="", no_qualification=True
    )
    for day in (D(2024, 5, 10), D(2025, 3, 1)):
        earlier_penalty(
            region=regions["xc_village"], proposer=personas["carol"], decided_on=day, id_number=""
        )
    result = crime.evaluate(case)
    assert result.suspected
    assert any("仅按姓名“张三”匹配" in r for r in result.reasons)


def test_penalty_summary_counts_every_region(regions, wuxi, personas):
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2024, 5, 10))
    earlier_penalty(region=wuxi, proposer=personas["carol"], decided_on=D(2025, 3, 1))
    from qingyuan.core.crypto import blind_index

    summary = history.penalty_summary(id_index=blind_index(ID_ZHANG))
    assert summary["count"] == 2
    assert summary["last_date"] == D(2025, 3, 1)
    assert summary["matched_by"] == "id"
    assert [r for r in summary["regions"]] == [regions["xc_village"].full_name, wuxi.full_name]
    assert history.penalty_summary()["count"] == 0


def test_refresh_stores_the_flag_and_tells_the_leaders_once(
    case, regions, personas, django_capture_on_commit_callbacks
):
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2024, 5, 10))
    earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=D(2025, 3, 1))

    with django_capture_on_commit_callbacks(execute=True):
        crime.crime_refresh(case=case, actor=personas["alice"])
        crime.crime_refresh(case=case, actor=personas["alice"])

    case.refresh_from_db()
    assert case.crime_suspected and case.crime_reasons
    told = Notification.objects.filter(text__contains="涉嫌非法行医罪")
    # The unit's chief, and the city leader since 吴中区 has no leader of its own; once each.
    assert sorted(told.values_list("user__username", flat=True)) == ["chief", "dave"]
    assert (
        AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk), action="update").count()
        == 1
    )


def test_close_is_blocked_until_a_police_referral_is_approved(case, personas):
    case.bad_drugs = True
    case.save()
    blocked = crime.close_blocked_reason(case)
    assert blocked.startswith("涉嫌非法行医罪，应移送公安机关") and "使用假药" in blocked

    referral = referrals.referral_propose(
        actor=personas["alice"],
        case=case,
        target=ReferralTarget.POLICE,
        target_unit="吴中公安分局",
        reason="涉嫌犯罪",
    )
    assert crime.close_blocked_reason(case)
    referrals.referral_approve(actor=personas["chief"], referral=referral)
    assert crime.close_blocked_reason(case) is None


def test_a_market_referral_does_not_unblock_closing(case, personas):
    case.bad_drugs = True
    case.save()
    referral = referrals.referral_propose(
        actor=personas["alice"],
        case=case,
        target=ReferralTarget.MARKET,
        target_unit="市场监管局",
        reason="药品",
    )
    referrals.referral_approve(actor=personas["chief"], referral=referral)
    assert crime.close_blocked_reason(case)


def test_leader_override_unblocks_closing_with_a_reason(case, personas):
    case.bad_drugs = True
    case.save()
    with pytest.raises(ValidationError, match="不移送公安机关的理由"):
        crime.crime_override(actor=personas["dave"], case=case, reason=" ")
    crime.crime_override(actor=personas["dave"], case=case, reason="经集体讨论，所用药品系合格药品")
    case.refresh_from_db()
    assert crime.close_blocked_reason(case) is None
    assert case.crime_override_by == personas["dave"]
    assert AuditEvent.objects.filter(actor_name="dave", target_type="cases.case").exists()


@pytest.mark.parametrize("persona", ["alice", "chief"])
def test_only_a_leader_may_override(case, personas, persona):
    with pytest.raises(PermissionDenied):
        crime.crime_override(actor=personas[persona], case=case, reason="理由")
