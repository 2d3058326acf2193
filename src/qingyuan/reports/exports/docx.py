"""Word drafts of the two reports written in prose (S003-WS 工作总结, S004-Q 季度工作进展报告).

The platform writes what it knows: the campaign's aims and phases, the figures as sentences and as
tables, the typical cases published in the period. What only the officer can write (problems found,
next steps, anything the campaign record lacks) is a highlighted prompt in 【】 to replace. The file
is an ordinary .docx built with python-docx, so officers edit it in Word or WPS before sending it.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ..forms.base import TEXT, FormResult, Scope, Table
from ..forms.summary import CAMPAIGN_TITLE, typical_cases, year_to_date
from .xlsx import (
    body_rows,
    cell_text,
    cn_date,
    column_widths,
    has_wan,
    money_text,
    placed_header,
    table_width,
)

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
TABLE_FONT = "宋体"
NUMERALS = "一二三四五六七八九十"


def render(result: FormResult) -> bytes:
    if result.code == "S003-WS":
        doc = _work_summary(result)
    elif result.code == "S004-Q":
        doc = _quarterly_report(result)
    else:
        raise ValueError("该报表没有Word格式")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- building blocks ---------------------------------------------------------------------------------


def _fonts(run_or_style, name: str):
    # Word and WPS take the font of Chinese characters from w:eastAsia, not from the ASCII name.
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), name)


class _Writer:
    """Paragraphs in the layout of an official report: title in 宋体, body 仿宋 三号 with a two-character
    indent, 一、 headings in 黑体 and （一） headings in 楷体."""

    def __init__(self):
        self.doc = Document()
        normal = self.doc.styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = Pt(16)
        _fonts(normal, BODY_FONT)
        section = self.doc.sections[0]
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        self.headings = 0

    def paragraph(self, text: str = "", *, font=None, size=None, bold=False, align=None, indent=True):
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
        fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(32)
        if align is not None:
            p.alignment = align
        if text:
            self.run(p, text, font=font, size=size, bold=bold)
        return p

    @staticmethod
    def run(p, text, *, font=None, size=None, bold=False, prompt=False):
        run = p.add_run(text)
        if font:
            _fonts(run, font)
        if size:
            run.font.size = Pt(size)
        run.bold = bold
        if prompt:
            # What the officer must write in: visible at a glance, removed with the text.
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return run

    def title(self, text: str, sub: str = ""):
        p = self.paragraph(align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        p.paragraph_format.line_spacing = Pt(36)
        self.run(p, text, font=TITLE_FONT, size=22, bold=True)
        if sub:
            self.paragraph(sub, font=SUBHEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        self.paragraph(indent=False)

    def heading(self, text: str):
        self.paragraph(f"{NUMERALS[self.headings]}、{text}", font=HEADING_FONT)
        self.headings += 1

    def subheading(self, number: int, text: str):
        self.paragraph(f"（{NUMERALS[number]}）{text}", font=SUBHEADING_FONT)

    def prompt(self, text: str):
        p = self.paragraph()
        self.run(p, f"【{text}】", prompt=True)

    def signature(self, scope: Scope):
        self.paragraph(indent=False)
        for text in (f"{scope.region.full_name}（盖章）", cn_date(timezone.localdate())):
            p = self.paragraph(text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            p.paragraph_format.right_indent = Pt(32)

    def appendix_section(self):
        """A landscape section for the tables: the forms are printed across the page, as on paper."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        if section.page_width < section.page_height:
            section.page_width, section.page_height = section.page_height, section.page_width
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin = section.right_margin = Cm(2)
        return section

    def table(self, caption: str, table: Table, result: FormResult, usable_width, *, header_lines=True):
        """A form's table under its caption and, for a form of its own, the header lines of the form."""
        lines = []
        if header_lines:
            fields = [f"{k}：{v or '________'}" for k, v in result.header.items()]
            if fields:
                lines.append(("　　".join(fields), None))
            if has_wan(result):
                lines.append(("金额单位：万元", WD_ALIGN_PARAGRAPH.RIGHT))
        p = self.paragraph(caption, font=HEADING_FONT, size=14, indent=False)
        p.paragraph_format.line_spacing = Pt(24)
        p.paragraph_format.keep_with_next = True
        for text, align in lines:
            p = self.paragraph(text, size=10.5, align=align, indent=False)
            p.paragraph_format.line_spacing = Pt(18)
            p.paragraph_format.keep_with_next = True
        _word_table(self.doc, table, usable_width)
        self.paragraph(indent=False)


def _cell(cell, text: str, *, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER):
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.first_line_indent = None
    p.paragraph_format.line_spacing = 1.0
    run = p.add_run(text)
    _fonts(run, TABLE_FONT)
    run.font.size = Pt(9)
    run.bold = bold


