"""A form as an XLSX sheet laid out like the paper form: the title across the table, the header lines
(单位, 上报日期 or 县（区）, 单位（盖章）, and the period), the table header with its merged group
headers, the row labels in the first column, money in 万元 with two decimals, borders, 宋体, and a
landscape page fitted to the paper's width.

The helpers that decide what a cell says (units, ratios, dates, where a merged header sits) are used
by the PDF and Word exports too, so the three files print the same figures.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ...core.xlsx import safe_text
from ..forms import FORM_CLASSES, get_form
from ..forms.base import COUNT, DATE, MONEY, RATIO, Column, FormResult, Scope, Table

FONT = "宋体"
WAN = Decimal(10000)
CENT = Decimal("0.01")
BLANK = "________"


# --- what a cell says (shared with pdf.py and docx.py) ---------------------------------------------


def in_yuan(column: Column) -> bool:
    """A money column printed in 元 (its label says so, e.g. S001-A4 罚没金额（元）); the others in 万元."""
    return column.kind == MONEY and (column.unit == "元" or "（元）" in column.label)


def has_wan(result: FormResult) -> bool:
    """Whether any money column of the form is printed in 万元 (then the form says so above the table)."""
    return any(c.kind == MONEY and not in_yuan(c) for t in result.tables for c in t.columns)


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(scope: Scope) -> str:
    return f"{cn_date(scope.start)}至{cn_date(scope.end)}"


def header_lines(result: FormResult) -> list[str]:
    """The lines printed between the title and the table: the form's own header fields on one line
    (blank ones as a line to fill in by hand), then the period and, where the form was asked for
    one campaign, its name."""
    lines = []
    if result.header:
        lines.append("　　".join(f"{k}：{v or BLANK}" for k, v in result.header.items()))
    scope = result.scope
    # A snapshot form names its own date (统计截至), and a form of one joint operation (S001-A1's
    # roster) does not depend on dates at all: printing a period there would mislead.
    period = []
    one_operation = result.code in FORM_CLASSES and get_form(result.code).mode == "operation"
    if not any(k.startswith("统计") for k in result.header) and not one_operation:
        period.append(f"统计期：{period_text(scope)}")
    if scope.campaign is not None and "专项行动" not in result.header:
        period.append(f"专项行动：{scope.campaign.name}")
    if period:
        lines.append("　　".join(period))
    return lines


def money_text(value, column: Column) -> str:
    """Money in the column's unit, rounded half up (四舍五入) to 2 decimals: 250 元 is 0.03 万元, as a
    spreadsheet shows the XLSX cell, not 0.02 as Decimal's own half-even formatting would print it."""
    amount = Decimal(value) if in_yuan(column) else Decimal(value) / WAN
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP)}"


def cell_text(value, column: Column) -> str:
    """A figure as printed on paper (PDF and Word): money in the column's unit with 2 decimals, a ratio
    as 已录入 N / 共 M, a date as YYYY-MM-DD, yes/no as 是/否, nothing as blank."""
    if value is None:
        return ""
    if column.kind == MONEY:
        return money_text(value, column)
    if isinstance(value, bool):
        return "是" if value else "否"
    if column.kind == DATE and isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def is_number_column(table: Table, index: int) -> bool:
    return table.columns[index].kind in (COUNT, MONEY)


def table_width(table: Table) -> int:
    return len(table.columns) + (1 if table.is_grid else 0)


def placed_header(table: Table) -> tuple[list[tuple[int, int, str, int, int]], int]:
    """The header cells at their place in the grid: (line, column, text, colspan, rowspan), and the
    number of header lines. A cell spanning two lines takes its column on the line below too, so the
    labels of that line start after it."""
    lines = table.header_rows()
    taken: set[tuple[int, int]] = set()
    placed = []
    for line_no, line in enumerate(lines):
        col = 0
        for text, colspan, rowspan in line:
            while (line_no, col) in taken:
                col += 1
            placed.append((line_no, col, text, colspan, rowspan))
            taken.update((line_no + r, col + c) for r in range(rowspan) for c in range(colspan))
            col += colspan
    return placed, len(lines)


def body_rows(table: Table) -> list[tuple[str | None, list[tuple[object, Column]], bool]]:
    """The body as (row label or None, [(value, column)], is the total row): a grid's rows in order, a
    list's items with 序号 filled in where the form leaves it to the printout."""
    if table.is_grid:
        return [
            (row.label, [(table.cells[row.key][c.key], c) for c in table.columns], row.key == table.total_row)
            for row in table.rows
        ]
    rows = []
    for number, item in enumerate(table.items, start=1):
        values = []
        for c in table.columns:
            value = item.get(c.key)
            if value is None and c.label == "序号":
                value = number
            values.append((value, c))
        rows.append((None, values, False))
    return rows


