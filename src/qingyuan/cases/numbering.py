"""Case numbers (文号) per unit and year, such as 吴卫医罚〔2026〕12号.

The sequence is gap-free per unit and year (core.sequences), so the first case a unit opens in a
new year is number 1 again. The pattern and the short name come from the unit's CaseNumbering row;
without one, the unit's own name and settings.QINGYUAN_CASE_NUMBER_PATTERN."""

from django.conf import settings

DEFAULT_PATTERN = "{abbr}卫医罚〔{year}〕{seq}号"


def pattern_for(unit) -> tuple[str, str]:
    from .models import CaseNumbering

    numbering = CaseNumbering.objects.filter(unit=unit).first()
    default = getattr(settings, "QINGYUAN_CASE_NUMBER_PATTERN", "") or DEFAULT_PATTERN
    if numbering is None:
        return unit.name, default
    return numbering.abbr, numbering.pattern or default


def format_number(pattern: str, *, abbr: str, year: int, seq: int) -> str:
    return pattern.format(abbr=abbr, year=year, seq=seq)


def next_number(unit, year: int) -> str:
    """Take the next number of the unit's sequence for the year (call inside the opening transaction,
    so a rolled-back opening gives its number back)."""
    from qingyuan.core.sequences import next_value

    abbr, pattern = pattern_for(unit)
    seq = next_value(f"case-{unit.pk}-{year}")
    return format_number(pattern, abbr=abbr, year=year, seq=seq)
