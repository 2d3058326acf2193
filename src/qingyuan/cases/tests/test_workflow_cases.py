import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.cases import penalty_steps, services, workflow
from qingyuan.cases.models import Case, CaseStatus, MeasureKind, PauseKind, PaymentKind, Procedure, Recheck
from qingyuan.cases.workflow import TransitionNotAllowed
from qingyuan.core.models import AuditEvent, Notification

from .test_case_data import FINE_50K, cleared, decided, in_state, notified, opened, propose, served

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    # Fixed so the dates in the tests stay in the past and the surcharge is reproducible.
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def test_case_goes_from_proposal_to_closing(personas, regions, django_capture_on_commit_callbacks):
    p = personas
    with django_capture_on_commit_callbacks(execute=True):
        case = propose(p, regions)
    assert case.status == CaseStatus.PROPOSED and case.number is None
    assert Notification.objects.filter(user=p["chief"], text__contains="待立案审批").exists()
    assert case.offences.get().offence.code == "ZY-01"

    case = services.case_approve_open(actor=p["chief"], case=case, opened_on=dt.date(2026, 6, 1))
    assert case.number == "吴中区卫生监督所卫医罚〔2026〕1号"
    assert case.decide_due == dt.date(2026, 8, 30)  # 90 days
    case = services.case_to_review(actor=p["alice"], case=case)
    penalty_steps.proposal_record(
        actor=p["alice"], case=case, offence_code="ZY-01", facts=case.facts, measures=FINE_50K
    )
    case = services.case_notify(actor=p["alice"], case=case, notified_on=dt.date(2026, 8, 3))
    # Five working days after Monday 3 August: the request may come until Monday 10 August.
    assert services.deadlines.hearing_window_due(case) == dt.date(2026, 8, 10)
    case = services.case_request_hearing(actor=p["alice"], case=case, requested_on=dt.date(2026, 8, 10))
    assert case.status == CaseStatus.HEARING
    assert case.pauses.get().kind == PauseKind.HEARING
    case = services.case_end_hearing(actor=p["alice"], case=case, ended_on=dt.date(2026, 8, 20))
    assert case.status == CaseStatus.NOTIFIED
    assert case.decide_due == dt.date(2026, 9, 9)  # the 10 hearing days do not count
    case = cleared(p, case, on=dt.date(2026, 8, 20))  # after the hearing, with its report

    decision = services.decision_record(
        actor=p["chief"],
        case=case,
        offence_code="ZY-01",
        procedure=Procedure.GENERAL,
        decided_on=dt.date(2026, 8, 21),
        measures=FINE_50K,
        discretion_reason="初次违法，按下限处罚。",
    )
    assert decision.measures.count() == 3
    assert Recheck.objects.filter(case=case).exists()  # the ban schedules a re-inspection
    case = services.case_serve(actor=p["alice"], case=case, served_on=dt.date(2026, 8, 24))
    case.refresh_from_db()
    assert case.decision.payment_due == dt.date(2026, 9, 8)  # 15 days
    services.payment_record(
        actor=p["alice"],
        case=case,
        kind=PaymentKind.CONFISCATED_INCOME,
        amount=3000,
        paid_on=dt.date(2026, 9, 1),
    )
    case = services.case_enforce(actor=p["alice"], case=case)
    assert case.status == CaseStatus.ENFORCING
    # Paid 73 days late: 3% a day would be 109,500 yuan, but the surcharge never exceeds the fine.
    services.payment_record(
        actor=p["alice"], case=case, kind=PaymentKind.FINE, amount=50000, paid_on=dt.date(2026, 11, 20)
    )
    assert services.surcharge_due(case, TODAY) == Decimal("50000")
    assert services.owed(case) == Decimal("50000")
    with pytest.raises(TransitionNotAllowed, match="尚欠50000"):
        services.case_close(actor=p["chief"], case=case)
    services.payment_record(
        actor=p["alice"], case=case, kind=PaymentKind.SURCHARGE, amount=50000, paid_on=dt.date(2026, 11, 21)
    )
    case = services.case_close(actor=p["chief"], case=case, closed_on=dt.date(2026, 11, 22))
    assert case.status == CaseStatus.CLOSED and case.closed_on == dt.date(2026, 11, 22)

    steps = list(case.events.values_list("action", flat=True))
    for step in [
        "提请立案",
        "批准立案",
        "提交合议审理",
        "拟定处罚意见",
        "告知当事人",
        "当事人要求听证",
        "法制审核",
        "集体讨论",
        "听证结束",
        "作出处罚决定",
        "送达决定书",
        "执行",
        "结案",
    ]:
        assert step in steps
    transitions = AuditEvent.objects.filter(
        target_type="cases.case", target_id=str(case.pk), action="transition"
    )
    assert sorted(e.after["action"] for e in transitions) == sorted(
        [
            "approve_open",
            "to_review",
            "propose_penalty",
            "notify",
            "request_hearing",
            "end_hearing",
            "submit_legal_review",
            "legal_review",
            "discuss",
            "decide",
            "serve",
            "enforce",
            "close",
        ]
    )
    assert AuditEvent.objects.filter(
        target_type="cases.case", target_id=str(case.pk), action="create"
    ).exists()


