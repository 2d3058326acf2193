"""Reads for the campaign page and for other apps: campaigns in force, plan coverage down the region
tree, duty progress, sweep coverage and outreach/media totals. Counting is done by the database
(aggregates grouped by region-code prefixes), not by loading rows."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.regions.models import PREFIX_LENGTH, Level, Region, Unit, UnitKind

from .models import Campaign, Duty, MediaReport, OutreachEvent, Sweep

# The units expected to write an implementation plan in their region.
PLANNING_UNIT_KINDS = (
    UnitKind.HEALTH_COMMISSION,
    UnitKind.SUPERVISION_INSTITUTE,
    UnitKind.TOWNSHIP_HOSPITAL,
    UnitKind.TOWNSHIP_HEALTH_OFFICE,
)


def campaigns_in_force(region: Region | str, on: dt.date):
    """Campaigns (and plans) that apply to a region on a day: issued for it or for a region above it.

    Leads, inspections and cases in `region` dated `on` can be tagged to one of these.
    """
    if isinstance(region, str):
        region = Region.objects.get(code=region)
    return Campaign.objects.applying_to(region).in_force(on).select_related("region", "unit")


def public_campaigns(on: dt.date | None = None, limit: int = 5):
    """Published campaigns in force, with the hotline and e-mail the public site shows."""
    on = on or timezone.localdate()
    return (
        Campaign.objects.in_force(on)
        .filter(published=True)
        .exclude(hotline="", email="")
        .select_related("region")
        .order_by("region__level", "region_id", "-starts_on")[:limit]
    )


def scope_prefix(campaign: Campaign, user=None) -> str:
    """The part of the campaign's region the figures cover: the campaign's region, cut to the
    viewer's jurisdiction when that lies inside it (a county officer on a city campaign)."""
    prefix = campaign.region.prefix
    own = jurisdiction_prefix(user) if user is not None else ""
    if own and own.startswith(prefix):
        return own
    return prefix


def campaign_family(campaign: Campaign) -> list[int]:
    """The campaign and every plan below it, however deep (one query per level, 4 at most)."""
    ids, level = [campaign.pk], [campaign.pk]
    while level:
        level = list(Campaign.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids.extend(level)
    return ids


# --- plan coverage ----------------------------------------------------------------------------


@dataclass
class CoverageNode:
    region: Region
    units: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    children: list = field(default_factory=list)

    @property
    def expected(self) -> bool:
        return bool(self.units)

    @property
    def missing(self) -> bool:
        return self.expected and not self.plans


@dataclass
class PlanCoverage:
    roots: list
    expected: int
    with_plan: int
    missing: list  # the nodes without a plan, in code order

    def flat(self):
        """(depth, node) in tree order, for a table."""

        def walk(nodes, depth):
            for node in nodes:
                yield depth, node
                yield from walk(node.children, depth + 1)

        return list(walk(self.roots, 0))


def plan_coverage(campaign: Campaign, *, user=None) -> PlanCoverage:
    """For each region below the campaign's, down to townships: its health units and whether a plan
    under this campaign (at any depth) was issued there. A region without a health unit is listed
    but not counted as missing, as nobody there can write one."""
    prefix = scope_prefix(campaign, user)
    regions = list(
        Region.objects.filter(
            code__startswith=prefix,
            level__gt=campaign.region.level,
            level__lte=Level.TOWNSHIP,
            is_active=True,
        ).order_by("code")
    )
    nodes = {r.code: CoverageNode(region=r) for r in regions}
    for unit in Unit.objects.filter(
        region_id__in=list(nodes), kind__in=PLANNING_UNIT_KINDS, is_active=True
    ).order_by("name"):
        nodes[unit.region_id].units.append(unit)
    family = campaign_family(campaign)[1:]
    for plan in Campaign.objects.filter(pk__in=family, region_id__in=list(nodes)).select_related("unit"):
        nodes[plan.region_id].plans.append(plan)
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.region.parent_id)
        (parent.children if parent else roots).append(node)
    expected = [n for n in nodes.values() if n.expected]
    return PlanCoverage(
        roots=roots,
        expected=len(expected),
        with_plan=sum(1 for n in expected if n.plans),
        missing=[n for n in expected if not n.plans],
    )


# --- duties -----------------------------------------------------------------------------------


