"""An unpaid fine: 延期/分期缴纳, 催告, 申请人民法院强制执行 within its window, the court's ruling and
result, and 结案 recording how the case ended; the overdue list follows the plan and the demand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.cases import deadlines, enforcement, services
from qingyuan.cases.models import (
    Case,
    CaseStatus,
    CloseKind,
    CourtOutcome,
    CourtRuling,
    DecisionKind,
    Demand,
    MeasureKind,
    PaymentKind,
    PaymentPlan,
    PenaltyDecision,
    PenaltyMeasure,
)
from qingyuan.cases.workflow import NotPermitted, TransitionNotAllowed
from qingyuan.core.models import AuditEvent
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Scope

from .test_case_data import propose

SERVED_ON = dt.date(2026, 8, 24)  # pay by 2026-09-08
PAY_BY = dt.date(2026, 9, 8)
# 复议 60 days to 2026-10-23, 诉讼 6 months to 2027-02-24: apply 2027-02-25 .. 2027-05-24.
WINDOW_OPENS, WINDOW_LAST = dt.date(2027, 2, 25), dt.date(2027, 5, 24)
FINE = Decimal("50000")


@pytest.fixture
def today(monkeypatch):
    """The day the officers work on: set `today.day` to move it."""

    class Today:
        day = dt.date(2026, 9, 1)

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: Today.day)
    return Today


def served_case(personas, regions, *, fine=FINE, kind=DecisionKind.PENALTY):
    """A case whose decision was served on SERVED_ON (fixture state: the steps before the decision
    are tested elsewhere)."""
    case = propose(personas, regions)
    offence = case.offences.first().offence
    decided = SERVED_ON - dt.timedelta(days=4)
    decision = PenaltyDecision.objects.create(
        case=case,
        kind=kind,
        offence=offence,
        decided_on=decided,
        decided_by=personas["chief"],
        served_on=SERVED_ON,
        payment_due=deadlines.deadline("FINE_PAYMENT", SERVED_ON) if fine else None,
    )
    if fine:
        PenaltyMeasure.objects.create(decision=decision, kind=MeasureKind.FINE, amount=fine)
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.SERVED, opened_on=dt.date(2026, 6, 1), decided_on=decided, served_on=SERVED_ON
    )
    return Case.objects.get(pk=case.pk)


def fresh(case):
    return Case.objects.get(pk=case.pk)


def demanded(personas, case, today, *, issued=dt.date(2026, 9, 20), served=dt.date(2026, 9, 21)):
    today.day = served
    services_case = enforcement.demand_issue(
        actor=personas["alice"], case=case, issued_on=issued, number="催〔2026〕1号"
    )
    return enforcement.demand_serve(actor=personas["alice"], case=services_case, served_on=served)


def overdue(case, day) -> bool:
    return Case.objects.overdue(day).filter(pk=case.pk).exists()


def clock_late(case, day) -> bool:
    clock = deadlines.current_due(fresh(case), day)
    return clock is not None and clock[1] < day


def test_unpaid_fine_goes_from_demand_to_the_court_and_closes_as_executed_by_the_court(
    personas, regions, today
):
    p = personas
    case = served_case(p, regions)
    today.day = PAY_BY
    with pytest.raises(TransitionNotAllowed, match="缴款期限至2026年09月08日"):
        enforcement.demand_issue(actor=p["alice"], case=case, issued_on=PAY_BY)
    assert not Demand.objects.exists() and fresh(case).status == CaseStatus.SERVED

    today.day = dt.date(2026, 9, 20)
    case = enforcement.demand_issue(actor=p["alice"], case=case, issued_on=today.day, number="催〔2026〕1号")
    demand = Demand.objects.get(case=case)
    # 12 days late at 3% of 50,000 a day.
    assert (case.status, demand.amount, demand.surcharge) == (
        CaseStatus.DEMANDED,
        Decimal("68000"),
        Decimal("18000"),
    )
    with pytest.raises(TransitionNotAllowed, match="催告书送达后方可申请"):
        enforcement.court_apply(actor=p["chief"], case=case, court="吴中区人民法院", applied_on=today.day)

    today.day = dt.date(2026, 9, 21)
    enforcement.demand_serve(actor=p["alice"], case=case, served_on=today.day)
    demand.refresh_from_db()
    assert demand.due_on == dt.date(2026, 10, 1)
    assert deadlines.current_due(fresh(case), today.day) == ("催告履行期限", dt.date(2026, 10, 1))

    today.day = dt.date(2026, 10, 1)
    with pytest.raises(TransitionNotAllowed, match="至2026年10月01日仍可履行"):
        enforcement.court_apply(actor=p["chief"], case=case, court="吴中区人民法院", applied_on=today.day)
    today.day = dt.date(2026, 10, 5)
    with pytest.raises(TransitionNotAllowed, match="2027年02月24日届满，届满后方可申请"):
        enforcement.court_apply(actor=p["chief"], case=case, court="吴中区人民法院", applied_on=today.day)
    # Waiting for the window: the clock shows its last day, not yet late.
    assert deadlines.current_due(fresh(case), today.day) == ("申请强制执行期限", WINDOW_LAST)
    assert not overdue(case, today.day)

    today.day = WINDOW_OPENS
    case = enforcement.court_apply(
        actor=p["chief"], case=case, court="吴中区人民法院", applied_on=today.day, number="申〔2027〕1号"
    )
    application = case.court_applications.get()
    # The surcharge stops at the fine itself (第72条).
    assert (case.status, application.amount) == (CaseStatus.COURT, Decimal("100000"))
    with pytest.raises(TransitionNotAllowed, match="须登记法院裁定"):
        services.case_close(actor=p["chief"], case=case)

    today.day = dt.date(2027, 4, 1)
    enforcement.court_result_record(
        actor=p["alice"],
        case=case,
        accepted_on=dt.date(2027, 3, 1),
        ruling=CourtRuling.ENFORCE,
        ruling_no="（2027）苏0506行审1号",
        ruled_on=dt.date(2027, 3, 10),
    )
    with pytest.raises(TransitionNotAllowed, match="执行完毕或终结执行"):
        services.case_close(actor=p["chief"], case=case)
    enforcement.court_result_record(
        actor=p["alice"],
        case=case,
        accepted_on=dt.date(2027, 3, 1),
        ruling=CourtRuling.ENFORCE,
        ruling_no="（2027）苏0506行审1号",
        ruled_on=dt.date(2027, 3, 10),
        outcome=CourtOutcome.EXECUTED,
        outcome_on=dt.date(2027, 3, 31),
        collected=Decimal("100000"),
        receipt_no="法院划转001",
    )
    paid = {p.kind: p.amount for p in fresh(case).payments.all()}
    assert paid == {PaymentKind.FINE: FINE, PaymentKind.SURCHARGE: FINE}
    case = services.case_close(actor=p["chief"], case=case)
    assert (case.status, case.close_kind) == (CaseStatus.CLOSED, CloseKind.COURT_EXECUTED)
    steps = [a for a in case.events.values_list("action", flat=True) if a != "登记缴款"]
    assert steps[-6:] == [
        "催告",
        "送达催告书",
        "申请法院强制执行",
        "记录法院裁定和执行结果",
        "记录法院裁定和执行结果",
        "结案",
    ]
    audited = AuditEvent.objects.filter(action="create").values_list("target_type", flat=True)
    assert {"cases.demand", "cases.courtapplication"} <= {t.lower() for t in audited}


def test_the_court_window_ends_three_months_after_the_remedy_periods(personas, regions, today):
    p = personas
    late = demanded(p, served_case(p, regions), today)
    in_time = demanded(p, served_case(p, regions), today)
    today.day = WINDOW_LAST + dt.timedelta(days=3)
    with pytest.raises(TransitionNotAllowed, match="已于2027年05月24日届满"):
        enforcement.court_apply(
            actor=p["chief"], case=late, court="吴中区人民法院", applied_on=WINDOW_LAST + dt.timedelta(days=1)
        )
    assert fresh(late).status == CaseStatus.DEMANDED and not late.court_applications.exists()
    # An application made on the last day and recorded later is in time.
    case = enforcement.court_apply(
        actor=p["chief"], case=in_time, court="吴中区人民法院", applied_on=WINDOW_LAST
    )
    assert case.status == CaseStatus.COURT
    # The window missed: the case is overdue, in the list and on its badge alike.
    for day in (WINDOW_LAST, WINDOW_LAST + dt.timedelta(days=1)):
        assert overdue(late, day) == clock_late(late, day) == (day > WINDOW_LAST)
    assert not overdue(in_time, today.day) and deadlines.current_due(fresh(in_time), today.day) is None


def test_instalments_keep_a_paying_party_off_the_overdue_list_and_free_of_surcharge(personas, regions, today):
    p = personas
    case = served_case(p, regions)
    today.day = dt.date(2026, 9, 5)
    with pytest.raises(ValidationError) as refused:
        enforcement.plan_approve(
            actor=p["chief"],
            case=case,
            kind="instalments",
            requested_on=dt.date(2026, 9, 1),
            approved_on=dt.date(2026, 9, 5),
            reason="经营困难",
            instalments=[(dt.date(2026, 9, 1), Decimal("20000")), (dt.date(2026, 11, 1), Decimal("30000"))],
        )
    assert "第1期：缴纳期限须晚于原缴款期限2026年09月08日" in str(refused.value)
    with pytest.raises(ValidationError, match="各期金额合计45000.00元，须等于尚欠的罚没款50000.00元"):
        enforcement.plan_approve(
            actor=p["chief"],
            case=case,
            kind="instalments",
            requested_on=dt.date(2026, 9, 1),
            approved_on=dt.date(2026, 9, 5),
            reason="经营困难",
            instalments=[(dt.date(2026, 10, 1), Decimal("20000")), (dt.date(2026, 11, 1), Decimal("25000"))],
        )
    with pytest.raises(NotPermitted):
        enforcement.plan_approve(
            actor=p["alice"],
            case=case,
            kind="defer",
            requested_on=dt.date(2026, 9, 1),
            approved_on=dt.date(2026, 9, 5),
            reason="经营困难",
            defer_to=dt.date(2026, 12, 1),
        )
    assert not PaymentPlan.objects.exists()
    enforcement.plan_approve(
        actor=p["chief"],
        case=case,
        kind="instalments",
        requested_on=dt.date(2026, 9, 1),
        approved_on=dt.date(2026, 9, 5),
        reason="经营困难",
        instalments=[(dt.date(2026, 10, 1), Decimal("20000")), (dt.date(2026, 11, 1), Decimal("30000"))],
    )
    today.day = dt.date(2026, 9, 30)
    services.payment_record(
        actor=p["alice"], case=case, kind=PaymentKind.FINE, amount="20000", paid_on=today.day, receipt_no="R1"
    )
    day = dt.date(2026, 10, 15)  # past the original due date, first instalment paid
    assert not overdue(case, day) and not clock_late(case, day)
    assert deadlines.current_due(fresh(case), day) == ("缴款期限", dt.date(2026, 11, 1))
    assert services.surcharge_due(fresh(case), day) == 0
    today.day = day
    with pytest.raises(TransitionNotAllowed, match="缴款期限至2026年11月01日"):
        enforcement.demand_issue(actor=p["alice"], case=case, issued_on=day)
    # The second instalment missed: overdue, and 3% a day of the 30,000 late.
    day = dt.date(2026, 11, 5)
    assert overdue(case, day) and clock_late(case, day)
    assert services.surcharge_due(fresh(case), day) == Decimal("3600.00")


def test_a_plan_is_refused_when_nothing_is_owed_or_the_court_has_the_case(personas, regions, today):
    p = personas
    paid = served_case(p, regions)
    today.day = dt.date(2026, 9, 2)
    services.payment_record(
        actor=p["alice"], case=paid, kind=PaymentKind.FINE, amount=FINE, paid_on=today.day
    )
    with pytest.raises(TransitionNotAllowed, match="没有尚欠的罚款"):
        enforcement.plan_approve(
            actor=p["chief"],
            case=paid,
            kind="defer",
            requested_on=today.day,
            approved_on=today.day,
            reason="困难",
            defer_to=dt.date(2026, 12, 1),
        )
    case = demanded(p, served_case(p, regions), today)
    today.day = WINDOW_OPENS
    case = enforcement.court_apply(actor=p["chief"], case=case, court="吴中区人民法院", applied_on=today.day)
    with pytest.raises(TransitionNotAllowed):
        enforcement.plan_approve(
            actor=p["chief"],
            case=case,
            kind="defer",
            requested_on=today.day,
            approved_on=today.day,
            reason="困难",
            defer_to=dt.date(2027, 6, 1),
        )
    assert not PaymentPlan.objects.exists()


def test_steps_out_of_order_or_without_permission_are_refused(personas, regions, today):
    p = personas
    case = served_case(p, regions)
    today.day = dt.date(2026, 9, 20)
    with pytest.raises(TransitionNotAllowed, match="不能执行“送达催告书”"):
        enforcement.demand_serve(actor=p["alice"], case=case, served_on=today.day)
    with pytest.raises(TransitionNotAllowed, match="不能执行“申请法院强制执行”"):
        enforcement.court_apply(actor=p["chief"], case=case, court="法院", applied_on=today.day)
    with pytest.raises(TransitionNotAllowed, match="不能执行“记录法院裁定和执行结果”"):
        enforcement.court_result_record(actor=p["alice"], case=case, ruling=CourtRuling.REFUSE)
    with pytest.raises(TransitionNotAllowed, match="尚欠"):
        services.case_close(actor=p["chief"], case=case)
    with pytest.raises(NotPermitted):
        enforcement.demand_issue(actor=p["clerk"], case=case, issued_on=today.day)
    case = demanded(p, case, today)
    with pytest.raises(ValidationError, match="催告书已于2026年09月21日送达"):
        enforcement.demand_serve(actor=p["alice"], case=case, served_on=today.day)
    today.day = WINDOW_OPENS
    with pytest.raises(NotPermitted):
        enforcement.court_apply(actor=p["alice"], case=case, court="吴中区人民法院", applied_on=today.day)
    with pytest.raises(NotPermitted):
        services.case_close(actor=p["alice"], case=case)
    with pytest.raises(TransitionNotAllowed, match="不能执行“催告”"):
        enforcement.demand_issue(actor=p["alice"], case=case, issued_on=today.day)
    assert Demand.objects.filter(case=case).count() == 1 and not case.court_applications.exists()


def test_paid_after_the_demand_closes_as_executed(personas, regions, today):
    p = personas
    case = demanded(p, served_case(p, regions), today)
    today.day = dt.date(2026, 9, 25)
    left = services.owed(fresh(case), today.day)
    services.payment_record(
        actor=p["alice"], case=case, kind=PaymentKind.FINE, amount=FINE, paid_on=today.day
    )
    services.payment_record(
        actor=p["alice"], case=case, kind=PaymentKind.SURCHARGE, amount=left - FINE, paid_on=today.day
    )
    assert deadlines.current_due(fresh(case), today.day) is not None  # the demand's days still run
    case = services.case_close(actor=p["chief"], case=case, closed_on=today.day)
    assert case.close_kind == CloseKind.EXECUTED


def _to_court(p, regions, today):
    case = demanded(p, served_case(p, regions), today)
    today.day = WINDOW_OPENS
    return enforcement.court_apply(actor=p["chief"], case=case, court="吴中区人民法院", applied_on=today.day)


def test_terminated_and_refused_closings_are_not_executed_but_the_penalty_and_money_paid_count(
    personas, regions, today
):
    p = personas
    terminated = _to_court(p, regions, today)
    refused = _to_court(p, regions, today)
    today.day = dt.date(2027, 4, 1)
    with pytest.raises(ValidationError, match="终结执行须说明理由"):
        enforcement.court_result_record(
            actor=p["alice"],
            case=terminated,
            ruling=CourtRuling.ENFORCE,
            ruling_no="（2027）苏0506行审2号",
            ruled_on=dt.date(2027, 3, 10),
            outcome=CourtOutcome.TERMINATED,
            outcome_on=dt.date(2027, 3, 30),
        )
    enforcement.court_result_record(
        actor=p["alice"],
        case=terminated,
        ruling=CourtRuling.ENFORCE,
        ruling_no="（2027）苏0506行审2号",
        ruled_on=dt.date(2027, 3, 10),
        outcome=CourtOutcome.TERMINATED,
        outcome_on=dt.date(2027, 3, 30),
        outcome_note="被执行人无财产可供执行",
        collected=Decimal("10000"),
    )
    enforcement.court_result_record(
        actor=p["alice"],
        case=refused,
        ruling=CourtRuling.REFUSE,
        ruling_no="（2027）苏0506行审3号",
        ruled_on=dt.date(2027, 3, 12),
    )
    terminated = services.case_close(actor=p["chief"], case=terminated)
    refused = services.case_close(actor=p["chief"], case=refused)
    assert terminated.close_kind == CloseKind.TERMINATED and refused.close_kind == CloseKind.COURT_REFUSED
    assert services.owed(terminated) > 0  # still owed: closed because nothing more can be done
    assert Case.objects.filter(close_kind__in=[CloseKind.EXECUTED, CloseKind.COURT_EXECUTED]).count() == 0
    # What the court did collect is on record as paid.
    assert sum(p.amount for p in terminated.payments.all()) == Decimal("10000")
    # The forms count the penalties imposed (by the decision's date), whatever became of them.
    result = get_form("S003-A1").compute(Scope(regions["wuzhong"], dt.date(2026, 8, 1), dt.date(2026, 8, 31)))
    cells = result.tables[0].cells["total"]
    assert cells["fine_count"] == 2
    assert Decimal(str(cells["fine_amount"])) == 2 * FINE


def test_a_no_penalty_decision_closes_as_such(personas, regions, today):
    p = personas
    case = served_case(p, regions, fine=None, kind=DecisionKind.NO_PENALTY)
    today.day = dt.date(2026, 9, 1)
    with pytest.raises(TransitionNotAllowed, match="不予行政处罚"):
        enforcement.demand_issue(actor=p["alice"], case=case, issued_on=today.day)
    case = services.case_close(actor=p["chief"], case=case)
    assert case.close_kind == CloseKind.NO_PENALTY


def test_the_overdue_list_and_the_badge_agree_after_a_demand(personas, regions, today):
    p = personas
    waiting = demanded(p, served_case(p, regions), today)
    unserved = served_case(p, regions)
    today.day = dt.date(2026, 9, 22)
    enforcement.demand_issue(actor=p["alice"], case=unserved, issued_on=today.day)
    cases = [waiting, unserved]
    for day in (dt.date(2026, 9, 30), dt.date(2026, 10, 2), WINDOW_LAST, dt.date(2027, 6, 1)):
        assert {c.pk for c in cases if overdue(c, day)} == {c.pk for c in cases if clock_late(c, day)}, day
    assert overdue(waiting, dt.date(2027, 6, 1)) and not overdue(unserved, dt.date(2027, 6, 1))
