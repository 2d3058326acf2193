"""Reading ledger files (CSV or XLSX) row by row, and checking an upload is what it says it is.

Rows come out as (line number, list of cells) with the header as line 1, the numbering officers
see in Excel. Files are streamed, never loaded whole: a province's ledger has millions of rows.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError

FORMATS = ("csv", "xlsx")
_SNIFF_BYTES = 1 << 16


def format_of(path, fmt: str | None = None) -> str:
    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    if fmt == "xls":
        raise ValidationError(["不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 .csv 后再导入"])
    if fmt not in FORMATS:
        raise ValidationError(["文件格式应为 .csv 或 .xlsx"])
    return fmt


def csv_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) if the start decodes as such, else GB18030 (a superset of GBK)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # final=False: the sample may end in the middle of a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise ValidationError(["CSV 文件编码无法识别，请保存为 UTF-8 或 GBK/GB18030 编码"]) from None


def check_file(path, fmt: str) -> None:
    """Content, not the name, decides: a renamed Word file or a binary is refused with a clear reason."""
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if not head.strip():
        raise ValidationError(["文件是空的"])
    if fmt == "csv":
        if b"\x00" in head or head.startswith(b"PK\x03\x04"):
            raise ValidationError(["文件不是 CSV 文本文件（如为 Excel 文件，请使用 .xlsx 扩展名）"])
        csv_encoding(head)
        return
    if not zipfile.is_zipfile(path):
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ValidationError(["这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 .csv 后再导入"])
        raise ValidationError(["文件不是有效的 Excel（.xlsx）文件"])
    with zipfile.ZipFile(path) as archive:
        if "xl/workbook.xml" not in archive.namelist():
            raise ValidationError(["文件不是有效的 Excel（.xlsx）工作簿"])


def _count_lines(path) -> int:
    count = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
    return count


def _csv_rows(path) -> tuple[Iterator[tuple[int, list]], int | None]:
    with open(path, "rb") as f:
        encoding = csv_encoding(f.read(_SNIFF_BYTES))
    # An estimate for the progress bar: quoted cells may hold line breaks, which is rare in ledgers.
    total = _count_lines(path)

    def rows():
        with open(path, encoding=encoding, newline="", buffering=1 << 20) as f:
            try:
                yield from enumerate(csv.reader(f), start=1)
            except UnicodeDecodeError:
                raise ValidationError(
                    ["CSV 文件中有无法识别的字符，请整体保存为 UTF-8 或 GBK/GB18030 编码"]
                ) from None
            except csv.Error as exc:
                raise ValidationError([f"CSV 文件格式有误：{exc}"]) from None

    return rows(), total


def _xlsx_rows(path) -> tuple[Iterator[tuple[int, list]], int | None]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError([f"无法读取 Excel 文件：{exc}"]) from None
    sheet = workbook.worksheets[0]
    total = sheet.max_row

    def rows():
        try:
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, list(values)
        finally:
            workbook.close()

    return rows(), total


def open_rows(path, fmt: str) -> tuple[Iterator[tuple[int, list]], int | None]:
    """(iterator over (line, cells) including the header, estimated number of lines or None)."""
    check_file(path, fmt)
    return _csv_rows(path) if fmt == "csv" else _xlsx_rows(path)


def template_csv(headers: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(headers)
    # The BOM makes Excel on Windows open the file as UTF-8 instead of garbling the Chinese headers.
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(title: str, columns, notes: list[tuple[str, str, str]]) -> bytes:
    """A sheet with the headers (choice columns as drop-downs, text format for numbers) and a 填写说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.text_format:
            # Text format keeps 18-digit ID numbers and leading zeros from being turned into numbers.
            sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            labels = ",".join(column.labels)
            validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=not column.required)
            validation.error = f"请从下拉列表中选择{column.header}"
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}1048576")
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.append(["列名", "是否必填", "说明"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for row in notes:
        help_sheet.append(list(row))
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
