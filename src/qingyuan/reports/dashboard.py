"""The figures of the dashboard (工作看板): a leader's one page over their jurisdiction — how the work
and the campaign go, which child regions lag and why, what is overdue.

Every figure is a database aggregate (grouped by month, by category, or by the child region's
code prefix), over records scoped once by `visible_to(user)` and the chosen region's code prefix.
Leads are placed by the region the tip points at (`Lead.region`), as the lead list's region filter
does; cases and inspections by their own region; re-inspections by their subject's region.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from qingyuan.campaigns.models import Campaign, Duty, Phase, PhaseKind, Sweep
from qingyuan.campaigns.selectors import campaign_family, campaigns_in_force
from qingyuan.cases.models import Case, Recheck, RecheckResult
from qingyuan.inspections.models import Inspection
from qingyuan.leads.feedback import SatisfactionFigures, satisfaction_figures
from qingyuan.leads.models import Category, Lead
from qingyuan.leads.selectors import CONCLUDED, lead_figures
from qingyuan.regions.models import PREFIX_LENGTH, Level, Region
from qingyuan.subjects.models import InstitutionType

from .models import Submission, SubmissionStatus

# The rule for 滞后地区 (lagging child regions). Each flag names the figure that raised it.
COVERAGE_LAG_POINTS = 10  # village sweep coverage more than 10 points behind the time elapsed
CONCLUDED_RATE_MIN = 60  # under 60% of the period's leads concluded …
CONCLUDED_MIN_LEADS = 5  # … among at least 5 leads (a handful says little about a region)
OVERDUE_MANY = 3  # 3 or more overdue cases, leads and re-inspections together
COMPLAINTS_FACTOR = 2  # leads at least twice the child regions' average …
COMPLAINTS_MIN = 5  # … and at least 5

RULE_TEXT = [
    f"排查进度：专项行动村（社区）排查覆盖率落后于时间进度超过 {COVERAGE_LAG_POINTS} 个百分点"
    "（时间进度按摸底排查/普查治理阶段计算，未设该阶段的按整个行动期计算）",
    f"线索办结率：统计期内收到的线索不少于 {CONCLUDED_MIN_LEADS} 件，"
    f"已出结论或不予受理的不足 {CONCLUDED_RATE_MIN}%",
    f"超期较多：当前超期的案件、线索和复查合计不少于 {OVERDUE_MANY} 件",
    f"举报较多：统计期内线索数不少于 {COMPLAINTS_MIN} 件，且达到各下级区划平均数的 {COMPLAINTS_FACTOR} 倍",
]


@dataclass(frozen=True)
class DashboardScope:
    """Whose figures, for which region (the user's own or one below it), period and campaign."""

    user: object
    region: Region
    start: dt.date
    end: dt.date
    campaign: Campaign | None = None
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def own(self) -> bool:
        unit = getattr(self.user, "unit", None)
        return unit is not None and unit.region_id == self.region.code

    @property
    def prefix(self) -> str:
        return self.region.prefix

    @property
    def child_level(self) -> int | None:
        return self.region.level + 1 if self.region.level < Level.VILLAGE else None

    @property
    def family(self) -> list[int] | None:
        return campaign_family(self.campaign) if self.campaign else None


# --- the scoped record sets ---------------------------------------------------------------------


def _leads_in_region(scope: DashboardScope):
    """Leads the user may see; below their own region, those pointing into the chosen region."""
    qs = Lead.objects.visible_to(scope.user)
    if not scope.own:
        qs = qs.filter(region__code__startswith=scope.prefix)
    return qs.order_by()


def _tagged(qs, scope: DashboardScope):
    return qs.filter(campaign_id__in=scope.family) if scope.campaign else qs


def _moments(scope: DashboardScope) -> tuple[dt.datetime, dt.datetime]:
    """The period as [first midnight, midnight after the last day) in the platform's time zone: the
    same days as a `__date` filter, but a plain range the index on the timestamp can serve."""
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(scope.start, dt.time.min, tzinfo=zone)
    after = dt.datetime.combine(scope.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return first, after


def period_leads(scope: DashboardScope):
    """Leads received in the period (the days of the lead list's 收到日期起/止 filter)."""
    first, after = _moments(scope)
    qs = _leads_in_region(scope).filter(received_at__gte=first, received_at__lt=after)
    return _tagged(qs, scope)


def period_cases(scope: DashboardScope):
    """Cases opened (立案) in the period; proposals not yet opened have no date and do not count."""
    qs = Case.objects.visible_to(scope.user).filter(
        region__code__startswith=scope.prefix, opened_on__gte=scope.start, opened_on__lte=scope.end
    )
    return _tagged(qs.order_by(), scope)


def period_inspections(scope: DashboardScope):
    first, after = _moments(scope)
    qs = Inspection.objects.visible_to(scope.user).filter(
        region__code__startswith=scope.prefix, started_at__gte=first, started_at__lt=after
    )
    return _tagged(qs.order_by(), scope)


def overdue_cases(scope: DashboardScope):
    """Cases past the deadline of their current clock on scope.today, computed from the deadlines (the
    case list's 已超期 filter): now, whatever the period."""
    return (
        Case.objects.visible_to(scope.user).filter(region__code__startswith=scope.prefix).overdue(scope.today)
    )


def overdue_leads(scope: DashboardScope):
    """Leads past the deadline of their current step on scope.today (the lead list's 已超期 filter)."""
    return _leads_in_region(scope).overdue(scope.today)


def overdue_rechecks(scope: DashboardScope):
    """Re-inspections still pending after their due date (the re-inspection list's 已超期 state)."""
    # By the recheck's own region: the unit answerable for the site when it was scheduled (指定管辖).
    return Recheck.objects.visible_to(scope.user).filter(
        region__code__startswith=scope.prefix,
        result=RecheckResult.PENDING,
        due_on__lt=scope.today,
    )


# --- totals, months, categories -----------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    leads: int
    cases: int
    inspections: int
    overdue_cases: int
    overdue_leads: int
    overdue_rechecks: int
    real_name_answered: int
    real_name_due: int
    real_name_delivered: int = 0
    satisfaction: SatisfactionFigures | None = None

    @property
    def feedback_rate(self) -> float | None:
        """实名举报反馈率 in percent: answers delivered to the reporter (leads.feedback), not merely
        written, / concluded real-name tips; None with nothing due."""
        if not self.real_name_due:
            return None
        return round(100 * self.real_name_delivered / self.real_name_due, 1)


def totals(scope: DashboardScope) -> Totals:
    leads = period_leads(scope)
    # The lead list's own figures, so the rate here and on the linked list are the same numbers.
    figures = lead_figures(leads, scope.today)
    return Totals(
        leads=figures.total,
        cases=period_cases(scope).count(),
        inspections=period_inspections(scope).count(),
        overdue_cases=overdue_cases(scope).count(),
        overdue_leads=overdue_leads(scope).count(),
        overdue_rechecks=overdue_rechecks(scope).count(),
        real_name_answered=figures.real_name_answered,
        real_name_due=figures.real_name_concluded,
        real_name_delivered=figures.real_name_delivered,
        # 满意度 of the tips received in the period, whenever the reporter rated them.
        satisfaction=satisfaction_figures(leads),
    )


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from start's to end's."""
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    leads: int
    cases: int
    inspections: int

    @property
    def first_day(self) -> dt.date:
        return self.month

    @property
    def last_day(self) -> dt.date:
        return (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _by_month(qs, field_name: str) -> dict[dt.date, int]:
    # TruncMonth works in the current time zone (Asia/Shanghai), so a tip received at 00:30 on
    # 1 February counts for February although it is still January in UTC.
    rows = qs.annotate(month=TruncMonth(field_name)).values("month").annotate(n=Count("pk"))
    found = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        found[month] = found.get(month, 0) + row["n"]
    return found


def monthly(scope: DashboardScope) -> list[MonthRow]:
    leads = _by_month(period_leads(scope), "received_at")
    cases = _by_month(period_cases(scope), "opened_on")
    inspections = _by_month(period_inspections(scope), "started_at")
    return [
        MonthRow(m, leads.get(m, 0), cases.get(m, 0), inspections.get(m, 0))
        for m in months_between(scope.start, scope.end)
    ]


def leads_by_category(scope: DashboardScope) -> list[tuple[str, str, int]]:
    """(code, label, count) for every category in the official order, zeros included."""
    counts = dict(period_leads(scope).values_list("category").annotate(n=Count("pk")))
    return [(code, str(label), counts.get(code, 0)) for code, label in Category.choices]


def cases_by_institution_type(scope: DashboardScope) -> list[tuple[str, str, int]]:
    """(code, label, count) by the subject's institution type, as S003-A1 groups its rows."""
    counts = dict(period_cases(scope).values_list("subject__institution_type").annotate(n=Count("pk")))
    return [(code, str(label), counts.get(code, 0)) for code, label in InstitutionType.choices]


# --- child regions --------------------------------------------------------------------------------


@dataclass
class RegionRow:
    """One child region (or, with `region` None, what is recorded at the chosen region itself or
    has no region below it: 本级及未落到下级)."""

    key: str
    region: Region | None
    leads: int = 0
    concluded: int = 0
    cases: int = 0
    inspections: int = 0
    overdue_cases: int = 0
    overdue_leads: int = 0
    overdue_rechecks: int = 0
    villages: int = 0
    swept: int = 0
    reasons: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.region.name if self.region else "本级及未落到下级"

    @property
    def overdue(self) -> int:
        return self.overdue_cases + self.overdue_leads + self.overdue_rechecks

    @property
    def concluded_rate(self) -> float | None:
        return round(100 * self.concluded / self.leads, 1) if self.leads else None

    @property
    def coverage(self) -> float | None:
        return round(100 * self.swept / self.villages, 1) if self.villages else None


def _grouped(qs, path: str, n: int, **aggregates) -> dict:
    """{child prefix: {aggregate: value}} for a queryset, grouped by the first n digits of `path`."""
    rows = qs.order_by().annotate(key=Substr(path, 1, n)).values("key").annotate(**aggregates)
    return {row["key"]: row for row in rows}


def child_regions(scope: DashboardScope) -> list[Region]:
    if scope.child_level is None:
        return []
    return list(
        Region.objects.filter(code__startswith=scope.prefix, level=scope.child_level).order_by("code")
    )


def region_rows(scope: DashboardScope, *, sweep_campaign: Campaign | None = None) -> list[RegionRow]:
    """Each child region's period figures, current overdue items and the sweep coverage of
    `sweep_campaign`, then one row for records not placed in any child region (when there are any)."""
    children = child_regions(scope)
    if not children:
        return []
    n = PREFIX_LENGTH[scope.child_level]
    rows = {r.prefix: RegionRow(key=r.prefix, region=r) for r in children}
    rest = RegionRow(key="", region=None)

    def row_for(key):
        return rows.get(key, rest)

    sources = [
        (
            period_leads(scope),
            "region_id",
            {"leads": Count("pk"), "concluded": Count("pk", filter=CONCLUDED)},
        ),
        (period_cases(scope), "region_id", {"cases": Count("pk")}),
        (period_inspections(scope), "region_id", {"inspections": Count("pk")}),
        (overdue_cases(scope), "region_id", {"overdue_cases": Count("pk")}),
        (overdue_leads(scope), "region_id", {"overdue_leads": Count("pk")}),
        (overdue_rechecks(scope), "region_id", {"overdue_rechecks": Count("pk")}),
    ]
    for qs, path, aggregates in sources:
        for key, values in _grouped(qs, path, n, **aggregates).items():
            row = row_for(key)
            for name in aggregates:
                setattr(row, name, getattr(row, name) + values[name])
    if sweep_campaign is not None:
        for key, values in sweep_by_child(scope, sweep_campaign).items():
            if key in rows:
                rows[key].villages, rows[key].swept = values
    # A retired code stays for its old records; without any in view it is no longer a region to rank.
    result = [
        r for r in rows.values() if r.region.is_active or r.leads or r.cases or r.inspections or r.overdue
    ]
    if any(getattr(rest, f) for f in ("leads", "cases", "inspections", "overdue")):
        result.append(rest)
    return result


def ranked(rows: list[RegionRow]) -> list[RegionRow]:
    """Child regions by cases, then leads, then inspections, most first (the 本级 row stays last)."""
    children = [r for r in rows if r.region is not None]
    children.sort(key=lambda r: (-r.cases, -r.leads, -r.inspections, r.key))
    return children + [r for r in rows if r.region is None]


# --- the campaign ---------------------------------------------------------------------------------


def _campaign_prefix(campaign: Campaign, scope: DashboardScope) -> str | None:
    """The part of the campaign's region inside the chosen region (None when they do not meet)."""
    own, theirs = scope.prefix, campaign.region.prefix
    if own.startswith(theirs):
        return own
    if theirs.startswith(own):
        return theirs
    return None


def sweep_by_child(scope: DashboardScope, campaign: Campaign) -> dict[str, tuple[int, int]]:
    """{child prefix: (villages, villages swept)} for the campaign and its plans, every active
    village counting, so the gaps show; a village swept under two plans counts once."""
    prefix = _campaign_prefix(campaign, scope)
    if prefix is None or scope.child_level is None:
        return {}
    n = PREFIX_LENGTH[scope.child_level]
    villages = Region.objects.filter(level=Level.VILLAGE, code__startswith=prefix, is_active=True)
    sweeps = Sweep.objects.filter(
        campaign_id__in=campaign_family(campaign), village__code__startswith=prefix, village__is_active=True
    )
    totals_ = _grouped(villages, "code", n, total=Count("code"))
    swept = _grouped(sweeps, "village_id", n, swept=Count("village_id", distinct=True))
    return {key: (row["total"], swept.get(key, {}).get("swept", 0)) for key, row in totals_.items()}


@dataclass(frozen=True)
class Progress:
    """Where a campaign should be by today: the share of its sweep window that has passed."""

    window_start: dt.date
    window_end: dt.date
    label: str
    percent: float


def expected_progress(campaign: Campaign, today: dt.date) -> Progress:
    """Days passed (today included) over the days of the sweep phases (摸底排查, 普查治理), or of the
    whole campaign where it has none."""
    window = Phase.objects.filter(campaign=campaign, kind__in=[PhaseKind.SWEEP, PhaseKind.CENSUS]).order_by()
    bounds = window.values_list("starts_on", "ends_on")
    if bounds:
        start = min(b[0] for b in bounds)
        end = max(b[1] for b in bounds)
        label = "排查阶段"
    else:
        start, end, label = campaign.starts_on, campaign.ends_on, "行动期"
    days = (end - start).days + 1
    passed = min(max((today - start).days + 1, 0), days)
    return Progress(start, end, label, round(100 * passed / days, 1))


@dataclass(frozen=True)
class ChildSweep:
    """One child region's sweep in one campaign, with its 排查进度 flag (None when it keeps up)."""

    key: str
    name: str
    villages: int
    swept: int
    flag: str | None

    @property
    def coverage(self) -> float | None:
        return round(100 * self.swept / self.villages, 1) if self.villages else None


@dataclass(frozen=True)
class CampaignProgress:
    campaign: Campaign
    chosen: bool  # chosen by the user, or the campaign in force today
    villages: int
    swept: int
    progress: Progress
    duties: int
    duties_done: int
    duties_late: int
    leads: int
    inspections: int
    cases: int
    phase: Phase | None = None  # the phase in force today
    children: tuple = ()  # ChildSweep per child region, code order
    by_child: dict = field(default_factory=dict)  # {child prefix: (villages, swept)}

    @property
    def coverage(self) -> float | None:
        return round(100 * self.swept / self.villages, 1) if self.villages else None

    @property
    def flags(self) -> list[ChildSweep]:
        return [c for c in self.children if c.flag]


def followed_campaigns(scope: DashboardScope) -> list[Campaign]:
    """The campaigns the page follows: the chosen one, else every campaign (or plan) in force today
    for the region, the most specific first (a county plan, then the city's, then the province's),
    so that with a province and a city campaign both in force neither disappears."""
    if scope.campaign is not None:
        return [scope.campaign]
    items = list(campaigns_in_force(scope.region, scope.today))
    return sorted(items, key=lambda c: (-c.region.level, -c.starts_on.toordinal(), c.pk))


def current_campaign(scope: DashboardScope) -> Campaign | None:
    """The first campaign the page follows (the chosen or the most specific in force)."""
    followed = followed_campaigns(scope)
    return followed[0] if followed else None


def campaign_progress(scope: DashboardScope, campaign: Campaign) -> CampaignProgress:
    prefix = _campaign_prefix(campaign, scope)
    family = campaign_family(campaign)
    by_child = sweep_by_child(scope, campaign)
    if scope.child_level is None and prefix is not None:
        # A village's own page: it has no children to group by.
        swept_self = Sweep.objects.filter(campaign_id__in=family, village_id=scope.region.code).exists()
        by_child = {scope.region.code: (1, int(swept_self))}
    duties = (
        Duty.objects.none()
        if prefix is None
        else Duty.objects.filter(campaign=campaign, unit__region__code__startswith=prefix)
    )
    d = duties.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(completed_on__isnull=False)),
        late=Count("pk", filter=Q(completed_on__isnull=True, due_on__lt=scope.today)),
    )
    progress = expected_progress(campaign, scope.today)
    names = {r.prefix: r.name for r in child_regions(scope)}
    children = tuple(
        ChildSweep(key, names[key], villages, swept, sweep_lag(villages, swept, progress))
        for key, (villages, swept) in sorted(by_child.items())
        if key in names
    )
    phase = (
        Phase.objects.filter(campaign=campaign, starts_on__lte=scope.today, ends_on__gte=scope.today)
        .order_by("starts_on", "pk")
        .first()
    )
    tagged = {
        "leads": _leads_in_region(scope).filter(campaign_id__in=family).count(),
        "inspections": Inspection.objects.visible_to(scope.user)
        .filter(region__code__startswith=scope.prefix, campaign_id__in=family)
        .count(),
        "cases": Case.objects.visible_to(scope.user)
        .filter(region__code__startswith=scope.prefix, campaign_id__in=family)
        .count(),
    }
    return CampaignProgress(
        campaign=campaign,
        chosen=scope.campaign is not None,
        villages=sum(v for v, _ in by_child.values()),
        swept=sum(s for _, s in by_child.values()),
        progress=progress,
        duties=d["total"] or 0,
        duties_done=d["done"] or 0,
        duties_late=d["late"] or 0,
        phase=phase,
        children=children,
        by_child=by_child,
        **tagged,
    )


