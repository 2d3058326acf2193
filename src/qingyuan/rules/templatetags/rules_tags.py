from django import template

from qingyuan.rules.fines import yuan as _yuan

register = template.Library()


@register.filter
def yuan(value):
    """50000 → "50,000.00" (元); empty for None."""
    return "" if value is None else _yuan(value)
