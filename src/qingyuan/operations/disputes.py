"""Jurisdiction disputes (指定管辖): raising one, and the city's decision with its grant."""

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit, workdays
from qingyuan.regions.models import Level, Region, Unit

from ._common import _in_jurisdiction, _require, day_start
from .models import (
    AccessGrant,
    DisputeStatus,
    GrantReason,
    JurisdictionDispute,
    county_code,
)
from .workflow import DISPUTE_WORKFLOW, precheck

DISPUTE_WORKING_DAYS = 7  # RULES.md: jurisdiction dispute, the level above decides within 7 days


def dispute_due_on(raised_on: dt.date) -> dt.date:
    """7 working days (RULES.md, 程序规定 第10条), from the rules' time-limit records when loaded."""
    from qingyuan.rules import limits

    try:
        return limits.deadline("JURISDICTION_DESIGNATE", raised_on)
    except ObjectDoesNotExist:  # no version in force on that day: the statutory default
        return workdays.add_working_days(raised_on, DISPUTE_WORKING_DAYS)


@transaction.atomic
def dispute_raise(
    *, actor, subject, counties: list[Region], reason: str, raised_on=None
) -> JurisdictionDispute:
    """A county marks a border-area site as disputed between two or more counties."""
    _require(actor, "operations.dispute")
    if not _in_jurisdiction(actor, subject.region_id) and not any(
        _in_jurisdiction(actor, c.code) for c in counties
    ):
        raise PermissionDenied
    if not subject.border_area:
        raise ValidationError({"subject": "该监管对象未标记为区县交界地区，不能提出管辖争议"})
    counties = list({c.code: c for c in counties}.values())
    if len(counties) < 2 or any(c.level != Level.COUNTY for c in counties):
        raise ValidationError({"counties": "请选择至少两个涉及争议的区县"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写争议情况"})
    raised_on = raised_on or timezone.localdate()
    dispute = JurisdictionDispute.objects.create(
        subject=subject,
        reason=reason.strip(),
        raised_by=actor,
        raised_on=raised_on,
        due_on=dispute_due_on(raised_on),
    )
    dispute.counties.set(counties)
    after = audit.snapshot(dispute)
    after["counties"] = sorted(c.code for c in counties)
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=dispute,
        region_code=subject.region_id,
        after=after,
    )
    return dispute


def dispute_resolve(
    *, actor, dispute, unit: Unit, decision: str, designated: bool, decided_on=None
) -> JurisdictionDispute:
    """The city settles a dispute: a county found competent (assigned) or one designated (指定管辖).
    A unit outside the site's own county gets a unit-wide grant for the site, until revoked."""
    precheck(DISPUTE_WORKFLOW, dispute, "resolve", actor)
    if unit is None or unit.region.level != Level.COUNTY or not _in_jurisdiction(actor, unit.region_id):
        raise ValidationError({"unit": "请选择本市一个区县的执法单位"})
    claimed = set(dispute.counties.values_list("code", flat=True))
    if not designated and unit.region_id not in claimed:
        raise ValidationError({"unit": "明确管辖的区县须为争议涉及的区县之一"})
    if not (decision or "").strip():
        raise ValidationError({"decision": "请填写决定内容"})

    def grant_outsider(dispute):
        if county_code(dispute.subject.region_id) == unit.region_id:
            return  # the site's own county: its jurisdiction already
        grant = AccessGrant.objects.create(
            unit=unit,
            subject=dispute.subject,
            starts_at=day_start(dispute.decided_on),
            reason=GrantReason.DESIGNATION,
            dispute=dispute,
            granted_by=actor,
        )
        audit.record(
            actor=actor,
            action=audit.AuditAction.CREATE,
            target=grant,
            region_code=dispute.subject.region_id,
            after=audit.snapshot(grant),
        )

    return DISPUTE_WORKFLOW.take(
        dispute,
        "resolve",
        actor=actor,
        to=DisputeStatus.DESIGNATED if designated else DisputeStatus.ASSIGNED,
        changes={
            "resolved_unit": unit,
            "decision": decision.strip(),
            "decided_by": actor,
            "decided_on": decided_on or timezone.localdate(),
        },
        after=grant_outsider,
    )
