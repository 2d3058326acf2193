"""Test data for the case tests: cases proposed and moved through the services. No tests here."""

import datetime as dt
from decimal import Decimal

from qingyuan.cases import penalty_steps, services
from qingyuan.cases.models import Case, CaseStatus, MeasureKind, PartyKind, Procedure
from qingyuan.subjects.models import Subject, SubjectKind


def make_subject(region, name="金星村黑诊所"):
    return Subject.objects.create(
        name=name, kind=SubjectKind.UNLICENSED_CLINIC, address=f"{region.full_name}12号", region=region
    )


def propose(personas, regions, *, actor="alice", region="village", codes=("ZY-01",), **overrides):
    p = personas
    data = dict(
        actor=p[actor],
        subject=make_subject(regions[region]),
        source="direct",
        title="未取得医疗机构执业许可证擅自执业案",
        party_kind=PartyKind.CITIZEN,
        party_name="张三",
        party_id_number="320506198001011234",
        offence_date=dt.date(2026, 5, 1),
        offence_codes=list(codes),
        illegal_income=Decimal("3000"),
        facts="当事人在金星村家中开设诊所，为村民输液。",
        officers=[p["alice"], p["bob"]],
        checked_on=dt.date(2026, 5, 20),
    )
    data.update(overrides)
    return services.case_propose(**data)


def opened(personas, regions, *, opened_on=dt.date(2026, 6, 1), **kwargs):
    case = propose(personas, regions, **kwargs)
    return services.case_approve_open(actor=personas["chief"], case=case, opened_on=opened_on)


FINE_50K = [
    {"kind": MeasureKind.FINE, "amount": Decimal("50000")},
    {"kind": MeasureKind.CONFISCATE_INCOME, "amount": Decimal("3000")},
    {"kind": MeasureKind.BAN},
]


def proposed(
    personas, regions, *, measures=None, code=None, discretion="normal", reason="", basis="", **kwargs
):
    """A case in 合议审理 with a proposed penalty (拟处罚, first version)."""
    case = opened(personas, regions, **kwargs)
    case = services.case_to_review(actor=personas["alice"], case=case)
    penalty_steps.proposal_record(
        actor=personas["alice"],
        case=case,
        offence_code=code or case.offences.first().offence.code,
        facts=case.facts or "违法事实",
        measures=FINE_50K if measures is None else measures,
        discretion=discretion,
        discretion_reason=reason,
        discretion_basis=basis,
    )
    return Case.objects.get(pk=case.pk)


def cleared(personas, case, on=None):
    """法制审核 (by the city leader, who did not investigate) and 集体讨论 of the current proposal."""
    penalty_steps.legal_review_submit(actor=personas["alice"], case=case)
    penalty_steps.legal_review_record(
        actor=personas["dave"],
        case=case,
        reviewed_on=on or case.notified_on or case.opened_on,
        opinion="事实清楚，同意",
        conclusion="agree",
    )
    penalty_steps.discussion_record(
        actor=personas["chief"],
        case=case,
        held_on=on or case.notified_on or case.opened_on,
        chair=personas["chief"],
        participants=[personas["dave"], personas["bob"]],
        opinions="同意拟处罚意见",
        conclusion="as_proposed",
    )
    return Case.objects.get(pk=case.pk)


def notified(
    personas, regions, *, notified_on=dt.date(2026, 8, 3), waived=False, measures=None, clear=True, **kwargs
):
    """Proposed, told to the party, and (`clear`) through 法制审核 and 集体讨论."""
    case = proposed(personas, regions, measures=measures, **kwargs)
    case = services.case_notify(actor=personas["alice"], case=case, notified_on=notified_on, waived=waived)
    return cleared(personas, case) if clear else case


def decided(personas, regions, *, decided_on=dt.date(2026, 8, 20), measures=None, **kwargs):
    case = notified(personas, regions, measures=measures, **kwargs)
    services.decision_record(
        actor=personas["chief"],
        case=case,
        offence_code="ZY-01",
        procedure=Procedure.GENERAL,
        decided_on=decided_on,
        measures=measures or FINE_50K,
        discretion_reason="初次违法，违法所得较少，按下限处罚。",
    )
    return Case.objects.get(pk=case.pk)


def served(personas, regions, *, served_on=dt.date(2026, 8, 24), **kwargs):
    case = decided(personas, regions, **kwargs)
    return services.case_serve(actor=personas["alice"], case=case, served_on=served_on)


def in_state(personas, regions, status):
    """A case put straight into `status` (for checks that only look at the state)."""
    case = propose(personas, regions)
    Case.objects.filter(pk=case.pk).update(status=status, opened_on=dt.date(2026, 6, 1))
    return Case.objects.get(pk=case.pk)


__all__ = ["CaseStatus"]
