"""How documents write money, dates, laws and numbers (cases.documents.formatting)."""

import datetime as dt
from decimal import Decimal

import pytest

from qingyuan.cases.documents import base, formatting


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("50000", "伍万元整"),
        ("10005", "壹万零伍元整"),
        ("100000.50", "壹拾万元零伍角"),
        ("100000.05", "壹拾万元零伍分"),
        ("1.50", "壹元伍角"),
        ("1.05", "壹元零伍分"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("3000", "叁仟元整"),
        ("1000500", "壹佰万零伍佰元整"),
        ("10050000", "壹仟零伍万元整"),
        ("100000005", "壹亿零伍元整"),
        ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
        ("200000", "贰拾万元整"),
        ("15", "壹拾伍元整"),
        ("1010", "壹仟零壹拾元整"),
    ],
)
def test_amounts_in_capitals_follow_the_zero_rules(amount, words):
    assert formatting.capital(Decimal(amount)) == words


def test_money_is_printed_in_figures_and_capitals():
    assert formatting.money(Decimal("50000")) == "50,000.00元（人民币伍万元整）"
    assert formatting.money(Decimal("100000.5")) == "100,000.50元（人民币壹拾万元零伍角）"
    assert formatting.money(None) == ""


def test_negative_amount_is_refused():
    with pytest.raises(ValueError):
        formatting.capital(Decimal("-1"))


def test_dates_are_written_without_leading_zeros():
    assert formatting.day(dt.date(2026, 5, 20)) == "2026年5月20日"
    assert formatting.day(dt.date(2026, 1, 2)) == "2026年1月2日"
    assert formatting.day(None) == ""


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (43, "四十三"),
        (99, "九十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (336, "三百三十六"),
    ],
)
def test_article_numbers_in_chinese(number, words):
    assert formatting.numeral(number) == words


@pytest.mark.parametrize(
    ("basis", "printed"),
    [
        (
            "基本医疗卫生与健康促进法 第99条第1款; 医疗机构管理条例(2022) 第43条第1款",
            "《中华人民共和国基本医疗卫生与健康促进法》第九十九条第一款、《医疗机构管理条例》第四十三条第一款",
        ),
        (
            "基本医疗卫生与健康促进法 第99条第1款；医疗机构管理条例(2022) 第43条第1款",
            "《中华人民共和国基本医疗卫生与健康促进法》第九十九条第一款、《医疗机构管理条例》第四十三条第一款",
        ),
        ("人口与计划生育法(2021) 第39条、第40条", "《中华人民共和国人口与计划生育法》第三十九条、第四十条"),
        ("行政强制法 第35、54条", "《中华人民共和国行政强制法》第三十五条、第五十四条"),
        ("医师法 第59条", "《中华人民共和国医师法》第五十九条"),
        ("某省诊所管理办法 第12条第3项", "《某省诊所管理办法》第十二条第三项"),
        ("《护士条例》第28条", "《护士条例》第二十八条"),
        ("", ""),
    ],
)
def test_law_names_are_full_titles_in_book_marks(basis, printed):
    assert formatting.basis(basis) == printed


def test_every_law_the_rules_data_names_has_a_title():
    """The short names in the shipped offences all map to a title (none falls back by accident)."""
    from importlib import import_module

    rules = import_module("qingyuan.rules.migrations.0002_load_rules")
    for offence in rules.OFFENCES:
        for part in offence["basis"].replace(";", "；").split("；"):
            name = formatting._LAW.match(part.strip()).group("law")
            assert name in formatting.LAW_TITLES, name


def test_document_number_uses_the_unit_short_name_and_case_sequence():
    year, seq = formatting.sequence_of("吴卫医罚〔2026〕12号")
    assert (year, seq) == ("2026", "12")
    assert formatting.document_number(abbr="吴", word="罚告", year=year, seq=seq) == "吴卫罚告〔2026〕12号"


def test_document_number_without_short_name_shows_a_marker():
    number = formatting.document_number(abbr="", word="罚决", year="2026", seq="3")
    assert number == f"{formatting.NO_ABBR}卫罚决〔2026〕3号"
    assert "未设置文号简称" in number


def test_document_number_without_sequence_leaves_it_blank_to_fill_in():
    assert formatting.sequence_of("") == ("", "")
    assert formatting.document_number(abbr="吴", word="监意", year=2026, seq="") == "吴卫监意〔2026〕　　号"


def test_text_keeps_line_breaks_and_drops_what_word_cannot_store():
    assert base.text("第一行\r\n第二行\r第三行") == "第一行\n第二行\n第三行"
    assert base.text("a\x07b\x0cc\x00d\te") == "abcd\te"
    assert base.text(None) == ""
    assert base.clean({"a": ["x\x01", {"b": True}], "c": 3}) == {"a": ["x", {"b": True}], "c": "3"}
