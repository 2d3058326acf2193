import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.cases import referrals
from qingyuan.cases.models import CaseEvent, Referral, ReferralOutcome, ReferralStatus, ReferralTarget
from qingyuan.cases.referral_workflow import TransitionNotAllowed
from qingyuan.core.models import AuditEvent, Notification

from .test_followup_data import aware, make_case

D = dt.date


@pytest.fixture
def case(regions, personas):
    return make_case(
        region=regions["village"], proposer=personas["alice"], no_qualification=True, bad_drugs=True
    )


def _propose(case, actor, proposed_on, target=ReferralTarget.POLICE):
    return referrals.referral_propose(
        actor=actor,
        case=case,
        target=target,
        target_unit="苏州市公安局吴中分局",
        reason="当事人无医师资格，使用劣药",
        proposed_on=proposed_on,
    )


def test_head_decides_within_three_working_days_across_the_national_day_holiday(case, personas):
    # 2026-10-01..07 are holidays and Saturday 2026-10-10 is a working day (调休).
    referral = _propose(case, personas["alice"], D(2026, 9, 30))
    assert referrals.decide_due(referral) == D(2026, 10, 10)
    badge = referrals.clocks(referral, today=D(2026, 10, 9))[0]["badge"]
    assert badge.status == "near" and badge.text == "还剩1个工作日"
    assert referrals.clocks(referral, today=D(2026, 10, 12))[0]["badge"].text == "已超期2天"


def test_approval_after_the_limit_is_recorded_as_late(case, personas):
    referral = _propose(case, personas["alice"], D(2026, 9, 30))
    referrals.referral_approve(actor=personas["chief"], referral=referral, approved_on=D(2026, 10, 12))
    note = CaseEvent.objects.get(case=case, action="批准移送").note
    assert "超过决定期限（2026-10-10）" in note
    assert referrals.clocks(referral)[0]["late"]


@pytest.mark.parametrize("persona", ["alice", "clerk"])
def test_inspector_cannot_approve_a_referral(case, personas, persona):
    referral = _propose(case, personas["alice"], D(2026, 9, 30))
    with pytest.raises(PermissionDenied):
        referrals.referral_approve(actor=personas[persona], referral=referral)
    referral.refresh_from_db()
    assert referral.approved_on is None


def test_transfer_within_24_hours_is_on_time_and_later_is_recorded_late(case, personas):
    on_time = _propose(case, personas["alice"], D(2026, 10, 9))
    referrals.referral_approve(actor=personas["chief"], referral=on_time, approved_on=D(2026, 10, 10))
    referrals.referral_transfer(
        actor=personas["alice"], referral=on_time, transferred_at=aware(2026, 10, 11, 16)
    )
    assert not referrals.transfer_late(on_time)
    # Only the approval day is recorded: the 24 hours run from its end.
    assert referrals.clocks(on_time)[1]["due_text"] == "2026-10-11 24:00"

    late = _propose(case, personas["alice"], D(2026, 10, 9), target=ReferralTarget.DRUG)
    referrals.referral_approve(actor=personas["chief"], referral=late, approved_on=D(2026, 10, 10))
    referrals.referral_transfer(actor=personas["alice"], referral=late, transferred_at=aware(2026, 10, 12, 9))
    assert referrals.transfer_late(late)
    assert CaseEvent.objects.filter(case=case, action="移送", note__contains="超过24小时").count() == 1


def test_transfer_needs_approval_first(case, personas):
    referral = _propose(case, personas["alice"], D(2026, 10, 9))
    with pytest.raises(TransitionNotAllowed, match="移送当前为“待负责人审批”，不能执行“移送”"):
        referrals.referral_transfer(
            actor=personas["alice"], referral=referral, transferred_at=aware(2026, 10, 10, 9)
        )


def _refused_on(case, personas, refused_on):
    referral = _propose(case, personas["alice"], D(2026, 9, 28))
    referrals.referral_approve(actor=personas["chief"], referral=referral, approved_on=D(2026, 9, 28))
    referrals.referral_transfer(
        actor=personas["alice"], referral=referral, transferred_at=aware(2026, 9, 28, 15)
    )
    referrals.referral_receipt(
        actor=personas["alice"],
        referral=referral,
        received_on=D(2026, 9, 29),
        receipt_no="吴公受字〔2026〕88号",
    )
    assert referrals.police_decide_due(referral) == D(2026, 10, 9)
    with pytest.raises(ValidationError, match="不予受理/不予立案的理由"):
        referrals.referral_outcome(
            actor=personas["alice"], referral=referral, outcome=ReferralOutcome.REFUSED, outcome_on=refused_on
        )
    return referrals.referral_outcome(
        actor=personas["alice"],
        referral=referral,
        outcome=ReferralOutcome.REFUSED,
        outcome_on=refused_on,
        note="证据不足",
    )


