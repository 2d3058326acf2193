"""The whole enforcement story through the services the pages call: an inspection finds an unlicensed
clinic, a case is opened, the fine is set inside the legal range, the documents come out as .docx,
the fine is paid, the site is banned and re-inspected, and a third offence by the same person, whose
first penalty was imposed in another county, is flagged for the police."""

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from django.core.exceptions import ValidationError

from qingyuan.cases import crime, penalty_steps, rechecks, referrals
from qingyuan.cases import services as case_services
from qingyuan.cases.models import DocumentKind, MeasureKind, PartyKind, PaymentKind, Procedure, RecheckResult
from qingyuan.cases.tests.test_followup_data import aware, earlier_penalty
from qingyuan.core.crypto import blind_index
from qingyuan.inspections import services as inspection_services
from qingyuan.rules.fines import ranges_for
from qingyuan.subjects.models import Subject, SubjectKind, SubjectPerson, SubjectStatus

ID = "320506198203041236"


@pytest.fixture
def clinic(regions):
    subject = Subject.objects.create(
        name="金星村无名诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="江苏省苏州市吴中区木渎镇金星村18号",
        region=regions["village"],
    )
    person = SubjectPerson.objects.create(
        subject=subject, name="刘某", id_number=ID, id_number_index=blind_index(ID)
    )
    return subject, person


def _inspect(personas, subject, day, kind="overt", outcome="violation"):
    return inspection_services.inspection_record(
        actor=personas["alice"],
        subject=subject,
        kind=kind,
        started_at=aware(day.year, day.month, day.day, 9, 30),
        officers=[personas["alice"], personas["bob"]],
        vehicles=1,
        findings="现场有输液器械、药品，无《医疗机构执业许可证》，行医人员无医师资格。",
        outcome=outcome,
    )


def _propose(personas, subject, person, inspection, day):
    return case_services.case_propose(
        actor=personas["alice"],
        subject=subject,
        source="inspection",
        inspection=inspection,
        title="非医师行医案",
        party_kind=PartyKind.CITIZEN,
        party_name=person.name,
        party_person=person,
        party_id_number=ID,
        offence_date=day,
        offence_codes=["YS-01"],
        illegal_income=Decimal("3000"),
        facts="当事人未取得医师资格，在金星村开设诊所为村民输液。",
        officers=[personas["alice"], personas["bob"]],
        checked_on=day,
    )


