"""Lists as XLSX: streamed row by row (openpyxl's write-only mode keeps memory flat whatever the
row count), typed cells (numbers as numbers, dates as dates), and no formula from the data.

A value typed by a user or a reporter ("=HYPERLINK(...)", "+1", "@SUM(...)") would otherwise be
written, or read by a spreadsheet, as a formula that runs when an officer opens the file (CSV/
formula injection, OWASP); such text gets a leading apostrophe and stays text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def safe_text(text: str) -> str:
    """Text as a cell shows it: control characters a workbook cannot hold removed, and a leading
    apostrophe before anything a spreadsheet would take for a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_value(value):
    """A value with its spreadsheet type: numbers and dates keep theirs; 是/否 for booleans; the
    rest (choices, records, names) as guarded text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, dt.datetime):
        # Spreadsheets have no time zones: the time as read in China.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return safe_text(str(value))


def _cell(sheet, value):
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def sheet_title(title: str) -> str:
    return _SHEET_TITLE_BAD.sub("", title)[:31] or "Sheet1"


def write_xlsx(target, *, title: str, columns, rows, on_row=None) -> int:
    """Write `rows` (objects; each column's value(obj) gives a cell) to `target`, a path or a
    binary file, under a bold header; returns the number of rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(title))
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(column.label) * 2 + 4))
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_text(column.label))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    sheet.append(header)
    count = 0
    for obj in rows:
        sheet.append([_cell(sheet, cell_value(column.value(obj))) for column in columns])
        count += 1
        if on_row is not None:
            on_row(count)
    book.save(target)
    return count