def duty_progress(campaign: Campaign, *, today: dt.date | None = None, user=None) -> dict:
    """Duties by member unit and by phase: total, done, open and late (due before today, not done)."""
    today = today or timezone.localdate()
    duties = Duty.objects.filter(
        campaign=campaign, unit__region__code__startswith=scope_prefix(campaign, user)
    )
    late_q = Q(completed_on__isnull=True, due_on__lt=today)
    counts = {
        "total": Count("pk"),
        "done": Count("pk", filter=Q(completed_on__isnull=False)),
        "late": Count("pk", filter=late_q),
    }
    by_unit = list(duties.values("unit_id", "unit__name").annotate(**counts).order_by("unit__name"))
    by_phase = list(
        duties.values("phase_id", "phase__kind", "phase__starts_on")
        .annotate(**counts)
        .order_by("phase__starts_on")
    )
    from .models import PhaseKind

    labels = dict(PhaseKind.choices)
    for row in by_unit + by_phase:
        row["open"] = row["total"] - row["done"]
        row["percent"] = round(100 * row["done"] / row["total"]) if row["total"] else 0
    for row in by_phase:
        row["label"] = str(labels.get(row["phase__kind"], "未分阶段"))
    totals = duties.aggregate(**counts)
    return {
        "by_unit": by_unit,
        "by_phase": by_phase,
        "late": list(duties.filter(late_q).select_related("unit", "phase").order_by("due_on")),
        "total": totals["total"],
        "done": totals["done"],
        "late_count": totals["late"],
    }


# --- sweep coverage ---------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _coverage_by(level: int, villages, sweeps) -> list[dict]:
    n = PREFIX_LENGTH[level]
    totals = {
        row["key"]: row["total"]
        for row in villages.annotate(key=Substr("code", 1, n)).values("key").annotate(total=Count("code"))
    }
    swept = {
        row["key"]: row
        for row in sweeps.annotate(key=Substr("village_id", 1, n))
        .values("key")
        .annotate(swept=Count("village_id", distinct=True), sites=Sum("sites_found"))
    }
    names = dict(Region.objects.filter(code__in=list(totals)).values_list("code", "name"))
    rows = []
    for key in sorted(totals):
        done = swept.get(key, {})
        rows.append(
            {
                "code": key,
                "name": names.get(key, key),
                "villages": totals[key],
                "swept": done.get("swept", 0),
                "percent": _percent(done.get("swept", 0), totals[key]),
                "sites": done.get("sites") or 0,
            }
        )
    return rows


def sweep_coverage(campaign: Campaign, *, user=None) -> dict:
    """Villages swept per township and per county, with the sites found: every village of the
    region counts, so the gaps show ("不留死角"). Sweeps recorded under the campaign's plans count
    for it too; a village swept twice in the family counts once."""
    prefix = scope_prefix(campaign, user)
    villages = Region.objects.filter(level=Level.VILLAGE, code__startswith=prefix, is_active=True)
    sweeps = Sweep.objects.filter(campaign_id__in=campaign_family(campaign), village__code__startswith=prefix)
    total = villages.count()
    done = sweeps.aggregate(swept=Count("village_id", distinct=True), sites=Sum("sites_found"))
    return {
        "townships": _coverage_by(Level.TOWNSHIP, villages, sweeps),
        "counties": _coverage_by(Level.COUNTY, villages, sweeps)
        if campaign.region.level < Level.COUNTY
        else [],
        "villages": total,
        "swept": done["swept"],
        "sites": done["sites"] or 0,
        "percent": _percent(done["swept"], total),
    }


def villages_to_sweep(campaign: Campaign, user):
    """The villages of the user's jurisdiction inside the campaign's region not yet swept in it."""
    prefix = scope_prefix(campaign, user)
    own = jurisdiction_prefix(user) or ""
    if not prefix.startswith(own):
        return Region.objects.none()
    swept = Sweep.objects.filter(campaign_id__in=campaign_family(campaign)).values("village_id")
    return (
        Region.objects.filter(level=Level.VILLAGE, code__startswith=prefix, is_active=True)
        .exclude(code__in=swept)
        .select_related("parent")
        .order_by("code")
    )


# --- outreach and media -----------------------------------------------------------------------


