"""Writes the shipped default templates (<kind>.docx) next to this file.

Run after changing the layout: .venv/bin/python src/qingyuan/cases/doc_templates/build_defaults.py
The placeholders are Jinja, rendered by docxtpl (documents.py lists them). Each paragraph holds a
placeholder in one run, because Word splits runs where formatting changes and docxtpl needs a
placeholder whole inside one run."""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
FONT = "宋体"
TITLE_FONT = "黑体"


def _east_asian(run_or_style, name):
    # Word and WPS pick the font for Chinese characters from w:eastAsia, not from the ASCII name.
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _document():
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    _east_asian(normal, FONT)
    return doc


def _title(doc, text, sub="{{ case.unit }}"):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(sub)
    run.font.size = Pt(14)
    _east_asian(run, FONT)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(20)
    _east_asian(run, TITLE_FONT)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run("{{ case.number }}")


def _para(doc, text, *, indent=True):
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(24)
    p.add_run(text)
    return p


def _measures_table(doc):
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["处罚种类", "金额（元）", "说明"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for m in measures %}"
    for cell, text in zip(
        table.rows[2].cells, ["{{ m.kind }}", "{{ m.amount }}", "{{ m.description }}"], strict=True
    ):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"


def _signature(doc):
    for text in ["", "{{ case.unit }}", "{{ today }}"]:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run(text)


def opening_approval():
    doc = _document()
    _title(doc, "立案审批表")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    rows = [
        ("案由", "{{ case.title }}"),
        ("案件来源", "{{ case.source }}"),
        ("当事人", "{{ party_name }}（{{ party_kind }}）"),
        ("身份证号/统一社会信用代码", "{{ party_id_number }}"),
        ("住址", "{{ party_address }}"),
        ("监管对象", "{{ subject }}"),
        ("违法行为发生日期", "{{ case.offence_date }}"),
        (
            "涉嫌违法行为",
            "{% for o in offences %}{{ o.name }}（{{ o.basis }}）{% if not loop.last %}；{% endif %}{% endfor %}",
        ),
        ("违法事实", "{{ facts }}"),
        ("违法所得（元）", "{{ case.illegal_income }}"),
        ("承办人", "{{ case.officers }}"),
        ("提请人及日期", "{{ case.proposed_by }}  {{ case.proposed_on }}"),
        ("审批意见", "同意立案。  {{ case.opened_by }}  {{ case.opened_on }}"),
    ]
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    doc.save(HERE / "opening_approval.docx")


def prior_notice():
    doc = _document()
    _title(doc, "行政处罚事先告知书")
    _para(doc, "{{ party_name }}：", indent=False)
    _para(doc, "经调查，你（单位）{{ facts }}")
    _para(doc, "你（单位）的上述行为违反了{{ basis }}的规定（{{ offence_name }}）。")
    _para(doc, "依据上述规定，本机关拟对你（单位）作出如下行政处罚：")
    _measures_table(doc)
    _para(
        doc,
        "根据《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十三条、第六十四条的规定，你（单位）有权进行"
        "陈述和申辩，并有权要求听证。如要求听证，请于{{ case.hearing_due }}前（告知书送达之日起五个工作日内）"
        "向本机关提出；逾期视为放弃上述权利。",
    )
    _para(doc, "承办人：{{ case.officers }}")
    _signature(doc)
    doc.save(HERE / "prior_notice.docx")


def decision():
    doc = _document()
    _title(doc, "行政处罚决定书")
    _para(doc, "当事人：{{ party_name }}（{{ party_kind }}）", indent=False)
    _para(doc, "身份证号/统一社会信用代码：{{ party_id_number }}", indent=False)
    _para(doc, "住址：{{ party_address }}", indent=False)
    _para(doc, "本机关于{{ case.opened_on }}对你（单位）{{ case.title }}立案调查。经查：{{ facts }}")
    _para(doc, "你（单位）的上述行为违反了{{ basis }}的规定，构成{{ offence_name }}。")
    _para(doc, "自由裁量理由：{{ discretion_reason }}")
    _para(doc, "依据上述规定，本机关决定对你（单位）给予如下行政处罚（{{ procedure }}）：")
    _measures_table(doc)
    _para(
        doc,
        "罚款{{ fine }}元，请于收到本决定书之日起{{ payment_days }}日内缴至指定银行。到期不缴纳罚款的，"
        "每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额。",
    )
    _para(
        doc,
        "如不服本处罚决定，可在收到本决定书之日起六十日内申请行政复议，或者在六个月内依法向人民法院提起"
        "行政诉讼。复议、诉讼期间，本决定不停止执行。",
    )
    _signature(doc)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run("决定日期：{{ decided_on }}")
    doc.save(HERE / "decision.docx")


if __name__ == "__main__":
    opening_approval()
    prior_notice()
    decision()
