from django import template

from qingyuan.rules.fines import yuan as _yuan

register = template.Library()


@register.filter
def yuan(value):
    """50000 → "50,000.00" (元); empty for None."""
    return "" if value is None else _yuan(value)


@register.filter
def threshold_value(value):
    """A threshold's value as people read it: penalty kinds by name, amounts with separators."""
    if isinstance(value, list):
        from qingyuan.cases.models import MeasureKind

        labels = dict(MeasureKind.choices)
        return "、".join(str(labels.get(v, v)) for v in value) or "（无）"
    from decimal import Decimal

    number = Decimal(str(value))
    # Amounts read as money (50,000.00); small counts and percentages as they are (2, 3).
    return _yuan(number) if number >= 1000 else f"{number.normalize():f}"
