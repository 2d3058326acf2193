"""Reading an uploaded ledger into rows: an XLSX workbook in the template (every sheet), a workbook
holding the one-sheet template (flat.py: recognised by its sheet name 一表式台账, or by its headers
under another name), or a CSV file holding one sheet that the user names (the one-sheet template too).

Whatever is wrong with the file as a whole (not a workbook, a sheet missing, a header renamed) is
one clear message and stops there: row messages would only repeat it. Rows are numbered as Excel
shows them, the header being line 1.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import PurePath

from django.core.exceptions import ValidationError

from qingyuan.registry.import_files import csv_encoding

from .columns import SHEETS, SHEETS_BY_KEY, Sheet
from .flat import FLAT, FLAT_KEY, MARKERS, split_flat

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000  # per sheet; a county's ledger of past years has hundreds

XLSX, CSV = "xlsx", "csv"
TEMPLATE_HINT = "请下载平台提供的台账导入模板填写，工作表名称和表头不可更改"

Rows = list[tuple[int, dict]]


def format_of(file_name: str) -> str:
    suffix = PurePath(file_name).suffix.lower().lstrip(".")
    if suffix == "xls":
        raise ValidationError(["不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入"])
    if suffix not in (XLSX, CSV):
        raise ValidationError(["文件格式应为 .xlsx（整份台账）或 .csv（单张表）"])
    return suffix


def _header_text(cell) -> str:
    return ("" if cell is None else str(cell)).strip().lstrip("\ufeff").replace(" ", "").replace("\u3000", "")


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _positions(sheet: Sheet, header: list) -> list[int] | str:
    """Where each template column is, or the message naming the columns that are not there."""
    found = [_header_text(c) for c in header]
    missing = [h for h in sheet.headers if h not in found]
    if missing:
        return (
            f"工作表「{sheet.name}」缺少列「{'」「'.join(missing)}」（表头可能被改名或删除）。{TEMPLATE_HINT}；"
            f"该表表头应为：{'，'.join(sheet.headers)}"
        )
    return [found.index(h) for h in sheet.headers]


def _rows(sheet: Sheet, lines) -> tuple[Rows, str]:
    """(rows as {column key: raw cell}, problem with the sheet as a whole or "")."""
    positions = None
    rows: Rows = []
    for line, cells in lines:
        cells = list(cells)
        if positions is None:
            positions = _positions(sheet, cells)
            if isinstance(positions, str):
                return [], positions
            continue
        if _blank(cells):
            continue
        if len(rows) >= MAX_ROWS:
            return [], f"工作表「{sheet.name}」超过{MAX_ROWS}行，请分成几个文件导入"
        cells += [None] * (max(positions) + 1 - len(cells))
        rows.append((line, {c.key: cells[p] for c, p in zip(sheet.columns, positions, strict=True)}))
    if positions is None:
        return [], f"工作表「{sheet.name}」没有表头。{TEMPLATE_HINT}"
    return rows, ""


def _read_xlsx(content: bytes) -> dict[str, Rows]:
    from openpyxl import load_workbook

    if not content.startswith(b"PK\x03\x04"):
        if content.startswith(b"\xd0\xcf\x11\xe0"):
            raise ValidationError(["这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入"])
        raise ValidationError([f"文件不是 Excel（.xlsx）工作簿。{TEMPLATE_HINT}"])
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            is_workbook = "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        is_workbook = False
    if not is_workbook:
        raise ValidationError([f"文件不是 Excel（.xlsx）工作簿。{TEMPLATE_HINT}"])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files; the user needs one message
        raise ValidationError([f"无法读取该 Excel 文件（{type(exc).__name__}），文件可能已损坏"]) from None
    try:
        present = {_header_text(name): name for name in workbook.sheetnames}
        missing = [s.name for s in SHEETS if s.name not in present]
        flat = _flat_sheet(workbook, present, missing)
        if flat is not None:
            rows, problem = _rows(flat, enumerate(workbook[flat.name].iter_rows(values_only=True), start=1))
            if problem:
                raise ValidationError([problem])
            return {FLAT_KEY: (flat, rows)}
        if missing:
            raise ValidationError(
                [
                    f"工作簿缺少工作表「{'」「'.join(missing)}」（工作表可能被改名或删除）。{TEMPLATE_HINT}；"
                    f"应有工作表：{'、'.join(s.name for s in SHEETS)}；"
                    f"或使用一表式台账模板（一张工作表「{FLAT.name}」）"
                ]
            )
        found, problems = {}, []
        for sheet in SHEETS:
            worksheet = workbook[present[sheet.name]]
            rows, problem = _rows(sheet, enumerate(worksheet.iter_rows(values_only=True), start=1))
            if problem:
                problems.append(problem)
            found[sheet.key] = rows
    finally:
        workbook.close()
    if problems:
        raise ValidationError(problems)
    return found


def _flat_sheet(workbook, present: dict[str, str], missing: list[str]) -> Sheet | None:
    """The one-sheet template in this workbook, as a Sheet named as the workbook names it; None for
    the workbook template. A workbook with both kinds is read as the workbook template."""
    if not missing:
        return None
    if FLAT.name in present:
        return replace(FLAT, name=present[FLAT.name])
    for name in workbook.sheetnames:
        header = next(workbook[name].iter_rows(max_row=1, values_only=True), ())
        if set(MARKERS) <= {_header_text(c) for c in header}:
            return replace(FLAT, name=name)
    return None


def _read_csv(content: bytes, sheet: Sheet) -> dict[str, Rows]:
    if b"\x00" in content[:65536] or content.startswith(b"PK\x03\x04"):
        raise ValidationError(["文件不是 CSV 文本文件（Excel 工作簿请保存为 .xlsx 后按整份台账导入）"])
    text = content.decode(csv_encoding(content[:65536]), errors="strict")
    try:
        lines = list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    except csv.Error as exc:
        raise ValidationError([f"CSV 文件格式有误：{exc}"]) from None
    rows, problem = _rows(sheet, lines)
    if problem:
        raise ValidationError([problem])
    return {FLAT_KEY: (sheet, rows)} if sheet.key == FLAT_KEY else {sheet.key: rows}


def read_ledger(content: bytes, file_name: str, kind: str | None = None) -> tuple[dict[str, Rows], list]:
    """({sheet key: [(line, {column key: raw cell}[, Origin])]} for every sheet the file holds,
    [(sheet, line, header, message)] found while splitting a one-sheet ledger into those sheets)."""
    fmt = format_of(file_name)
    if not content.strip():
        raise ValidationError(["文件是空的"])
    if len(content) > MAX_BYTES:
        raise ValidationError(
            [f"文件过大（{len(content) / 1048576:.1f} MB），单个文件不能超过 {MAX_BYTES // 1048576} MB"]
        )
    if fmt == CSV:
        sheet = FLAT if kind == FLAT_KEY else SHEETS_BY_KEY.get(kind or "")
        if sheet is None:
            raise ValidationError(["CSV 文件只含一张表，请选择它是哪一张表（如“监管对象”）"])
        try:
            found = _read_csv(content, sheet)
        except UnicodeDecodeError:
            raise ValidationError(
                ["CSV 文件中有无法识别的字符，请整体保存为 UTF-8 或 GBK/GB18030 编码"]
            ) from None
    else:
        found = _read_xlsx(content)
    if FLAT_KEY in found:
        sheet, rows = found[FLAT_KEY]
        if not rows:
            raise ValidationError(["文件中没有数据行（只有表头）"])
        return split_flat(sheet, rows)
    if not any(found.values()):
        raise ValidationError(["文件中没有数据行（只有表头）"])
    return found, []