def test_from_inspection_to_ban_recheck_and_the_third_offence_flagged(
    personas, regions, clinic, settings, tmp_path
):
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path
    p = personas
    subject, person = clinic
    # The person's first penalty, imposed in the neighbouring county (another unit's records).
    earlier_penalty(
        region=regions["xc_village"], proposer=p["carol"], decided_on=dt.date(2025, 3, 10), id_number=ID
    )

    # An inspection finds the clinic; a case is proposed and approved.
    inspection = _inspect(p, subject, dt.date(2026, 6, 2))
    case = _propose(p, subject, person, inspection, dt.date(2026, 6, 2))
    crime.crime_facts_record(actor=p["alice"], case=case, facts={"no_qualification": True})
    case = case_services.case_approve_open(actor=p["chief"], case=case, opened_on=dt.date(2026, 6, 3))
    assert case.number and "〔2026〕" in case.number
    # One earlier penalty: not yet the crime threshold of 解释 第2条(4).
    assert crime.evaluate(case).suspected is False

    # The legal range for YS-01 with 3,000 yuan income: counted as 10,000 × 2–10.
    (fine_range,) = ranges_for(["YS-01"], case.illegal_income, case.offence_date)
    assert (fine_range.minimum, fine_range.maximum) == (Decimal("20000.00"), Decimal("100000.00"))
    case = case_services.case_to_review(actor=p["alice"], case=case)
    measures = [
        {"kind": MeasureKind.FINE, "amount": Decimal("30000")},
        {"kind": MeasureKind.CONFISCATE_INCOME, "amount": Decimal("3000")},
        {"kind": MeasureKind.CONFISCATE_GOODS, "description": "输液器械一批"},
        {"kind": MeasureKind.BAN},
    ]
    # 拟处罚 first: the notice serves it, and its ban needs 法制审核 before the decision.
    with pytest.raises(ValidationError, match="20,000.00"):
        penalty_steps.proposal_record(
            actor=p["alice"],
            case=case,
            offence_code="YS-01",
            facts=case.facts,
            measures=[{**measures[0], "amount": Decimal("19999.99")}, *measures[1:]],
        )
    penalty_steps.proposal_record(
        actor=p["alice"], case=case, offence_code="YS-01", facts=case.facts, measures=measures
    )
    case = case_services.case_notify(
        actor=p["alice"], case=case, notified_on=dt.date(2026, 6, 8), waived=True
    )
    penalty_steps.legal_review_submit(actor=p["alice"], case=case)
    penalty_steps.legal_review_record(
        actor=p["dave"], case=case, reviewed_on=dt.date(2026, 6, 9), opinion="同意", conclusion="agree"
    )

    def decide(amount):
        return case_services.decision_record(
            actor=p["chief"],
            case=case,
            offence_code="YS-01",
            procedure=Procedure.GENERAL,
            decided_on=dt.date(2026, 6, 10),
            measures=[
                {"kind": MeasureKind.FINE, "amount": amount},
                {"kind": MeasureKind.CONFISCATE_INCOME, "amount": Decimal("3000")},
                {"kind": MeasureKind.CONFISCATE_GOODS, "description": "输液器械一批"},
                {"kind": MeasureKind.BAN},
            ],
            discretion_reason="初次被查处，违法所得较少，从轻处罚。",
        )

    with pytest.raises(ValidationError, match="20,000.00"):
        decide(Decimal("19999.99"))
    decide(Decimal("30000"))

    # The documents the case serves at this step come out as Word files naming the case and party.
    from qingyuan.cases.documents import available_kinds

    assert DocumentKind.DECISION in available_kinds(case)
    for kind in available_kinds(case):
        rendered = _document_bytes(p["chief"], case, kind)
        text = "\n".join(par.text for par in docx.Document(io.BytesIO(rendered)).paragraphs)
        tables = " ".join(
            cell.text for t in docx.Document(io.BytesIO(rendered)).tables for r in t.rows for cell in r.cells
        )
        # Each document carries its own number with the case's year and sequence (吴卫罚决〔2026〕1号).
        assert case.number[case.number.index("〔") :] in text + tables, kind
        assert "刘某" in text + tables

    # Served, paid on time, closed; the site is banned and its re-inspection is scheduled.
    case = case_services.case_serve(actor=p["alice"], case=case, served_on=dt.date(2026, 6, 12))
    case_services.payment_record(
        actor=p["alice"],
        case=case,
        kind=PaymentKind.FINE,
        amount=Decimal("30000"),
        paid_on=dt.date(2026, 6, 20),
    )
    case_services.payment_record(
        actor=p["alice"],
        case=case,
        kind=PaymentKind.CONFISCATED_INCOME,
        amount=Decimal("3000"),
        paid_on=dt.date(2026, 6, 20),
    )
    assert case_services.owed(case, dt.date(2026, 6, 21)) == 0
    case = case_services.case_close(actor=p["chief"], case=case, closed_on=dt.date(2026, 6, 22))
    assert case.status == "closed"
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.BANNED
    recheck = case.rechecks.get()
    assert recheck.due_on == dt.date(2026, 6, 10) + dt.timedelta(days=settings.QINGYUAN_RECHECK_DAYS)

    # The re-inspection finds the person practising again: a third offence.
    again = _inspect(p, subject, dt.date(2026, 7, 15), kind="recheck")
    third = _propose(p, subject, person, again, dt.date(2026, 7, 15))
    rechecks.recheck_complete(
        actor=p["alice"], recheck=recheck, inspection=again, result=RecheckResult.REOFFENDED, new_case=third
    )
    third.refresh_from_db()
    assert third.earlier_case_id == case.pk

    assessment = crime.crime_facts_record(actor=p["alice"], case=third, facts={"no_qualification": True})
    assert assessment.suspected and assessment.prior_penalties == 2
    third.refresh_from_db()
    assert third.crime_suspected
    assert crime.close_blocked_reason(third).startswith("涉嫌非法行医罪，应移送公安机关")

    referral = referrals.referral_propose(
        actor=p["alice"],
        case=third,
        target="police",
        target_unit="苏州市公安局吴中分局",
        reason="涉嫌非法行医罪",
    )
    referrals.referral_approve(actor=p["chief"], referral=referral)
    assert crime.close_blocked_reason(third) is None


def _document_bytes(actor, case, kind) -> bytes:
    from qingyuan.cases.documents import document_render

    rendered = document_render(actor=actor, case=case, kind=kind)
    return rendered.content
