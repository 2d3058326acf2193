"""The sheets and columns of the historical ledger (台账) template, and how each cell is read.

The Chinese sheet names and headers are the contract with the counties' ledgers and with
docs/ledger.md. Choice columns take the platform's Chinese labels (the same words the record pages
show); 是/否 columns take 是 or 否; dates YYYY-MM-DD (or YYYY/MM/DD, or an Excel date).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from qingyuan.cases.models import PartyKind, RecheckResult, ReferralOutcome, ReferralTarget
from qingyuan.inspections.models import InspectionKind, InspectionOutcome
from qingyuan.regions.models import LocationType
from qingyuan.registry.import_columns import CellError, cell_text, parse_date
from qingyuan.subjects.models import InstitutionType, PracticeContent, SubjectKind

TEXT, DATE, CHOICE, BOOL, INT, MONEY, REGION, NAMES = (
    "text",
    "date",
    "choice",
    "bool",
    "int",
    "money",
    "region",
    "names",
)

# A year before any ledger the platform takes: a typed "1019" instead of "2019" is caught here.
EARLIEST = dt.date(1980, 1, 1)
MAX_MONEY = Decimal("999999999999.99")  # 14 digits, 2 decimals: the amount fields of the cases app
SMALL_INT_MAX = 32767
YES, NO = "是", "否"

# Outcomes of a visit that found the site practising: a 回头看 with one of them is a re-offence
# (S003-A2), whichever template the ledger came in.
PRACTISING = (InspectionOutcome.VIOLATION, InspectionOutcome.RECTIFY, InspectionOutcome.REFERRED)

OUTREACH, MEDIA = "outreach", "media"
OUTREACH_KINDS = ((OUTREACH, "宣教"), (MEDIA, "媒体"))


def _label_key(text: str) -> str:
    # Officers type full-width or half-width brackets and stray blanks interchangeably.
    return text.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")


def choices_of(text_choices, *, leave_out=()) -> tuple[tuple[str, str], ...]:
    return tuple((value, str(label)) for value, label in text_choices.choices if value not in leave_out)


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    minimum: int = 0
    maximum: int | None = None
    default: object = None
    note: str = ""
    example: str = ""
    lookup: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for value, label in self.choices:
            self.lookup[_label_key(label)] = value

    @property
    def labels(self) -> list[str]:
        return [label for _value, label in self.choices]

    @property
    def text_format(self) -> bool:
        """Cells Excel must keep as typed: codes with leading digits, ledger keys like 001."""
        # Columns of the one-sheet template are keyed "<sheet>.<key>" (flat.py).
        return self.kind == REGION or self.key.rsplit(".", 1)[-1] in (
            "subject_key",
            "case_key",
            "key",
            "number",
            "new_case_key",
            # 18 digits as a number would lose its last ones in Excel.
            "party_id_number",
        )

    def allowed(self) -> str:
        """What the column takes, in words, for the 说明 sheet and docs/ledger.md."""
        if self.kind == CHOICE:
            return "可选：" + "、".join(self.labels)
        if self.kind == BOOL:
            return f"填“{YES}”或“{NO}”" + ("" if self.required else f"，留空视为“{NO}”")
        if self.kind == DATE:
            return "日期，YYYY-MM-DD（或 YYYY/MM/DD、Excel 日期），不得晚于导入当天"
        if self.kind == MONEY:
            return "金额（元），不小于0，最多两位小数；留空或0表示无此项"
        if self.kind == INT:
            top = f"至{self.maximum}" if self.maximum else ""
            return f"整数，{self.minimum}{top}" if top else f"不小于{self.minimum}的整数"
        if self.kind == REGION:
            return "6位区县、9位乡镇/街道或12位村/社区代码，须已在平台登记且在您的辖区内"
        if self.kind == NAMES:
            return "多人以顿号“、”分隔，每人不超过50字"
        return f"文字，不超过{self.max_length}字" if self.max_length else "文字"


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    note: str

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _today() -> dt.date:
    return timezone.localdate()


def _date(raw) -> dt.date:
    day = parse_date(raw)
    if day > _today():
        raise CellError(f"“{day:%Y-%m-%d}”晚于今天")
    if day < EARLIEST:
        raise CellError(f"“{day:%Y-%m-%d}”早于{EARLIEST.year}年，请核对")
    return day


def _money(raw) -> Decimal | None:
    if isinstance(raw, bool):
        raise CellError(f"“{raw}”不是有效金额")
    if isinstance(raw, (int, float)):
        # repr keeps what was typed (1234.56), not the binary expansion of the float.
        text = repr(raw)
    else:
        text = cell_text(raw).replace(",", "").replace("，", "").removesuffix("元").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{cell_text(raw)}”不是有效金额") from None
    if not amount.is_finite():
        raise CellError(f"“{cell_text(raw)}”不是有效金额")
    if amount < 0:
        raise CellError(f"“{cell_text(raw)}”不能为负数")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(f"“{cell_text(raw)}”最多保留两位小数")
    if amount > MAX_MONEY:
        raise CellError(f"“{cell_text(raw)}”超出可记录的金额")
    return amount.quantize(Decimal("0.01")) if amount else None


def _int(column: Column, raw) -> int:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = cell_text(raw)
    if isinstance(raw, bool) or not re.fullmatch(r"-?\d+", text):
        raise CellError(f"“{text}”应为整数")
    number = int(text)
    if column.maximum is not None and not column.minimum <= number <= column.maximum:
        raise CellError(f"“{text}”应为{column.minimum}至{column.maximum}之间的整数")
    if number < column.minimum:
        raise CellError(f"“{text}”不能小于{column.minimum}")
    return number


def _names(text: str) -> list[str]:
    names = [n.strip() for n in re.split(r"[、，,;；]", text)]
    names = [n for n in names if n]
    long = [n for n in names if len(n) > 50]
    if long:
        raise CellError(f"“{long[0]}”超过50个字")
    return names


def read_cell(column: Column, raw):
    """The value of one cell, or CellError worded to follow the column name."""
    text = cell_text(raw)
    if not text:
        if column.required:
            raise CellError("不能为空")
        return [] if column.kind == NAMES else column.default
    if column.kind == CHOICE:
        value = column.lookup.get(_label_key(text))
        if value is None:
            raise CellError(f"“{text}”无效，应为{'、'.join(column.labels)}之一")
        return value
    if column.kind == BOOL:
        if text not in (YES, NO):
            raise CellError(f"“{text}”应填“{YES}”或“{NO}”")
        return text == YES
    if column.kind == DATE:
        return _date(raw)
    if column.kind == MONEY:
        return _money(raw)
    if column.kind == INT:
        return _int(column, raw)
    if column.kind == REGION:
        if not text.isdigit() or len(text) not in (6, 9, 12):
            raise CellError(f"“{text}”应为6位、9位或12位数字")
        return text
    if column.kind == NAMES:
        return _names(text)
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"超过{column.max_length}个字")
    return text


PARTY_ID_HEADER = "当事人身份证号/统一社会信用代码"
SUBJECT_KEY_NOTE = "本文件「监管对象」表中的对象编号，或之前导入的台账中的对象编号"
CASE_KEY_NOTE = "本文件「案件」表中的案件编号，或之前导入的台账中的案件编号"

SUBJECTS = Sheet(
    "subjects",
    "监管对象",
    (
        Column(
            "对象编号",
            "key",
            required=True,
            max_length=50,
            note="台账内编号，文件内不得重复；其他表以此引用",
            example="WZ-001",
        ),
        Column(
            "名称",
            "name",
            required=True,
            max_length=200,
            note="场所名称或人员姓名",
            example="金星村无证牙科诊所",
        ),
        Column(
            "类型",
            "kind",
            CHOICE,
            required=True,
            choices=choices_of(SubjectKind, leave_out=(SubjectKind.LICENSED,)),
            note="持证机构请在监管对象中登记并关联医疗机构，不经台账导入",
            example="无证诊所",
        ),
        Column("地址", "address", required=True, max_length=300, example="木渎镇金星村三组12号"),
        Column("区划代码", "region", REGION, required=True, note="尽量填到村/社区", example="320506100201"),
        Column(
            "机构类型",
            "institution_type",
            CHOICE,
            required=True,
            choices=choices_of(InstitutionType),
            note="S003-A1 按此分行统计",
            example="口腔",
        ),
        Column(
            "行医内容",
            "practice_content",
            CHOICE,
            required=True,
            choices=choices_of(PracticeContent),
            note="S001-A2 按此分列统计",
            example="牙科",
        ),
        Column(
            "区域类型",
            "location_type",
            CHOICE,
            choices=choices_of(LocationType),
            default="",
            note="留空则按村/社区的城乡分类代码确定（无分类代码的按农村）",
            example="农村",
        ),
        Column(
            "发现日期",
            "found_on",
            DATE,
            note="报表自此日起把该对象计为已掌握。留空取该对象最早的检查日期或立案日期；"
            "晚于最早的检查或立案日期的，按最早的日期导入，并在导入结果中逐个对象列出提示",
            example="2019-01-10",
        ),
        Column("需联合查处", "needs_joint_action", BOOL, default=False, example=NO),
        Column("区县交界", "border_area", BOOL, default=False, example=NO),
        Column(
            "经营者姓名",
            "operator",
            max_length=50,
            default="",
            note="填写则登记为该对象的经营者/负责人",
            example="张某",
        ),
    ),
    "每行一个监管对象（场所或人员）。",
)

INSPECTIONS = Sheet(
    "inspections",
    "监督检查",
    (
        Column(
            "对象编号", "subject_key", required=True, max_length=50, note=SUBJECT_KEY_NOTE, example="WZ-001"
        ),
        Column(
            "检查日期",
            "day",
            DATE,
            required=True,
            note="早于本文件中该对象的发现日期的，发现日期按最早的检查或立案日期导入；"
            "之前导入的对象不得早于其发现日期",
            example="2019-01-10",
        ),
        Column("检查方式", "kind", CHOICE, required=True, choices=choices_of(InspectionKind), example="明查"),
        Column(
            "出动人次",
            "officer_count",
            INT,
            required=True,
            maximum=SMALL_INT_MAX,
            note="本次检查的执法人员人数",
            example="2",
        ),
        Column(
            "出动车辆", "vehicles", INT, default=0, maximum=SMALL_INT_MAX, note="辆次，留空为0", example="1"
        ),
        Column(
            "处理结果",
            "outcome",
            CHOICE,
            required=True,
            choices=choices_of(InspectionOutcome),
            example="发现违法行为",
        ),
    ),
    "每行一次监督检查，计入S003-A1的监督户次数、S001-A3的出动人次和车辆。",
)

CASES = Sheet(
    "cases",
    "案件",
    (
        Column(
            "案件编号",
            "key",
            required=True,
            max_length=60,
            note="台账内编号，文件内不得重复；其他表以此引用",
            example="WZ-A-001",
        ),
        Column(
            "案件文号",
            "number",
            max_length=60,
            default=None,
            note="平台中的案件编号（如 吴卫医罚〔2019〕12号），可留空；不得与平台中已有案件重复",
            example="吴卫医罚〔2019〕1号",
        ),
        Column(
            "对象编号", "subject_key", required=True, max_length=50, note=SUBJECT_KEY_NOTE, example="WZ-001"
        ),
        Column("案由", "title", required=True, max_length=200, example="未取得医疗机构执业许可证擅自执业"),
        Column("当事人", "party_name", required=True, max_length=200, example="张某"),
        Column(
            "当事人类型",
            "party_kind",
            CHOICE,
            choices=choices_of(PartyKind),
            default=PartyKind.CITIZEN,
            note="留空视为公民",
            example="公民",
        ),
        Column(
            PARTY_ID_HEADER,
            "party_id_number",
            max_length=30,
            default="",
            note="公民填18位居民身份证号，法人或其他组织填18位统一社会信用代码；加密保存，"
            "用于跨地区统计当事人此前因非法行医受到的行政处罚（涉嫌非法行医罪的判断），尽量填写",
            example="320506198003151231",
        ),
        Column(
            "立案日期",
            "opened_on",
            DATE,
            required=True,
            note="同时作为违法行为发生日期；早于本文件中该对象的发现日期的，发现日期按最早的检查或立案日期导入；"
            "之前导入的对象不得早于其发现日期",
            example="2019-01-15",
        ),
        Column(
            "录入全国信息系统日期",
            "national_entry_on",
            DATE,
            note="未录入留空；不得早于立案日期",
            example="2019-01-20",
        ),
        Column(
            "结案日期",
            "closed_on",
            DATE,
            note="未结案留空；不得早于立案日期和处罚决定日期",
            example="2019-03-30",
        ),
    ),
    "每行一个已立案的案件。",
)

DECISIONS = Sheet(
    "decisions",
    "处罚决定",
    (
        Column(
            "案件编号",
            "case_key",
            required=True,
            max_length=60,
            note=CASE_KEY_NOTE + "；每个案件只有一个处罚决定",
            example="WZ-A-001",
        ),
        Column(
            "决定日期",
            "decided_on",
            DATE,
            required=True,
            note="不得早于立案日期，不得晚于结案日期",
            example="2019-02-20",
        ),
        Column("警告", "warning", BOOL, default=False, example=YES),
        Column("罚款金额", "fine", MONEY, example="30000"),
        Column("没收违法所得金额", "confiscate_income", MONEY, example="1234.56"),
        Column("没收药品器械", "confiscate_goods", BOOL, default=False, example=YES),
        Column("取缔", "ban", BOOL, default=False, note="取缔或责令停止执业活动", example=YES),
        Column(
            "适用条款",
            "offence",
            max_length=16,
            default="",
            note="平台法条库中的违法行为代码（如 ZY-01），须在立案日期有效；留空按 ZY-01（未取得《医疗机构执业许可证》擅自执业）",
            example="ZY-01",
        ),
    ),
    "每行一个行政处罚决定，至少包含一种处罚；计入S003-A1的处罚户次和金额。",
)

REFERRALS = Sheet(
    "referrals",
    "移送",
    (
        Column("案件编号", "case_key", required=True, max_length=60, note=CASE_KEY_NOTE, example="WZ-A-003"),
        Column("移送日期", "day", DATE, required=True, note="不得早于立案日期", example="2019-01-10"),
        Column(
            "移送对象",
            "target",
            CHOICE,
            required=True,
            choices=choices_of(ReferralTarget),
            note="移送公安机关的计入S003-A1移送案件数",
            example="公安机关",
        ),
        Column("接收单位", "target_unit", required=True, max_length=200, example="苏州市公安局吴中分局"),
        Column(
            "结果",
            "outcome",
            CHOICE,
            choices=choices_of(ReferralOutcome, leave_out=(ReferralOutcome.DECLINED,)),
            default=ReferralOutcome.PENDING,
            note="留空视为待接收",
            example="已受理/立案",
        ),
    ),
    "每行一次案件移送。",
)

JUDGMENTS = Sheet(
    "judgments",
    "判决",
    (
        Column("案件编号", "case_key", required=True, max_length=60, note=CASE_KEY_NOTE, example="WZ-A-003"),
        Column("判决日期", "judged_on", DATE, required=True, note="不得早于立案日期", example="2019-11-20"),
        Column("法院", "court", required=True, max_length=200, example="苏州市吴中区人民法院"),
        Column(
            "判决结果",
            "verdict",
            required=True,
            max_length=2000,
            example="犯非法行医罪，判处有期徒刑一年，并处罚金",
        ),
        Column(
            "追责人员",
            "persons",
            NAMES,
            note="被追究刑事责任的人员，计入S003-A1因无证行医追责人数",
            example="王某、赵某",
        ),
    ),
    "每行一份法院判决。",
)

LOOKBACKS = Sheet(
    "lookbacks",
    "回头看",
    (
        Column(
            "原案件编号",
            "case_key",
            required=True,
            max_length=60,
            note=CASE_KEY_NOTE + "，或平台中案件的案件编号（文号）",
            example="WZ-A-003",
        ),
        Column(
            "检查日期", "done_on", DATE, required=True, note="不得早于原案件的立案日期", example="2019-12-31"
        ),
        Column(
            "结果",
            "result",
            CHOICE,
            required=True,
            choices=choices_of(RecheckResult, leave_out=(RecheckResult.PENDING,)),
            example="再次非法行医",
        ),
        Column(
            "再次违法案件编号",
            "new_case_key",
            max_length=60,
            default="",
            note="结果为再次非法行医且已立案时填写：" + CASE_KEY_NOTE + "；立案日期不得早于检查日期",
            example="WZ-A-004",
        ),
    ),
    "每行一次“回头看”检查的结论。该次检查如需计入监督户次数，请同时在「监督检查」表登记（检查方式填“回头看”）；"
    "「监督检查」表中检查方式为“回头看”且发现违法的检查，必须在本表有同一对象同一日期的行，否则整份文件不导入。",
)

OUTREACH_SHEET = Sheet(
    "outreach",
    "宣教与媒体",
    (
        Column("类型", "kind", CHOICE, required=True, choices=OUTREACH_KINDS, example="宣教"),
        Column("日期", "day", DATE, required=True, example="2019-05-01"),
        Column("区划代码", "region", REGION, required=True, example="320506"),
        Column(
            "名称/标题",
            "title",
            required=True,
            max_length=200,
            note="宣教活动名称或报道标题",
            example="打击非法行医法制宣传进社区",
        ),
        Column(
            "人数或次数",
            "amount",
            INT,
            required=True,
            minimum=1,
            maximum=1_000_000,
            note="宣教填宣教人数，媒体填报道次数",
            example="300",
        ),
        Column("媒体名称", "outlet", max_length=100, default="", note="类型为媒体时必填", example="苏州日报"),
    ),
    "每行一次法制宣教活动（计入宣教人数）或一篇媒体报道（计入报道次数）。",
)

SHEETS: tuple[Sheet, ...] = (
    SUBJECTS,
    INSPECTIONS,
    CASES,
    DECISIONS,
    REFERRALS,
    JUDGMENTS,
    LOOKBACKS,
    OUTREACH_SHEET,
)
SHEETS_BY_KEY = {s.key: s for s in SHEETS}
HELP_SHEET = "说明"
