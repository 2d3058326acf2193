"""The ledger templates handed to counties: one XLSX workbook with a 说明 sheet and a sheet per kind
of record (choice columns as drop-downs); the one-sheet template (flat.py) with its 说明 and the one
sheet; and a CSV header file for each sheet."""

from __future__ import annotations

import csv
import io

from .columns import BOOL, CHOICE, DATE, HELP_SHEET, NO, SHEETS, YES, Sheet
from .flat import FLAT

RULES = [
    "本模板用于导入过去年份的打击无证行医工作台账，导入后的记录计入各统计报表（如 S003-A1）。",
    "一份工作簿包含下列全部工作表；没有内容的工作表保留表头即可。工作表名称和表头不可更改；列的顺序可以调整，另加的列导入时忽略。",
    "每张工作表第1行为表头（红色为必填列），从第2行起每行一条记录，空行忽略。错误信息中的行号即 Excel 左侧的行号。",
    "日期填 YYYY-MM-DD（如 2019-03-05），也可填 YYYY/MM/DD 或 Excel 日期格式；不得晚于导入当天。",
    "金额以元为单位，不小于0，最多两位小数。是/否列只填“是”或“否”。下拉列只能填下拉列表中的文字。",
    "「监管对象」表的对象编号、「案件」表的案件编号是本台账内的编号，其他表以此引用；也可引用本区县之前已导入台账中的编号。",
    "整份文件先全部校验：任何一个单元格有错，整份文件都不写入，并按“工作表、行、列”列出全部错误，改正后重新上传即可。",
    "同一文件不能重复导入；同一区县已导入的对象编号、案件编号不能再次导入。",
    "单张表也可另存为 CSV（UTF-8 或 GBK 编码）单独导入，上传时选择是哪一张表，校验规则相同。",
    "导入的记录注明“历史台账导入（文件名）”，记录人、承办单位为导入人及其单位。",
    "「监管对象」的发现日期可留空，取该对象最早的检查日期或立案日期；填写的发现日期晚于最早的检查或立案日期的，"
    "按最早的日期导入，并在导入结果中逐个对象列出提示。",
    "「监督检查」中检查方式为“回头看”且发现违法（发现违法行为、责令整改、移交处理）的检查，须在「回头看」表有同一对象"
    "同一日期的一行，否则整份文件不导入（S003-A2 按「回头看」表统计）。",
    "台账本来是一张表（每次检查或每个案件一行）的，可下载“一表式台账”模板，平台自动拆分为以上各表。",
]

FLAT_RULES = [
    "一表式台账：每行一次监督检查或一个案件（该次检查发现并立案的，检查和案件填在同一行），监管对象（场所）的各列在每行重复；"
    "平台按对象编号、案件编号拆分为监管对象、监督检查、案件、处罚决定、移送、判决和回头看，校验规则与分表模板相同。",
    "对象编号每行必填，相同的对象编号是同一个监管对象：各行的场所信息应一致，某行留空（含合并单元格）取其他行的值，"
    "不一致时整份文件不导入，错误信息写明两行的行号。",
    "填了检查日期的行登记一次监督检查；填了案件编号的行登记案件，同一案件占几行时各行的案件、处罚、移送、判决信息应一致。"
    "每个案件最多一个处罚决定、一次移送、一份判决（更多的请用分表模板）。",
    "检查方式为“回头看”的行同时登记一次“回头看”：处理结果为发现违法行为、责令整改或移交处理的记为“再次非法行医”"
    "（同一行的案件为再次违法案件），其他记为“未发现再次违法”。回头看原案件编号留空时，取本表中该对象在检查日期前立案的"
    "唯一案件；没有或有多个时须填写。",
    "发现日期可留空，取该对象最早的检查日期或立案日期；晚于最早日期的按最早日期导入，并在导入结果中列出提示。",
    "工作表名称和表头不可更改；列的顺序可以调整，另加的列导入时忽略。日期、金额、是/否和下拉列的填法与分表模板相同。",
    "整份文件先全部校验：任何一个单元格有错，整份文件都不写入，并按行、列列出全部错误。同一文件不能重复导入。",
    "也可另存为 CSV（UTF-8 或 GBK 编码）导入，上传时选择“一表式台账”。",
]


def help_rows(sheets=SHEETS) -> list[list[str]]:
    rows = []
    for sheet in sheets:
        for column in sheet.columns:
            rows.append(
                [
                    sheet.name,
                    column.header,
                    "是" if column.required else "否",
                    column.allowed(),
                    column.note,
                    column.example,
                ]
            )
    return rows


def ledger_template() -> bytes:
    return _workbook("历史台账导入模板 · 填写说明", RULES, SHEETS)


def ledger_flat_template() -> bytes:
    return _workbook("一表式台账导入模板 · 填写说明", FLAT_RULES, (FLAT,))


def _workbook(title: str, rules: list[str], sheets) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    help_sheet = workbook.active
    help_sheet.title = HELP_SHEET
    help_sheet.append([title])
    help_sheet["A1"].font = Font(bold=True, size=14)
    for number, rule in enumerate(rules, start=1):
        help_sheet.append([f"{number}. {rule}"])
        line = help_sheet.max_row
        # One rule per row across the table's width, wrapped, so it reads whole on screen and on paper.
        help_sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=6)
        help_sheet.cell(row=line, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        help_sheet.row_dimensions[line].height = 15 * (1 + len(rule) // 85)
    help_sheet.append([])
    help_sheet.append(["工作表", "列名", "必填", "填写要求", "说明", "示例"])
    for cell in help_sheet[help_sheet.max_row]:
        cell.font = Font(bold=True)
    for sheet in sheets:
        help_sheet.append([sheet.name, "", "", sheet.note, "", ""])
        help_sheet.cell(row=help_sheet.max_row, column=1).font = Font(bold=True)
        for row in help_rows(sheets):
            if row[0] == sheet.name:
                help_sheet.append(row)
    for letter, width in zip("ABCDEF", (14, 20, 6, 50, 60, 24), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=len(rules) + 3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Printed, the whole width on each page.
    help_sheet.page_setup.orientation = "landscape"
    help_sheet.sheet_properties.pageSetUpPr.fitToPage = True
    help_sheet.page_setup.fitToWidth, help_sheet.page_setup.fitToHeight = 1, 0
    for sheet in sheets:
        _data_sheet(workbook.create_sheet(sheet.name), sheet, get_column_letter)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _data_sheet(worksheet, sheet: Sheet, letter_of) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    worksheet.append(sheet.headers)
    for index, column in enumerate(sheet.columns, start=1):
        letter = letter_of(index)
        worksheet.cell(row=1, column=index).font = Font(
            bold=True, color="C00000" if column.required else None
        )
        worksheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.text_format:
            # Text keeps codes such as 320506100201 and keys such as 001 exactly as typed.
            worksheet.column_dimensions[letter].number_format = "@"
        elif column.kind == DATE:
            worksheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        labels = column.labels if column.kind == CHOICE else [YES, NO] if column.kind == BOOL else []
        if labels:
            validation = DataValidation(
                type="list", formula1=f'"{",".join(labels)}"', allow_blank=not column.required
            )
            validation.error = f"请从下拉列表中选择{column.header}"
            validation.showErrorMessage = True
            worksheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}50000")
    worksheet.freeze_panes = "A2"


def ledger_csv_template(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(sheet.headers)
    # The BOM makes Excel on Windows open the file as UTF-8 instead of garbling the Chinese headers.
    return buffer.getvalue().encode("utf-8-sig")