def _repeat_header(row):
    # A long list goes on over pages under its header, as Word's 标题行重复.
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _word_table(doc, table: Table, usable_width):
    placed, header_count = placed_header(table)
    rows = body_rows(table)
    width = table_width(table)
    made = doc.add_table(rows=header_count + max(len(rows), 1), cols=width)
    made.style = "Table Grid"
    made.alignment = WD_TABLE_ALIGNMENT.CENTER
    made.autofit = False
    chars = column_widths([table])
    widths = [int(usable_width * w / sum(chars)) for w in chars]
    # Word reads the cells' widths, LibreOffice and WPS the grid's: both are set.
    for i, column in enumerate(made.columns):
        column.width = widths[i]
    for row in made.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
    for line, col, text, colspan, rowspan in placed:
        cell = made.cell(line, col)
        if colspan > 1 or rowspan > 1:
            cell = cell.merge(made.cell(line + rowspan - 1, col + colspan - 1))
        _cell(cell, text, bold=True)
    for i in range(header_count):
        _repeat_header(made.rows[i])
    if not rows:
        cell = made.cell(header_count, 0)
        if width > 1:
            cell = cell.merge(made.cell(header_count, width - 1))
        _cell(cell, "无")
    for r, (label, values, total) in enumerate(rows, start=header_count):
        made.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        made.rows[r].height = Cm(0.6)
        cells = made.rows[r].cells
        offset = 0
        if label is not None:
            _cell(cells[0], label, bold=total)
            offset = 1
        for i, (value, column) in enumerate(values):
            text = cell_text(value, column)
            left = column.kind == TEXT and len(text) > 8
            align = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            _cell(cells[offset + i], text, bold=total, align=align)
    if table.is_grid:
        # A grid is short: kept on one page rather than split before its 合计.
        for row in made.rows[:-1]:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
    return made


# --- the words ---------------------------------------------------------------------------------------


def _period(scope: Scope) -> str:
    return f"{cn_date(scope.start)}至{cn_date(scope.end)}"


def a1_sentence(table: Table) -> str:
    """S003-A1's totals in words, in the order of the form."""
    t = table.cells[table.total_row]

    def wan(key):
        return money_text(t[key], table.column(key))

    entry = t["system_entry"]
    return (
        f"共监督检查{t['inspections']}户次，行政处罚{t['penalised_units']}个单位，"
        f"罚款{wan('fine_amount')}万元（{t['fine_count']}户次），"
        f"没收违法所得{wan('confiscation_amount')}万元（{t['confiscation_count']}户次），"
        f"取缔{t['ban_count']}户次，移送公安{t['referred_cases']}件，法院判决{t['judged_cases']}件，"
        f"因无证行医追究刑事责任{t['liable_persons']}人。"
        f"本期立案{entry.whole}件，已录入国家卫生监督信息系统{entry.part}件。"
    )


def a1_by_type(table: Table) -> str:
    """Where the work fell, by institution type (types with nothing to report are left out)."""
    parts = []
    for row in table.rows:
        if row.key == table.total_row:
            continue
        c = table.cells[row.key]
        if not (c["inspections"] or c["penalised_units"]):
            continue
        parts.append(f"{row.label}类监督检查{c['inspections']}户次、行政处罚{c['penalised_units']}个单位")
    return f"按机构类型分，{'；'.join(parts)}。" if parts else ""


def a2_sentence(table: Table) -> str:
    c = table.cells[table.rows[0].key]

    def wan(key):
        return money_text(c[key], table.column(key))

    return (
        f"对以往查处的无证行医场所开展“回头看”，发现再次开展无证行医{c['reoffended_sites']}户，"
        f"行政处罚{c['decisions']}户（人）次，其中警告{c['warnings']}次，罚款{wan('fine_amount')}万元，"
        f"没收违法所得{wan('confiscation_amount')}万元，移送司法机关{c['referred_persons']}人。"
    )


def _campaign(w: _Writer, scope: Scope, *, phases_in_period: bool):
    campaign = scope.campaign
    region = scope.region.full_name
    if campaign is None:
        w.paragraph(
            f"为进一步整顿医疗服务市场秩序，严厉打击无证行医及非法医疗美容行为，切实保障人民群众身体健康和"
            f"生命安全，{region}按照上级部署，于{_period(scope)}开展{CAMPAIGN_TITLE}。"
        )
        w.prompt("请补充本地专项行动的工作目标、整治重点、组织领导和阶段安排")
        return
    basis = f"《{campaign.name}》" + (f"（{campaign.doc_number}）" if campaign.doc_number else "")
    w.paragraph(f"根据{basis}的部署，{region}于{_period(scope)}扎实开展{campaign.name}。")
    w.subheading(0, "工作目标和整治重点")
    focus = campaign.focus_labels()
    if focus:
        w.paragraph(f"本次专项行动的整治重点：{'、'.join(focus)}。")
    if campaign.notes:
        w.paragraph(campaign.notes)
    if not focus and not campaign.notes:
        w.prompt("请补充本次专项行动的工作目标和整治重点")
    w.subheading(1, "工作步骤")
    phases = campaign.phases.order_by("starts_on", "pk")
    if phases_in_period:
        phases = phases.filter(starts_on__lte=scope.end, ends_on__gte=scope.start)
    found = False
    for n, phase in enumerate(phases, start=1):
        found = True
        note = f"：{phase.note}" if phase.note else ""
        w.paragraph(
            f"{n}．{phase.get_kind_display()}阶段（{cn_date(phase.starts_on)}至{cn_date(phase.ends_on)}）{note}"
        )
    if not found:
        w.prompt("请补充专项行动各阶段的时间安排和工作情况")


