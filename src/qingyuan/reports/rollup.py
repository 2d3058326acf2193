"""Rolling up (逐级汇总): an upper region's form as the sum of its lower regions' accepted forms.

For a city (its counties) or a province (its cities) and one form and scope: each lower region's
latest submission and its state (已审核 / 已上报待审核 / 已退回 / 未上报, 逾期 against the
deadline), the sum of the accepted figures, and how that sum differs from the form computed
directly for the upper region now. Only forms whose figures add up (FormDefinition.summable).

Sums follow Table.fill_total: grid cells added (counts, money, Ratio parts and wholes), the 合计 row
the sum of the other rows; list tables concatenated in region-code order, 序号 renumbered.
A direct computation can still differ from a complete roll-up where a figure counts distinct sites
(户数, 行政处罚单位数) and one site was handled in two lower regions: the comparison shows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from qingyuan.regions.models import Level, Region

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
            table = Table(t.key, t.title, t.columns, t.rows, cells, total_row=t.total_row)
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
