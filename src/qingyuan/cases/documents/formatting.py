"""How amounts, dates, laws and document numbers are written in the documents officers serve.

Money is given in figures and in 大写 (财政部《会计基础工作规范》第52条 rules for 零 and 整), dates as
2026年5月20日, law names in 《》 with their full titles and articles in Chinese numerals, document
numbers with the unit's 简称 (吴卫罚告〔2026〕12号)."""

import re
from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")
NUMERALS = "〇一二三四五六七八九"

# Printed where the unit has no 简称: a clerk sees at once that it must be configured (never the
# unit's full name, which is not a document number).
NO_ABBR = "【未设置文号简称】"

# The short names the rules data uses (rules.Offence.basis, TimeLimit.basis) and the full titles
# documents print. A name not listed is still printed in 《》 as written.
LAW_TITLES = {
    "基本医疗卫生与健康促进法": "中华人民共和国基本医疗卫生与健康促进法",
    "医疗机构管理条例": "医疗机构管理条例",
    "医疗机构管理条例实施细则": "医疗机构管理条例实施细则",
    "中医药法": "中华人民共和国中医药法",
    "医师法": "中华人民共和国医师法",
    "执业医师法": "中华人民共和国执业医师法",
    "乡村医生从业管理条例": "乡村医生从业管理条例",
    "护士条例": "护士条例",
    "医疗美容服务管理办法": "医疗美容服务管理办法",
    "人口与计划生育法": "中华人民共和国人口与计划生育法",
    "母婴保健法": "中华人民共和国母婴保健法",
    "母婴保健法实施办法": "中华人民共和国母婴保健法实施办法",
    "广告法": "中华人民共和国广告法",
    "医疗广告管理办法": "医疗广告管理办法",
    "行政处罚法": "中华人民共和国行政处罚法",
    "行政强制法": "中华人民共和国行政强制法",
    "行政复议法": "中华人民共和国行政复议法",
    "行政诉讼法": "中华人民共和国行政诉讼法",
    "刑法": "中华人民共和国刑法",
    "药品管理法": "中华人民共和国药品管理法",
    "传染病防治法": "中华人民共和国传染病防治法",
    "卫生健康行政处罚程序规定": "卫生健康行政处罚程序规定",
    "行政执法机关移送涉嫌犯罪案件的规定": "行政执法机关移送涉嫌犯罪案件的规定",
}


def day(value) -> str:
    """2026年5月20日 (no leading zeros, as documents are dated); empty for no date."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def day_time(value) -> str:
    """2026年5月20日9时05分, in local time."""
    if not value:
        return ""
    from django.utils import timezone

    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day(local)}{local.hour}时{local.minute:02d}分"


def figures(amount) -> str:
    """50,000.00"""
    return f"{Decimal(amount).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"


def _group(number: int) -> str:
    """0–9999 in 大写, with 零 for inner zeros (1005 → 壹仟零伍), none trailing."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def capital(amount) -> str:
    """人民币大写: 10,005 → 壹万零伍元整, 100,000.50 → 壹拾万元零伍角, 0.05 → 伍分."""
    value = Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if value < 0:
        raise ValueError("金额不能为负数")
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text = ""
    if yuan:
        groups = []
        rest = yuan
        while rest:
            groups.append(rest % 10000)
            rest //= 10000
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(text)
                continue
            # A group below 1000 after a higher group reads with 零 (壹万零伍, 壹亿零伍佰万).
            if text and (pending_zero or group < 1000):
                text += "零"
            pending_zero = False
            text += _group(group) + GROUP_UNITS[index]
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if yuan and (jiao == 0 or yuan % 10 == 0):
        # 壹拾万元零伍角, 壹佰元零伍分: a zero between 元 and the first non-zero 角/分 is read.
        text += "零"
    if jiao:
        text += DIGITS[jiao] + "角"
    if fen:
        text += DIGITS[fen] + "分"
    return text


def money(amount) -> str:
    """50,000.00元（人民币伍万元整）; empty for no amount."""
    if amount is None or amount == "":
        return ""
    return f"{figures(amount)}元（人民币{capital(amount)}）"


def numeral(number: int) -> str:
    """Article numbers in Chinese: 10 → 十, 43 → 四十三, 105 → 一百零五, 110 → 一百一十."""
    if number < 0:
        raise ValueError(number)
    if number < 10:
        return NUMERALS[number]
    if number < 20:
        return "十" + (NUMERALS[number % 10] if number % 10 else "")
    if number < 100:
        return NUMERALS[number // 10] + "十" + (NUMERALS[number % 10] if number % 10 else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        text = NUMERALS[hundreds] + "百"
        if rest == 0:
            return text
        if rest < 10:
            return text + "零" + NUMERALS[rest]
        tens, ones = divmod(rest, 10)
        return text + NUMERALS[tens] + "十" + (NUMERALS[ones] if ones else "")
    return str(number)


_ARTICLES = re.compile(r"第\s*(\d+(?:\s*[、,，]\s*\d+)*)\s*(条|款|项|章|节)")
_LAW = re.compile(
    r"^《?(?P<law>[^\s《》()（）第;；、]+)》?\s*(?:[（(]\s*\d{4}\s*(?:年)?(?:修订|修正)?\s*[)）])?\s*(?P<rest>.*)$"
)


def _articles(text: str) -> str:
    def repl(m):
        numbers = [int(n) for n in re.split(r"\s*[、,，]\s*", m.group(1))]
        return "、".join(f"第{numeral(n)}{m.group(2)}" for n in numbers)

    return _ARTICLES.sub(repl, text).replace(" ", "")


def law_title(name: str) -> str:
    """The full title of a law named in the rules data, in 《》."""
    name = name.strip().strip("《》")
    name = re.sub(r"[（(]\s*\d{4}[^)）]*[)）]$", "", name)
    return f"《{LAW_TITLES.get(name, name)}》"


def basis(text: str) -> str:
    """基本医疗卫生与健康促进法 第99条第1款; 医疗机构管理条例(2022) 第43条第1款 →
    《中华人民共和国基本医疗卫生与健康促进法》第九十九条第一款、《医疗机构管理条例》第四十三条第一款"""
    parts = []
    for part in re.split(r"[;；]", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _LAW.match(part)
        if match is None or not match.group("law"):
            parts.append(_articles(part))
            continue
        parts.append(law_title(match.group("law")) + _articles(match.group("rest")))
    return "、".join(parts)


_SEQ = re.compile(r"〔\s*(\d{4})\s*〕\s*(\d+)\s*号\s*$")


def sequence_of(case_number: str) -> tuple[str, str]:
    """(year, sequence) of a case number such as 吴卫医罚〔2026〕12号; empty strings if it has none."""
    match = _SEQ.search(case_number or "")
    return (match.group(1), match.group(2)) if match else ("", "")


def document_number(*, abbr: str, word: str, year, seq) -> str:
    """吴卫罚告〔2026〕12号. Without a 简称 the marker shows; without a sequence the number is left
    blank for the clerk to write in, as on the paper form."""
    seq_text = str(seq) if seq else "　　"
    year_text = str(year) if year else "　　　　"
    return f"{abbr or NO_ABBR}卫{word}〔{year_text}〕{seq_text}号"
