"""What the case page's enforcement partial shows (cases/_enforcement.html), computed from the case
so the central case view need not know about it."""

from django import template

from qingyuan.cases import enforcement

register = template.Library()


@register.simple_tag
def enforcement_overview(case):
    return enforcement.overview(case)
