"""The forms as files: the XLSX laid out like the paper form (checked cell by cell on figures worked out
by hand from the records below), and the PDF of the same layout."""

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from qingyuan.reports.exports import render
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import DATE, MONEY, TEXT, Column, FormResult, Scope, Table
from qingyuan.subjects.models import InstitutionType

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


def make_world(regions, personas):
    """Period 2024-01-01 … 2024-06-30, 吴中区:
    口腔 金星牙科: 2 inspections; case 1 (opened 2-01, entered in the national system) decided 2-20 with
    a fine of 30000, confiscation of 1234.56 and a ban; case 2 (opened 4-01, not entered) fined 50000
    on 6-30. 医疗美容 丽人美容: 1 inspection; case 3 (opened 2023) decided on 1-01 with a warning and a
    ban, referred to the police 3-03, judged 6-01 with two persons liable."""
    by = personas["alice"]
    v = regions["village"]
    dental = f.subject(v, "金星牙科", institution_type=InstitutionType.DENTAL)
    beauty = f.subject(v, "丽人美容", institution_type=InstitutionType.AESTHETIC)
    f.inspection(dental, START, by=by, hour=0)
    f.inspection(dental, END, by=by, hour=23)
    f.inspection(dental, START - dt.timedelta(days=1), by=by)  # outside the period
    f.inspection(beauty, dt.date(2024, 3, 1), by=by)
    c1 = f.case(dental, dt.date(2024, 2, 1), by=by, national_entry_on=dt.date(2024, 2, 3))
    f.decision(c1, dt.date(2024, 2, 20), by=by, fine="30000", confiscate_income="1234.56", ban=True)
    c2 = f.case(dental, dt.date(2024, 4, 1), by=by)
    f.decision(c2, END, by=by, fine="50000")
    c3 = f.case(beauty, dt.date(2023, 12, 1), by=by, national_entry_on=dt.date(2023, 12, 5))
    f.decision(c3, START, by=by, warning=True, ban=True)
    f.referral(c3, dt.date(2024, 3, 3), by=by)
    f.judgment(c3, dt.date(2024, 6, 1), by=by, persons=["张某", "李某"])
    return {"dental": dental, "beauty": beauty, "c1": c1, "c2": c2, "c3": c3}


@pytest.fixture
def world(regions, personas):
    return make_world(regions, personas)


