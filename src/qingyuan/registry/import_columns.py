"""The columns of the registry import templates and how each cell is read and checked.

The Chinese headers are the contract with the ledgers officers keep (and with bench/generate.py);
choice columns accept the Chinese labels of the model choices (the internal codes too).
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from qingyuan.core.idcard import validate_id_number

from .models import (
    Institution,
    InstitutionCategory,
    InstitutionStatus,
    LicenceKind,
    Practitioner,
    PractitionerKind,
    PractitionerStatus,
    normalize_number,
)


class CellError(ValueError):
    """A cell's problem, worded to follow the column name: "第3行：有效期至<message>"."""


def _label_key(text: str) -> str:
    # Officers type full-width or half-width brackets and stray blanks interchangeably.
    return text.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")


@dataclass(frozen=True)
class Column:
    header: str
    attname: str
    required: bool = False
    max_length: int | None = None
    choices: type | None = None  # a TextChoices class
    default: str = ""
    kind: str = "text"  # text | number | date | id_number | region | licence_ref
    note: str = ""
    # A column added after ledgers were in use: files without it still import (cells read as empty).
    optional: bool = False
    lookup: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.choices is not None:
            for value, label in self.choices.choices:
                self.lookup[_label_key(str(label))] = value
                self.lookup[value] = value

    @property
    def labels(self) -> list[str]:
        return [str(label) for _value, label in self.choices.choices] if self.choices else []

    @property
    def text_format(self) -> bool:
        return self.kind in ("number", "id_number", "region", "licence_ref")


def cell_text(value) -> str:
    """A cell as text: Excel gives numbers for codes typed without a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # An Excel serial day number (1900 date system) in a cell not formatted as a date.
        if 1 <= raw < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(raw))
        raise CellError(f"“{raw}”不是有效日期")
    text = str(raw).strip()
    match = _DATE.match(text)
    if not match:
        raise CellError(f"“{text}”格式不对，应为 YYYY-MM-DD 或 YYYY/MM/DD")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError(f"“{text}”不是有效日期") from None


def parse_id_number(raw) -> str:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise CellError("应以文本格式填写（Excel 会把18位数字截断成科学计数法）")
    try:
        return validate_id_number(str(raw))
    except ValidationError as exc:
        raise CellError("：" + exc.messages[0]) from None


def read_cell(column: Column, raw):
    """The stored value of one cell, or CellError. Region and licence references are checked later, in batches."""
    text = cell_text(raw)
    if not text:
        if column.required:
            raise CellError("不能为空")
        return column.default
    if column.choices is not None:
        value = column.lookup.get(_label_key(text))
        if value is None:
            raise CellError(f"“{text}”无效，应为{'、'.join(column.labels)}之一")
        return value
    if column.kind == "date":
        return parse_date(raw)
    if column.kind == "id_number":
        return parse_id_number(raw)
    if column.kind in ("number", "licence_ref"):
        text = normalize_number(text)
    elif column.kind == "region":
        if not text.isdigit() or len(text) not in (6, 9, 12):
            raise CellError(f"“{text}”应为6位、9位或12位数字")
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"超过{column.max_length}个字符")
    return text


def _max(model, name):
    return model._meta.get_field(name).max_length


INSTITUTION_COLUMNS = [
    Column("机构名称", "name", required=True, max_length=_max(Institution, "name")),
    Column("机构类别", "category", required=True, choices=InstitutionCategory),
    Column(
        "许可/备案",
        "licence_kind",
        choices=LicenceKind,
        default=LicenceKind.LICENCE,
        note="留空视为执业许可证",
    ),
    Column(
        "许可证号/备案号",
        "licence_no",
        required=True,
        kind="number",
        max_length=_max(Institution, "licence_no"),
        note="再次导入时按此号更新已有机构；文件内不得重复",
    ),
    Column(
        "有效期至",
        "valid_until",
        kind="date",
        default=None,
        note="YYYY-MM-DD 或 YYYY/MM/DD，或 Excel 日期；备案可留空",
    ),
    Column("地址", "address", required=True, max_length=_max(Institution, "address")),
    Column(
        "所在区划代码",
        "region_id",
        required=True,
        kind="region",
        note="6位区县代码或9/12位乡镇、村代码，须已在平台登记且在您的辖区内",
    ),
    Column("法定代表人/负责人", "legal_representative", max_length=_max(Institution, "legal_representative")),
    Column("诊疗科目", "departments", note="以顿号或逗号分隔"),
    Column("状态", "status", choices=InstitutionStatus, default=InstitutionStatus.VALID, note="留空视为有效"),
    Column(
        "状态变更日期",
        "status_changed_on",
        kind="date",
        default=None,
        optional=True,
        note="注销、吊销的日期，向社会公示；可无此列",
    ),
]

PRACTITIONER_COLUMNS = [
    Column("姓名", "name", required=True, max_length=_max(Practitioner, "name")),
    Column("身份证号", "id_number", kind="id_number", note="18位，请以文本格式填写；平台加密保存"),
    Column(
        "医师资格证书编码",
        "qualification_no",
        kind="number",
        max_length=_max(Practitioner, "qualification_no"),
    ),
    Column(
        "执业证书编码",
        "certificate_no",
        required=True,
        kind="number",
        max_length=_max(Practitioner, "certificate_no"),
        note="再次导入时按此编码更新已有人员；文件内不得重复",
    ),
    Column("人员类型", "kind", required=True, choices=PractitionerKind),
    Column(
        "执业类别",
        "practice_category",
        max_length=_max(Practitioner, "practice_category"),
        note="临床、中医、口腔、公共卫生",
    ),
    Column("执业范围", "practice_scope", max_length=_max(Practitioner, "practice_scope")),
    Column(
        "注册执业机构许可证号",
        "institution_id",
        kind="licence_ref",
        default=None,
        note="须为平台已登记机构的许可证号/备案号，可留空",
    ),
    Column("所在区划代码", "region_id", required=True, kind="region", note="须已在平台登记且在您的辖区内"),
    Column(
        "状态", "status", choices=PractitionerStatus, default=PractitionerStatus.VALID, note="留空视为有效"
    ),
    Column(
        "状态变更日期",
        "status_changed_on",
        kind="date",
        default=None,
        optional=True,
        note="注销、吊销、暂停的日期，向社会公示；可无此列",
    ),
]


def help_rows(columns) -> list[tuple[str, str, str]]:
    rows = []
    for column in columns:
        note = column.note
        if column.choices is not None:
            note = f"可选：{'、'.join(column.labels)}" + (f"；{note}" if note else "")
        rows.append((column.header, "是" if column.required else "否", note))
    return rows
