import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.cases import selectors, services
from qingyuan.cases.models import Case, CaseStatus, MeasureKind, PartyKind, PenaltyDecision, Procedure
from qingyuan.core.models import AuditEvent

from .test_case_data import notified, opened

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def _decide(
    personas,
    case,
    *,
    fine=None,
    code="ZY-01",
    procedure=Procedure.GENERAL,
    reason="按下限处罚",
    extra=(),
    decided_on=dt.date(2026, 8, 20),
):
    measures = list(extra)
    if fine is not None:
        measures.append({"kind": MeasureKind.FINE, "amount": Decimal(str(fine))})
    return services.decision_record(
        actor=personas["chief"],
        case=case,
        offence_code=code,
        procedure=procedure,
        decided_on=decided_on,
        measures=measures,
        discretion_reason=reason,
    )


@pytest.mark.parametrize("fine", ["49999.99", "200000.01"])
def test_fine_just_outside_the_range_is_refused_naming_the_range(personas, regions, fine):
    case = notified(personas, regions)  # ZY-01, income 3,000: counted as 10,000 × 5–20
    with pytest.raises(ValidationError, match="50,000.00元至200,000.00元"):
        _decide(personas, case, fine=fine)
    assert not PenaltyDecision.objects.exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOTIFIED


@pytest.mark.parametrize("fine", ["50000", "200000"])
def test_fine_at_either_end_of_the_range_is_accepted(personas, regions, fine):
    case = notified(personas, regions, measures=[{"kind": MeasureKind.FINE, "amount": Decimal(fine)}])
    _decide(personas, case, fine=fine)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED


def test_fine_needs_a_discretion_reason(personas, regions):
    case = notified(personas, regions)
    with pytest.raises(ValidationError, match="自由裁量理由"):
        _decide(personas, case, fine=60000, reason="")


def test_confiscated_income_must_equal_the_illegal_income(personas, regions):
    case = notified(personas, regions)
    with pytest.raises(ValidationError, match="应与认定的违法所得3000.00元一致"):
        _decide(personas, case, fine=50000, extra=[{"kind": MeasureKind.CONFISCATE_INCOME, "amount": 2000}])


def test_chosen_offence_must_be_one_of_the_case(personas, regions):
    case = notified(personas, regions)
    with pytest.raises(ValidationError, match="本案认定的违法行为"):
        _decide(personas, case, fine=20000, code="YS-01")


def test_two_provisions_for_one_act_show_both_ranges_and_the_chosen_one_applies(personas, regions, login):
    case = notified(personas, regions, codes=["ZY-01", "YS-01"])
    ranges, error = selectors.fine_ranges(case)
    assert not error
    assert {(r.offence.code, r.minimum, r.maximum) for r in ranges} == {
        ("ZY-01", Decimal("50000.00"), Decimal("200000.00")),
        ("YS-01", Decimal("20000.00"), Decimal("100000.00")),
    }
    page = login("alice").get(case.get_absolute_url()).content.decode()
    assert 'data-offence="ZY-01"' in page and 'data-offence="YS-01"' in page
    _decide(personas, case, fine=30000, code="YS-01")
    applied = {co.offence.code: co.applied for co in case.offences.all()}
    assert applied == {"ZY-01": False, "YS-01": True}


@pytest.mark.parametrize(
    ("party_kind", "fine", "allowed"),
    [
        (PartyKind.CITIZEN, 200, True),
        (PartyKind.CITIZEN, 201, False),
        (PartyKind.ORGANISATION, 3000, True),
        (PartyKind.ORGANISATION, 3001, False),
    ],
)
def test_simplified_procedure_limits(personas, regions, party_kind, fine, allowed):
    # ZY-03 (诊所未经备案执业): 3万元以下, so the amounts themselves are lawful.
    case = opened(personas, regions, codes=["ZY-03"], party_kind=party_kind)
    case = services.case_to_review(actor=personas["alice"], case=case)
    if allowed:
        _decide(personas, case, fine=fine, code="ZY-03", procedure=Procedure.SIMPLIFIED)
        assert Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED
    else:
        with pytest.raises(ValidationError, match="简易程序"):
            _decide(personas, case, fine=fine, code="ZY-03", procedure=Procedure.SIMPLIFIED)


def test_simplified_procedure_only_for_warning_or_fine(personas, regions):
    case = opened(personas, regions, codes=["ZY-03"])
    case = services.case_to_review(actor=personas["alice"], case=case)
    with pytest.raises(ValidationError, match="不能取缔"):
        _decide(
            personas,
            case,
            fine=100,
            code="ZY-03",
            procedure=Procedure.SIMPLIFIED,
            extra=[{"kind": MeasureKind.BAN}],
        )


def test_simplified_decision_must_be_filed_within_seven_working_days(personas, regions):
    # XC-02 (乡村医生超范围执业) carries a warning and no fine.
    case = opened(personas, regions, codes=["XC-02"])
    case = services.case_to_review(actor=personas["alice"], case=case)
    _decide(
        personas,
        case,
        procedure=Procedure.SIMPLIFIED,
        code="XC-02",
        extra=[{"kind": MeasureKind.WARNING}],
        decided_on=dt.date(2026, 11, 2),
    )
    case = Case.objects.get(pk=case.pk)
    filing = selectors.filing(case)
    assert filing["due"] == dt.date(2026, 11, 11) and filing["overdue"]
    services.decision_file(actor=personas["alice"], case=case, filed_on=dt.date(2026, 11, 20))
    assert not selectors.filing(Case.objects.get(pk=case.pk))["overdue"]
    assert AuditEvent.objects.filter(target_type="cases.penaltydecision", action="update").exists()


def test_decision_is_audited_with_its_measures(personas, regions):
    case = notified(personas, regions)
    decision = _decide(personas, case, fine=50000)
    row = AuditEvent.objects.get(
        target_type="cases.penaltydecision", target_id=str(decision.pk), action="create"
    )
    assert row.after["measures"][0]["kind"] == "fine"
