"""The supervision panels other apps' pages include with one line (the case page, the dashboard, the region page)."""

from django import template

from ..selectors import case_supervision as _case_supervision
from ..selectors import dashboard_summary
from ..selectors import region_supervision as _region_supervision

register = template.Library()


@register.inclusion_tag("oversight/_case_panel.html", takes_context=True)
def case_supervision(context, case):
    return _case_supervision(case, context["request"].user)


@register.inclusion_tag("oversight/_dashboard_panel.html", takes_context=True)
def supervision_panel(context, scope):
    if scope is None:
        return {"s": None}
    return {"s": dashboard_summary(context["request"].user, scope.region, scope.today)}


@register.inclusion_tag("oversight/_region_panel.html", takes_context=True)
def region_supervision(context, region):
    return {"region": region, **_region_supervision(region, context["request"].user)}
