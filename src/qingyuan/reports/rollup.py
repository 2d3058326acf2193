"""Rolling up (逐级汇总): an upper region's form as the sum of its lower regions' accepted forms.

For a city (its counties) or a province (its cities) and one form and scope: each lower region's
latest submission and its state (已审核 / 已上报待审核 / 已退回 / 未上报, 逾期 against the
deadline), the sum of the accepted figures, and how that sum differs from the form computed
directly for the upper region now. Only forms whose figures add up (FormDefinition.summable).

Sums follow Table.fill_total: grid cells added (counts, money, Ratio parts and wholes), the 合计 row
the sum of the other rows; list tables concatenated in region-code order, 序号 renumbered.
A direct computation can still differ from a complete roll-up where a figure counts distinct sites
(户数, 行政处罚单位数) and one site was handled in two lower regions: the comparison shows it,
explains it (SPLIT_SITE_NOTE) and names the sites whose records of the period lie in two or more of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from qingyuan.inspections.models import InspectionKind
from qingyuan.regions.models import PREFIX_LENGTH, Level, Region

from .forms import get_form
from .forms.base import COUNT, MONEY, RATIO, ZERO, FormDefinition, FormResult, Scope, Table
from .models import Submission, SubmissionStatus
from .serialize import from_data
from .submissions import Difference, compare_results, compute, form_due_on, resolve, scope_key

CHILD_LEVEL = {Level.PROVINCE: Level.CITY, Level.CITY: Level.COUNTY}
SUMMABLE_KINDS = (COUNT, MONEY, RATIO)

STATE_LABELS = {
    SubmissionStatus.ACCEPTED: "已审核",
    SubmissionStatus.SUBMITTED: "已上报待审核",
    SubmissionStatus.RETURNED: "已退回",
    None: "未上报",
}


@dataclass
class ChildStatus:
    """One lower region: its latest submission of the form for the scope, and whether it is late."""

    region: Region
    latest: Submission | None
    due_on: dt.date | None
    today: dt.date

    @property
    def live(self) -> Submission | None:
        """The submission that stands (submitted or accepted); a returned one awaits a new version."""
        if self.latest is not None and self.latest.status != SubmissionStatus.RETURNED:
            return self.latest
        return None

    @property
    def accepted(self) -> bool:
        return self.live is not None and self.live.status == SubmissionStatus.ACCEPTED

    @property
    def state(self) -> str:
        return STATE_LABELS[self.latest.status if self.latest else None]

    @property
    def overdue(self) -> bool:
        """逾期: the standing submission came after the deadline, or none stands and the deadline passed."""
        if not self.due_on:
            return False
        if self.live is not None:
            return self.live.late
        return self.today > self.due_on


SPLIT_SITE_NOTE = "同一监管对象在两个以上下级区划被查处时，直接统计只计1户，下级汇总各计1户"


@dataclass(frozen=True)
class SiteColumn:
    """A column counting distinct sites, with the records (the form's own queryset) that make a site
    count in it and the paths to their subject, region and, where the form has one, row."""

    events: Callable[[FormDefinition, Scope], QuerySet]
    subject: str  # path to the subject ("subject", "case__subject")
    region: str  # path to the region's code
    row: str = ""  # path to the row key (S003-A1: the subject's institution type); "" with one row


# {form code: {column key: SiteColumn}}: the same paths as the forms' compute().
SITE_COLUMNS = {
    "S001-A3": {
        "investigated": SiteColumn(lambda d, s: d.opened_cases(s), "subject", "region_id"),
        "penalised": SiteColumn(lambda d, s: d.decisions(s), "case__subject", "case__region_id"),
        "rechecked": SiteColumn(
            lambda d, s: d.inspections(s).filter(kind=InspectionKind.RECHECK), "subject", "region_id"
        ),
    },
    "S003-A1": {
        "penalised_units": SiteColumn(
            lambda d, s: d.decisions(s),
            "case__subject",
            "case__region_id",
            row="case__subject__institution_type",
        ),
    },
    "S003-A2": {
        "reoffended_sites": SiteColumn(lambda d, s: d.findings(s), "subject", "case__region_id"),
    },
    # S004-Q's tables are S003-A1 over the table's own period (sites_in_several_regions gives it).
    "S004-Q": {
        "penalised_units": SiteColumn(
            lambda d, s: get_form("S003-A1").decisions(s),
            "case__subject",
            "case__region_id",
            row="case__subject__institution_type",
        ),
    },
}


@dataclass(frozen=True)
class SplitSite:
    """A subject whose records of the period lie in `regions` (two or more) lower regions."""

    subject_id: int
    name: str
    regions: int
    rows: frozenset[str]  # labels of the rows it counts in (its own and the 合计 row)


@dataclass(frozen=True)
class SplitNote:
    """The explanation shown next to one difference (table, row and column labels)."""

    table: str
    row: str
    column: str
    sites: list[SplitSite]
    text: str = SPLIT_SITE_NOTE


def sites_in_several_regions(
    definition: FormDefinition, scope: Scope, table: Table, column_key: str
) -> list[SplitSite] | None:
    """The subjects counted in `column_key` whose records of the scope lie in more than one lower
    region: one aggregate query (per subject, the distinct lower-region prefixes of its records).
    None when the column does not count distinct sites."""
    site = SITE_COLUMNS.get(definition.code, {}).get(column_key)
    level = CHILD_LEVEL.get(scope.region.level)
    if site is None or level is None:
        return None
    if hasattr(definition, "scope_of"):
        scope = definition.scope_of(scope, table.key)  # S004-Q: the quarter or the year to date
    n = PREFIX_LENGTH[level]
    labels = {r.key: r.label for r in table.rows}
    total = labels.get(table.total_row, "")
    keys = {"subject_key": F(f"{site.subject}_id"), "subject_name": F(f"{site.subject}__name")}
    if site.row:
        keys["row_key"] = F(site.row)
    rows = (
        site.events(definition, scope)
        .order_by()
        .values(**keys)
        # Records at the upper region itself belong to no lower region's form.
        .annotate(
            lower_regions=Count(
                Substr(site.region, 1, n), distinct=True, filter=~Q(**{site.region: scope.region.code})
            )
        )
        .filter(lower_regions__gt=1)
        .order_by("subject_name", "subject_key")
    )
    found = []
    for row in rows:
        where = {labels[row["row_key"]], total} if site.row else set(labels.values())
        found.append(
            SplitSite(row["subject_key"], row["subject_name"], row["lower_regions"], frozenset(where - {""}))
        )
    return found


@dataclass
class RollUp:
    definition: FormDefinition
    scope: Scope
    children: list[ChildStatus]
    result: FormResult  # the sum of the accepted lower forms
    live: FormResult  # the upper region's form computed directly now
    differences: list[Difference] = field(default_factory=list)

    @property
    def sources(self) -> list[Submission]:
        return [c.live for c in self.children if c.accepted]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATE_LABELS.values(), 0)
        for child in self.children:
            counts[child.state] += 1
        counts["逾期"] = sum(1 for c in self.children if c.overdue)
        return counts

    @cached_property
    def split_notes(self) -> list[SplitNote]:
        """SPLIT_SITE_NOTE for each difference in a column counting distinct sites that it may explain:
        the sum is the larger, or a site counted in that row has records in two or more lower regions
        (those sites listed). A sum short of the direct figure with no such site comes from lower
        forms missing or changed, which the note would not explain."""
        sites_by_column: dict[tuple[str, str], list[SplitSite] | None] = {}
        tables = {t.title: t for t in self.live.tables if t.is_grid}
        notes = []
        for d in self.differences:
            table = tables.get(d.table)
            column = next((c for c in table.columns if c.label == d.column), None) if table else None
            if column is None:
                continue
            key = (table.key, column.key)
            if key not in sites_by_column:
                sites_by_column[key] = sites_in_several_regions(
                    self.definition, self.scope, table, column.key
                )
            sites = sites_by_column[key]
            if sites is None:
                continue
            here = [s for s in sites if d.row in s.rows]
            if here or (d.submitted or 0) > (d.live or 0):
                notes.append(SplitNote(d.table, d.row, d.column, here))
        return notes

    def missing_messages(self) -> list[str]:
        """The lower regions left out of the sum, as warnings for the submitter to explain."""
        return [
            f"{c.region.full_name}：{c.state}{'（逾期）' if c.overdue else ''}，未计入汇总"
            for c in self.children
            if not c.accepted
        ]


def child_regions(region: Region, code: str, scope: Scope) -> list[Region]:
    """The regions one level below (a city's counties, a province's cities); a retired one still
    appears when it submitted for this scope."""
    level = CHILD_LEVEL.get(region.level)
    if level is None:
        raise ValidationError("只有市、省可以汇总下级报表，请选择市或省")
    key = scope_key(code, scope)
    key.pop("region")
    submitted = Submission.objects.filter(region__parent=region, **key).values("region_id")
    return list(
        Region.objects.filter(parent=region, level=level)
        .filter(Q(is_active=True) | Q(code__in=submitted))
        .order_by("code")
    )


def _add(values: list, kind: str):
    present = [v for v in values if v is not None]
    if kind not in SUMMABLE_KINDS or not present:
        return ZERO[kind]
    return sum(present[1:], present[0])


def sum_results(template: FormResult, parts: list[FormResult], scope: Scope, notes: list[str]) -> FormResult:
    """The sum of several results of one form, laid out like `template`."""
    tables = []
    for t in template.tables:
        pieces = [p.table(t.key) for p in parts]
        if t.is_grid:
            body = [r for r in t.rows if r.key != t.total_row]
            cells = {
                r.key: {
                    c.key: _add([p.cells.get(r.key, {}).get(c.key) for p in pieces], c.kind)
                    for c in t.columns
                }
                for r in body
            }
            table = Table(t.key, t.title, t.columns, t.rows, cells, total_row=t.total_row, corner=t.corner)
            if t.total_row:
                if all(c.kind in SUMMABLE_KINDS for c in t.columns):
                    table.fill_total()
                else:
                    table.cells[t.total_row] = {
                        c.key: _add([cells[r.key][c.key] for r in body], c.kind) for c in t.columns
                    }
            tables.append(table)
            continue
        numbered = next((c.key for c in t.columns if c.label == "序号"), None)
        items = [dict(item) for piece in pieces for item in piece.items]
        if numbered:
            for n, item in enumerate(items, start=1):
                item[numbered] = n
        tables.append(Table(t.key, t.title, t.columns, None, items=items))
    return FormResult(template.code, template.title, scope, tables, header=dict(template.header), notes=notes)


def rollup(
    *,
    scope: Scope,
    code: str | None = None,
    definition: FormDefinition | None = None,
    today: dt.date | None = None,
) -> RollUp:
    """The roll-up of form `code` for the upper region of `scope`, with each lower region's state."""
    definition = resolve(code, definition)
    if not definition.summable or definition.mode == "document":
        raise ValidationError(f"{definition.code} {definition.title}不能逐级汇总")
    today = today or timezone.localdate()
    regions = child_regions(scope.region, definition.code, scope)
    key = scope_key(definition.code, scope)
    key.pop("region")
    latest: dict[str, Submission] = {}
    for submission in (
        Submission.objects.filter(region__in=regions, **key)
        .select_related("region", "unit", "submitted_by")
        .order_by("region_id", "-version", "-submitted_at", "-pk")
    ):
        latest.setdefault(submission.region_id, submission)
    children = []
    for region in regions:
        submission = latest.get(region.code)
        child_scope = Scope(
            region, scope.start, scope.end, operation=scope.operation, campaign=scope.campaign
        )
        due = submission.due_on if submission and submission.due_on else None
        if due is None:
            due = form_due_on(code=definition.code, scope=child_scope)
        children.append(ChildStatus(region, submission, due, today))

    live = compute(definition, scope)
    accepted = [c for c in children if c.accepted]
    parts = [from_data(c.live.data, live) for c in accepted]
    names = "、".join(c.region.name for c in accepted)
    notes = [f"本表由下级{len(accepted)}个单位审核通过的报表汇总（{names or '无'}）"]
    result = sum_results(live, parts, scope, notes)
    return RollUp(definition, scope, children, result, live, compare_results(result, live))