def _call(action, case, chief):
    today = TODAY
    calls = {
        "approve_open": lambda: services.case_approve_open(actor=chief, case=case, opened_on=today),
        "not_open": lambda: services.case_not_open(actor=chief, case=case, reason="理由"),
        "to_review": lambda: services.case_to_review(actor=chief, case=case),
        "request_hearing": lambda: services.case_request_hearing(actor=chief, case=case, requested_on=today),
        "end_hearing": lambda: services.case_end_hearing(actor=chief, case=case, ended_on=today),
        "decide": lambda: services.decision_record(
            actor=chief,
            case=case,
            offence_code="ZY-01",
            procedure=Procedure.GENERAL,
            decided_on=today,
            measures=[{"kind": MeasureKind.WARNING}],
        ),
        "serve": lambda: services.case_serve(actor=chief, case=case, served_on=today),
        "enforce": lambda: services.case_enforce(actor=chief, case=case),
        "close": lambda: services.case_close(actor=chief, case=case),
        "revoke": lambda: services.case_revoke(actor=chief, case=case, reason="理由"),
        "transfer": lambda: services.case_transfer(actor=chief, case=case, reason="理由"),
        "propose": lambda: workflow.check(case, "propose", chief),
    }
    if action in calls:
        return calls[action]()
    # Every other step through the workflow itself (the conditions run after the state check).
    return workflow.CASE_WORKFLOW.apply(case, action, actor=chief, note="理由", to=CaseStatus.CLOSED)


DISALLOWED = [
    (state, action)
    for state in CaseStatus.values
    for action, transition in workflow.TRANSITIONS.items()
    if state not in transition.sources
]


@pytest.mark.parametrize(("state", "action"), DISALLOWED)
def test_every_step_outside_the_table_is_refused(personas, regions, state, action):
    case = in_state(personas, regions, state)
    with pytest.raises(TransitionNotAllowed, match="不能执行"):
        _call(action, case, personas["chief"])
    assert Case.objects.get(pk=case.pk).status == state


def test_the_table_covers_every_state():
    assert set(workflow.OPEN_STATES) | set(workflow.FINAL_STATES) == set(CaseStatus.values)
    assert len(DISALLOWED) > 100


@pytest.mark.parametrize(
    ("persona", "action"), [("clerk", "approve_open"), ("alice", "approve_open"), ("clerk", "not_open")]
)
def test_only_chiefs_and_leaders_approve_an_opening(personas, regions, persona, action):
    case = propose(personas, regions)
    with pytest.raises(TransitionNotAllowed, match="权限"):
        _call(action, case, personas[persona])
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PROPOSED


def test_proposal_needs_two_officers_with_credentials(personas, regions):
    with pytest.raises(ValidationError, match="至少2名"):
        propose(personas, regions, officers=[personas["alice"]])
    with pytest.raises(ValidationError, match="没有执法证号"):
        propose(personas, regions, officers=[personas["alice"], personas["chief"]])
    assert not Case.objects.exists()


