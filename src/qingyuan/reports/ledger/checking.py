"""Checking a whole ledger before anything is written: every cell, every reference between sheets,
and what the platform already holds. Every problem of every sheet is collected, none stops the
others; the writer runs only on a ledger with none.

References: 对象编号 and 案件编号 name a row of this file, or a record that an earlier ledger
import created (its key is a LedgerKey, unique within the record's county), so a county can import
one year after another, or one sheet at a time as CSV. 回头看's 原案件编号 may also be the number
of any case of the platform in the user's jurisdiction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from qingyuan.cases.models import Case, PartyKind, PenaltyDecision, RecheckResult
from qingyuan.core.idcard import normalize_id_number, validate_id_number
from qingyuan.regions.models import Region
from qingyuan.registry.import_columns import CellError
from qingyuan.rules.models import Offence
from qingyuan.subjects.models import Subject

from ..models import LedgerKey, LedgerKeyKind
from .columns import MEDIA, SHEETS, SHEETS_BY_KEY, Column, Sheet, read_cell

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
DEFAULT_OFFENCE = "ZY-01"
MAX_MESSAGES = 1000
_LOOKUP_CHUNK = 500


def import_mark(file_name: str) -> str:
    """The words that tell officers a record came from a ledger, and from which file."""
    return f"{MARK}（{file_name}）"


class Errors:
    """Messages as "工作表「案件」第5行「立案日期」：…", in sheet, line and column order."""

    def __init__(self):
        self.items: list[tuple[int, int, int, str]] = []

    def cell(self, sheet: Sheet, line: int, column: Column, message: str) -> None:
        order = sheet.columns.index(column)
        self.items.append(
            (
                SHEETS.index(sheet),
                line,
                order,
                f"工作表「{sheet.name}」第{line}行「{column.header}」：{message}",
            )
        )

    def __bool__(self):
        return bool(self.items)

    def messages(self) -> list[str]:
        ordered = [text for *_key, text in sorted(self.items)]
        if len(ordered) > MAX_MESSAGES:
            return [*ordered[:MAX_MESSAGES], f"…另有{len(ordered) - MAX_MESSAGES}条错误"]
        return ordered


@dataclass
class Row:
    sheet: Sheet
    line: int
    values: dict
    bad: set[str] = field(default_factory=set)  # keys of the columns whose cell was refused
    refs: dict = field(default_factory=dict)  # resolved references, for the writer

    def good(self, *keys: str) -> bool:
        """The cells named were read and hold a value: checks between cells may use them."""
        return all(k not in self.bad and self.values.get(k) not in (None, "") for k in keys)


@dataclass
class SubjectRef:
    """A subject a row points to: a row of this file, or a subject of an earlier import."""

    found_on: dt.date | None
    row: Row | None = None
    obj: Subject | None = None

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


@dataclass
class Checked:
    """A ledger that passed: its rows by sheet key, references resolved."""

    rows: dict[str, list[Row]]


class Checker:
    def __init__(
        self,
        *,
        actor,
        prefix: str,
        found: dict[str, list[tuple[int, dict]]],
        progress: Callable[[int, int], None] | None = None,
    ):
        self.actor = actor
        self.prefix = prefix
        self.errors = Errors()
        self.rows: dict[str, list[Row]] = {s.key: [] for s in SHEETS}
        # Reading the cells is the part that grows with the file; it reports rows read so far.
        # The checks between sheets that follow are a few queries per sheet.
        total, done = sum(len(lines) for lines in found.values()), 0
        for key, lines in found.items():
            sheet = SHEETS_BY_KEY[key]
            rows = self.rows[key]
            for line, raw in lines:
                rows.append(self._read(sheet, line, raw))
                done += 1
                if progress is not None:
                    progress(done, total)
        self.offences: dict[str, list[Offence]] = {}

    # -- helpers -----------------------------------------------------------------------------

    def _read(self, sheet: Sheet, line: int, raw: dict) -> Row:
        row = Row(sheet, line, {})
        for column in sheet.columns:
            try:
                row.values[column.key] = read_cell(column, raw.get(column.key))
            except CellError as exc:
                row.values[column.key] = None
                row.bad.add(column.key)
                self.error(row, column.key, str(exc))
        return row

    def error(self, row: Row, key: str, message: str) -> None:
        row.bad.add(key)
        self.errors.cell(row.sheet, row.line, row.sheet.column(key), message)

    def _unique(self, rows: list[Row], key: str) -> dict[str, Row]:
        """First row for each value of `key`; later rows with the same value are errors."""
        first: dict[str, Row] = {}
        for row in rows:
            if not row.good(key):
                continue
            value = row.values[key]
            if value in first:
                self.error(row, key, f"“{value}”与第{first[value].line}行重复")
            else:
                first[value] = row
        return first

    # -- the checks ----------------------------------------------------------------------------

    def run(self) -> Checked | None:
        self.check_regions("subjects")
        self.check_regions("outreach")
        subjects = self.check_subjects()
        self.check_inspections(subjects)
        cases = self.check_cases(subjects)
        self.check_decisions(cases)
        self.check_dated_children("referrals", "day", "移送日期", cases)
        self.check_dated_children("judgments", "judged_on", "判决日期", cases)
        self.check_lookbacks(cases)
        self.check_outreach()
        if self.errors:
            return None
        return Checked(self.rows)

    def check_regions(self, sheet_key: str) -> None:
        rows = [r for r in self.rows[sheet_key] if r.good("region")]
        codes = {r.values["region"] for r in rows}
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        for row in rows:
            code = row.values["region"]
            region = found.get(code)
            if region is None:
                self.error(row, "region", f"“{code}”在平台中不存在")
            elif self.prefix and not code.startswith(self.prefix):
                self.error(row, "region", f"“{code}”不在您的辖区内")
            else:
                row.refs["region"] = region

    def _earlier(self, kind: str, keys: set[str]) -> dict[str, list[LedgerKey]]:
        """Keys of earlier imports naming records in the user's jurisdiction (the record's region
        decides, as for the record itself), with their record and county."""
        found: dict[str, list[LedgerKey]] = defaultdict(list)
        keys_sorted = sorted(keys)
        for start in range(0, len(keys_sorted), _LOOKUP_CHUNK):
            chunk = keys_sorted[start : start + _LOOKUP_CHUNK]
            for ledger_key in (
                LedgerKey.objects.filter(kind=kind, key__in=chunk)
                .filter(**{f"{kind}__region__code__startswith": self.prefix})
                .select_related("county", "subject")
                .order_by("county_id")
            ):
                found[ledger_key.key].append(ledger_key)
        return found

    def _earlier_subjects(self, keys: set[str]) -> dict[str, list[LedgerKey]]:
        return self._earlier(LedgerKeyKind.SUBJECT, keys)

    def _earlier_cases(self, keys: set[str]) -> dict[str, list[LedgerKey]]:
        found = self._earlier(LedgerKeyKind.CASE, keys)
        # The case as the checks read it (its decision, its subject), one query for all of them.
        cases = self._cases().in_bulk([k.case_id for same in found.values() for k in same])
        for same in found.values():
            for ledger_key in same:
                ledger_key.case = cases[ledger_key.case_id]
        return found

    def _taken(self, kind: str, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        """(county, key) pairs an earlier import of that county holds already, with its file names.
        Keys are unique per county whoever imported them, so this looks past the user's subtree."""
        taken: dict[tuple[str, str], list[str]] = defaultdict(list)
        keys = sorted({key for _county, key in wanted})
        counties = {county for county, _key in wanted}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            for county, key, file_name in LedgerKey.objects.filter(
                kind=kind, key__in=keys[start : start + _LOOKUP_CHUNK], county_id__in=counties
            ).values_list("county_id", "key", "ledger_import__file_name"):
                if (county, key) in wanted:
                    taken[(county, key)].append(file_name)
        return taken

    def _refuse_taken(self, kind: str, first: dict[str, Row], county_of_row) -> None:
        counties = {key: county_of_row(row) for key, row in first.items()}
        wanted = {(county, key) for key, county in counties.items() if county is not None}
        taken = self._taken(kind, wanted) if wanted else {}
        for key, row in first.items():
            files = taken.get((counties[key], key))
            if files:
                self.error(
                    row,
                    "key",
                    f"“{key}”已在之前导入的台账（{'、'.join(sorted(set(files)))}）中登记，不能重复导入；"
                    "其他表可直接引用该编号",
                )

    def _ambiguous(self, row: Row, column: str, value: str, same: list[LedgerKey]) -> None:
        # Keys are unique per county; an officer above county level may see one key in several.
        names = "、".join(k.county.name for k in same)
        self.error(
            row,
            column,
            f"“{value}”在辖区内多个区县之前导入的台账中都有（{names}），无法确定所指，请由所属区县导入",
        )

    def _cases(self):
        decided = PenaltyDecision.objects.filter(case=OuterRef("pk"))
        return Case.objects.visible_to(self.actor).select_related("subject").annotate(decided=Exists(decided))

    def check_subjects(self) -> dict[str, SubjectRef]:
        rows = self.rows["subjects"]
        first = self._unique(rows, "key")
        regions = {key: row.refs.get("region") for key, row in first.items()}
        counties = {LedgerKey.county_of(r.code) for r in regions.values() if r is not None}
        known = set(Region.objects.filter(code__in=counties).values_list("code", flat=True))
        for key, region in regions.items():
            if region is not None and LedgerKey.county_of(region.code) not in known:
                self.error(first[key], "region", f"“{region.code}”所属的区县在平台中不存在")
                first[key].refs.pop("region")
        self._refuse_taken(
            LedgerKeyKind.SUBJECT,
            first,
            lambda row: LedgerKey.county_of(row.refs["region"].code) if "region" in row.refs else None,
        )
        return {key: SubjectRef(row.values["found_on"], row=row) for key, row in first.items()}

    def _resolve_subjects(self, rows: list[Row], subjects: dict[str, SubjectRef]) -> None:
        wanted = {r.values["subject_key"] for r in rows if r.good("subject_key")} - subjects.keys()
        earlier = self._earlier_subjects(wanted) if wanted else {}
        for row in rows:
            if not row.good("subject_key"):
                continue
            key = row.values["subject_key"]
            if key in subjects:
                row.refs["subject"] = subjects[key]
            elif len(earlier.get(key, [])) == 1:
                subject = earlier[key][0].subject
                row.refs["subject"] = SubjectRef(subject.found_on, obj=subject)
            elif key in earlier:
                self._ambiguous(row, "subject_key", key, earlier[key])
            else:
                self.error(row, "subject_key", f"“{key}”在「监管对象」表和之前导入的台账中都找不到")

    def _not_before(self, row: Row, key: str, floor: dt.date | None, what: str) -> None:
        if floor is not None and row.good(key) and row.values[key] < floor:
            self.error(row, key, f"“{row.values[key]:%Y-%m-%d}”早于{what}{floor:%Y-%m-%d}")

    def check_inspections(self, subjects: dict[str, SubjectRef]) -> None:
        rows = self.rows["inspections"]
        self._resolve_subjects(rows, subjects)
        for row in rows:
            if "subject" in row.refs:
                self._not_before(row, "day", row.refs["subject"].found_on, "该对象的发现日期")

    def check_cases(self, subjects: dict[str, SubjectRef]) -> dict[str, CaseRef]:
        rows = self.rows["cases"]
        first = self._unique(rows, "key")
        numbers = self._unique(rows, "number")
        taken = set(Case.objects.filter(number__in=list(numbers)).values_list("number", flat=True))
        for number in sorted(taken):
            self.error(numbers[number], "number", f"“{number}”在平台中已有案件使用")
        self._resolve_subjects(rows, subjects)
        # A case is numbered in its site's county.
        self._refuse_taken(
            LedgerKeyKind.CASE,
            first,
            lambda row: row.refs["subject"].county if "subject" in row.refs else None,
        )
        for row in rows:
            if row.good("party_id_number"):
                row.values["party_id_number"] = normalize_id_number(row.values["party_id_number"])
                # A refused 当事人类型 is reported on its own; the number is judged once it is right.
                if "party_kind" not in row.bad:
                    kind = row.values["party_kind"] or PartyKind.CITIZEN
                    problem = party_id_problem(kind, row.values["party_id_number"])
                    if problem:
                        self.error(row, "party_id_number", f"“{row.values['party_id_number']}”：{problem}")
            if "subject" in row.refs:
                self._not_before(row, "opened_on", row.refs["subject"].found_on, "该对象的发现日期")
            if row.good("opened_on"):
                self._not_before(row, "national_entry_on", row.values["opened_on"], "立案日期")
                self._not_before(row, "closed_on", row.values["opened_on"], "立案日期")
        return {
            key: CaseRef(
                row.values["opened_on"],
                row.values["closed_on"] if row.good("closed_on") else None,
                row.values["opened_on"],
                row=row,
            )
            for key, row in first.items()
        }

    def _resolve_cases(
        self, rows: list[Row], key: str, cases: dict[str, CaseRef], *, by_number: bool = False
    ) -> None:
        wanted = {r.values[key] for r in rows if r.good(key)} - cases.keys()
        earlier = self._earlier_cases(wanted) if wanted else {}
        numbered = {}
        if by_number and wanted:
            numbered = {c.number: c for c in self._cases().filter(number__in=wanted - earlier.keys())}
        for row in rows:
            if not row.good(key):
                continue
            value = row.values[key]
            if value in cases:
                row.refs[key] = cases[value]
            elif len(earlier.get(value, [])) == 1 or value in numbered:
                case = earlier[value][0].case if value in earlier else numbered[value]
                row.refs[key] = CaseRef(
                    case.opened_on,
                    case.closed_on,
                    case.offence_date,
                    obj=case,
                    has_decision=case.decided,
                    earlier_case_id=case.earlier_case_id,
                )
            elif value in earlier:
                self._ambiguous(row, key, value, earlier[value])
            else:
                where = (
                    "「案件」表、之前导入的台账和平台案件中" if by_number else "「案件」表和之前导入的台账中"
                )
                self.error(row, key, f"“{value}”在{where}都找不到")

    def _offences(self, code: str) -> list[Offence]:
        if code not in self.offences:
            self.offences[code] = list(Offence.objects.filter(code=code).order_by("effective_from"))
        return self.offences[code]

    def _offence(self, row: Row, on: dt.date | None) -> Offence | None:
        code = (row.values.get("offence") or "").upper()
        versions = self._offences(code or DEFAULT_OFFENCE)
        if not versions:
            if code:
                self.error(row, "offence", f"“{code}”在平台法条库中不存在")
            else:
                self.error(row, "offence", f"平台法条库中没有{DEFAULT_OFFENCE}，请填写适用条款")
            return None
        if on is None:
            return versions[-1]
        in_force = [
            o for o in versions if o.effective_from <= on and (o.effective_to is None or o.effective_to >= on)
        ]
        if in_force:
            offence = in_force[-1]
        elif not code and on < versions[0].effective_from:
            # Decisions older than the rules table's first version of ZY-01 (基本医疗卫生与健康促进法,
            # 2020-06-01) rested on 医疗机构管理条例(1994) 第44条, which the table does not hold; the
            # same offence's first version stands for it (docs/ledger.md says so).
            offence = versions[0]
        else:
            self.error(row, "offence", f"“{code}”在{on:%Y-%m-%d}（违法行为发生日期）不在有效期内")
            return None
        if offence.referral_only:
            self.error(row, "offence", f"“{offence.code}”为移送其他部门处理的条款，卫生健康部门不作处罚")
            return None
        return offence

    def check_decisions(self, cases: dict[str, CaseRef]) -> None:
        rows = self.rows["decisions"]
        self._resolve_cases(rows, "case_key", cases)
        first = self._unique(rows, "case_key")
        for row in rows:
            ref: CaseRef | None = row.refs.get("case_key")
            if ref is None:
                continue
            if first.get(row.values["case_key"]) is row and ref.has_decision:
                self.error(row, "case_key", f"案件“{row.values['case_key']}”在平台中已有处罚决定")
            self._not_before(row, "decided_on", ref.opened_on, "该案件的立案日期")
            if ref.closed_on and row.good("decided_on") and row.values["decided_on"] > ref.closed_on:
                self.error(
                    row,
                    "decided_on",
                    f"“{row.values['decided_on']:%Y-%m-%d}”晚于该案件的结案日期{ref.closed_on:%Y-%m-%d}",
                )
            offence = self._offence(row, ref.offence_date)
            if offence is not None:
                row.refs["offence"] = offence
        for row in rows:
            measures = ("warning", "fine", "confiscate_income", "confiscate_goods", "ban")
            if not (row.bad & set(measures)) and not any(row.values.get(m) for m in measures):
                self.error(row, "warning", "至少应有一种处罚（警告、罚款、没收违法所得、没收药品器械或取缔）")

    def check_dated_children(
        self, sheet_key: str, date_key: str, label: str, cases: dict[str, CaseRef]
    ) -> None:
        rows = self.rows[sheet_key]
        self._resolve_cases(rows, "case_key", cases)
        for row in rows:
            ref = row.refs.get("case_key")
            if ref is not None:
                self._not_before(row, date_key, ref.opened_on, "该案件的立案日期")

    def check_lookbacks(self, cases: dict[str, CaseRef]) -> None:
        rows = self.rows["lookbacks"]
        self._resolve_cases(rows, "case_key", cases, by_number=True)
        reoffended = [r for r in rows if r.values.get("result") == RecheckResult.REOFFENDED]
        for row in rows:
            if (
                row.good("new_case_key")
                and row.good("result")
                and row.values["result"] == RecheckResult.CLEAN
            ):
                self.error(row, "new_case_key", "结果为“未发现再次违法”时不应填写再次违法案件编号")
        self._resolve_cases([r for r in reoffended if r.good("new_case_key")], "new_case_key", cases)
        # One re-offence case follows one earlier case (Case.earlier_case).
        self._unique([r for r in rows if "new_case_key" in r.refs], "new_case_key")
        for row in rows:
            original: CaseRef | None = row.refs.get("case_key")
            if original is not None:
                self._not_before(row, "done_on", original.opened_on, "原案件的立案日期")
            new: CaseRef | None = row.refs.get("new_case_key")
            if new is None:
                continue
            if original is not None and _same_case(original, new):
                self.error(row, "new_case_key", "再次违法案件不能是原案件本身")
            elif new.earlier_case_id is not None and not (
                original and original.obj and original.obj.pk == new.earlier_case_id
            ):
                self.error(row, "new_case_key", f"案件“{row.values['new_case_key']}”已关联其他前案")
            elif row.good("done_on") and new.opened_on and new.opened_on < row.values["done_on"]:
                self.error(
                    row,
                    "new_case_key",
                    f"该案件的立案日期{new.opened_on:%Y-%m-%d}早于回头看检查日期{row.values['done_on']:%Y-%m-%d}",
                )

    def check_outreach(self) -> None:
        for row in self.rows["outreach"]:
            if row.values.get("kind") == MEDIA and not row.values.get("outlet") and "outlet" not in row.bad:
                self.error(row, "outlet", "类型为媒体时不能为空")


def _same_case(a: CaseRef, b: CaseRef) -> bool:
    return (a.row is not None and a.row is b.row) or (
        a.obj is not None and b.obj is not None and a.obj.pk == b.obj.pk
    )
