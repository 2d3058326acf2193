"""A form as a PDF with the paper layout: landscape A4, the title, the header lines, each table with
its merged group headers and grid lines, a long list continuing over pages under its header.

Chinese is set in STSong-Light, one of the CID fonts every PDF reader carries, so the file embeds
no font and the server needs no font file.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from ..forms.base import TEXT, FormResult, Table
from .xlsx import body_rows, cell_text, column_widths, has_wan, header_lines, placed_header, table_width

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE = landscape(A4)
MARGIN = 12 * mm


def _style(name, size, align=TA_LEFT, leading=None):
    return ParagraphStyle(
        name,
        fontName=FONT,
        fontSize=size,
        leading=leading or size * 1.35,
        alignment=align,
        wordWrap="CJK",  # Chinese breaks between any two characters
    )


TITLE = _style("title", 16, TA_CENTER, 24)
LINE = _style("line", 10.5)
UNIT = _style("unit", 10.5, TA_RIGHT)
CAPTION = _style("caption", 12)
HEAD = _style("head", 9, TA_CENTER)
CELL = _style("cell", 9, TA_CENTER)
TEXT_CELL = _style("text_cell", 9, TA_LEFT)
TOTAL_CELL = _style("total_cell", 9, TA_CENTER)


def _p(text, style):
    return Paragraph(escape(str(text)), style)


def _line(text):
    """A header line of fields ("县（区）：…　　单位（盖章）：…"). Paragraph folds runs of spaces and the
    CID font has no glyph for a no-break space, so the fields go side by side in a borderless row."""
    fields = [f for f in str(text).split("\u3000\u3000") if f]
    if len(fields) < 2:
        return _p(text, LINE)
    row = PdfTable([[_p(f, LINE) for f in fields]], hAlign="LEFT")
    row.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 18)]))
    return row


def _table(table: Table, page_width: float) -> PdfTable:
    placed, header_count = placed_header(table)
    width = table_width(table)
    data = [["" for _ in range(width)] for _ in range(header_count)]
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, header_count - 1), colors.Color(0.93, 0.93, 0.93)),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for line, col, text, colspan, rowspan in placed:
        data[line][col] = _p(text, HEAD)
        if colspan > 1 or rowspan > 1:
            commands.append(("SPAN", (col, line), (col + colspan - 1, line + rowspan - 1)))
    rows = body_rows(table)
    for label, values, total in rows:
        line = [] if label is None else [_p(label, CELL)]
        for value, column in values:
            text = cell_text(value, column)
            # Long words (addresses, 案由) read better from the left; figures and short words centred.
            line.append(_p(text, TEXT_CELL if column.kind == TEXT and len(text) > 8 else CELL))
        data.append(line)
        if total:
            commands.append(
                ("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), colors.Color(0.97, 0.97, 0.97))
            )
    if not rows:
        data.append([_p("无", CELL)] + [""] * (width - 1))
        if width > 1:
            commands.append(("SPAN", (0, len(data) - 1), (-1, len(data) - 1)))
    # Column widths in proportion to what they hold, stretched to the page like the printed form.
    chars = column_widths([table])
    widths = [w * page_width / sum(chars) for w in chars]
    made = PdfTable(data, colWidths=widths, repeatRows=header_count, hAlign="CENTER")
    made.setStyle(TableStyle(commands))
    return made


def _page_number(canvas, doc):
    canvas.saveState()
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(PAGE[0] / 2, 7 * mm, f"第 {doc.page} 页")
    canvas.restoreState()


def render(result: FormResult) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{result.code} {result.title}",
        subject=result.scope.region.full_name,
        creator="清源",
    )
    story = [_p(result.title, TITLE), Spacer(1, 4)]
    story += [_line(text) for text in header_lines(result)]
    if has_wan(result):
        story.append(_p("金额单位：万元", UNIT))
    story.append(Spacer(1, 4))
    titled = len(result.tables) > 1
    for n, table in enumerate(result.tables):
        if n:
            story.append(Spacer(1, 10))
        if titled or table.title != result.title:
            story += [_p(table.title, CAPTION), Spacer(1, 3)]
        story.append(_table(table, doc.width))
    if result.notes:
        story.append(Spacer(1, 6))
        story += [_p(note, LINE) for note in result.notes]
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()