def test_offences_are_pinned_to_the_version_in_force_on_the_offence_date(personas, regions):
    # YS-01 (医师法) is in force from 2022-03-01: an act before that has no version to apply.
    with pytest.raises(ValidationError, match="没有有效的条款"):
        propose(personas, regions, codes=["YS-01"], offence_date=dt.date(2021, 1, 1))


def test_not_opening_needs_a_reason(personas, regions):
    case = propose(personas, regions)
    with pytest.raises(ValidationError, match="理由"):
        services.case_not_open(actor=personas["chief"], case=case, reason=" ")
    case = services.case_not_open(actor=personas["chief"], case=case, reason="证据不足")
    assert case.status == CaseStatus.NOT_OPENED and case.end_reason == "证据不足"


def test_hearing_cannot_be_requested_after_the_window(personas, regions):
    case = notified(personas, regions)
    with pytest.raises(TransitionNotAllowed, match="听证申请期限已于2026年08月10日届满"):
        services.case_request_hearing(actor=personas["alice"], case=case, requested_on=dt.date(2026, 8, 11))


def test_decision_waits_for_the_statement_window_unless_waived(personas, regions):
    case = notified(personas, regions)
    kwargs = dict(
        offence_code="ZY-01",
        procedure=Procedure.GENERAL,
        measures=FINE_50K,
        discretion_reason="按下限处罚",
    )
    with pytest.raises(TransitionNotAllowed, match="届满后方可作出决定"):
        services.decision_record(
            actor=personas["chief"], case=case, decided_on=dt.date(2026, 8, 10), **kwargs
        )
    waived = notified(personas, regions, waived=True)
    services.decision_record(actor=personas["chief"], case=waived, decided_on=dt.date(2026, 8, 4), **kwargs)
    assert Case.objects.get(pk=waived.pk).status == CaseStatus.DECIDED


def test_general_procedure_cannot_skip_the_notice(personas, regions):
    case = opened(personas, regions)
    case = services.case_to_review(actor=personas["alice"], case=case)
    with pytest.raises(TransitionNotAllowed, match="须先告知"):
        services.decision_record(
            actor=personas["chief"],
            case=case,
            offence_code="ZY-01",
            procedure=Procedure.GENERAL,
            decided_on=dt.date(2026, 8, 4),
            measures=FINE_50K,
            discretion_reason="按下限处罚",
        )


def test_closing_is_refused_for_a_suspected_crime_without_referral(personas, regions):
    case = served(personas, regions)
    for kind, amount in [(PaymentKind.FINE, 50000), (PaymentKind.CONFISCATED_INCOME, 3000)]:
        services.payment_record(
            actor=personas["alice"], case=case, kind=kind, amount=amount, paid_on=dt.date(2026, 9, 1)
        )
    # 解释 第1条 + 第2条(3): a person without qualification using fake drugs.
    Case.objects.filter(pk=case.pk).update(no_qualification=True, bad_drugs=True)
    with pytest.raises(TransitionNotAllowed, match="公安"):
        services.case_close(actor=personas["chief"], case=case)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SERVED


def test_revoking_needs_approval_and_a_reason(personas, regions):
    case = opened(personas, regions)
    with pytest.raises(TransitionNotAllowed, match="权限"):
        services.case_revoke(actor=personas["alice"], case=case, reason="错案")
    case = services.case_revoke(actor=personas["chief"], case=case, reason="主体认定错误")
    assert case.status == CaseStatus.REVOKED


def test_transfer_to_another_region(personas, regions):
    case = opened(personas, regions)
    case = services.case_transfer(actor=personas["chief"], case=case, reason="违法行为发生地在相城区")
    assert case.status == CaseStatus.TRANSFERRED
    assert AuditEvent.objects.filter(target_id=str(case.pk), action="transition").count() == 2


def test_decided_case_moves_on_only_through_serving(personas, regions):
    case = decided(personas, regions)
    with pytest.raises(TransitionNotAllowed):
        services.case_close(actor=personas["chief"], case=case)
