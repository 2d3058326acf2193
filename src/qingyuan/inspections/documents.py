"""现场检查笔录 as a Word file, laid out like the paper form officers print, sign and file."""

import io

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "宋体"
TITLE_FONT = "黑体"


def _east_asian(style_or_run, font: str) -> None:
    # Word and WPS pick Chinese glyphs from w:eastAsia; without it they fall back to a Latin font.
    style_or_run.font.name = font
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), font)


def _run(paragraph, text: str, *, bold=False, size=None, font=FONT):
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    _east_asian(run, font)
    return run


def _field(doc, label: str, value: str):
    paragraph = doc.add_paragraph()
    _run(paragraph, f"{label}：", bold=True)
    _run(paragraph, value or "—")
    return paragraph


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日 %H时%M分") if value else ""


def inspection_docx(inspection) -> bytes:
    """The 现场检查笔录 of one inspection (officers, checklist, findings, blank signature lines)."""
    subject = inspection.subject
    doc = Document()
    for section in doc.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.left_margin = section.right_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _east_asian(normal, FONT)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "现场检查笔录", bold=True, size=22, font=TITLE_FONT)

    period = _when(inspection.started_at)
    if inspection.ended_at:
        period += f" 至 {_when(inspection.ended_at)}"
    _field(doc, "检查单位", str(inspection.unit))
    _field(doc, "检查时间", period)
    _field(doc, "检查地点", f"{subject.name}（{subject.address}）")
    _field(doc, "被检查对象", f"{subject.name}（{subject.get_kind_display()}）")
    _field(doc, "检查方式", inspection.get_kind_display())
    officers = "；".join(
        f"{o.full_name or o.username}（执法证号：{o.credential_no}）" for o in inspection.officers.all()
    )
    _field(doc, "执法人员", officers)
    _field(doc, "在场人员", inspection.persons_present)
    if inspection.lead_id:
        _field(doc, "核查线索", inspection.lead.number)

    answers = list(inspection.answers.select_related("item").order_by("item__order", "item_id"))
    heading = doc.add_paragraph()
    _run(heading, "检查情况：", bold=True)
    if answers:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, ("序号", "检查内容", "结果", "说明"), strict=True):
            _run(cell.paragraphs[0], label, bold=True)
        for number, answer in enumerate(answers, start=1):
            cells = table.add_row().cells
            values = (str(number), answer.item.text, answer.get_result_display(), answer.note)
            for cell, value in zip(cells, values, strict=True):
                _run(cell.paragraphs[0], value)
        for row in table.rows:
            row.cells[0].width, row.cells[1].width = Cm(1.5), Cm(8.5)
            row.cells[2].width, row.cells[3].width = Cm(2), Cm(4)
    findings = doc.add_paragraph()
    _run(findings, inspection.findings or "（无）")
    _field(doc, "处理结果", inspection.get_outcome_display())

    doc.add_paragraph()
    for label in ("检查人员签名", "被检查人签名"):
        paragraph = doc.add_paragraph()
        _run(paragraph, f"{label}：________________        ")
        _run(paragraph, "日期：______年____月____日")
    note = doc.add_paragraph()
    _run(note, "（本笔录经被检查人核对无误后签名；拒绝签名的，由执法人员注明情况。）", size=10)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
