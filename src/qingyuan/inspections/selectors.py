"""Reads of inspections and evidence, always scoped to what the user may see."""

from .models import CustodyEvent, Evidence, Inspection


def subject_inspections(subject, user):
    """A subject's inspections the user may see, newest first; empty for roles without access."""
    if not user.can("inspections.view"):
        return Inspection.objects.none()
    return (
        Inspection.objects.visible_to(user)
        .filter(subject=subject)
        .select_related("unit")
        .prefetch_related("officers")
        .order_by("-started_at", "-id")
    )


def inspection_evidence(inspection, user):
    if not user.can("evidence.view"):
        return Evidence.objects.none()
    return Evidence.objects.visible_to(user).filter(inspection=inspection).select_related("uploaded_by")


def custody_log(evidence):
    return CustodyEvent.objects.filter(evidence=evidence).select_related("user").order_by("id")
