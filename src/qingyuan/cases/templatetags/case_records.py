"""{% load case_records %}: the on-site records (cases.records) listed on the case page
({% case_records case %}) and on the inspection page ({% inspection_records inspection %})."""

from django import template
from django.urls import reverse

from qingyuan.cases import records
from qingyuan.cases.models_procedure import EvidenceHold, Inquiry, OrderKind, SupervisionOrder
from qingyuan.cases.record_views import KINDS

register = template.Library()


def _lists(user, **where):
    inquiries = list(Inquiry.objects.filter(**where).order_by("started_at", "pk"))
    orders = list(SupervisionOrder.objects.filter(**where).order_by("issued_on", "pk"))
    holds = list(EvidenceHold.objects.filter(**where).select_related("approved_by").order_by("held_at", "pk"))
    for order in orders:
        order.followup = (
            records.correction_followup(order, user) if order.kind == OrderKind.CORRECTION else None
        )
    for hold in holds:
        hold.clock = records.hold_clock(hold)
    return {"inquiries": inquiries, "orders": orders, "holds": holds}


def _new_links(url_name, pk):
    return [(label, reverse(url_name, args=[pk, kind])) for kind, label in KINDS.items()]


@register.inclusion_tag("cases/records/_panel.html", takes_context=True)
def case_records(context, case):
    """The case's own records, and those made at the inspection it came from (read only here: they
    are opened and added to on the inspection's page)."""
    user = context["request"].user
    panel = {"parent": case, "on_case": True, **_lists(user, case=case)}
    panel["new_links"] = _new_links("cases:record_new", case.pk) if records.may_write(user, case=case) else []
    if case.inspection_id and user.can("inspections.view"):
        inspection = case.inspection
        if records.inspection_visible(user, inspection):
            panel["source"] = {"inspection": inspection, **_lists(user, inspection=inspection)}
    return panel


@register.inclusion_tag("cases/records/_panel.html", takes_context=True)
def inspection_records(context, inspection):
    user = context["request"].user
    panel = {"parent": inspection, "on_case": False, **_lists(user, inspection=inspection)}
    may = records.may_write(user, inspection=inspection)
    panel["new_links"] = _new_links("cases:inspection_record_new", inspection.pk) if may else []
    return panel
