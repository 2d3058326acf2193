"""Checking a whole ledger before anything is written: every cell, every reference between sheets,
and what the platform already holds. Every problem of every sheet is collected, none stops the
others; the writer runs only on a ledger with none.

References: 对象编号 and 案件编号 name a row of this file, or a record that an earlier ledger
import created (its key is a LedgerKey, unique within the record's county), so a county can import
one year after another, or one sheet at a time as CSV. 回头看's 原案件编号 may also be the number
of any case of the platform in the user's jurisdiction.

A message about a reference names the key and where the other end is (sheet and row), for the
officer to know which of the two rows to correct. 发现日期 is not a reason to refuse a file: left
blank, or later than the site's first inspection or case, it becomes that first event's date, and
the later ones are listed as warnings of the import (docs/ledger.md, "发现日期").

Rows of the one-sheet template (flat.py) arrive already split into these sheets, each with an Origin
that says on which row and under which header of the sheet the officer filled they stand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Exists, OuterRef

from qingyuan.cases.models import Case, PartyKind, PenaltyDecision, Recheck, RecheckKind, RecheckResult
from qingyuan.core.idcard import normalize_id_number
from qingyuan.inspections.models import InspectionKind, InspectionOutcome
from qingyuan.regions.models import Region
from qingyuan.registry.import_columns import CellError
from qingyuan.rules.models import Offence

from ..models import LedgerKey, LedgerKeyKind
from .columns import MEDIA, PRACTISING, SHEETS, SHEETS_BY_KEY, Sheet, read_cell
from .rows import (  # noqa: F401 (USCC_*: re-exported for the tests of the credit code)
    USCC_CHARS,
    USCC_WEIGHTS,
    CaseRef,
    Checked,
    Errors,
    Origin,
    Row,
    SubjectRef,
    import_mark,
    party_id_problem,
)

DEFAULT_OFFENCE = "ZY-01"
_LOOKUP_CHUNK = 500


class Checker:
    def __init__(
        self,
        *,
        actor,
        prefix: str,
        found: dict[str, list[tuple]],
        progress: Callable[[int, int], None] | None = None,
        problems: list[tuple[Sheet, int, str, str]] = (),
    ):
        self.actor = actor
        self.prefix = prefix
        self.errors = Errors()
        self.warnings: list[str] = []
        self.filled = 0
        # Problems found while splitting the one-sheet template (conflicting site cells...).
        for sheet, line, header, message in problems:
            self.errors.at(sheet, line, header, message)
        self.rows: dict[str, list[Row]] = {s.key: [] for s in SHEETS}
        # Reading the cells is the part that grows with the file; it reports rows read so far.
        # The checks between sheets that follow are a few queries per sheet.
        total, done = sum(len(lines) for lines in found.values()), 0
        for key, lines in found.items():
            sheet = SHEETS_BY_KEY[key]
            rows = self.rows[key]
            for line, raw, *origin in lines:
                rows.append(self._read(sheet, line, raw, origin[0] if origin else None))
                done += 1
                if progress is not None:
                    progress(done, total)
        self.offences: dict[str, list[Offence]] = {}

    # -- helpers -----------------------------------------------------------------------------

    def _read(self, sheet: Sheet, line: int, raw: dict, origin: Origin | None) -> Row:
        row = Row(sheet, line, {}, origin=origin)
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
        self.errors.at(*row.shown(key), message)

    def listed(self, sheet_key: str) -> str:
        """Where a key of this file is listed, for "not found" messages."""
        if any(r.origin is not None for rows in self.rows.values() for r in rows[:1]):
            return "本文件"
        return f"「{SHEETS_BY_KEY[sheet_key].name}」表"

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
        self._resolve_subjects(self.rows["inspections"], subjects)
        cases = self.check_cases(subjects)
        self.settle_found_on(subjects)
        self.check_found_on()
        self.check_decisions(cases)
        self.check_dated_children("referrals", "day", cases)
        self.check_dated_children("judgments", "judged_on", cases)
        self.check_lookbacks(cases)
        self.check_lookback_visits()
        self.check_outreach()
        if self.errors:
            return None
        return Checked(self.rows, self.warnings, self.filled)

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

    def _refuse_taken(self, kind: str, first: dict[str, Row], county_of_row, reuse=None) -> dict[str, str]:
        """Refuse keys an earlier import of the county holds; those rows `reuse` accepts are returned
        instead ({key: file names}), for their references to go to the earlier record."""
        counties = {key: county_of_row(row) for key, row in first.items()}
        wanted = {(county, key) for key, county in counties.items() if county is not None}
        taken = self._taken(kind, wanted) if wanted else {}
        reused = {}
        for key, row in first.items():
            files = taken.get((counties[key], key))
            if files and reuse is not None and reuse(row):
                reused[key] = "、".join(sorted(set(files)))
            elif files:
                self.error(
                    row,
                    "key",
                    f"“{key}”已在之前导入的台账（{'、'.join(sorted(set(files)))}）中登记，不能重复导入；"
                    "其他表可直接引用该编号",
                )
        return reused

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
        # A site of the one-sheet template imported before (last year's register) is that site again:
        # this file's visits and cases go to it, and its site columns are not imported a second time.
        reused = self._refuse_taken(
            LedgerKeyKind.SUBJECT,
            first,
            lambda row: LedgerKey.county_of(row.refs["region"].code) if "region" in row.refs else None,
            reuse=lambda row: row.origin is not None and not row.bad,
        )
        for key, files in reused.items():
            row = first.pop(key)
            rows.remove(row)
            self.warnings.append(
                f"对象编号“{key}”（{row.where('key')}）已在之前导入的台账（{files}）中登记：本文件中该对象的检查和案件"
                "记入平台中的该对象，场所各列以平台中的记录为准，未再导入"
            )
        return {key: SubjectRef(row.values["found_on"], row=row, key=key) for key, row in first.items()}

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
                row.refs["subject"] = SubjectRef(subject.found_on, obj=subject, key=key)
            elif key in earlier:
                self._ambiguous(row, "subject_key", key, earlier[key])
            else:
                self.error(
                    row,
                    "subject_key",
                    f"“{key}”在{self.listed('subjects')}和之前导入的台账中都找不到；"
                    f"请在{self.listed('subjects')}登记该对象，或改正本行的对象编号",
                )

    def _not_before(self, row: Row, key: str, floor: dt.date | None, what: str, where: str = "") -> None:
        if floor is not None and row.good(key) and row.values[key] < floor:
            self.error(row, key, f"“{row.values[key]:%Y-%m-%d}”早于{what}{floor:%Y-%m-%d}{where}")

    def settle_found_on(self, subjects: dict[str, SubjectRef]) -> None:
        """发现日期 of the sites of this file: blank, it is the first inspection or case of the site;
        later than that first event, it is the event's date, and a warning names the site (an officer
        who visited a site had found it by then: the first event is the discovery)."""
        first: dict[int, tuple[dt.date, Row, str]] = {}
        for sheet_key, date_key in (("inspections", "day"), ("cases", "opened_on")):
            for row in self.rows[sheet_key]:
                ref = row.refs.get("subject")
                if ref is None or ref.row is None or not row.good(date_key):
                    continue
                day = row.values[date_key]
                if id(ref.row) not in first or day < first[id(ref.row)][0]:
                    first[id(ref.row)] = (day, row, date_key)
        for key, ref in subjects.items():
            row = ref.row
            if "found_on" in row.bad:
                continue
            earliest = first.get(id(row))
            if earliest is None:
                if row.values["found_on"] is None:
                    self.error(
                        row,
                        "found_on",
                        f"对象编号“{key}”在本文件中没有监督检查或案件，无法推定发现日期，请填写",
                    )
                continue
            day, event, date_key = earliest
            stated = row.values["found_on"]
            if stated is None:
                self.filled += 1
            elif stated > day:
                what = "检查日期" if date_key == "day" else "立案日期"
                self.warnings.append(
                    f"对象编号“{key}”（{row.where('found_on')}）：发现日期{stated:%Y-%m-%d}晚于该对象最早的记录"
                    f"（{event.where(date_key)}，{what}{day:%Y-%m-%d}），已按{day:%Y-%m-%d}导入"
                )
                row.refs["stated_found_on"] = stated
            else:
                continue
            row.values["found_on"] = ref.found_on = day

    def check_found_on(self) -> None:
        """Inspections and cases of sites of earlier imports: those sites' 发现日期 stands as imported."""
        for sheet_key, date_key in (("inspections", "day"), ("cases", "opened_on")):
            for row in self.rows[sheet_key]:
                ref = row.refs.get("subject")
                if ref is not None and ref.obj is not None:
                    self._not_before(
                        row,
                        date_key,
                        ref.found_on,
                        f"对象编号“{ref.key}”在之前导入的台账中登记的发现日期",
                        "；请改正本行日期",
                    )

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
            if row.good("opened_on"):
                self._not_before(row, "national_entry_on", row.values["opened_on"], "立案日期")
                self._not_before(row, "closed_on", row.values["opened_on"], "立案日期")
        return {
            key: CaseRef(
                row.values["opened_on"],
                row.values["closed_on"] if row.good("closed_on") else None,
                row.values["opened_on"],
                row=row,
                key=key,
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
                    key=value,
                )
            elif value in earlier:
                self._ambiguous(row, key, value, earlier[value])
            else:
                cases_listed = self.listed("cases")
                where = (
                    f"{cases_listed}、之前导入的台账和平台案件中"
                    if by_number
                    else f"{cases_listed}和之前导入的台账中"
                )
                self.error(
                    row,
                    key,
                    f"“{value}”在{where}都找不到；请在{cases_listed}登记该案件，或改正本行的案件编号",
                )

    def _offences(self, code: str) -> list[Offence]:
        if code not in self.offences:
            self.offences[code] = list(Offence.objects.filter(code=code).order_by("effective_from"))
        return self.offences[code]

    def _offence(self, row: Row, on: dt.date | None, case: CaseRef) -> Offence | None:
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
            self.error(
                row,
                "offence",
                f"“{code}”在{on:%Y-%m-%d}（{case.named()}的违法行为发生日期，即立案日期）不在有效期内",
            )
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
            self._not_before(row, "decided_on", ref.opened_on, f"{ref.named()}的立案日期")
            if ref.closed_on and row.good("decided_on") and row.values["decided_on"] > ref.closed_on:
                self.error(
                    row,
                    "decided_on",
                    f"“{row.values['decided_on']:%Y-%m-%d}”晚于{ref.named()}的结案日期{ref.closed_on:%Y-%m-%d}",
                )
            offence = self._offence(row, ref.offence_date, ref)
            if offence is not None:
                row.refs["offence"] = offence
        for row in rows:
            measures = ("warning", "fine", "confiscate_income", "confiscate_goods", "ban")
            if not (row.bad & set(measures)) and not any(row.values.get(m) for m in measures):
                self.error(row, "warning", "至少应有一种处罚（警告、罚款、没收违法所得、没收药品器械或取缔）")

    def check_dated_children(self, sheet_key: str, date_key: str, cases: dict[str, CaseRef]) -> None:
        rows = self.rows[sheet_key]
        self._resolve_cases(rows, "case_key", cases)
        for row in rows:
            ref = row.refs.get("case_key")
            if ref is not None:
                self._not_before(row, date_key, ref.opened_on, f"{ref.named()}的立案日期")

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
                self._not_before(row, "done_on", original.opened_on, f"原案件{original.named()}的立案日期")
            new: CaseRef | None = row.refs.get("new_case_key")
            if new is None:
                continue
            if original is not None and _same_case(original, new):
                self.error(row, "new_case_key", "再次违法案件不能是原案件本身")
            elif new.earlier_case_id is not None and not (
                original and original.obj and original.obj.pk == new.earlier_case_id
            ):
                self.error(row, "new_case_key", f"{new.named()}已关联其他前案")
            elif row.good("done_on") and new.opened_on and new.opened_on < row.values["done_on"]:
                self.error(
                    row,
                    "new_case_key",
                    f"{new.named()}的立案日期{new.opened_on:%Y-%m-%d}早于回头看检查日期"
                    f"{row.values['done_on']:%Y-%m-%d}",
                )

    def check_lookback_visits(self) -> None:
        """A 回头看 visit that found the site practising is counted by S003-A2 only through its
        「回头看」 row (the Recheck): without one it would count 0 silently, so the file is refused
        naming the visit and the row to add. Creating the row from the visit would have to guess the
        original case; the one-sheet template, whose row holds both, does it (flat.py)."""
        found = {
            (ref.subject_identity(), row.values["done_on"])
            for row in self.rows["lookbacks"]
            if row.good("done_on") and (ref := row.refs.get("case_key")) is not None
        }
        visits = [
            row
            for row in self.rows["inspections"]
            # A row of the one-sheet template is its own 回头看 (flat.py reports when it cannot be).
            if row.origin is None
            and "subject" in row.refs
            and row.good("day", "kind", "outcome")
            and row.values["kind"] == InspectionKind.LOOKBACK
            and row.values["outcome"] in PRACTISING
            and (row.refs["subject"].identity, row.values["day"]) not in found
        ]
        earlier = {ref.obj.pk for row in visits if (ref := row.refs["subject"]).obj is not None}
        recorded = set(
            Recheck.objects.filter(kind=RecheckKind.LOOKBACK, subject_id__in=earlier).values_list(
                "subject_id", "done_on"
            )
        )
        outcomes = dict(InspectionOutcome.choices)
        for row in visits:
            ref, day = row.refs["subject"], row.values["day"]
            if ref.obj is not None and (ref.obj.pk, day) in recorded:
                continue
            self.error(
                row,
                "kind",
                f"对象编号“{ref.key}”{day:%Y-%m-%d}的“回头看”检查处理结果为“{outcomes[row.values['outcome']]}”"
                f"（发现再次非法行医），但「回头看」表中没有该对象这一天的行，S003-A2 不会计入；请在「回头看」表"
                f"添加一行：原案件编号、检查日期{day:%Y-%m-%d}、结果“再次非法行医”，已立案的填写再次违法案件编号",
            )

    def check_outreach(self) -> None:
        for row in self.rows["outreach"]:
            if row.values.get("kind") == MEDIA and not row.values.get("outlet") and "outlet" not in row.bad:
                self.error(row, "outlet", "类型为媒体时不能为空")


def _same_case(a: CaseRef, b: CaseRef) -> bool:
    return (a.row is not None and a.row is b.row) or (
        a.obj is not None and b.obj is not None and a.obj.pk == b.obj.pk
    )