def test_review_request_after_three_working_days_is_refused(case, personas):
    referral = _refused_on(case, personas, D(2026, 9, 30))
    assert referrals.review_request_due(referral) == D(2026, 10, 10)
    with pytest.raises(ValidationError, match="提请复议期限已于2026年10月10日届满"):
        referrals.referral_review_request(
            actor=personas["chief"], referral=referral, requested_on=D(2026, 10, 12)
        )
    referral.refresh_from_db()
    assert referral.review_requested_on is None


def test_review_request_on_the_adjusted_saturday_is_in_time(case, personas):
    referral = _refused_on(case, personas, D(2026, 9, 30))
    referrals.referral_review_request(
        actor=personas["chief"], referral=referral, requested_on=D(2026, 10, 10)
    )
    referral.refresh_from_db()
    assert referral.review_requested_on == D(2026, 10, 10)
    assert AuditEvent.objects.filter(target_type="cases.referral", target_id=str(referral.pk)).count() == 6


def test_review_request_only_after_a_refusal(case, personas):
    referral = _propose(case, personas["alice"], D(2026, 9, 28))
    with pytest.raises(TransitionNotAllowed, match="不能执行“提请复议”"):
        referrals.referral_review_request(
            actor=personas["chief"], referral=referral, requested_on=D(2026, 10, 1)
        )


def test_refusal_tells_the_head_until_when_review_can_be_asked(
    case, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _refused_on(case, personas, D(2026, 9, 30))
    assert Notification.objects.filter(user=personas["chief"], text__contains="10月10日前提请复议").exists()


def test_a_second_pending_referral_to_the_same_body_is_refused(case, personas):
    _propose(case, personas["alice"], D(2026, 10, 9))
    with pytest.raises(ValidationError, match="尚在办理中"):
        _propose(case, personas["alice"], D(2026, 10, 9))


def test_judgment_and_accountable_persons(case, personas):
    referral = _propose(case, personas["alice"], D(2026, 9, 28))
    referrals.referral_approve(actor=personas["chief"], referral=referral, approved_on=D(2026, 9, 28))
    referrals.referral_transfer(
        actor=personas["alice"], referral=referral, transferred_at=aware(2026, 9, 28, 15)
    )
    with pytest.raises(ValidationError, match="判决日期不能早于移送日期"):
        referrals.judgment_record(
            actor=personas["alice"],
            case=case,
            referral=referral,
            court="吴中区人民法院",
            judged_on=D(2026, 9, 1),
            verdict="有期徒刑一年",
        )
    judgment = referrals.judgment_record(
        actor=personas["alice"],
        case=case,
        referral=referral,
        court="苏州市吴中区人民法院",
        document_no="（2026）苏0506刑初123号",
        judged_on=D(2026, 11, 2),
        verdict="犯非法行医罪，判处有期徒刑一年，并处罚金二万元",
    )
    with pytest.raises(ValidationError, match="请选择责任类型"):
        referrals.accountable_add(
            actor=personas["alice"], case=case, name="张三", liability="", outcome="有期徒刑一年"
        )
    person = referrals.accountable_add(
        actor=personas["alice"],
        case=case,
        judgment=judgment,
        name="张三",
        liability="criminal",
        outcome="有期徒刑一年",
    )
    assert list(judgment.persons.all()) == [person]
    assert AuditEvent.objects.filter(target_type="cases.accountableperson").count() == 1


def test_head_declines_a_referral_with_a_reason_and_a_new_proposal_may_follow(case, personas):
    from qingyuan.cases import crime

    referral = _propose(case, personas["alice"], D(2026, 11, 2))
    with pytest.raises(PermissionDenied):
        referrals.referral_decline(actor=personas["alice"], referral=referral, reason="证据不足")
    with pytest.raises(ValidationError):
        referrals.referral_decline(actor=personas["chief"], referral=referral, reason=" ")

    referrals.referral_decline(actor=personas["chief"], referral=referral, reason="证据不足，继续调查")

    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.DECLINED and referral.approved_on is None
    assert referrals.clocks(referral)[0]["badge"] is None  # the head has decided
    assert CaseEvent.objects.filter(case=case, action="决定不移送").exists()
    # Declining does not clear the crime flag: closing still needs a referral or a leader's override.
    assert crime.close_blocked_reason(case)
    with pytest.raises(TransitionNotAllowed, match="负责人决定不移送"):
        referrals.referral_approve(actor=personas["chief"], referral=referral)
    _propose(case, personas["alice"], D(2026, 11, 20))  # a new proposal to the same body is allowed


def test_every_step_moves_the_status_and_steps_out_of_order_are_refused(case, personas):
    alice, chief = personas["alice"], personas["chief"]
    referral = _propose(case, alice, D(2026, 9, 28))
    assert referral.status == ReferralStatus.PROPOSED
    with pytest.raises(TransitionNotAllowed, match="不能执行“移送回执”"):
        referrals.referral_receipt(actor=alice, referral=referral, received_on=D(2026, 9, 29), receipt_no="1")
    with pytest.raises(TransitionNotAllowed, match="不能执行“移送结果”"):
        referrals.referral_outcome(
            actor=alice, referral=referral, outcome=ReferralOutcome.ACCEPTED, outcome_on=D(2026, 9, 29)
        )
    referrals.referral_approve(actor=chief, referral=referral, approved_on=D(2026, 9, 28))
    assert referral.status == ReferralStatus.APPROVED
    with pytest.raises(TransitionNotAllowed, match="不能执行“批准移送”"):
        referrals.referral_approve(actor=chief, referral=referral, approved_on=D(2026, 9, 28))
    referrals.referral_transfer(actor=alice, referral=referral, transferred_at=aware(2026, 9, 28, 15))
    assert referral.status == ReferralStatus.TRANSFERRED
    referrals.referral_receipt(actor=alice, referral=referral, received_on=D(2026, 9, 29), receipt_no="R-1")
    assert referral.status == ReferralStatus.RECEIVED
    with pytest.raises(TransitionNotAllowed, match="不能执行“复议结果”"):
        referrals.referral_review_result(actor=alice, referral=referral, result="维持")
    referrals.referral_outcome(
        actor=alice,
        referral=referral,
        outcome=ReferralOutcome.REFUSED,
        outcome_on=D(2026, 9, 30),
        note="证据不足",
    )
    assert referral.status == ReferralStatus.REFUSED
    referrals.referral_review_request(actor=chief, referral=referral, requested_on=D(2026, 10, 9))
    referrals.referral_review_result(actor=alice, referral=referral, result="维持不予立案决定")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVIEWED
    # Each step is on the case's timeline with the state it left and reached in the audit log.
    steps = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("action", flat=True))
    assert steps[-7:] == ["提请移送", "批准移送", "移送", "移送回执", "移送结果", "提请复议", "复议结果"]
    transitions = AuditEvent.objects.filter(
        target_type="cases.referral", target_id=str(referral.pk), action="transition"
    )
    assert [e.after["status"] for e in transitions.order_by("pk")] == [
        "approved",
        "transferred",
        "received",
        "refused",
        "review_requested",
        "reviewed",
    ]