# --- lagging regions ------------------------------------------------------------------------------


def sweep_lag(villages: int, swept: int, progress: Progress, label: str = "") -> str | None:
    """The 排查进度 flag of one child region in one campaign, or None when it keeps up."""
    if not villages or 100 * swept / villages >= progress.percent - COVERAGE_LAG_POINTS:
        return None
    return (
        f"{label}排查覆盖率 {round(100 * swept / villages, 1)}%（{swept}/{villages} 个村居），"
        f"时间进度已过 {progress.percent}%"
    )


def flag_lagging(
    rows: list[RegionRow], progress: Progress | None = None, *, sweeps: list | None = None
) -> list[RegionRow]:
    """Mark each child region that meets a rule of RULE_TEXT with the reasons, in words that carry
    the figures; return the flagged ones, most reasons first. `sweeps` holds one (label, progress,
    {child prefix: (villages, swept)}) per campaign followed, so with several campaigns in force
    each raises its own sweep flag; without it the rows' own coverage is judged against `progress`."""
    children = [r for r in rows if r.region is not None]
    average = sum(r.leads for r in children) / len(children) if children else 0
    if sweeps is None:
        own = {r.key: (r.villages, r.swept) for r in children}
        sweeps = [("", progress, own)] if progress is not None else []
    for row in children:
        row.reasons = []
        for label, campaign_progress_, by_child in sweeps:
            reason = sweep_lag(*by_child.get(row.key, (0, 0)), campaign_progress_, label)
            if reason:
                row.reasons.append(reason)
        if row.leads >= CONCLUDED_MIN_LEADS and 100 * row.concluded < CONCLUDED_RATE_MIN * row.leads:
            row.reasons.append(
                f"线索办结率 {row.concluded_rate}%（{row.concluded}/{row.leads}），低于 {CONCLUDED_RATE_MIN}%"
            )
        if row.overdue >= OVERDUE_MANY:
            row.reasons.append(
                f"超期 {row.overdue} 件（案件 {row.overdue_cases}、线索 {row.overdue_leads}、"
                f"复查 {row.overdue_rechecks}）"
            )
        if row.leads >= COMPLAINTS_MIN and row.leads >= COMPLAINTS_FACTOR * average:
            row.reasons.append(
                f"线索 {row.leads} 件，为各下级平均数（{average:.1f}）的 {row.leads / average:.1f} 倍"
            )
    flagged = [r for r in children if r.reasons]
    flagged.sort(key=lambda r: (-len(r.reasons), -r.overdue, r.key))
    return flagged


