"""Which version of a rule applies on a given day: a case is judged by the version in force on the
date of the offence, a period by the version in force when it starts."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from .models import Offence, TimeLimit

# Set while a page that shows many clocks renders: the time limits (a few dozen rows) read once.
_preloaded_limits: ContextVar[dict | None] = ContextVar("preloaded_limits", default=None)


@contextmanager
def time_limits_preloaded():
    """Within the block, limit_in_force reads from one query's rows instead of one query per call
    (a list of 25 cases showed 25 lookups of the same rule)."""
    table: dict[str, list[TimeLimit]] = {}
    for row in TimeLimit.objects.order_by("code", "-version"):
        table.setdefault(row.code, []).append(row)
    token = _preloaded_limits.set(table)
    try:
        yield
    finally:
        _preloaded_limits.reset(token)


def _in_force(model, code: str, on: date):
    # Versions should not overlap (a new one ends the previous one), but if an administrator's
    # correction left an overlap, the later version is the correction and wins.
    row = model.objects.in_force(on).filter(code=code).order_by("-version").first()
    if row is None:
        raise model.DoesNotExist(f"{code} 在 {on:%Y-%m-%d} 没有有效版本")
    return row


def offence_in_force(code: str, on: date) -> Offence:
    """The version of offence `code` in force on `on`; Offence.DoesNotExist if none."""
    return _in_force(Offence, code, on)


def limit_in_force(code: str, on: date) -> TimeLimit:
    """The version of time limit `code` in force on `on`; TimeLimit.DoesNotExist if none."""
    table = _preloaded_limits.get()
    if table is None:
        return _in_force(TimeLimit, code, on)
    for row in table.get(code, ()):  # the highest version first, as _in_force orders them
        if row.effective_from <= on and (row.effective_to is None or row.effective_to >= on):
            return row
    raise TimeLimit.DoesNotExist(f"{code} 在 {on:%Y-%m-%d} 没有有效版本")


def _latest_per_code(model, on: date) -> list:
    rows = model.objects.in_force(on).order_by("code", "-version")
    seen, result = set(), []
    for row in rows:
        if row.code not in seen:
            seen.add(row.code)
            result.append(row)
    return result


def offences_in_force(on: date) -> list[Offence]:
    """One version per offence code, those in force on `on`, by code."""
    return _latest_per_code(Offence, on)


def limits_in_force(on: date) -> list[TimeLimit]:
    """One version per time-limit code, those in force on `on`, by code."""
    return _latest_per_code(TimeLimit, on)


def thresholds_in_force(on: date) -> list:
    """One version per threshold code, those in force on `on`, by code."""
    from .models import Threshold

    return _latest_per_code(Threshold, on)


def illegal_practice_codes(on: date) -> set[str]:
    """Codes that count as 非法行医 for the 刑法第336条 criterion (解释 第2条第4项)."""
    return {o.code for o in offences_in_force(on) if o.illegal_practice}


def threshold(code: str, on: date | None = None):
    """The value of threshold `code` in force on `on` (default today): a Decimal for a number, a
    list of codes for a list. Threshold.DoesNotExist if there is none."""
    from decimal import Decimal

    from django.utils import timezone

    from .models import Threshold

    row = _in_force(Threshold, code, on or timezone.localdate())
    if isinstance(row.value, list):
        return list(row.value)
    return Decimal(str(row.value))
