"""Reads of inspections and evidence, always scoped to what the user may see."""

from .models import CustodyEvent, Evidence


def inspection_evidence(inspection, user):
    if not user.can("evidence.view"):
        return Evidence.objects.none()
    return Evidence.objects.visible_to(user).filter(inspection=inspection).select_related("uploaded_by")


def custody_log(evidence):
    return CustodyEvent.objects.filter(evidence=evidence).select_related("user").order_by("id")


def subject_choices(user, text: str, limit: int = 20):
    """Sites the user may inspect whose name or address contains `text` (the inspection's start page)."""
    from django.db.models import Q

    from qingyuan.operations import access

    text = (text or "").strip()
    if not text:
        return []
    return list(
        access.subjects_for(user)
        .filter(Q(name__contains=text) | Q(address__contains=text))
        .select_related("region")
        .order_by("name", "pk")[:limit]
    )


def case_of(inspection, user):
    """(the case proposed from this inspection that the user may see, or None; whether the user may
    propose one now). A case links its inspection (cases.Case.inspection)."""
    from qingyuan.cases.models import Case

    cases = Case.objects.filter(inspection=inspection)
    case = None
    if user.can("cases.view"):
        case = cases.visible_to(user).order_by("-proposed_at", "-pk").first()
    may_propose = user.can("cases.edit") and not cases.exists()
    return case, may_propose


def lead_visible(inspection, user) -> bool:
    """Whether the inspection's lead may be opened by the user (the lead page is scoped by its unit)."""
    if inspection.lead_id is None or not user.can("leads.view"):
        return False
    from qingyuan.leads.models import Lead

    return Lead.objects.visible_to(user).filter(pk=inspection.lead_id).exists()
