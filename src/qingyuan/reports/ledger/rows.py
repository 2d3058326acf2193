"""The rows of a ledger as the checks and the writer see them, the error list, and where a row
stands in the file the officer filled (its sheet, row and header, also for the one-sheet template)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from qingyuan.cases.models import Case, PartyKind
from qingyuan.core.idcard import validate_id_number
from qingyuan.subjects.models import Subject

from ..models import LedgerKey
from .columns import SHEETS, Sheet

# 统一社会信用代码 (GB 32100-2015): 18 characters of this alphabet, the last a check character.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a 统一社会信用代码, or None."""
    if len(value) != 18 or any(c not in USCC_CHARS for c in value):
        return "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(value[:17], USCC_WEIGHTS, strict=True))
    if USCC_CHARS[(31 - total % 31) % 31] != value[17]:
        return "统一社会信用代码校验位错误"
    return None


def party_id_problem(party_kind: str, value: str) -> str | None:
    """A citizen's 居民身份证号 or an organisation's 统一社会信用代码, checked as its kind requires."""
    if party_kind == PartyKind.ORGANISATION:
        return uscc_problem(value)
    try:
        validate_id_number(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


MARK = "历史台账导入"
MAX_MESSAGES = 1000


def import_mark(file_name: str) -> str:
    """The words that tell officers a record came from a ledger, and from which file."""
    return f"{MARK}（{file_name}）"


def sheet_order(sheet: Sheet) -> int:
    # The one-sheet template's sheet after every sheet of the workbook template.
    return SHEETS.index(sheet) if sheet in SHEETS else len(SHEETS)


class Errors:
    """Messages as "工作表「案件」第5行「立案日期」：…", in sheet, line and column order."""

    def __init__(self):
        self.items: list[tuple[int, int, int, str]] = []

    def at(self, sheet: Sheet, line: int, header: str, message: str) -> None:
        headers = sheet.headers
        order = headers.index(header) if header in headers else len(headers)
        self.items.append(
            (sheet_order(sheet), line, order, f"工作表「{sheet.name}」第{line}行「{header}」：{message}")
        )

    def __bool__(self):
        return bool(self.items)

    def messages(self) -> list[str]:
        ordered = [text for *_key, text in sorted(self.items)]
        if len(ordered) > MAX_MESSAGES:
            return [*ordered[:MAX_MESSAGES], f"…另有{len(ordered) - MAX_MESSAGES}条错误"]
        return ordered


@dataclass(frozen=True)
class Origin:
    """Where a row split from the one-sheet template stands there: its sheet, the header each of its
    columns has there, and the row each cell came from (site cells may come from another row of the
    same site)."""

    sheet: Sheet
    headers: dict[str, str]
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Row:
    sheet: Sheet
    line: int
    values: dict
    bad: set[str] = field(default_factory=set)  # keys of the columns whose cell was refused
    refs: dict = field(default_factory=dict)  # resolved references, for the writer
    origin: Origin | None = None

    def good(self, *keys: str) -> bool:
        """The cells named were read and hold a value: checks between cells may use them."""
        return all(k not in self.bad and self.values.get(k) not in (None, "") for k in keys)

    def shown(self, key: str) -> tuple[Sheet, int, str]:
        """(sheet, row, header) of a cell as the officer sees it in the file."""
        if self.origin is None:
            return self.sheet, self.line, self.sheet.column(key).header
        origin = self.origin
        return origin.sheet, origin.lines.get(key, self.line), origin.headers.get(key, "")

    def where(self, key: str = "") -> str:
        sheet, line, _header = self.shown(key) if key else (self.shown_sheet, self.line, "")
        return f"工作表「{sheet.name}」第{line}行"

    @property
    def shown_sheet(self) -> Sheet:
        return self.sheet if self.origin is None else self.origin.sheet


@dataclass
class SubjectRef:
    """A subject a row points to: a row of this file, or a subject of an earlier import."""

    found_on: dt.date | None
    row: Row | None = None
    obj: Subject | None = None
    key: str = ""

    @property
    def identity(self) -> tuple[str, int]:
        return ("row", id(self.row)) if self.row is not None else ("obj", self.obj.pk)

    @property
    def county(self) -> str | None:
        """The county a case of this subject is numbered in; None while the row's region is wrong."""
        if self.obj is not None:
            return LedgerKey.county_of(self.obj.region_id)
        region = self.row.refs.get("region")
        return LedgerKey.county_of(region.code) if region is not None else None


@dataclass
class CaseRef:
    opened_on: dt.date | None
    closed_on: dt.date | None
    offence_date: dt.date | None
    row: Row | None = None
    obj: Case | None = None
    has_decision: bool = False
    earlier_case_id: int | None = None
    key: str = ""

    def named(self) -> str:
        """The case as a message names it: its key and where it is."""
        if self.row is not None:
            return f"案件编号“{self.key}”（{self.row.where('key')}）"
        return f"案件编号“{self.key}”（平台中已有的案件）"

    def subject_identity(self) -> tuple[str, int] | None:
        if self.row is not None:
            ref = self.row.refs.get("subject")
            return ref.identity if ref is not None else None
        return ("obj", self.obj.subject_id)


@dataclass
class Checked:
    """A ledger that passed: its rows by sheet key, references resolved, and the warnings (发现日期
    taken from the first event) the import result lists."""

    rows: dict[str, list[Row]]
    warnings: list[str] = field(default_factory=list)
    filled: int = 0  # sites whose blank 发现日期 was taken from their first event