# --- forms to sign off ---------------------------------------------------------------------------


def submissions_to_review(scope: DashboardScope):
    """Forms sent up by the regions one level below the chosen one and not yet reviewed (上报待审核):
    those its unit reviews (submissions.reviewer_problem), so on the user's own region the same forms
    as the submission list's 待我审核."""
    # The chosen region lies inside the user's jurisdiction (checked by the page), so its children's
    # submissions are within it too.
    return (
        Submission.objects.filter(region__parent_id=scope.region.code, status=SubmissionStatus.SUBMITTED)
        .select_related("region", "unit")
        .order_by("due_on", "submitted_at")
    )


# --- the page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    scope: DashboardScope
    totals: Totals
    months: list[MonthRow]
    categories: list[tuple[str, str, int]]
    institution_types: list[tuple[str, str, int]]
    regions: list[RegionRow]  # ranked
    lagging: list[RegionRow]
    campaign: CampaignProgress | None  # the first of `campaigns`
    to_review: list
    to_review_count: int
    campaigns: list[CampaignProgress] = field(default_factory=list)  # most specific first
    others_in_force: list[Campaign] = field(default_factory=list)  # in force but not chosen


def dashboard_figures(
    *,
    user,
    region: Region,
    start: dt.date,
    end: dt.date,
    campaign: Campaign | None = None,
    today: dt.date | None = None,
) -> Dashboard:
    """Everything the dashboard shows for `region` (the user's own region or one inside it)."""
    scope = DashboardScope(
        user=user, region=region, start=start, end=end, campaign=campaign, today=today or timezone.localdate()
    )
    followed = followed_campaigns(scope)
    sections = [campaign_progress(scope, c) for c in followed]
    # The region table's coverage column follows the first (most specific) campaign; the flags
    # come from every campaign followed, each naming its campaign when there are several.
    rows = region_rows(scope, sweep_campaign=followed[0] if followed else None)
    several = len(sections) > 1
    sweeps = [(f"「{p.campaign.name}」" if several else "", p.progress, p.by_child) for p in sections]
    lagging = flag_lagging(rows, sweeps=sweeps)
    others = []
    if scope.campaign is not None:
        others = [c for c in campaigns_in_force(scope.region, scope.today) if c.pk != scope.campaign.pk]
    pending = submissions_to_review(scope) if user.can("reports.review") else Submission.objects.none()
    return Dashboard(
        scope=scope,
        totals=totals(scope),
        months=monthly(scope),
        categories=leads_by_category(scope),
        institution_types=cases_by_institution_type(scope),
        regions=ranked(rows),
        lagging=lagging,
        campaign=sections[0] if sections else None,
        campaigns=sections,
        others_in_force=others,
        to_review=list(pending[:10]),
        to_review_count=pending.count(),
    )
