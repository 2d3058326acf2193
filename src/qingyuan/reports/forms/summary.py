"""The two reports drafted in Word (FORMS.md): S003-WS, the campaign's work summary with the figures
of S003-A1 and S003-A2, and S004-Q, the quarterly progress report whose table is S003-A1 for the
quarter and for the year to date.

Neither counts anything of its own: the tables are those of the underlying forms, computed by them,
and a figure's drill-down is theirs, so the summary can never disagree with the forms it quotes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from qingyuan.portal.models import PublishedCase

from . import get_form
from .base import Drill, FormDefinition, FormResult, Scope

CAMPAIGN_TITLE = "打击无证行医及非法医疗美容专项行动"


def typical_cases(scope: Scope):
    """Typical cases published in the period for cases in the region (and the campaign, if one)."""
    return (
        PublishedCase.objects.published()
        .filter(
            scope.in_region("case__region__code"),
            scope.at_times("published_at"),
            scope.in_campaign("case__campaign_id"),
        )
        .order_by("published_at", "pk")
    )


def _rekeyed(table, key: str, title: str | None = None):
    return dataclasses.replace(table, key=key, title=title or table.title)


class S003WS(FormDefinition):
    code = "S003-WS"
    title = f"{CAMPAIGN_TITLE}工作总结"
    seed = "003 结尾"
    mode = "document"
    summable = False

    # Table key prefix -> the form the tables come from. The prefix keeps S003-A1's "main" apart from
    # S003-A2's "main".
    PARTS = {"a1_": "S003-A1", "a2_": "S003-A2"}

    def compute(self, scope: Scope) -> FormResult:
        tables = []
        for prefix, code in self.PARTS.items():
            part = get_form(code).compute(scope)
            tables += [_rekeyed(t, prefix + t.key) for t in part.tables]
        return FormResult(
            self.code,
            self.title,
            scope,
            tables,
            header={"县（区）": scope.region.full_name, "单位（盖章）": ""},
        )

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        prefix, _sep, key = table.partition("_")
        code = self.PARTS.get(prefix + "_")
        if code is None or not key:
            raise KeyError(table)
        return get_form(code).drill(scope, key, row, column)


def year_to_date(scope: Scope) -> Scope:
    """From 1 January of the year of the period's end to that end, otherwise the same scope."""
    return dataclasses.replace(scope, start=dt.date(scope.end.year, 1, 1))


class S004Q(FormDefinition):
    code = "S004-Q"
    title = "季度工作进展报告和汇总表"
    seed = "004"
    mode = "period"

    SCOPES = {"quarter": "本季度", "ytd": "本年累计"}

    def scope_of(self, scope: Scope, table: str) -> Scope:
        if table == "quarter":
            return scope
        if table == "ytd":
            return year_to_date(scope)
        raise KeyError(table)

    def compute(self, scope: Scope) -> FormResult:
        a1 = get_form("S003-A1")
        tables, notes = [], []
        for key, title in self.SCOPES.items():
            part_scope = self.scope_of(scope, key)
            tables.append(_rekeyed(a1.compute(part_scope).table("main"), key, title))
            notes.append(
                f"{title}：{part_scope.start.year}年{part_scope.start.month}月{part_scope.start.day}日至"
                f"{part_scope.end.year}年{part_scope.end.month}月{part_scope.end.day}日"
            )
        return FormResult(
            self.code,
            self.title,
            scope,
            tables,
            header={"县（区）": scope.region.full_name, "单位（盖章）": ""},
            notes=notes,
        )

    def drill(self, scope: Scope, table: str, row: str, column: str) -> Drill:
        return get_form("S003-A1").drill(self.scope_of(scope, table), "main", row, column)
