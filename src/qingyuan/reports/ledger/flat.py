"""The one-sheet ("flat") ledger, as county registers are kept: one row per visit or case, the site's
columns repeated on each row. The platform splits it into the sheets of the workbook template
(监管对象, 监督检查, 案件, 处罚决定, 移送, 判决, 回头看) and checks and writes those with the same
Checker and Writer, so the rules are one set; every message still names the row and header of the
sheet the officer filled (checking.Origin).

- The site: rows with the same 对象编号 are one site. Their site cells must agree; a blank one takes
  the value of the other rows (merged cells read as blanks), different ones are an error naming both
  rows.
- A row with 检查日期 is a visit. A row with 案件编号 is (part of) a case; rows of one case, like those
  of one site, must agree. The case's 处罚决定, 移送 and 判决 are its columns on those rows.
- A visit whose 检查方式 is 回头看 is also the 「回头看」 record: its result is 再次非法行医 when the
  visit found the site practising (处理结果 发现违法行为, 责令整改 or 移交处理); the case on the same row
  is the new case; the original case is 回头看原案件编号, or, left blank, the one case of the site
  opened before the visit in this sheet (none or several: an error asking for the number).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from qingyuan.inspections.models import InspectionKind
from qingyuan.registry.import_columns import CellError, cell_text

from .columns import PRACTISING, SHEETS_BY_KEY, Column, Sheet, read_cell
from .rows import Origin

FLAT_KEY = "flat"
FLAT_NAME = "一表式台账"
LOOKBACK_CASE_HEADER = "回头看原案件编号"
# Headers that tell a one-sheet ledger under another sheet name.
MARKERS = ("对象编号", "名称", "检查日期", "案件编号", "立案日期")

SITE, VISIT, LOOKBACK, CASE = "site", "visit", "lookback", "case"
# (group, sheet, column key, header in the flat sheet when it differs from the sheet's)
_LAYOUT = (
    *((SITE, "subjects", c.key, None) for c in SHEETS_BY_KEY["subjects"].columns),
    (VISIT, "inspections", "day", None),
    (VISIT, "inspections", "kind", None),
    (VISIT, "inspections", "officer_count", None),
    (VISIT, "inspections", "vehicles", None),
    (VISIT, "inspections", "outcome", None),
    (LOOKBACK, "lookbacks", "case_key", LOOKBACK_CASE_HEADER),
    *((CASE, "cases", c.key, None) for c in SHEETS_BY_KEY["cases"].columns if c.key != "subject_key"),
    *((CASE, "decisions", c.key, None) for c in SHEETS_BY_KEY["decisions"].columns if c.key != "case_key"),
    (CASE, "referrals", "day", None),
    (CASE, "referrals", "target", None),
    (CASE, "referrals", "target_unit", None),
    (CASE, "referrals", "outcome", "移送结果"),
    *((CASE, "judgments", c.key, None) for c in SHEETS_BY_KEY["judgments"].columns if c.key != "case_key"),
)
# The notes of the one-sheet template where the sheet's own would mislead (keys repeat here).
NOTES = {
    "subjects.key": "每行必填；对象编号相同的各行是同一个监管对象，场所的各列在这些行中应一致（可只填其中一行）",
    "inspections.day": "有监督检查的行填写：填了检查日期，检查方式、出动人次、处理结果必填",
    "lookbacks.case_key": "检查方式为“回头看”时：该次回头看所针对的原案件编号（本表、之前导入的台账或平台中的案件编号）；"
    "留空取本表中该对象在检查日期前立案的唯一案件",
    "cases.key": "立案的行填写：填了案件编号，案由、当事人、立案日期必填；案件编号相同的各行是同一个案件，应一致",
    "decisions.decided_on": "本行案件的处罚决定（每个案件一个），至少一种处罚；不得早于立案日期，不得晚于结案日期",
    "referrals.day": "本行案件的移送（每个案件一次）；不得早于立案日期",
    "judgments.judged_on": "本行案件的判决（每个案件一份）；不得早于立案日期",
}


def _flat_column(group: str, sheet_key: str, key: str, header: str | None) -> Column:
    base = SHEETS_BY_KEY[sheet_key].column(key)
    flat_key = f"{sheet_key}.{key}"
    return dataclasses.replace(
        base,
        header=header or base.header,
        key=flat_key,
        required=flat_key == "subjects.key",
        note=NOTES.get(flat_key, base.note),
    )


FLAT_COLUMNS = tuple(_flat_column(*spec) for spec in _LAYOUT)
GROUP_OF = {f"{sheet}.{key}": group for group, sheet, key, _h in _LAYOUT}
FLAT = Sheet(
    FLAT_KEY,
    FLAT_NAME,
    FLAT_COLUMNS,
    "每行一次监督检查或一个案件（或两者：该次检查发现并立案的案件），场所的列在每行重复。",
)


def _text(raw) -> str:
    return cell_text(raw)


def _same(column: Column, raw):
    """A cell as compared between rows: its value when it reads, else its text."""
    try:
        return ("value", read_cell(column, raw))
    except CellError:
        return ("text", _text(raw))


class Splitter:
    def __init__(self, sheet: Sheet, rows: list[tuple[int, dict]]):
        self.sheet = sheet
        self.rows = rows
        self.problems: list[tuple[Sheet, int, str, str]] = []
        self.found: dict[str, list[tuple]] = {key: [] for key in SHEETS_BY_KEY}
        self.header = {c.key: c.header for c in sheet.columns}

    def problem(self, line: int, flat_key: str, message: str) -> None:
        self.problems.append((self.sheet, line, self.header[flat_key], message))

    def _filled(self, raw: dict, group: str) -> bool:
        return any(_text(raw.get(k)) for k, g in GROUP_OF.items() if g == group)

    def _merge(self, what: str, key: str, group: list[tuple[int, dict]], keys: list[str]):
        """The cells of one site or case from its rows: {flat key: (raw, line)}; disagreements are
        problems naming both rows."""
        merged: dict[str, tuple[object, int]] = {}
        for flat_key in keys:
            column = self.sheet.column(flat_key)
            first = None
            for line, raw in group:
                value = raw.get(flat_key)
                if not _text(value):
                    continue
                if first is None:
                    first = (value, line, _same(column, value))
                    merged[flat_key] = (value, line)
                elif _same(column, value) != first[2]:
                    self.problem(
                        line,
                        flat_key,
                        f"{what}“{key}”的{column.header}“{_text(value)}”与第{first[1]}行的“{_text(first[0])}”不一致"
                        f"（同一{'对象' if what == '对象编号' else '案件'}各行应相同）",
                    )
        return merged

    def _emit(self, sheet_key: str, line: int, cells: dict[str, tuple[object, int]], refs: dict) -> None:
        """One row of a template sheet: cells {its column key: (raw, flat line)} and references
        {its column key: (raw, flat header, flat line)}."""
        raw, lines = {}, {}
        # Every column the flat sheet has for this sheet, so that a blank required cell is named too.
        headers = {
            c.key: self.header[f"{sheet_key}.{c.key}"]
            for c in SHEETS_BY_KEY[sheet_key].columns
            if f"{sheet_key}.{c.key}" in self.header
        }
        for key, (value, at) in cells.items():
            raw[key], lines[key] = value, at
        for key, (value, header, at) in refs.items():
            raw[key], headers[key], lines[key] = value, header, at
        origin = Origin(self.sheet, headers, lines)
        self.found[sheet_key].append((line, raw, origin))

    @staticmethod
    def _of(cells: dict, sheet_key: str) -> dict:
        prefix = f"{sheet_key}."
        return {k.removeprefix(prefix): v for k, v in cells.items() if k.startswith(prefix)}

    def run(self) -> tuple[dict[str, list[tuple]], list]:
        sites: dict[str, list[tuple[int, dict]]] = {}
        cases: dict[str, list[tuple[int, dict]]] = {}
        visits: list[tuple[int, dict]] = []
        for line, raw in self.rows:
            site = _text(raw.get("subjects.key"))
            if not site:
                self.problem(line, "subjects.key", "不能为空（每行填写该行所属监管对象的对象编号）")
                continue
            sites.setdefault(site, []).append((line, raw))
            case = _text(raw.get("cases.key"))
            if case:
                cases.setdefault(case, []).append((line, raw))
            elif self._filled(raw, CASE):
                self.problem(line, "cases.key", "本行填写了案件、处罚、移送或判决的内容，案件编号不能为空")
            if self._filled(raw, VISIT) or self._filled(raw, LOOKBACK):
                visits.append((line, raw))
        site_keys = [k for k, g in GROUP_OF.items() if g == SITE]
        for key, group in sites.items():
            cells = self._merge("对象编号", key, group, site_keys)
            self._emit("subjects", group[0][0], self._of(cells, "subjects"), {})
        opened = self._cases(cases)
        for line, raw in visits:
            self._visit(line, raw, opened)
        return self.found, self.problems

    def _cases(self, cases: dict[str, list[tuple[int, dict]]]) -> dict[str, list[tuple[str, dt.date]]]:
        """Emit the cases with their decision, referral and judgment; return each site's cases with
        their 立案日期, for a 回头看 to find the one it follows."""
        case_keys = [k for k, g in GROUP_OF.items() if g == CASE]
        opened_column = SHEETS_BY_KEY["cases"].column("opened_on")
        by_site: dict[str, list[tuple[str, dt.date]]] = {}
        for key, group in cases.items():
            first_line, first_raw = group[0]
            site = _text(first_raw.get("subjects.key"))
            for line, raw in group[1:]:
                other = _text(raw.get("subjects.key"))
                if other != site:
                    self.problem(
                        line,
                        "cases.key",
                        f"案件编号“{key}”在第{first_line}行属于对象编号“{site}”，本行却是“{other}”；"
                        "同一案件只能属于一个监管对象",
                    )
            cells = self._merge("案件编号", key, group, case_keys)
            subject = {"subject_key": (site, "对象编号", first_line)}
            self._emit("cases", first_line, {**self._of(cells, "cases"), "key": (key, first_line)}, subject)
            reference = {"case_key": (key, "案件编号", first_line)}
            for sheet_key in ("decisions", "referrals", "judgments"):
                own = self._of(cells, sheet_key)
                if own:
                    self._emit(sheet_key, min(at for _v, at in own.values()), own, reference)
            raw_opened = cells.get("cases.opened_on")
            if raw_opened is not None:
                try:
                    by_site.setdefault(site, []).append((key, read_cell(opened_column, raw_opened[0])))
                except CellError:
                    pass  # the case's own row reports the date
        return by_site

    def _visit(self, line: int, raw: dict, opened: dict[str, list[tuple[str, dt.date]]]) -> None:
        site = _text(raw.get("subjects.key"))
        cells = {
            k.removeprefix("inspections."): (raw.get(k), line) for k, g in GROUP_OF.items() if g == VISIT
        }
        self._emit("inspections", line, cells, {"subject_key": (site, "对象编号", line)})
        inspections = SHEETS_BY_KEY["inspections"]
        original = _text(raw.get("lookbacks.case_key"))
        try:
            kind = read_cell(inspections.column("kind"), raw.get("inspections.kind"))
            outcome = read_cell(inspections.column("outcome"), raw.get("inspections.outcome"))
            day = read_cell(inspections.column("day"), raw.get("inspections.day"))
        except CellError:
            return  # the visit's own cells report it; a 回头看 is judged once they read
        if kind != InspectionKind.LOOKBACK:
            if original:
                self.problem(line, "lookbacks.case_key", "检查方式不是“回头看”时不应填写")
            return
        case = _text(raw.get("cases.key"))
        if not original:
            earlier = [k for k, opened_on in opened.get(site, []) if k != case and opened_on < day]
            if len(earlier) != 1:
                listed = f"有多个此前立案的案件（{'、'.join(earlier)}）" if earlier else "没有此前立案的案件"
                self.problem(
                    line,
                    "lookbacks.case_key",
                    f"检查方式为“回头看”：对象编号“{site}”在本表中{listed}，"
                    "请填写该次回头看所针对的原案件编号（本表、之前导入的台账或平台中的案件编号）",
                )
                return
            original = earlier[0]
        reoffended = outcome in PRACTISING
        refs = {
            "case_key": (original, LOOKBACK_CASE_HEADER, line),
            "done_on": (raw.get("inspections.day"), self.header["inspections.day"], line),
            "result": (
                "再次非法行医" if reoffended else "未发现再次违法",
                self.header["inspections.outcome"],
                line,
            ),
        }
        if reoffended and case:
            refs["new_case_key"] = (case, self.header["cases.key"], line)
        self._emit("lookbacks", line, {}, refs)


def split_flat(sheet: Sheet, rows: list[tuple[int, dict]]) -> tuple[dict[str, list[tuple]], list]:
    """({template sheet key: [(line, raw cells, Origin)]}, [(sheet, line, header, message)])."""
    return Splitter(sheet, rows).run()