def test_a_market_referral_refused_cannot_go_to_review(case, personas):
    referral = _propose(case, personas["alice"], D(2026, 9, 28), target=ReferralTarget.MARKET)
    referrals.referral_approve(actor=personas["chief"], referral=referral, approved_on=D(2026, 9, 28))
    referrals.referral_transfer(
        actor=personas["alice"], referral=referral, transferred_at=aware(2026, 9, 28, 15)
    )
    referrals.referral_outcome(
        actor=personas["alice"],
        referral=referral,
        outcome=ReferralOutcome.REFUSED,
        outcome_on=D(2026, 9, 30),
        note="不属于本部门管辖",
    )
    with pytest.raises(ValidationError, match="只有公安机关不予立案"):
        referrals.referral_review_request(
            actor=personas["chief"], referral=referral, requested_on=D(2026, 10, 1)
        )
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.REFUSED


def test_status_backfill_follows_the_recorded_dates(case, personas):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("qingyuan.cases.migrations.0010_referral_status_backfill")
    referral = _propose(case, personas["alice"], D(2026, 9, 28))
    referrals.referral_approve(actor=personas["chief"], referral=referral, approved_on=D(2026, 9, 28))
    referrals.referral_transfer(
        actor=personas["alice"], referral=referral, transferred_at=aware(2026, 9, 28, 15)
    )
    declined = _propose(case, personas["alice"], D(2026, 9, 28), target=ReferralTarget.DRUG)
    referrals.referral_decline(actor=personas["chief"], referral=declined, reason="不属于药品问题")
    # Rows written before the status existed all read 待负责人审批.
    Referral.objects.update(status=ReferralStatus.PROPOSED)
    migration.backfill(apps, None)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.TRANSFERRED
    assert Referral.objects.get(pk=declined.pk).status == ReferralStatus.DECLINED
