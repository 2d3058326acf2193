"""The public text of a typical case (典型案例), built from the case and cleared of personal data
(个人信息保护法; SECURITY.md: ID and phone numbers never in published cases): person names masked
(张三 → 张某), ID numbers and phone numbers removed, the address cut to the township, the reporter
never named (信访工作条例 第30条). What stays: the offence, its legal basis, the measures and amounts,
and the month of the decision."""

import re
from decimal import Decimal

from qingyuan.regions.models import Level

REMOVED = "（略）"

# 18-digit resident ID (last character may be X) and the old 15-digit one.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# Mobile numbers, with or without +86 and separators (139-1234-5678, 139 1234 5678).
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)")
# Landlines: with an area code (0512-65123456, (0512)65123456), or a bare 7–8 digit local number.
# Amounts, years and dates are not numbers of that shape followed by 元/万/年/月/日.
LANDLINE_RE = re.compile(
    r"(?<![\d.,])(?:\(?0\d{2,3}\)?[-\s]?[2-9]\d{6,7}|[2-9]\d{6,7})(?:-\d{1,4})?(?![\d.,元万年月日号])"
)
# House numbers and the like: 12号, 3弄, 2栋, 5单元, 301室, 4组 (村民小组).
HOUSE_NUMBER_RE = re.compile(r"[0-9０-９一二三四五六七八九十百零〇\-]+(?:号楼|号|弄|栋|幢|单元|室|组)")

COMPOUND_SURNAMES = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 百里 呼延"
).split()
VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会")


def mask_name(name: str) -> str:
    """张三 → 张某, 李小明 → 李某某, 欧阳娜娜 → 欧阳某某."""
    name = (name or "").strip()
    if len(name) < 2:
        return name
    surname = name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[:1]
    return surname + "某" * min(len(name) - len(surname), 2)


def find_id_numbers(text: str) -> list[str]:
    return ID_NUMBER_RE.findall(text or "")


def find_phones(text: str) -> list[str]:
    text = ID_NUMBER_RE.sub(" ", text or "")
    return MOBILE_RE.findall(text) + LANDLINE_RE.findall(MOBILE_RE.sub(" ", text))


def ancestor_at(region, level: int):
    """The region itself or its ancestor at `level` (a township for a village); the region when it is
    already above that level."""
    node = region
    while node is not None and node.level > level:
        node = node.parent
    return node or region


def person_names(case) -> list[str]:
    """Every person name of the case that the public must not read in full."""
    from qingyuan.cases.models import PartyKind

    names = []
    if case.party_kind == PartyKind.CITIZEN:
        names.append(case.party_name)
    if case.party_person_id:
        names.append(case.party_person.name)
    names.extend(case.subject.persons.values_list("name", flat=True))
    if case.lead_id and case.lead.reported_person:
        names.append(case.lead.reported_person)
    return sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)


def reporter_name(case) -> str:
    lead = case.lead if case.lead_id else None
    if lead is None or lead.reporter_id is None:
        return ""
    return (lead.reporter.name or "").strip()


def personal_data_problems(text: str, case) -> list[str]:
    """What in `text` may not be published: the reviewer's edits are checked again with this."""
    problems = []
    if find_id_numbers(text):
        problems.append("含有身份证号码")
    if find_phones(text):
        problems.append("含有电话号码")
    for name in person_names(case):
        if name in text:
            problems.append(f"含有当事人或相关人员的全名“{name}”，请改为“{mask_name(name)}”")
    reporter = reporter_name(case)
    if len(reporter) >= 2 and reporter in text:
        problems.append("含有举报人姓名")
    return problems


def _village_names(region) -> list[str]:
    if region is None or region.level < Level.VILLAGE:
        return []
    names = {region.name}
    for suffix in VILLAGE_SUFFIXES:
        if region.name.endswith(suffix) and len(region.name) > len(suffix):
            # Not the bare stem: 金星 alone may also name the township (金星镇).
            stem = region.name[: -len(suffix)]
            names.add(
                stem
                if stem.endswith(("村", "社区"))
                else stem + ("村" if suffix.startswith("村") else "社区")
            )
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


def _clean(text: str, case, *, township) -> str:
    text = text or ""
    for address in sorted({case.party_address, case.subject.address} - {""}, key=len, reverse=True):
        text = text.replace(address, township.name)
    region = case.region
    if region.level >= Level.VILLAGE:
        text = text.replace(region.full_name, township.full_name)
    reporter = reporter_name(case)
    if len(reporter) >= 2:
        text = text.replace("举报人" + reporter, "举报人").replace(reporter, "举报人")
    for name in person_names(case):
        text = text.replace(name, mask_name(name))
    text = ID_NUMBER_RE.sub(REMOVED, text)
    text = MOBILE_RE.sub(REMOVED, text)
    text = LANDLINE_RE.sub(REMOVED, text)
    for village in _village_names(region):
        text = text.replace(village, "某村" if "村" in village else "某社区")
    text = HOUSE_NUMBER_RE.sub("", text)
    return text.strip()


def _money(amount: Decimal) -> str:
    amount = Decimal(amount)
    return f"{amount:,.0f}元" if amount == amount.to_integral_value() else f"{amount:,.2f}元"


def _party(case) -> str:
    from qingyuan.cases.models import PartyKind

    if case.party_kind == PartyKind.CITIZEN:
        return mask_name(case.party_name)
    name = case.party_name
    for person in person_names(case):
        name = name.replace(person, mask_name(person))
    return name


def redact_case(case) -> dict:
    """The title and body the public site shows for a decided case; nothing else of the case leaks."""
    decision = case.decision
    township = ancestor_at(case.region, Level.TOWNSHIP)
    county = ancestor_at(case.region, Level.COUNTY)
    party = _party(case)
    offence = decision.offence
    case_title = _clean(case.title, case, township=township)
    title = case_title if party in case_title else f"{county.name}查处{party}{case_title}"
    if not title.endswith("案"):
        title += "案"
    facts = _clean(case.facts, case, township=township) or f"当事人{party}{offence.name}。"
    measures = []
    for measure in decision.measures.all().order_by("pk"):
        item = measure.get_kind_display()
        if measure.amount is not None:
            item += _money(measure.amount)
        if measure.description:
            item += f"（{_clean(measure.description, case, township=township)}）"
        measures.append(item)
    month = f"{decision.decided_on.year}年{decision.decided_on.month}月"
    body = "\n".join(
        [
            f"当事人：{party}（{case.get_party_kind_display()}）",
            f"违法行为发生地：{township.full_name}",
            f"案件来源：{case.get_source_display()}",
            "",
            f"基本案情：{facts}",
            "",
            f"违法行为：{offence.name}",
            f"法律依据：{offence.basis}",
            "",
            f"处理结果：{month}，{case.unit.name}依法作出行政处罚决定：{'；'.join(measures) or '—'}。",
        ]
    )
    return {"title": title[:200], "body": body}
