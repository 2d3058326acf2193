import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.cases import services
from qingyuan.cases.models import MeasureKind, PaymentKind

from .test_case_data import served

TODAY = dt.date(2026, 11, 23)
FINE_ONLY = [{"kind": MeasureKind.FINE, "amount": Decimal("50000")}]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def _pay(personas, case, amount, on, kind=PaymentKind.FINE):
    return services.payment_record(
        actor=personas["alice"],
        case=case,
        kind=kind,
        amount=Decimal(str(amount)),
        paid_on=on,
        receipt_no="R1",
    )


def test_no_surcharge_on_or_before_the_due_day(personas, regions):
    case = served(personas, regions, measures=FINE_ONLY)  # due 2026-09-08
    assert services.surcharge_due(case, dt.date(2026, 9, 8)) == 0
    assert services.surcharge_due(case, dt.date(2026, 9, 9)) == Decimal("1500.00")  # 3% of 50,000
    assert services.surcharge_due(case, dt.date(2026, 9, 12)) == Decimal("6000.00")


def test_surcharge_is_capped_at_the_fine(personas, regions):
    case = served(personas, regions, measures=FINE_ONLY)
    assert services.surcharge_due(case, dt.date(2026, 11, 1)) == Decimal("50000")
    assert services.owed(case) == Decimal("100000")


def test_surcharge_follows_the_unpaid_part_and_stops_when_paid(personas, regions):
    case = served(personas, regions, measures=FINE_ONLY)
    _pay(personas, case, 30000, dt.date(2026, 9, 8))  # on time, 20,000 left
    _pay(personas, case, 20000, dt.date(2026, 9, 11))  # three days late
    # 9-9, 9-10, 9-11: 3% of 20,000 each day; nothing after the fine is paid.
    assert services.surcharge_due(case, TODAY) == Decimal("1800.00")
    assert services.owed(case) == Decimal("1800.00")


def test_fine_paid_on_time_owes_nothing(personas, regions):
    case = served(personas, regions, measures=FINE_ONLY)
    _pay(personas, case, 50000, dt.date(2026, 9, 1))
    assert services.owed(case) == 0
    case = services.case_close(actor=personas["chief"], case=case)
    assert case.status == "closed"


def test_payment_above_what_is_owed_is_refused(personas, regions):
    case = served(personas, regions, measures=FINE_ONLY)
    with pytest.raises(ValidationError, match="尚欠50000"):
        _pay(personas, case, 50001, dt.date(2026, 9, 1))
    assert not case.payments.exists()


def test_clerk_cannot_record_a_payment(personas, regions):
    case = served(personas, regions, measures=FINE_ONLY)
    with pytest.raises(services.TransitionNotAllowed):
        services.payment_record(
            actor=personas["clerk"], case=case, kind=PaymentKind.FINE, amount=1, paid_on=dt.date(2026, 9, 1)
        )


def test_enforcement_only_while_money_is_owed(personas, regions):
    case = served(personas, regions, measures=FINE_ONLY)
    _pay(personas, case, 50000, dt.date(2026, 9, 1))
    with pytest.raises(services.TransitionNotAllowed, match="没有待缴款项"):
        services.case_enforce(actor=personas["alice"], case=case)
