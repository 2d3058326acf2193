"""Checks on a form's figures before it is submitted (审核规则), written as data per form.

A rule is (level, table, row, left, op, right, message):
- level: ERROR blocks the submission; WARNING needs the submitter's 填报说明 to proceed.
- table: the title of a table, or None for the form's first grid.
- row: a row label, or EVERY_ROW (each row, 合计 included).
- left / right: a column label as printed on the form, a tuple of labels (their sum), or Group(label)
  (the sum of the columns under that merged header). Labels, not keys, because the printed wording
  is what FORMS.md fixes and what the message shows.
- op: "<=" / "==" compare the values; "implies": left > 0 requires right > 0; "iff": both zero or
  both non-zero (an amount without its 户次, or a 户次 without its amount); "ratio": in a
  信息系统录入情况 column, 已录入 N cannot exceed 共 M; "total": the 合计 row equals the sum of the
  other rows in every column (matters for rolled-up and imported figures; computed forms hold it).
- message: shown as it is, after `{row}`, `{lv}` (left value) and `{rv}` (right value) are filled in.

Rules deliberately left out, because the forms' own definitions allow them to fail:
- S003-A1 行政处罚单位数 against the sum of 没收/罚款/取缔户次: a decision may be a warning (警告)
  only, which has no column, and one site may get several decisions, so neither side bounds the other.
- S003-A1 法院判决案件数 ≤ 移送案件数: the referral may fall in an earlier period than the judgment.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .forms.base import COUNT, MONEY, RATIO, FormResult, Ratio, Table
from .forms.summary import S004Q

ERROR = "error"
WARNING = "warning"
EVERY_ROW = "*"


@dataclass(frozen=True)
class Group:
    """The columns under one merged header, summed."""

    label: str


@dataclass(frozen=True)
class Finding:
    level: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


RULES: dict[str, list[tuple]] = {
    "S003-A1": [
        (ERROR, None, EVERY_ROW, None, "total", None, "合计行“{column}”为{lv}，与各机构类型之和{rv}不符"),
        (
            ERROR,
            None,
            EVERY_ROW,
            "罚款户次",
            "iff",
            "罚款金额（万元）",
            "“{row}”行：罚款户次为{lv}而罚款金额为{rv}，有罚款户次必须有罚款金额，反之亦然",
        ),
        (
            ERROR,
            None,
            EVERY_ROW,
            "没收违法所得户次",
            "iff",
            "没收违法所得金额（万元）",
            "“{row}”行：没收违法所得户次为{lv}而没收违法所得金额为{rv}，有户次必须有金额，反之亦然",
        ),
        (
            ERROR,
            None,
            EVERY_ROW,
            ("没收违法所得户次", "罚款户次", "取缔户次"),
            "implies",
            "行政处罚单位数",
            "“{row}”行：没收、罚款、取缔户次合计{lv}，但行政处罚单位数为{rv}",
        ),
        (
            ERROR,
            None,
            EVERY_ROW,
            "信息系统录入情况",
            "ratio",
            None,
            "“{row}”行：信息系统录入情况中已录入数{lv}大于案件总数{rv}",
        ),
        # A site banned, reopened and banned again within the period is counted once as a unit and
        # twice as 取缔户次, so this is a warning to explain, not an error.
        (
            WARNING,
            None,
            EVERY_ROW,
            "取缔户次",
            "<=",
            "行政处罚单位数",
            "“{row}”行：取缔户次{lv}多于行政处罚单位数{rv}（同一单位本期被多次取缔？请在填报说明中说明）",
        ),
    ],
    "S003-A2": [
        (
            ERROR,
            None,
            EVERY_ROW,
            "警告数",
            "<=",
            "行政处罚户（人）次",
            "“{row}”行：警告数{lv}多于行政处罚户（人）次{rv}，每个警告都属于一次行政处罚",
        ),
        (
            ERROR,
            None,
            EVERY_ROW,
            ("罚款金额（万元）", "没收违法所得（万元）"),
            "implies",
            "行政处罚户（人）次",
            "“{row}”行：有罚款或没收违法所得金额（{lv}），但行政处罚户（人）次为{rv}",
        ),
        (
            WARNING,
            None,
            EVERY_ROW,
            "行政处罚户（人）次",
            "implies",
            "“回头看”中发现再次开展无证行医户数",
            "“{row}”行：有行政处罚{lv}户（人）次，但“回头看”中发现再次开展无证行医户数为{rv}",
        ),
    ],
    "S001-A2": [
        (
            ERROR,
            None,
            EVERY_ROW,
            None,
            "total",
            None,
            "合计行“{column}”为{lv}，与本区自行查处、需要联合查处之和{rv}不符",
        ),
        (
            ERROR,
            None,
            EVERY_ROW,
            Group("无证行医（户数）"),
            "==",
            Group("无证行医内容（户数）"),
            "“{row}”行：按地点统计的户数{lv}与按行医内容统计的户数{rv}不等，每户只有一个地点类型和一个主要行医内容",
        ),
    ],
    "S001-A3": [
        # A penalty in this period may close a case opened in an earlier one, so 处罚户数 can exceed
        # 查处户数 without any error in the records: a warning the submitter explains.
        (
            WARNING,
            None,
            EVERY_ROW,
            "处罚户数",
            "<=",
            "查处户数",
            "处罚户数{lv}多于查处户数{rv}（本期处罚的案件是否在上期立案？请在填报说明中说明）",
        ),
        (
            WARNING,
            None,
            EVERY_ROW,
            "复查户数",
            "implies",
            "出动执法人次数",
            "复查户数为{lv}，但出动执法人次数为{rv}（复查须有执法人员到场，是否漏录出动人次？）",
        ),
    ],
}

# S004-Q's two tables are S003-A1 for the quarter and for the year to date (FORMS.md), so each is held
# to S003-A1's rules; the message names the table.
RULES["S004-Q"] = [
    (level, title, row, left, op, right, f"{title}：{message}")
    for title in S004Q.SCOPES.values()
    for level, _table, row, left, op, right, message in RULES["S003-A1"]
]


class RuleError(LookupError):
    """A rule names a table or column the form does not have: a mistake in RULES, not in the figures."""


def _table(result: FormResult, title: str | None) -> Table:
    for table in result.tables:
        if (title is None and table.is_grid) or table.title == title:
            return table
    raise RuleError(f"{result.code} 的校验规则引用了不存在的表“{title or '（第一张统计表）'}”")


def _columns(table: Table, operand, code: str) -> list[str]:
    if isinstance(operand, Group):
        keys = [c.key for c in table.columns if c.group == operand.label]
        if not keys:
            raise RuleError(f"{code} 的校验规则引用了不存在的栏目组“{operand.label}”")
        return keys
    labels = operand if isinstance(operand, tuple) else (operand,)
    keys = []
    for label in labels:
        found = [c.key for c in table.columns if c.label == label]
        if not found:
            raise RuleError(f"{code} 的校验规则引用了不存在的栏目“{label}”")
        keys.append(found[0])
    return keys


def _number(value):
    if value is None:
        return 0
    if isinstance(value, Ratio):
        return value.part
    return value


def _sum(cells: dict, keys: list[str]):
    return sum((_number(cells.get(k)) for k in keys), 0)


def _text(value, kind: str = "") -> str:
    if isinstance(value, Decimal) or kind == MONEY:
        return f"{Decimal(value or 0):.2f}元"
    return str(value)


def _rows(table: Table, row: str) -> list:
    if row == EVERY_ROW:
        return list(table.rows)
    found = [r for r in table.rows if r.label == row]
    if not found:
        raise RuleError(f"校验规则引用了不存在的行“{row}”")
    return found


def _check_total(table: Table, message: str) -> list[str]:
    if not table.total_row:
        return []
    found = []
    others = [r for r in table.rows if r.key != table.total_row]
    total = table.cells.get(table.total_row, {})
    for column in table.columns:
        if column.kind not in (COUNT, MONEY, RATIO):
            continue
        values = [table.cells[r.key].get(column.key) for r in others]
        values = [v for v in values if v is not None]
        if column.kind == RATIO:
            expected = sum(values[1:], values[0]) if values else Ratio(0, 0)
        else:
            expected = sum(values, Decimal("0.00") if column.kind == MONEY else 0)
        stated = total.get(column.key)
        if stated is None:
            stated = Ratio(0, 0) if column.kind == RATIO else 0
        if stated != expected:
            found.append(
                message.format(
                    column=column.label,
                    lv=_text(stated, column.kind),
                    rv=_text(expected, column.kind),
                    row="",
                )
            )
    return found


def _check(table: Table, rule: tuple, code: str) -> list[str]:
    _level, _title, row_label, left, op, right, message = rule
    if op == "total":
        return _check_total(table, message)
    left_keys = _columns(table, left, code)
    right_keys = _columns(table, right, code) if right is not None else []
    money = {c.key for c in table.columns if c.kind == MONEY}
    found = []
    for row in _rows(table, row_label):
        cells = table.cells.get(row.key, {})
        if op == "ratio":
            value = cells.get(left_keys[0])
            if isinstance(value, Ratio) and value.part > value.whole:
                found.append(message.format(row=row.label, lv=value.part, rv=value.whole))
            continue
        lv, rv = _sum(cells, left_keys), _sum(cells, right_keys)
        broken = {
            "<=": lambda a, b: a > b,
            "==": lambda a, b: a != b,
            "implies": lambda a, b: a > 0 and not b > 0,
            "iff": lambda a, b: (a > 0) != (b > 0),
        }[op](lv, rv)
        if broken:
            lt = _text(lv, MONEY) if set(left_keys) <= money else str(lv)
            rt = _text(rv, MONEY) if right_keys and set(right_keys) <= money else str(rv)
            found.append(message.format(row=row.label, lv=lt, rv=rt))
    return found


def validate(result: FormResult) -> list[Finding]:
    """Every finding of the form's rules on `result`, errors first, in the order of the rules."""
    errors, warnings = [], []
    for rule in RULES.get(result.code, []):
        table = _table(result, rule[1])
        for message in _check(table, rule, result.code):
            (errors if rule[0] == ERROR else warnings).append(Finding(rule[0], message))
    return errors + warnings


def errors_of(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.is_error]


def warnings_of(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if not f.is_error]