def _cases(w: _Writer, scope: Scope):
    cases = list(typical_cases(scope))
    if not cases:
        w.prompt("本期暂无已公布的典型案例，请补充本地查处的典型案例（案情、查处经过、处理结果）")
        return
    for n, case in enumerate(cases):
        if n < len(NUMERALS):
            w.subheading(n, case.title)
        else:
            w.paragraph(case.title, font=SUBHEADING_FONT)
        for text in case.body.splitlines():
            if text.strip():
                w.paragraph(text.strip())


def _closing(w: _Writer, scope: Scope):
    w.heading("存在的问题")
    w.prompt(
        "请结合本地实际填写，如：无证行医反复回潮、取证难、部门协作和行刑衔接、执法力量和装备不足、"
        "群众辨识能力不强等"
    )
    w.heading("下一步工作")
    w.prompt("请填写下一步工作打算，如：保持高压态势、完善长效机制、加强部门联动、加大宣传和典型案例曝光等")
    w.signature(scope)


def _appendix(w: _Writer, result: FormResult, tables: list[tuple[str, Table, bool]]):
    section = w.appendix_section()
    usable = section.page_width - section.left_margin - section.right_margin
    for caption, table, header_lines in tables:
        w.table(caption, table, result, usable, header_lines=header_lines)


def _work_summary(result: FormResult):
    scope = result.scope
    a1 = next(t for t in result.tables if t.key == "a1_main")
    a2 = next((t for t in result.tables if t.key == "a2_main"), None)
    a2_details = next((t for t in result.tables if t.key == "a2_details"), None)
    w = _Writer()
    w.title(f"{scope.region.name}{CAMPAIGN_TITLE}工作总结", f"（{_period(scope)}）")
    w.heading("工作目标和部署")
    _campaign(w, scope, phases_in_period=False)
    w.heading("工作开展情况")
    w.subheading(0, "监督检查和案件查处")
    w.paragraph(f"专项行动期间，{a1_sentence(a1)}（详见附件1）")
    if by_type := a1_by_type(a1):
        w.paragraph(by_type)
    if a2 is not None:
        w.subheading(1, "无证场所“回头看”")
        details = "具体名单见附件2。" if a2_details is not None and a2_details.items else ""
        w.paragraph(a2_sentence(a2) + details)
    w.heading("典型案例")
    _cases(w, scope)
    _closing(w, scope)
    appendix = [("附件1  " + a1.title, a1, True)]
    if a2 is not None:
        appendix.append(("附件2  " + a2.title, a2, True))
        if a2_details is not None:
            appendix.append((a2_details.title, a2_details, False))
    _appendix(w, result, appendix)
    return w.doc


def quarter_name(scope: Scope) -> str:
    """ "2024年第二季度" when the period is a calendar quarter, else the period itself."""
    start = scope.start
    quarter = (start.month - 1) // 3
    first = dt.date(start.year, quarter * 3 + 1, 1)
    after = dt.date(start.year + 1, 1, 1) if quarter == 3 else dt.date(start.year, quarter * 3 + 4, 1)
    if (scope.start, scope.end) == (first, after - dt.timedelta(days=1)):
        return f"{start.year}年第{NUMERALS[quarter]}季度"
    return _period(scope)


def _quarterly_report(result: FormResult):
    scope = result.scope
    quarter = result.table("quarter")
    ytd = result.table("ytd")
    name = quarter_name(scope)
    w = _Writer()
    w.title(f"{scope.region.name}{CAMPAIGN_TITLE}{name}工作进展报告", f"（{_period(scope)}）")
    w.heading("工作部署")
    _campaign(w, scope, phases_in_period=True)
    w.heading("本季度工作进展")
    w.paragraph(f"本季度，{a1_sentence(quarter)}（详见附表1）")
    if by_type := a1_by_type(quarter):
        w.paragraph(by_type)
    w.heading("本年累计情况")
    ytd_scope = year_to_date(scope)
    w.paragraph(f"{cn_date(ytd_scope.start)}至{cn_date(ytd_scope.end)}，{a1_sentence(ytd)}（详见附表2）")
    w.heading("典型案例")
    _cases(w, scope)
    _closing(w, scope)
    _appendix(
        w,
        result,
        [(f"附表1  {quarter.title}汇总表", quarter, True), (f"附表2  {ytd.title}汇总表", ytd, True)],
    )
    return w.doc