def text_width(text: str) -> int:
    """Printed width in Latin character widths: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


HEADER_WRAP = 10  # a long header label wraps (监督/户次数) rather than widening its column
BODY_MAX = 40


def column_widths(tables: list[Table]) -> list[int]:
    """Widths in characters for the sheet's columns: wide enough for the figures and the longest word
    of a header, the widest table deciding where several share the sheet."""
    width = max(table_width(t) for t in tables)
    widths = [6] * width
    for table in tables:
        placed, _lines = placed_header(table)
        for _line, col, text, colspan, _rowspan in placed:
            if colspan == 1:
                widths[col] = max(widths[col], min(text_width(text), HEADER_WRAP) + 2)
        for label, values, _total in body_rows(table):
            offset = 0
            if label is not None:
                widths[0] = max(widths[0], min(text_width(label), BODY_MAX) + 3)
                offset = 1
            for i, (value, column) in enumerate(values):
                widths[offset + i] = max(
                    widths[offset + i], min(text_width(cell_text(value, column)), BODY_MAX) + 3
                )
    return widths


def lines_needed(text: str, width: int) -> int:
    if not text:
        return 1
    return max(1, math.ceil(text_width(text) / max(width - 1, 1)))


# --- the sheet ---------------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
LINE_HEIGHT = 14.25  # points per line of 10.5-point 宋体


def xlsx_value(value, column: Column):
    """(value, number format) for a cell: numbers stay numbers so the sheet can be summed."""
    if value is None:
        return None, None
    if column.kind == MONEY:
        amount = Decimal(value) if in_yuan(column) else Decimal(value) / WAN
        return float(amount), "0.00"
    if column.kind == COUNT and isinstance(value, int) and not isinstance(value, bool):
        return value, "0"
    if column.kind == DATE and isinstance(value, dt.date):
        return value, "yyyy-mm-dd"
    if column.kind == RATIO:
        return safe_text(str(value)), None
    # Text from the records (a site's name, an address typed by a reporter) must not run as a formula
    # when an officer opens the file.
    return safe_text(cell_text(value, column)), None


class _Sheet:
    def __init__(self, ws, width: int, widths: list[int]):
        self.ws = ws
        self.width = width
        self.widths = widths
        self.row = 1

    def line(self, text: str, *, font: Font, align: Alignment, height: float | None = None):
        """One line of text across the whole width."""
        cell = self.ws.cell(self.row, 1, safe_text(text))
        cell.font = font
        cell.alignment = align
        if self.width > 1:
            self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=self.width)
        if height:
            self.ws.row_dimensions[self.row].height = height
        self.row += 1

    def span_width(self, col: int, colspan: int) -> int:
        return sum(self.widths[col : col + colspan])

    def table(self, table: Table) -> tuple[int, int]:
        """Writes the table; returns the sheet rows of its header (first, last)."""
        ws = self.ws
        placed, header_count = placed_header(table)
        top = self.row
        width = table_width(table)
        # Heights: each header line tall enough for its wrapped labels; a label across two lines may
        # use both.
        heights = [1] * header_count
        for line, col, text, colspan, rowspan in placed:
            need = lines_needed(text, self.span_width(col, colspan))
            if rowspan == 1:
                heights[line] = max(heights[line], need)
        for line, col, text, colspan, rowspan in placed:
            if rowspan > 1:
                need = lines_needed(text, self.span_width(col, colspan))
                have = sum(heights[line : line + rowspan])
                if need > have:
                    heights[line + rowspan - 1] += need - have
        for i, h in enumerate(heights):
            ws.row_dimensions[top + i].height = h * LINE_HEIGHT + 6
        for line, col, text, colspan, rowspan in placed:
            cell = ws.cell(top + line, col + 1, safe_text(text))
            cell.font = Font(name=FONT, size=10.5, bold=True)
            cell.alignment = CENTER
            if colspan > 1 or rowspan > 1:
                ws.merge_cells(
                    start_row=top + line,
                    start_column=col + 1,
                    end_row=top + line + rowspan - 1,
                    end_column=col + colspan,
                )
        for r in range(top, top + header_count):
            for c in range(1, width + 1):
                ws.cell(r, c).border = BORDER
        self.row = top + header_count

        rows = body_rows(table)
        if not rows:
            cell = ws.cell(self.row, 1, "无")
            cell.font = Font(name=FONT, size=10.5)
            cell.alignment = CENTER
            if width > 1:
                ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=width)
            for c in range(1, width + 1):
                ws.cell(self.row, c).border = BORDER
            self.row += 1
        for label, values, total in rows:
            font = Font(name=FONT, size=10.5, bold=total)
            col = 1
            need = 1
            if label is not None:
                cell = ws.cell(self.row, col, safe_text(str(label)))
                cell.font, cell.alignment, cell.border = font, CENTER, BORDER
                col += 1
            for value, column in values:
                shown, number_format = xlsx_value(value, column)
                cell = ws.cell(self.row, col, shown)
                cell.font, cell.border = font, BORDER
                cell.alignment = CENTER if column.kind != "text" else LEFT
                if number_format:
                    cell.number_format = number_format
                need = max(need, lines_needed(cell_text(value, column), self.widths[col - 1]))
                col += 1
            ws.row_dimensions[self.row].height = max(need * LINE_HEIGHT + 4, 20)
            self.row += 1
        return top, top + header_count - 1


def render(result: FormResult) -> bytes:
    """The form as an .xlsx file: one sheet, its tables one under another as on paper."""
    wb = Workbook()
    ws = wb.active
    ws.title = result.code[:31]
    width = max(table_width(t) for t in result.tables)
    widths = column_widths(result.tables)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    sheet = _Sheet(ws, width, widths)

    sheet.line(result.title, font=Font(name=FONT, size=16, bold=True), align=CENTER, height=30)
    for text in header_lines(result):
        sheet.line(text, font=Font(name=FONT, size=10.5), align=LEFT, height=20)
    if has_wan(result):
        sheet.line("金额单位：万元", font=Font(name=FONT, size=10.5), align=RIGHT)

    header_rows = []
    titled = len(result.tables) > 1
    for n, table in enumerate(result.tables):
        if n:
            sheet.row += 1  # a blank line between tables
        if titled or table.title != result.title:
            sheet.line(table.title, font=Font(name=FONT, size=12, bold=True), align=LEFT, height=20)
        header_rows.append(sheet.table(table))
    for note in result.notes:
        sheet.line(note, font=Font(name=FONT, size=10.5), align=LEFT)

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if len(result.tables) == 1:
        # A long list continues on the next page under the same table header.
        first, last = header_rows[0]
        ws.print_title_rows = f"{first}:{last}"

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
