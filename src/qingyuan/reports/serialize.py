"""A computed form as data: the official JSON (labels as printed on the form, money as exact yuan
strings) and the keyed form kept with a submission, from which the same FormResult is rebuilt for
roll-up and export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .forms.base import COUNT, DATE, MONEY, RATIO, FormResult, Ratio, Scope, Table


def _official(value, kind):
    if value is None:
        return None
    if kind == MONEY:
        return f"{value:.2f}"
    if kind in (RATIO, DATE):
        return str(value) if kind == RATIO else value.isoformat()
    return value


def to_json(result: FormResult) -> dict:
    """FORMS.md's JSON: rows keyed by row label, columns by column label, exactly as printed."""
    tables = {}
    for table in result.tables:
        if table.is_grid:
            tables[table.title] = {
                row.label: {c.label: _official(table.cells[row.key][c.key], c.kind) for c in table.columns}
                for row in table.rows
            }
        else:
            tables[table.title] = [
                {c.label: _official(item.get(c.key), c.kind) for c in table.columns} for item in table.items
            ]
    return {
        "form": result.code,
        "title": result.title,
        "region": {"code": result.scope.region.code, "name": result.scope.region.full_name},
        "period": {"from": result.scope.start.isoformat(), "to": result.scope.end.isoformat()},
        "header": result.header,
        "money_unit": "元",
        "tables": tables,
        "notes": result.notes,
    }


def _keyed(value, kind):
    if value is None:
        return None
    if kind == MONEY:
        return f"{value:.2f}"
    if kind == RATIO:
        return [value.part, value.whole]
    if kind == DATE:
        return value.isoformat()
    return value


def _unkeyed(value, kind):
    if value is None:
        return None
    if kind == MONEY:
        return Decimal(value)
    if kind == RATIO:
        return Ratio(*value)
    if kind == DATE:
        return dt.date.fromisoformat(value)
    return value


def to_data(result: FormResult) -> dict:
    """Keyed figures (row and column keys), stored with a submission."""
    return {
        "code": result.code,
        "header": result.header,
        "notes": result.notes,
        "tables": {
            t.key: (
                {r.key: {c.key: _keyed(t.cells[r.key][c.key], c.kind) for c in t.columns} for r in t.rows}
                if t.is_grid
                else [{c.key: _keyed(item.get(c.key), c.kind) for c in t.columns} for item in t.items]
            )
            for t in result.tables
        },
    }


def from_data(data: dict, template: FormResult, scope: Scope | None = None) -> FormResult:
    """Rebuild a FormResult from stored figures, taking the layout (rows, columns, titles) from
    `template`, a result of the same form."""
    tables = []
    for t in template.tables:
        stored = data["tables"].get(t.key)
        if t.is_grid:
            cells = {
                r.key: {c.key: _unkeyed((stored or {}).get(r.key, {}).get(c.key), c.kind) for c in t.columns}
                for r in t.rows
            }
            tables.append(
                Table(t.key, t.title, t.columns, t.rows, cells, total_row=t.total_row, corner=t.corner)
            )
        else:
            items = [{c.key: _unkeyed(item.get(c.key), c.kind) for c in t.columns} for item in stored or []]
            tables.append(Table(t.key, t.title, t.columns, None, items=items))
    return FormResult(
        template.code,
        template.title,
        scope or template.scope,
        tables,
        header=dict(data.get("header") or template.header),
        notes=list(data.get("notes") or []),
    )


__all__ = ["to_json", "to_data", "from_data", "COUNT"]
