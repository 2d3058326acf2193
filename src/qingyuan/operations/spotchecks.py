"""Spot checks (督查抽查, 双随机、一公开): plans, stratified reproducible samples, inspectors drawn
with recusal; the drawn record the results (permission follows the draw), then the plan and its
results are published."""

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
    SpotCheckStatus,
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


def inspector_pool(plan, sample=()):
    """Users with credentials (inspectors, supervisors) in the checking unit's jurisdiction, except
    (recusal) anyone of the checked region, since nobody checks their own unit, and anyone who was an
    officer of a case about a drawn item's site, since nobody checks their own work. `sample` is the
    drawn (primary key, county) pairs of the plan's population."""
    pool = (
        User.objects.filter(
            is_active=True,
            role__in=[Role.INSPECTOR, Role.SUPERVISOR],
            unit__region__code__startswith=plan.unit.region.prefix,
        )
        .exclude(credential_no="")
        .exclude(unit__region__code__startswith=plan.region.prefix)
    )
    handled = _case_officers(plan, [pk for pk, _ in sample])
    if handled:
        pool = pool.exclude(pk__in=handled)
    return pool.order_by("pk")


def _case_officers(plan, pks) -> set[int]:
    """The officers of every case about the sites of the drawn items: for a closed case its own
    site's cases, for an institution the cases of the sites registered as that institution."""
    from qingyuan.cases.models import Case

    if not pks:
        return set()
    if plan.population == Population.INSTITUTIONS:
        cases = Case.objects.filter(subject__institution_id__in=pks)
    else:
        cases = Case.objects.filter(subject_id__in=Case.objects.filter(pk__in=pks).values("subject_id"))
    return set(
        Case.officers.through.objects.filter(case_id__in=cases.values("pk")).values_list("user_id", flat=True)
    )


def drawn_sample(plan) -> list[tuple[int, str]]:
    """The items the plan's seed draws from its population as it stands now."""
    return sample_strata(_population(plan), plan.ratio, plan.seed)


def is_drawn(plan, user) -> bool:
    return bool(getattr(user, "pk", None)) and plan.inspectors.filter(pk=user.pk).exists()


def may_record(plan, user) -> bool:
    """Permission follows the draw: the drawn inspectors record results while the check runs (已抽取),
    whatever their role; it ends with the check."""
    return plan.status == SpotCheckStatus.DRAWN and is_drawn(plan, user)


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
        # Items first: who must recuse depends on which sites are drawn. The same seed and the same
        # population still give the same items and the same inspectors.
        sample = drawn_sample(plan)
        inspectors = random.Random(f"{plan.seed}:inspectors").sample(
            list(inspector_pool(plan, sample)), plan.inspectors_count
        )
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


def spotcheck_record_check(*, actor, item) -> None:
    """Only the drawn inspectors record results, and only while the check runs. A page asks before it
    reads the form, so that anyone else is refused whatever they posted."""
    plan = item.plan
    if not is_drawn(plan, actor):
        raise PermissionDenied("您不是该督查抽查抽取的督查人员")
    if plan.status != SpotCheckStatus.DRAWN:
        raise PermissionDenied(f"该督查抽查{plan.get_status_display()}，不能再记录检查结果")


@transaction.atomic
def spotcheck_record(*, actor, item, result: str, compliant: bool) -> SpotCheckItem:
    """A drawn inspector records what the check found. The plan's row is locked first, as the steps of
    its workflow lock it, so a result cannot slip in while the check is being ended."""
    SpotCheckPlan.objects.select_for_update().filter(pk=item.plan_id).first()
    item = SpotCheckItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    spotcheck_record_check(actor=actor, item=item)
    if not (result or "").strip():
        raise ValidationError({"result": "请填写检查结果"})
    if compliant is None:
        raise ValidationError({"compliant": "请选择结论"})
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
        after={**(a or {}), "plan": item.plan_id, "as": "drawn_inspector"},
    )
    return item


def spotcheck_complete(*, actor, plan) -> SpotCheckPlan:
    """End the check once every drawn item has its result: the drawn inspectors' permission ends."""
    return SPOTCHECK_WORKFLOW.take(plan, "complete", actor=actor, changes={"completed_at": timezone.now()})


def spotcheck_publish(*, actor, plan) -> SpotCheckPlan:
    """Publish the ended check (一公开): the public site then shows the plan, its method and seed, the
    sample and the results, redacted (portal.spotcheck_views)."""
    return SPOTCHECK_WORKFLOW.take(
        plan,
        "publish",
        actor=actor,
        changes={"published": True, "published_at": timezone.now()},
    )
