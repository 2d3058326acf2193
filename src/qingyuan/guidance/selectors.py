"""What the public guide shows for an area: the published page of each topic from the nearest region
that has one (a county's own page overrides its city's and province's), the hotlines of the
campaigns in force there, and the reward standards in force there."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from qingyuan.campaigns.models import Campaign, ancestor_prefixes
from qingyuan.leads.models import RewardStandard
from qingyuan.regions.models import Level, Region, Unit

from .models import GuidePage, Topic


def installation_roots() -> list[Region]:
    """The regions the installation serves: those of its highest units (a province's health
    commission makes the province the whole installation). Without units, every top-level region."""
    units = Unit.objects.filter(is_active=True)
    top = units.aggregate(level=Min("region__level"))["level"]
    if top is None:
        return list(Region.objects.filter(parent__isnull=True, is_active=True))
    return list(
        Region.objects.filter(code__in=units.filter(region__level=top).values("region_id")).order_by("code")
    )


def area_choices():
    """The regions a visitor may pick: the installation's, down to counties."""
    roots = installation_roots()
    codes = Region.objects.none()
    for root in roots:
        codes = codes | Region.objects.filter(code__startswith=root.prefix)
    return codes.filter(is_active=True, level__lte=Level.COUNTY).order_by("code")


def _prefixes(area: Region | None) -> list[str]:
    """Region prefixes whose pages, campaigns and standards apply to the area: the area and the
    regions above it; with no area, the installation's top regions and those above them."""
    if area is not None:
        return ancestor_prefixes(area.prefix)
    return sorted({p for root in installation_roots() for p in ancestor_prefixes(root.prefix)})


def _nearest(rows, key):
    """Of rows keyed by `key`, the one from the deepest region (the most local word wins)."""
    chosen = {}
    for row in sorted(rows, key=lambda r: r.region.level):
        chosen[key(row)] = row
    return chosen


def pages_for(area: Region | None) -> dict[str, GuidePage]:
    """{topic: page} of the published pages that speak for the area."""
    rows = (
        GuidePage.objects.published()
        .filter(region__prefix__in=_prefixes(area))
        .select_related("region", "current", "current__published_by")
    )
    return _nearest(rows, key=lambda p: p.topic)


def page_for(area: Region | None, topic: str) -> GuidePage | None:
    return pages_for(area).get(topic)


def topics_in_order(pages: dict) -> list[tuple[str, str, GuidePage | None]]:
    return [(value, label, pages.get(value)) for value, label in Topic.choices]


def campaign_contacts(area: Region | None, on: dt.date | None = None) -> list[Campaign]:
    """Published campaigns in force on the day whose region covers the area, with a hotline or an
    e-mail (campaigns.selectors decides "in force" the same way)."""
    on = on or timezone.localdate()
    return list(
        Campaign.objects.filter(region__prefix__in=_prefixes(area), published=True)
        .in_force(on)
        .exclude(hotline="", email="")
        .select_related("region")
        .order_by("region__level", "-starts_on", "pk")
    )


@dataclass
class PublicStandard:
    """The public part of a reward standard: who pays, for what, how much. The amount above which a
    leader approves and the officers' notes stay inside."""

    region: str
    category: str
    amount_min: object
    amount_max: object
    cap: object
    basis: str
    effective_from: dt.date


def reward_standards(area: Region | None, on: dt.date | None = None) -> list[PublicStandard]:
    """For each category, the standard in force in the nearest region above the area that has one
    (leads.rewards.standard_for picks the same one for a tip)."""
    on = on or timezone.localdate()
    rows = (
        RewardStandard.objects.in_force(on)
        .filter(region__prefix__in=_prefixes(area))
        .select_related("region")
    )
    ranked = sorted(rows, key=lambda s: (s.region.level, s.version))
    chosen = {}
    for s in ranked:
        chosen[s.category] = s
    return [
        PublicStandard(
            region=s.region.name,
            category=s.get_category_display() or "各类非法行医举报",
            amount_min=s.amount_min,
            amount_max=s.amount_max,
            cap=s.cap,
            basis=s.basis,
            effective_from=s.effective_from,
        )
        for _category, s in sorted(chosen.items(), key=lambda kv: (kv[0] != "", kv[0]))
    ]
