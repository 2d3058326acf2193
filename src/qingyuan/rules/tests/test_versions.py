"""Versions: a case is judged by the version in force on the day of the offence."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from qingyuan.core.models import AuditEvent
from qingyuan.rules.fines import fine_range
from qingyuan.rules.models import Offence, TimeLimit
from qingyuan.rules.selectors import limit_in_force, offence_in_force
from qingyuan.rules.services import offence_add_version, time_limit_add_version

pytestmark = pytest.mark.django_db


def _zy01_v2(actor, effective_from=dt.date(2027, 1, 1), **changes):
    current = offence_in_force("ZY-01", dt.date(2026, 12, 1))
    data = {
        "name": current.name,
        "basis": current.basis,
        "measures": current.measures,
        "fine_kind": current.fine_kind,
        "multiplier_min": Decimal("6"),
        "multiplier_max": Decimal("20"),
        "income_floor": current.income_floor,
        "illegal_practice": True,
        "effective_from": effective_from,
    }
    data.update(changes)
    return offence_add_version(actor=actor, code="ZY-01", data=data)


def test_the_version_is_chosen_by_the_date(personas):
    _zy01_v2(personas["sam"])
    assert offence_in_force("ZY-01", dt.date(2026, 12, 31)).version == 1
    assert offence_in_force("ZY-01", dt.date(2027, 1, 1)).version == 2
    assert fine_range(offence_in_force("ZY-01", dt.date(2027, 1, 1)), 0).minimum == Decimal("60000")
    assert fine_range(offence_in_force("ZY-01", dt.date(2026, 12, 31)), 0).minimum == Decimal("50000")


def test_before_the_law_no_version_is_in_force():
    assert offence_in_force("ZY-01", dt.date(2020, 6, 1)).version == 1
    with pytest.raises(Offence.DoesNotExist):
        offence_in_force("ZY-01", dt.date(2020, 5, 31))
    with pytest.raises(Offence.DoesNotExist):
        offence_in_force("ZZ-99", dt.date(2026, 1, 1))


def test_a_new_version_ends_the_previous_one_the_day_before_and_is_audited(personas):
    new = _zy01_v2(personas["sam"])
    old = Offence.objects.get(code="ZY-01", version=1)
    assert old.effective_to == dt.date(2026, 12, 31) and new.effective_to is None and new.version == 2
    events = AuditEvent.objects.filter(target_type="rules.offence").order_by("id")
    assert [(e.action, e.target_id) for e in events] == [("update", str(old.pk)), ("create", str(new.pk))]
    assert events[0].after == {"effective_to": "2026-12-31"} and events[0].actor_name == "sam"
    assert Decimal(events[1].after["multiplier_min"]) == 6


def test_a_new_version_must_start_after_the_current_one(personas):
    with pytest.raises(ValidationError) as exc:
        _zy01_v2(personas["sam"], effective_from=dt.date(2020, 6, 1))
    assert "生效日期须晚于现行第1版的生效日期（2020-06-01）" in exc.value.message_dict["effective_from"][0]
    assert Offence.objects.filter(code="ZY-01").count() == 1


def test_an_invalid_formula_saves_nothing(personas):
    with pytest.raises(ValidationError) as exc:
        _zy01_v2(personas["sam"], multiplier_min=Decimal("30"))
    assert "最高倍数不能小于最低倍数" in exc.value.message_dict["multiplier_max"][0]
    assert Offence.objects.get(code="ZY-01").effective_to is None
    assert not AuditEvent.objects.filter(target_type="rules.offence").exists()


def test_a_time_limit_gets_a_new_version(personas):
    new = time_limit_add_version(
        actor=personas["sam"],
        code="CASE_OPEN",
        data={"name": "立案", "amount": 10, "unit": "working_days", "effective_from": dt.date(2027, 3, 1)},
    )
    assert new.version == 2
    assert TimeLimit.objects.get(code="CASE_OPEN", version=1).effective_to == dt.date(2027, 2, 28)
    assert limit_in_force("CASE_OPEN", dt.date(2027, 2, 28)).amount == 7
    assert limit_in_force("CASE_OPEN", dt.date(2027, 3, 1)).amount == 10


def test_applied_codes_must_exist(personas):
    current = offence_in_force("MR-01", dt.date(2026, 12, 1))
    data = {
        "name": current.name,
        "basis": current.basis,
        "measures": current.measures,
        "fine_kind": current.fine_kind,
        "applies_codes": "ZY-01， ys-01,ZZ-99",
        "effective_from": dt.date(2027, 1, 1),
    }
    with pytest.raises(ValidationError) as exc:
        offence_add_version(actor=personas["sam"], code="MR-01", data=data)
    assert exc.value.message_dict["applies_codes"] == ["违法行为代码不存在：ZZ-99"]
    new = offence_add_version(
        actor=personas["sam"], code="MR-01", data={**data, "applies_codes": "ZY-01， ys-01"}
    )
    assert new.applies_codes == "ZY-01,YS-01"
