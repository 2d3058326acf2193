"""Spot checks (督查抽查, 双随机): plans, stratified reproducible samples, inspectors drawn with recusal."""

import math
import random
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import Role
from qingyuan.core import audit
from qingyuan.regions.models import Level, Region

from ._common import _campaign_checked, _require
from .models import (
    Population,
    SpotCheckItem,
    SpotCheckPlan,
    county_code,
)
from .workflow import SPOTCHECK_WORKFLOW

MIN_RATIO = Decimal("0.30")  # seed 003: 抽查比例不低于 30%


def sample_strata(rows: list[tuple[int, str]], ratio, seed) -> list[tuple[int, str]]:
    """Stratified random sample: rows are (primary key, region code). Per county stratum of N rows,
    n = ceil(ratio × N) (so the whole sample is at least `ratio`), chosen by
    random.Random(f"{seed}:{county_code}") from that stratum ordered by primary key. Reproducible:
    the same seed and the same population give the same items, on any machine."""
    ratio = Decimal(str(ratio))
    strata: dict[str, list[int]] = {}
    for pk, code in rows:
        strata.setdefault(county_code(code), []).append(pk)
    chosen = []
    for county in sorted(strata):
        pks = sorted(strata[county])
        n = math.ceil(ratio * len(pks))
        picked = random.Random(f"{seed}:{county}").sample(pks, n)
        chosen.extend((pk, county) for pk in sorted(picked))
    return chosen


def inspector_pool(plan):
    """Users with credentials (inspectors, supervisors) in the checking unit's jurisdiction, except
    anyone of the checked region (recusal: nobody checks their own unit)."""
    return (
        User.objects.filter(
            is_active=True,
            role__in=[Role.INSPECTOR, Role.SUPERVISOR],
            unit__region__code__startswith=plan.unit.region.prefix,
        )
        .exclude(credential_no="")
        .exclude(unit__region__code__startswith=plan.region.prefix)
        .order_by("pk")
    )


def _population(plan):
    if plan.population == Population.INSTITUTIONS:
        from qingyuan.registry.models import Institution

        return list(
            Institution.objects.filter(region__code__startswith=plan.region.prefix).values_list(
                "pk", "region_id"
            )
        )
    from qingyuan.cases.models import Case, CaseStatus

    return list(
        Case.objects.filter(
            status=CaseStatus.CLOSED, region__code__startswith=plan.region.prefix
        ).values_list("pk", "region_id")
    )


@transaction.atomic
def spotcheck_create(
    *,
    actor,
    region: Region,
    name: str,
    population: str,
    ratio=MIN_RATIO,
    inspectors_count: int = 2,
    seed: int | None = None,
    campaign=None,
) -> SpotCheckPlan:
    """An upper unit plans a spot check of a region below it; the seed is recorded so anyone can
    redraw the same sample."""
    _require(actor, "spotchecks.manage")
    if actor.unit is None:
        raise PermissionDenied
    upper = actor.unit.region
    if not (
        region.code.startswith(upper.prefix) and region.level > upper.level and region.level <= Level.COUNTY
    ):
        raise ValidationError({"region": "只能抽查本单位下级的市或区县"})
    ratio = Decimal(str(ratio))
    if ratio < MIN_RATIO or ratio > 1:
        raise ValidationError({"ratio": "抽查比例不得低于30%，且不超过100%"})
    if population not in Population.values:
        raise ValidationError({"population": "请选择抽查范围"})
    if inspectors_count < 2:
        raise ValidationError({"inspectors_count": "督查人员至少抽取2名"})
    plan = SpotCheckPlan(
        unit=actor.unit,
        region=region,
        name=name,
        population=population,
        ratio=ratio,
        inspectors_count=inspectors_count,
        seed=seed if seed is not None else secrets.randbits(62),
        campaign=_campaign_checked(actor, campaign),
        created_by=actor,
    )
    plan.full_clean()
    plan.save()
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=plan,
        region_code=region.code,
        after=audit.snapshot(plan),
    )
    return plan


def spotcheck_draw(*, actor, plan) -> SpotCheckPlan:
    """Draw (or redraw, while nothing is recorded) the sample and the inspectors from the seed."""

    def draw(plan):
        inspectors = random.Random(f"{plan.seed}:inspectors").sample(
            list(inspector_pool(plan)), plan.inspectors_count
        )
        sample = sample_strata(_population(plan), plan.ratio, plan.seed)
        plan.items.all().delete()
        field = "institution_id" if plan.population == Population.INSTITUTIONS else "case_id"
        SpotCheckItem.objects.bulk_create(
            [SpotCheckItem(plan=plan, county_id=county, **{field: pk}) for pk, county in sample]
        )
        plan.inspectors.set(inspectors)
        # What was drawn, beside the step's own audit row: anyone can check it against the seed.
        audit.record(
            actor=actor,
            action=audit.AuditAction.UPDATE,
            target=plan,
            region_code=plan.region_id,
            after={
                "seed": plan.seed,
                "items": [pk for pk, _ in sample],
                "inspectors": [u.pk for u in inspectors],
            },
        )

    return SPOTCHECK_WORKFLOW.take(
        plan, "draw", actor=actor, changes={"drawn_at": timezone.now()}, after=draw
    )


@transaction.atomic
def spotcheck_record_check(*, actor, item) -> None:
    """Only a drawn inspector or the planning unit's own staff record results; a page asks before it
    reads the form, so that anyone else is refused whatever they posted."""
    _require(actor, "spotchecks.record")
    if actor.unit_id != item.plan.unit_id and not item.plan.inspectors.filter(pk=actor.pk).exists():
        raise PermissionDenied


@transaction.atomic
def spotcheck_record(*, actor, item, result: str, compliant: bool) -> SpotCheckItem:
    """A drawn inspector (or the planning unit's supervisor) records what the check found."""
    item = SpotCheckItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    spotcheck_record_check(actor=actor, item=item)
    if not (result or "").strip():
        raise ValidationError({"result": "请填写检查结果"})
    before = audit.snapshot(item)
    item.result, item.compliant = result.strip(), compliant
    item.recorded_by, item.recorded_at = actor, timezone.now()
    item.save()
    b, a = audit.diff(before, audit.snapshot(item))
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=item,
        region_code=item.county_id,
        before=b,
        after=a,
    )
    return item


def spotcheck_publish(*, actor, plan) -> SpotCheckPlan:
    """Publish the plan, its sample and its results (the public page reads `published`)."""
    return SPOTCHECK_WORKFLOW.take(
        plan,
        "publish",
        actor=actor,
        changes={"published": True, "published_at": timezone.now()},
    )
