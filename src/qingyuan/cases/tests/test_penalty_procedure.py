"""The penalty procedure before the decision (行政处罚法 2021): 拟处罚 before 告知, renotice of a harsher
proposal, 从轻/减轻/不予处罚, hearing, 法制审核, 集体讨论, and the 时效 at 立案."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.cases import penalty, penalty_steps, services
from qingyuan.cases.models import Case, CaseStatus, DecisionKind, MeasureKind, Procedure
from qingyuan.cases.models_procedure import Hearing, LegalReview, PenaltyProposal
from qingyuan.cases.workflow import NotPermitted, TransitionNotAllowed

from .test_case_data import FINE_50K, cleared, notified, opened, propose, proposed

TODAY = dt.date(2026, 11, 23)
FINE_5K = [{"kind": MeasureKind.FINE, "amount": Decimal("5000")}]
MITIGATION = "初次违法且主动消除危害后果"
BASIS = "行政处罚法第32条第1项"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def _decide(personas, case, on, **kwargs):
    return services.decision_record(
        actor=personas["chief"], case=case, procedure=Procedure.GENERAL, decided_on=on, **kwargs
    )


def _propose(personas, case, measures, **kwargs):
    return penalty_steps.proposal_record(
        actor=personas["alice"],
        case=case,
        offence_code=kwargs.pop("code", case.offences.first().offence.code),
        facts="当事人未取得医师资格开展诊疗活动",
        measures=measures,
        **kwargs,
    )


# --- 拟处罚 and 告知 --------------------------------------------------------------------------------


def test_notice_is_refused_without_a_proposal(personas, regions):
    case = services.case_to_review(actor=personas["alice"], case=opened(personas, regions))
    with pytest.raises(TransitionNotAllowed, match="尚未拟定处罚意见"):
        services.case_notify(actor=personas["alice"], case=case, notified_on=dt.date(2026, 8, 3))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REVIEW


def test_notice_serves_the_current_proposal(personas, regions):
    case = proposed(personas, regions)
    services.case_notify(
        actor=personas["alice"], case=case, notified_on=dt.date(2026, 8, 3), notice_number="吴卫告〔2026〕5号"
    )
    proposal = PenaltyProposal.objects.get(case=case)
    assert proposal.notified_on == dt.date(2026, 8, 3) and proposal.notice_number == "吴卫告〔2026〕5号"
    # A ban is on the hearing list: the party had to be told of the hearing right.
    assert proposal.hearing_right
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOTIFIED


def test_proposal_steps_are_refused_out_of_order_and_without_permission(personas, regions):
    case = propose(personas, regions)
    with pytest.raises(TransitionNotAllowed, match="不能执行"):
        _propose(personas, case, FINE_50K)
    case = opened(personas, regions)
    with pytest.raises(NotPermitted):
        penalty_steps.proposal_record(
            actor=personas["clerk"], case=case, offence_code="ZY-01", facts="事实", measures=FINE_50K
        )
    assert not PenaltyProposal.objects.exists()


def test_each_new_proposal_is_the_next_version(personas, regions):
    case = proposed(personas, regions)
    second = _propose(personas, case, [*FINE_50K[:2]])
    assert second.version == 2 and penalty.current_proposal(case).pk == second.pk


# --- discretion ------------------------------------------------------------------------------------


def test_mitigated_fine_below_the_minimum_needs_reason_and_basis(personas, regions):
    # YS-01 (非医师行医), income 3,000 counted as 10,000 × 2–10: 20,000–100,000 yuan.
    case = services.case_to_review(actor=personas["alice"], case=opened(personas, regions, codes=["YS-01"]))
    with pytest.raises(ValidationError, match="20,000.00元至100,000.00元"):
        _propose(personas, case, FINE_5K)
    with pytest.raises(ValidationError, match="20,000.00元至100,000.00元"):
        _propose(personas, case, FINE_5K, discretion="lighter", discretion_reason=MITIGATION)
    with pytest.raises(ValidationError) as refused:
        _propose(personas, case, FINE_5K, discretion="mitigated", discretion_reason=MITIGATION)
    assert "减轻处罚须填写依据" in str(refused.value.message_dict["discretion_basis"])
    with pytest.raises(ValidationError) as refused:
        _propose(personas, case, FINE_5K, discretion="mitigated", discretion_basis=BASIS)
    assert "discretion_reason" in refused.value.message_dict
    assert not PenaltyProposal.objects.exists()
    proposal = _propose(
        personas, case, FINE_5K, discretion="mitigated", discretion_reason=MITIGATION, discretion_basis=BASIS
    )
    assert proposal.measures.get().amount == Decimal("5000") and not proposal.hearing_right


def test_mitigated_proposal_becomes_the_decision(personas, regions):
    case = notified(
        personas,
        regions,
        codes=["YS-01"],
        measures=FINE_5K,
        discretion="mitigated",
        reason=MITIGATION,
        basis=BASIS,
        clear=False,
    )
    # 5,000 yuan for a citizen is neither a large fine nor one for 集体讨论: nothing else is required.
    assert [r["key"] for r in penalty.requirements(case, dt.date(2026, 8, 20))] == [
        "proposal",
        "notice",
        "window",
    ]
    decision = _decide(personas, case, dt.date(2026, 8, 20))
    assert decision.measures.get().amount == Decimal("5000")
    assert decision.discretion == "mitigated" and decision.discretion_basis == BASIS
    assert decision.proposal.version == 1 and decision.kind == DecisionKind.PENALTY


def test_no_penalty_is_decided_from_review_without_a_notice(personas, regions):
    case = services.case_to_review(actor=personas["alice"], case=opened(personas, regions))
    with pytest.raises(ValidationError) as refused:
        _propose(personas, case, [], discretion="none", discretion_reason="违法行为轻微并及时改正")
    assert "discretion_basis" in refused.value.message_dict
    with pytest.raises(ValidationError, match="不能列出处罚种类"):
        _propose(
            personas, case, FINE_50K, discretion="none", discretion_reason="轻微", discretion_basis="第33条"
        )
    _propose(
        personas,
        case,
        [],
        discretion="none",
        discretion_reason="违法行为轻微并及时改正，没有造成危害后果",
        discretion_basis="行政处罚法第33条第1款",
    )
    with pytest.raises(TransitionNotAllowed, match="无需送达"):
        services.case_notify(actor=personas["alice"], case=case, notified_on=dt.date(2026, 8, 3))
    decision = _decide(personas, case, dt.date(2026, 8, 4))
    assert decision.kind == DecisionKind.NO_PENALTY and not decision.measures.exists()
    assert decision.discretion == "none" and Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED


# --- a decision no harsher than the notice ---------------------------------------------------------


def test_harsher_decision_is_refused_until_the_party_is_told_again(personas, regions):
    case = notified(personas, regions, clear=False)  # version 1: 50,000 yuan, told on 3 August
    harsher = [{"kind": MeasureKind.FINE, "amount": Decimal("60000")}, *FINE_50K[1:]]
    _propose(personas, case, harsher, discretion="heavier", discretion_reason="多次违法")
    case = cleared(personas, Case.objects.get(pk=case.pk))
    with pytest.raises(TransitionNotAllowed, match="须重新告知"):
        _decide(personas, case, dt.date(2026, 8, 20))
    with pytest.raises(TransitionNotAllowed, match="须重新告知"):
        _decide(personas, case, dt.date(2026, 8, 20), measures=harsher, discretion_reason="多次违法")
    case = services.case_notify(actor=personas["alice"], case=case, notified_on=dt.date(2026, 8, 21))
    assert case.status == CaseStatus.NOTIFIED and penalty.current_proposal(case).notified_on == dt.date(
        2026, 8, 21
    )
    # The window starts again from the new notice: five working days after Friday 21 August.
    with pytest.raises(TransitionNotAllowed, match="2026年08月28日届满"):
        _decide(personas, case, dt.date(2026, 8, 28))
    decision = _decide(personas, case, dt.date(2026, 8, 31))
    assert decision.measures.get(kind=MeasureKind.FINE).amount == Decimal("60000")
    assert decision.proposal.version == 2


def test_renotice_needs_a_new_proposal_version(personas, regions):
    case = notified(personas, regions, clear=False)
    with pytest.raises(TransitionNotAllowed, match="已.*告知，无需重新告知"):
        services.case_notify(actor=personas["alice"], case=case, notified_on=dt.date(2026, 8, 4))


# --- 陈述申辩 and 听证 -------------------------------------------------------------------------------


def test_statement_is_recorded_with_its_review_and_refused_before_the_notice(personas, regions):
    case = proposed(personas, regions)
    kwargs = dict(
        taken_at=timezone.make_aware(dt.datetime(2026, 8, 5, 10, 0)),
        place="吴中区卫生监督所",
        speaker="张三",
        content="只是给邻居量血压，没有收费",
        officers=[personas["alice"], personas["bob"]],
    )
    with pytest.raises(TransitionNotAllowed, match="不能执行"):
        penalty_steps.statement_record(actor=personas["alice"], case=case, **kwargs)
    services.case_notify(actor=personas["alice"], case=case, notified_on=dt.date(2026, 8, 3))
    with pytest.raises(ValidationError) as refused:
        penalty_steps.statement_record(actor=personas["alice"], case=case, adoption="rejected", **kwargs)
    assert "adoption_reason" in refused.value.message_dict
    row = penalty_steps.statement_record(
        actor=personas["alice"], case=case, adoption="rejected", adoption_reason="有收费票据为证", **kwargs
    )
    assert row.officers.count() == 2 and case.events.filter(action="记录陈述申辩").exists()


def test_hearing_is_refused_when_the_proposal_gave_no_hearing_right(personas, regions):
    case = notified(personas, regions, codes=["ZY-03"], measures=FINE_5K, clear=False)
    with pytest.raises(TransitionNotAllowed, match="不能要求听证"):
        services.case_request_hearing(actor=personas["alice"], case=case, requested_on=dt.date(2026, 8, 5))
    assert not Hearing.objects.exists()


def test_hearing_notice_seven_days_ahead_and_a_host_who_did_not_investigate(personas, regions):
    case = notified(personas, regions, clear=False)
    case = services.case_request_hearing(actor=personas["alice"], case=case, requested_on=dt.date(2026, 8, 5))
    hearing = Hearing.objects.get(case=case)
    assert hearing.requested_on == dt.date(2026, 8, 5)
    at = timezone.make_aware(dt.datetime(2026, 8, 14, 9, 30))
    kwargs = dict(notice_served_on=dt.date(2026, 8, 6), place="第一会议室", clerk=personas["bob"])
    # Served Thursday 6 August: seven working days later is Monday 17 August.
    with pytest.raises(TransitionNotAllowed, match="2026年08月17日"):
        penalty_steps.hearing_schedule(
            actor=personas["alice"], case=case, scheduled_at=at, host=personas["chief"], **kwargs
        )
    at = timezone.make_aware(dt.datetime(2026, 8, 17, 9, 30))
    with pytest.raises(ValidationError, match="调查人员"):
        penalty_steps.hearing_schedule(
            actor=personas["alice"], case=case, scheduled_at=at, host=personas["alice"], **kwargs
        )
    penalty_steps.hearing_schedule(
        actor=personas["alice"], case=case, scheduled_at=at, host=personas["chief"], **kwargs
    )
    case = services.case_end_hearing(
        actor=personas["alice"], case=case, ended_on=dt.date(2026, 8, 17), report="当事人承认收费诊疗"
    )
    hearing.refresh_from_db()
    assert hearing.held_on == dt.date(2026, 8, 17) and hearing.report == "当事人承认收费诊疗"
    reasons = penalty.legal_review_required(case, penalty.current_proposal(case))
    assert "经过听证程序" in reasons

    def review_done(on):
        penalty_steps.legal_review_submit(actor=personas["alice"], case=case)
        penalty_steps.legal_review_record(
            actor=personas["dave"], case=case, reviewed_on=on, opinion="同意", conclusion="agree"
        )
        found = {r["key"]: r for r in penalty.requirements(Case.objects.get(pk=case.pk))}
        return found["legal_review"]["done"]

    # A review dated before the hearing did not see its report.
    assert not review_done(dt.date(2026, 8, 12))
    assert review_done(dt.date(2026, 8, 18))


# --- 法制审核 and 集体讨论 ------------------------------------------------------------------------------


def test_legal_review_is_required_for_a_revocation_and_refused_by_a_case_officer(personas, regions):
    revoke = [
        {"kind": MeasureKind.WARNING},
        {"kind": MeasureKind.REVOKE, "description": "医疗机构执业许可证"},
    ]
    case = notified(personas, regions, codes=["ZY-06"], measures=revoke, waived=True, clear=False)
    with pytest.raises(TransitionNotAllowed, match="法制审核"):
        _decide(personas, case, dt.date(2026, 8, 4))
    with pytest.raises(TransitionNotAllowed, match="尚未提交法制审核"):
        penalty_steps.legal_review_record(
            actor=personas["dave"],
            case=case,
            reviewed_on=dt.date(2026, 8, 4),
            opinion="同意",
            conclusion="agree",
        )
    penalty_steps.legal_review_submit(actor=personas["alice"], case=case)
    with pytest.raises(NotPermitted):
        penalty_steps.legal_review_record(
            actor=personas["alice"],
            case=case,
            reviewed_on=dt.date(2026, 8, 4),
            opinion="同意",
            conclusion="agree",
        )
    case.officers.add(personas["chief"])  # a chief who investigated the case may not review it
    with pytest.raises(TransitionNotAllowed, match="承办人不能担任"):
        penalty_steps.legal_review_record(
            actor=personas["chief"],
            case=case,
            reviewed_on=dt.date(2026, 8, 4),
            opinion="同意",
            conclusion="agree",
        )
    penalty_steps.legal_review_record(
        actor=personas["dave"], case=case, reviewed_on=dt.date(2026, 8, 4), opinion="同意", conclusion="agree"
    )
    # 吊销 is also on the 集体讨论 list: the decision still waits for it.
    with pytest.raises(TransitionNotAllowed, match="集体讨论"):
        _decide(personas, case, dt.date(2026, 8, 4))
    with pytest.raises(TransitionNotAllowed, match="不能少于3人"):
        penalty_steps.discussion_record(
            actor=personas["dave"],
            case=case,
            held_on=dt.date(2026, 8, 4),
            chair=personas["dave"],
            participants=[personas["chief"]],
            opinions="同意",
            conclusion="as_proposed",
        )
    penalty_steps.discussion_record(
        actor=personas["dave"],
        case=case,
        held_on=dt.date(2026, 8, 4),
        chair=personas["dave"],
        participants=[personas["chief"], personas["bob"]],
        opinions="同意",
        conclusion="as_proposed",
    )
    decision = _decide(personas, case, dt.date(2026, 8, 4))
    assert {m.kind for m in decision.measures.all()} == {MeasureKind.WARNING, MeasureKind.REVOKE}


def test_review_of_a_proposal_no_longer_current_is_refused(personas, regions):
    case = notified(personas, regions, clear=False)
    penalty_steps.legal_review_submit(actor=personas["alice"], case=case)
    _propose(personas, case, FINE_50K[:2])
    with pytest.raises(TransitionNotAllowed, match="已不是当前版本"):
        penalty_steps.legal_review_record(
            actor=personas["dave"],
            case=case,
            reviewed_on=dt.date(2026, 8, 4),
            opinion="同意",
            conclusion="agree",
        )
    assert LegalReview.objects.get().conclusion == ""


def test_review_sending_the_case_back_reopens_the_investigation(personas, regions):
    case = notified(personas, regions, clear=False)
    penalty_steps.legal_review_submit(actor=personas["alice"], case=case)
    penalty_steps.legal_review_record(
        actor=personas["dave"],
        case=case,
        reviewed_on=dt.date(2026, 8, 4),
        opinion="补充收费证据",
        conclusion="supplement",
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATING


def test_collective_discussion_is_required_from_the_threshold(personas, regions):
    # YS-01 for a citizen: 50,000 reaches COLLECTIVE_FINE_CITIZEN, 40,000 does not; both are large fines.
    def keys(amount):
        case = notified(
            personas,
            regions,
            codes=["YS-01"],
            measures=[{"kind": "fine", "amount": Decimal(amount)}],
            clear=False,
        )
        return [r["key"] for r in penalty.requirements(case, dt.date(2026, 8, 20))], case

    found, case = keys("50000")
    assert "discussion" in found and "legal_review" in found
    found, _ = keys("40000")
    assert "discussion" not in found and "legal_review" in found
    with pytest.raises(TransitionNotAllowed, match="法制审核"):
        _decide(personas, case, dt.date(2026, 8, 20), discretion_reason="情节一般")
    penalty_steps.legal_review_submit(actor=personas["alice"], case=case)
    penalty_steps.legal_review_record(
        actor=personas["dave"], case=case, reviewed_on=dt.date(2026, 8, 4), opinion="同意", conclusion="agree"
    )
    with pytest.raises(TransitionNotAllowed, match="集体讨论"):
        _decide(personas, case, dt.date(2026, 8, 20), discretion_reason="情节一般")


def test_inspector_cannot_hold_a_collective_discussion(personas, regions):
    case = notified(personas, regions, clear=False)
    with pytest.raises(NotPermitted):
        penalty_steps.discussion_record(
            actor=personas["alice"],
            case=case,
            held_on=dt.date(2026, 8, 4),
            chair=personas["chief"],
            participants=[personas["dave"], personas["bob"]],
            opinions="同意",
            conclusion="as_proposed",
        )


# --- 时效 at 立案 -----------------------------------------------------------------------------------


def _open(personas, case, on):
    return services.case_approve_open(actor=personas["chief"], case=case, opened_on=on)


@pytest.mark.parametrize(
    ("offence_date", "harm", "last_day"),
    [(dt.date(2024, 3, 1), False, dt.date(2026, 3, 1)), (dt.date(2021, 9, 1), True, dt.date(2026, 9, 1))],
)
def test_time_bar_allows_the_last_day_and_refuses_the_next(personas, regions, offence_date, harm, last_day):
    early = propose(
        personas, regions, offence_date=offence_date, endangers_health=harm, checked_on=dt.date(2026, 1, 5)
    )
    assert _open(personas, early, last_day).status == CaseStatus.INVESTIGATING
    late = propose(
        personas, regions, offence_date=offence_date, endangers_health=harm, checked_on=dt.date(2026, 1, 5)
    )
    years = "五年" if harm else "二年"
    with pytest.raises(TransitionNotAllowed, match=f"追责期限（{years}"):
        _open(personas, late, last_day + dt.timedelta(days=1))
    assert Case.objects.get(pk=late.pk).status == CaseStatus.PROPOSED


def test_time_bar_runs_from_the_end_of_a_continuing_act(personas, regions):
    case = propose(
        personas,
        regions,
        offence_date=dt.date(2023, 1, 1),
        act_ended_on=dt.date(2024, 6, 1),
        checked_on=dt.date(2026, 1, 5),
    )
    assert _open(personas, case, dt.date(2026, 6, 1)).status == CaseStatus.INVESTIGATING


def test_three_year_old_act_is_opened_only_with_a_leaders_reason(personas, regions):
    case = propose(personas, regions, offence_date=dt.date(2023, 6, 1), checked_on=dt.date(2026, 6, 1))
    with pytest.raises(TransitionNotAllowed, match="二年"):
        _open(personas, case, dt.date(2026, 6, 2))
    with pytest.raises(NotPermitted):
        penalty_steps.time_bar_override(actor=personas["chief"], case=case, reason="违法行为持续至今")
    with pytest.raises(ValidationError):
        penalty_steps.time_bar_override(actor=personas["dave"], case=case, reason=" ")
    penalty_steps.time_bar_override(
        actor=personas["dave"], case=case, reason="违法行为持续至今，现场仍在诊疗"
    )
    case = _open(personas, case, dt.date(2026, 6, 2))
    assert case.status == CaseStatus.INVESTIGATING and case.time_bar_by == personas["dave"]


def test_end_of_a_continuing_act_cannot_precede_its_start(personas, regions):
    with pytest.raises(ValidationError) as refused:
        propose(personas, regions, offence_date=dt.date(2025, 1, 1), act_ended_on=dt.date(2024, 12, 31))
    assert "act_ended_on" in refused.value.message_dict
    assert not Case.objects.exists()
