"""The shape every official form shares (FORMS.md): a scope (region, period, optionally a joint
operation or campaign), tables of rows × columns or of list items, and the drill-down from a cell to
the records behind it.

A form definition computes its figures with aggregate queries (one per source of records, grouped
by the row dimension) and never loops over records in Python to count them. The same filters that
produce a figure produce its drill-down list, so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from qingyuan.regions.models import Region

COUNT = "count"
MONEY = "money"  # Decimal yuan; 万元 with 2 decimals on paper, exact yuan strings in JSON
TEXT = "text"
RATIO = "ratio"  # 信息系统录入情况: "已录入 N / 共 M"
DATE = "date"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str = ""  # the merged header above several columns
    kind: str = COUNT
    unit: str = ""  # printed unit when it differs from the label (none so far: labels carry it)


@dataclass(frozen=True)
class Row:
    key: str
    label: str


@dataclass(frozen=True)
class Ratio:
    """Part of a whole that adds up across regions: N of M cases entered in the national system."""

    part: int
    whole: int

    def __str__(self):
        return f"已录入 {self.part} / 共 {self.whole}"

    def __add__(self, other):
        return Ratio(self.part + other.part, self.whole + other.whole)


ZERO = {COUNT: 0, MONEY: Decimal("0.00"), RATIO: Ratio(0, 0), TEXT: "", DATE: None}


@dataclass
class Table:
    """A grid (rows × columns; `rows` given) or a list (one item per record; `rows` None)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[Row] | None = None
    cells: dict[str, dict[str, object]] = field(default_factory=dict)
    items: list[dict[str, object]] = field(default_factory=list)
    total_row: str | None = None  # key of the row that is the sum of the others
    corner: str = "项目"  # the heading above the row labels, as printed (S003-A1: 机构类型)

    @property
    def is_grid(self) -> bool:
        return self.rows is not None

    def value(self, row: str, column: str):
        return self.cells[row][column]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def groups(self) -> list[tuple[str, int]]:
        """(group label, span) across the columns, "" for a column without a group."""
        spans: list[tuple[str, int]] = []
        for column in self.columns:
            if spans and column.group and spans[-1][0] == column.group:
                spans[-1] = (column.group, spans[-1][1] + 1)
            else:
                spans.append((column.group, 1))
        return spans

    def header_rows(self, first: str | None = None) -> list[list[tuple[str, int, int]]]:
        """The header as printed: rows of (text, colspan, rowspan), the row-label column first. With
        groups, two lines: a grouped column's group spans its columns above their labels; a column
        without a group spans both lines."""
        has_groups = any(c.group for c in self.columns)
        first = self.corner if first is None else first
        lead = [(first, 1, 2 if has_groups else 1)] if self.is_grid else []
        if not has_groups:
            return [lead + [(c.label, 1, 1) for c in self.columns]]
        top, bottom = list(lead), []
        index = 0
        for group, span in self.groups():
            if group:
                top.append((group, span, 1))
                bottom.extend((c.label, 1, 1) for c in self.columns[index : index + span])
            else:
                top.extend((c.label, 1, 2) for c in self.columns[index : index + span])
            index += span
        return [top, bottom]

    def fill_total(self):
        """The total row as the sum of the other rows (FORMS.md: 合计 = sum of the rows)."""
        if not self.total_row:
            return
        total = {}
        for column in self.columns:
            values = [self.cells[r.key][column.key] for r in self.rows if r.key != self.total_row]
            total[column.key] = sum(values[1:], values[0]) if values else ZERO[column.kind]
        self.cells[self.total_row] = total


@dataclass(frozen=True)
class Scope:
    """What a form is computed for: a region and everything below it, over [start, end] (both days
    included), optionally one joint operation or campaign."""

    region: Region
    start: dt.date
    end: dt.date
    operation: object | None = None  # operations.JointOperation (S001-A1, S001-A3)
    campaign: object | None = None  # campaigns.Campaign: events tagged to it (and its plans) only

    @property
    def prefix(self) -> str:
        return self.region.prefix

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Datetime bounds [start 00:00, end+1 00:00) in the platform's time zone, so that a filter on
        a timestamp column uses its index (no per-row date conversion)."""
        tz = timezone.get_current_timezone()
        lo = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return lo, hi

    def in_region(self, path: str) -> Q:
        """Records whose region (the code at `path`) is the scope's region or below it."""
        if not self.prefix:
            return Q()
        return Q(**{f"{path}__startswith": self.prefix})

    def on_days(self, path: str) -> Q:
        """A date column within the period."""
        return Q(**{f"{path}__gte": self.start, f"{path}__lte": self.end})

    def at_times(self, path: str) -> Q:
        """A timestamp column within the period's days."""
        lo, hi = self.bounds()
        return Q(**{f"{path}__gte": lo, f"{path}__lt": hi})

    def in_campaign(self, path: str) -> Q:
        if self.campaign is None:
            return Q()
        from qingyuan.campaigns.selectors import campaign_family

        return Q(**{f"{path}__in": campaign_family(self.campaign)})


@dataclass
class FormResult:
    code: str
    title: str
    scope: Scope
    tables: list[Table]
    header: dict[str, str] = field(default_factory=dict)  # 单位, 上报日期, 县（区）…
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass(frozen=True)
class Drill:
    """The records behind one figure: `kind` names the record list (see reports.drill)."""

    title: str
    kind: str
    queryset: QuerySet
    note: str = ""


class FormDefinition:
    """One official form. Subclasses set the class attributes and implement `compute` and `drill`."""

    code: str = ""
    title: str = ""
    seed: str = ""  # the source document in shared/seeds
    # "period": region + date range; "operation": one joint operation (S001-A1); "snapshot": the
    # state at the period's end (S001-A2); "document": a Word draft only (S003-WS)
    mode: str = "period"
    summable: bool = True  # figures of lower regions add up to the upper region's

    def compute(self, scope: Scope) -> FormResult:
        raise NotImplementedError

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        raise NotImplementedError(f"{self.code} 的该数字没有明细")

    def __repr__(self):
        return f"<{self.code} {self.title}>"


def grid(definition_rows: list[Row], columns: list[Column]) -> dict[str, dict[str, object]]:
    """An all-zero grid to fill from aggregate rows."""
    return {r.key: {c.key: ZERO[c.kind] for c in columns} for r in definition_rows}


def money(value) -> Decimal:
    return (value or Decimal("0")).quantize(Decimal("0.01"))