def sheet(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    assert len(wb.worksheets) == 1
    return wb.active


def merges(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def assert_merges_disjoint(ws):
    """Excel and WPS refuse a file whose merged ranges overlap; a 1×1 merge is also invalid."""
    seen = set()
    for merged in ws.merged_cells.ranges:
        assert merged.size["rows"] * merged.size["columns"] > 1, merged
        cells = set(merged.cells)
        assert not cells & seen, merged
        seen |= cells


def a1_xlsx(regions):
    result = get_form("S003-A1").compute(Scope(regions["wuzhong"], START, END))
    content, content_type, name = render(result, "xlsx")
    assert content_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert name == "S003-A1_吴中区_20240101-20240630.xlsx"
    return sheet(content)


def test_s003a1_xlsx_has_the_paper_layout(world, regions):
    ws = a1_xlsx(regions)
    assert ws.title == "S003-A1"
    assert ws["A1"].value == "打击无证行医及非法医疗美容专项行动情况汇总表"
    assert ws["A2"].value == "县（区）：江苏省苏州市吴中区　　单位（盖章）：________"
    assert ws["A3"].value == "统计期：2024年1月1日至2024年6月30日"
    assert ws["A4"].value == "金额单位：万元"
    assert merges(ws) == {
        "A1:L1",
        "A2:L2",
        "A3:L3",
        "A4:L4",
        "A5:A6",  # 项目 over both header lines
        "B5:B6",  # 监督户次数
        "C5:C6",  # 行政处罚单位数
        "D5:H5",  # 行政处罚情况 over its five columns
        "I5:L5",  # 其他情况 over its four columns
    }
    assert_merges_disjoint(ws)
    assert [ws.cell(5, c).value for c in (1, 2, 3, 4, 9)] == [
        "机构类型",
        "监督户次数",
        "行政处罚单位数",
        "行政处罚情况",
        "其他情况",
    ]
    assert [ws.cell(6, c).value for c in range(4, 13)] == [
        "没收违法所得户次",
        "没收违法所得金额（万元）",
        "罚款户次",
        "罚款金额（万元）",
        "取缔户次",
        "移送案件数",
        "法院判决案件数",
        "因无证行医追责人数",
        "信息系统录入情况",
    ]
    assert [ws.cell(r, 1).value for r in range(7, 13)] == ["西医", "中医", "医疗美容", "口腔", "其他", "合计"]
    assert ws.max_row == 12


def row_values(ws, row):
    return [ws.cell(row, c).value for c in range(2, 13)]


def test_s003a1_xlsx_figures_money_in_wan_and_ratio_text(world, regions):
    ws = a1_xlsx(regions)
    # 口腔: 2 inspections, 1 unit, confiscation 1234.56 元 = 0.123456 万元, fines 80000 元 = 8 万元 in 2 decisions
    assert row_values(ws, 10) == [2, 1, 1, pytest.approx(0.123456), 2, 8.0, 1, 0, 0, 0, "已录入 1 / 共 2"]
    # 医疗美容: the warning-and-ban decision, the referral, the judgment with two persons; no case opened
    assert row_values(ws, 9) == [1, 1, 0, 0.0, 0, 0.0, 1, 1, 1, 2, "已录入 0 / 共 0"]
    assert row_values(ws, 7) == [0, 0, 0, 0.0, 0, 0.0, 0, 0, 0, 0, "已录入 0 / 共 0"]
    assert row_values(ws, 12) == [3, 2, 1, pytest.approx(0.123456), 2, 8.0, 2, 1, 1, 2, "已录入 1 / 共 2"]
    assert ws["E10"].number_format == "0.00"  # shown as 0.12
    assert ws["G12"].number_format == "0.00"  # shown as 8.00
    assert ws["B12"].number_format == "0"
    assert ws["A12"].font.b and ws["B12"].font.b  # 合计 in bold


def test_xlsx_is_styled_for_print(world, regions):
    ws = a1_xlsx(regions)
    assert ws["A1"].font.name == "宋体" and ws["A1"].font.b
    assert ws["E6"].font.name == "宋体"
    assert ws["D5"].alignment.horizontal == "center" and ws["E6"].alignment.wrap_text
    for cell in ("A5", "L6", "A12", "L12", "H7"):
        side = ws[cell].border
        assert side.left.style == side.right.style == side.top.style == side.bottom.style == "thin", cell
    assert ws["A4"].border.left.style is None  # the lines above the table have no frame
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$6"
    assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJKL")


LIST_COLUMNS = [
    Column("no", "序号"),
    Column("party", "当事人", kind=TEXT),
    Column("opened_on", "立案日期", kind=DATE),
    Column("amount", "罚没金额（元）", kind=MONEY),
    Column("referred", "是否移送公安", kind=TEXT),
]


def list_result(regions, n):
    items = [
        {
            "no": None,
            "party": f"当事人{i}",
            "opened_on": dt.date(2024, 3, 1),
            "amount": Decimal("1234.50"),
            "referred": i % 2 == 0,
        }
        for i in range(1, n + 1)
    ]
    table = Table("cases", "联动执法查处个案情况表", LIST_COLUMNS, items=items)
    return FormResult(
        "S001-A4",
        "联动执法查处个案情况表",
        Scope(regions["wuzhong"], START, END),
        [table],
        header={"单位": "吴中区卫生监督所", "上报日期": "2024-07-05"},
        notes=["处罚、移送、复查情况截至2024-06-30"],
    )


def test_list_table_one_line_per_item_numbered_money_in_yuan(regions):
    ws = sheet(render(list_result(regions, 3), "xlsx")[0])
    assert ws["A1"].value == "联动执法查处个案情况表"
    assert ws["A2"].value == "单位：吴中区卫生监督所　　上报日期：2024-07-05"
    assert ws["A3"].value == "统计期：2024年1月1日至2024年6月30日"
    # the amount column says 元, so it stays in 元 and there is no 万元 line
    assert [ws.cell(4, c).value for c in range(1, 6)] == [
        "序号",
        "当事人",
        "立案日期",
        "罚没金额（元）",
        "是否移送公安",
    ]
    assert [ws.cell(5, c).value for c in (1, 2, 4, 5)] == [1, "当事人1", 1234.5, "否"]
    assert ws.cell(5, 3).value.date() == dt.date(2024, 3, 1) and ws.cell(5, 3).number_format == "yyyy-mm-dd"
    assert ws.cell(5, 4).number_format == "0.00"
    assert [ws.cell(r, 1).value for r in (5, 6, 7)] == [1, 2, 3]
    assert ws.cell(6, 5).value == "是"
    assert ws["A8"].value == "处罚、移送、复查情况截至2024-06-30"
    assert merges(ws) == {"A1:E1", "A2:E2", "A3:E3", "A8:E8"}
    assert ws.print_title_rows == "$4:$4"


def test_text_from_the_records_never_becomes_a_formula(regions):
    """A party's name typed by a reporter ("=HYPERLINK(...)", "@SUM", "+1", "-1") stays text."""
    result = list_result(regions, 6)
    hostile = ['=HYPERLINK("http://x","点击")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    for item, text in zip(result.tables[0].items, hostile, strict=True):
        item["party"] = text
    result.header["单位"] = "=1+1"
    result.notes[0] = "-备注"
    ws = sheet(render(result, "xlsx")[0])
    cells = [ws.cell(r, c) for r in range(1, ws.max_row + 1) for c in range(1, 6)]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert [ws.cell(r, 2).value for r in range(5, 11)] == ["'" + t for t in hostile]


def test_empty_list_says_none(regions):
    ws = sheet(render(list_result(regions, 0), "xlsx")[0])
    assert ws["A5"].value == "无"
    assert "A5:E5" in merges(ws)


def test_two_tables_one_under_another(world, regions):
    """S004-Q: 本季度 and 本年累计 on one sheet, each with its title and its own merged header."""
    result = get_form("S004-Q").compute(Scope(regions["wuzhong"], dt.date(2024, 4, 1), END))
    ws = sheet(render(result, "xlsx")[0])
    assert_merges_disjoint(ws)
    assert ws["A1"].value == "季度工作进展报告和汇总表"
    assert ws["A5"].value == "本季度"
    assert ws["A6"].value == "机构类型" and "A6:A7" in merges(ws) and "D6:H6" in merges(ws)
    assert ws["A13"].value == "合计"
    assert ws["A14"].value is None  # a blank line between the tables
    assert ws["A15"].value == "本年累计"
    assert "A16:A17" in merges(ws) and "I16:L16" in merges(ws)
    assert ws["B23"].value == 3  # 本年累计 合计 监督户次数
    assert ws["B13"].value == 1  # 本季度: only the inspection at 23:00 on 30 June
    assert ws["A24"].value == "本季度：2024年4月1日至2024年6月30日"


@pytest.mark.parametrize("code", ["S001-A2", "S001-A3", "S001-A4", "S003-A2", "S003-WS"])
def test_every_form_opens_with_valid_merges(world, regions, code):
    result = get_form(code).compute(Scope(regions["wuzhong"], START, END))
    ws = sheet(render(result, "xlsx")[0])
    assert_merges_disjoint(ws)
    assert ws["A1"].value == result.title
    content = render(result, "pdf")[0]
    assert content.startswith(b"%PDF-")


def page_count(content: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", content))


def test_pdf_uses_the_cid_font_and_is_landscape(world, regions):
    result = get_form("S003-A1").compute(Scope(regions["wuzhong"], START, END))
    content, content_type, name = render(result, "pdf")
    assert content_type == "application/pdf" and name.endswith(".pdf")
    assert content.startswith(b"%PDF-") and len(content) > 1000
    assert b"STSong-Light" in content
    assert b"FontFile" not in content  # no embedded font: every reader has the CID font
    assert page_count(content) == 1
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", content)
    assert float(box[1]) > float(box[2])  # landscape


def test_pdf_long_list_goes_on_over_pages(regions):
    content = render(list_result(regions, 400), "pdf")[0]
    assert content.startswith(b"%PDF-")
    assert page_count(content) >= 5


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_pdf_text_can_be_extracted(world, regions):
    result = get_form("S003-A1").compute(Scope(regions["wuzhong"], START, END))
    content = render(result, "pdf")[0]
    command = [shutil.which("pdftotext"), "-layout", "-", "-"]  # fixed arguments, the PDF on stdin
    text = subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()  # noqa: S603
    if "打击" not in text:
        pytest.skip("poppler-data (the Adobe-GB1 mapping) not installed")
    squeezed = re.sub(r"\s+", "", text)
    assert "打击无证行医及非法医疗美容专项行动情况汇总表" in squeezed
    assert "县（区）：江苏省苏州市吴中区" in squeezed
    assert "金额单位：万元" in squeezed
    assert "已录入1/共2" in squeezed and "8.00" in squeezed