def outreach_totals(
    *,
    region: Region | str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaign: Campaign | None = None,
) -> dict:
    """法制宣教 and 媒体报道 in a region (and below) and period, optionally one campaign's (and its
    plans'): S001-A3's 开展法制宣教人数 and 媒体报道次数."""
    prefix = region if isinstance(region, str) else region.prefix
    events = OutreachEvent.objects.filter(region__code__startswith=prefix)
    media = MediaReport.objects.filter(region__code__startswith=prefix)
    if start:
        events, media = events.filter(held_on__gte=start), media.filter(published_on__gte=start)
    if end:
        events, media = events.filter(held_on__lte=end), media.filter(published_on__lte=end)
    if campaign is not None:
        family = campaign_family(campaign)
        events, media = events.filter(campaign_id__in=family), media.filter(campaign_id__in=family)
    e = events.aggregate(events=Count("pk"), people=Sum("people_reached"))
    m = media.aggregate(reports=Sum("count"), outlets=Count("outlet", distinct=True))
    return {
        "events": e["events"],
        "people_reached": e["people"] or 0,
        "media_reports": m["reports"] or 0,
        "outlets": m["outlets"],
    }


def outreach_by_county(campaign: Campaign, *, user=None) -> list[dict]:
    """The campaign's outreach and media per county (records of the city itself under its own code)."""
    prefix = scope_prefix(campaign, user)
    family = campaign_family(campaign)
    n = PREFIX_LENGTH[Level.COUNTY]
    rows: dict[str, dict] = {}
    for row in (
        OutreachEvent.objects.filter(campaign_id__in=family, region__code__startswith=prefix)
        .annotate(key=Substr("region_id", 1, n))
        .values("key")
        .annotate(events=Count("pk"), people=Sum("people_reached"))
    ):
        rows.setdefault(row["key"], {"events": 0, "people": 0, "media": 0})
        rows[row["key"]].update(events=row["events"], people=row["people"] or 0)
    for row in (
        MediaReport.objects.filter(campaign_id__in=family, region__code__startswith=prefix)
        .annotate(key=Substr("region_id", 1, n))
        .values("key")
        .annotate(media=Sum("count"))
    ):
        rows.setdefault(row["key"], {"events": 0, "people": 0, "media": 0})["media"] = row["media"] or 0
    names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
    return [{"code": k, "name": names.get(k, k), **rows[k]} for k in sorted(rows)]


# --- tagging leads, inspections and cases -----------------------------------------------------


def default_campaign(campaigns) -> Campaign | None:
    """The most specific campaign (a county plan over the city campaign) when the campaigns in force
    form one chain of plans; None when two unrelated campaigns apply, as the officer must choose."""
    items = sorted(campaigns, key=lambda c: (c.region.level, c.pk))
    if not items:
        return None
    for upper, lower in zip(items, items[1:], strict=False):
        if lower.parent_id != upper.pk:
            return None
    return items[-1]


def check_campaign_tag(campaign, *, region, on: dt.date, field: str = "campaign") -> None:
    """Refuse a campaign that was not in force for `region` on `on`: a record is counted for a
    campaign only where and when that campaign ran."""
    from django.core.exceptions import ValidationError

    if campaign is None:
        return
    if region is None or not campaigns_in_force(region, on).filter(pk=campaign.pk).exists():
        raise ValidationError(
            {field: f"专项行动：“{campaign.name}”在该区划、{on:%Y年%m月%d日}不在实施期内，不能关联"}
        )


def tagged_counts(campaign: Campaign, user) -> dict:
    """Leads, inspections and cases tagged to the campaign or one of its plans, that `user` may see."""
    from qingyuan.cases.models import Case
    from qingyuan.inspections.models import Inspection
    from qingyuan.leads.models import Lead

    family = campaign_family(campaign)
    return {
        "leads": Lead.objects.visible_to(user).filter(campaign_id__in=family).count(),
        "inspections": Inspection.objects.visible_to(user).filter(campaign_id__in=family).count(),
        "cases": Case.objects.visible_to(user).filter(campaign_id__in=family).count(),
    }


def campaigns_for_filter(request):
    """The campaigns a list page may filter by: those the viewer sees (django-filter calls this)."""
    if request is None:
        return Campaign.objects.none()
    return Campaign.objects.visible_to(request.user).select_related("region")


def filter_by_campaign(queryset, name, value):
    """Records tagged to the campaign or to any of its plans: the city campaign's list includes the
    counties' plans."""
    if not value:
        return queryset
    return queryset.filter(campaign_id__in=campaign_family(value))
