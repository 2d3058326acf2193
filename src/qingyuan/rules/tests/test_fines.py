"""Fine ranges as an officer would compute them by hand from RULES.md, for every offence."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from qingyuan.rules.fines import check_fine, fine_range, ranges_for
from qingyuan.rules.selectors import offence_in_force

ON = dt.date(2026, 11, 1)
INCOMES = ["0", "9999.99", "10000", "3000000"]

# code -> {income: (min, max)}; None: the offence carries no fine.
EXPECTED = {
    "ZY-01": {
        "0": ("50000", "200000"),
        "9999.99": ("50000", "200000"),
        "10000": ("50000", "200000"),
        "3000000": ("15000000", "60000000"),
    },
    "ZY-02": {
        "0": ("50000", "150000"),
        "9999.99": ("50000", "150000"),
        "10000": ("50000", "150000"),
        "3000000": ("15000000", "45000000"),
    },
    "ZY-03": dict.fromkeys(INCOMES, ("0", "30000")),
    "ZY-04": dict.fromkeys(INCOMES, ("0", "30000")),
    "ZY-05": dict.fromkeys(INCOMES, ("10000", "30000")),
    "ZY-06": dict.fromkeys(INCOMES, ("10000", "100000")),
    "ZY-07": dict.fromkeys(INCOMES, ("10000", "100000")),
    "ZY-08": dict.fromkeys(INCOMES, ("10000", "100000")),
    "YS-01": {
        "0": ("20000", "100000"),
        "9999.99": ("20000", "100000"),
        "10000": ("20000", "100000"),
        "3000000": ("6000000", "30000000"),
    },
    "YS-02": dict.fromkeys(INCOMES, ("10000", "30000")),
    "YS-03": {
        "0": ("20000", "50000"),
        "9999.99": ("20000", "50000"),
        "10000": ("20000", "50000"),
        "3000000": ("6000000", "15000000"),
    },
    "XC-01": {
        "0": ("1000", "3000"),
        "4999.99": ("1000", "3000"),
        "5000": ("5000", "15000"),
        "9999.99": ("9999.99", "29999.97"),
        "10000": ("10000", "30000"),
        "3000000": ("3000000", "9000000"),
    },
    "XC-02": None,
    "HS-01": None,
    "MR-01": None,
    "LF-01": {
        "0": ("10000", "30000"),
        "9999.99": ("10000", "30000"),
        "10000": ("20000", "60000"),
        "3000000": ("6000000", "18000000"),
    },
    "LF-02": {
        "0": ("5000", "20000"),
        "4999.99": ("5000", "20000"),
        "5000": ("15000", "25000"),
        "9999.99": ("29999.97", "49999.95"),
        "10000": ("30000", "50000"),
        "3000000": ("9000000", "15000000"),
    },
    "GG-01": None,
    "GG-02": None,
}
OPTIONAL = {"ZY-06", "ZY-07", "ZY-08"}
CASES = [
    (code, income, expected[income] if expected else None)
    for code, expected in EXPECTED.items()
    for income in (expected or dict.fromkeys(INCOMES))
]


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "income", "expected"), CASES)
def test_fine_range_matches_the_hand_computed_range(code, income, expected):
    rng = fine_range(offence_in_force(code, ON), Decimal(income))
    if expected is None:
        assert rng is None
        return
    assert (rng.minimum, rng.maximum) == (Decimal(expected[0]), Decimal(expected[1]))
    assert rng.minimum.as_tuple().exponent == -2 and rng.maximum.as_tuple().exponent == -2
    assert rng.optional is (code in OPTIONAL)
    assert rng.explanation


@pytest.mark.django_db
def test_all_nineteen_offences_are_loaded():
    from qingyuan.rules.selectors import offences_in_force

    assert [o.code for o in offences_in_force(ON)] == sorted(EXPECTED)


@pytest.mark.django_db
def test_explanation_shows_the_floor_in_words():
    rng = fine_range(offence_in_force("ZY-01", ON), Decimal("0"))
    assert rng.explanation == "违法所得不足1万元按1万元计：10,000.00元 × 5–20倍 = 50,000.00–200,000.00元"
    above = fine_range(offence_in_force("XC-01", ON), Decimal("5000"))
    assert "达到5000元" in above.explanation and "5,000.00–15,000.00元" in above.explanation


@pytest.mark.django_db
def test_income_is_rounded_to_the_fen_and_accepts_text():
    rng = fine_range(offence_in_force("XC-01", ON), "6,000.005")
    assert (rng.minimum, rng.maximum) == (Decimal("6000.01"), Decimal("18000.03"))


@pytest.mark.django_db
@pytest.mark.parametrize("income", ["-0.01", "-100"])
def test_negative_income_is_refused(income):
    with pytest.raises(ValidationError, match="违法所得不能为负数"):
        fine_range(offence_in_force("ZY-01", ON), Decimal(income))


@pytest.mark.django_db
def test_income_that_is_not_a_number_is_refused_in_chinese():
    with pytest.raises(ValidationError, match="违法所得不是有效的数字"):
        fine_range(offence_in_force("ZY-01", ON), "一万")


# (code, income, min, max) for check_fine at the edges of the range.
EDGES = [
    ("ZY-01", "0", "50000", "200000"),
    ("ZY-05", "0", "10000", "30000"),
    ("YS-01", "50000", "100000", "500000"),
    ("XC-01", "4999.99", "1000", "3000"),
    ("XC-01", "5000", "5000", "15000"),
    ("LF-01", "12000", "24000", "72000"),
    ("LF-02", "0", "5000", "20000"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "income", "low", "high"), EDGES)
def test_check_fine_accepts_the_bounds(code, income, low, high):
    offence = offence_in_force(code, ON)
    assert check_fine(offence, Decimal(income), Decimal(low)).minimum == Decimal(low)
    assert check_fine(offence, Decimal(income), Decimal(high)).maximum == Decimal(high)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "income", "low", "high"), EDGES)
def test_check_fine_refuses_a_fen_outside_the_range(code, income, low, high):
    offence = offence_in_force(code, ON)
    message = f"罚款金额须在{Decimal(low):,.2f}元至{Decimal(high):,.2f}元之间（{code}"
    for amount in (Decimal(low) - Decimal("0.01"), Decimal(high) + Decimal("0.01")):
        with pytest.raises(ValidationError) as exc:
            check_fine(offence, Decimal(income), amount)
        assert message in exc.value.messages[0]


@pytest.mark.django_db
def test_zy01_message_names_the_range():
    with pytest.raises(ValidationError) as exc:
        check_fine(offence_in_force("ZY-01", ON), Decimal("0"), Decimal("49999.99"))
    assert exc.value.messages[0].startswith("罚款金额须在50,000.00元至200,000.00元之间（ZY-01")


@pytest.mark.django_db
def test_no_fine_is_lawful_only_where_the_article_says_may():
    assert check_fine(offence_in_force("ZY-06", ON), Decimal("0"), None).optional
    assert check_fine(offence_in_force("ZY-07", ON), Decimal("0"), Decimal("0")).optional
    assert check_fine(offence_in_force("XC-02", ON), Decimal("0"), None) is None
    with pytest.raises(ValidationError, match="须并处罚款"):
        check_fine(offence_in_force("ZY-01", ON), Decimal("0"), None)
    with pytest.raises(ValidationError, match="须并处罚款"):
        check_fine(offence_in_force("ZY-03", ON), Decimal("0"), Decimal("0"))


@pytest.mark.django_db
def test_zy03_small_fine_is_lawful():
    assert check_fine(offence_in_force("ZY-03", ON), Decimal("0"), Decimal("0.01")).maximum == Decimal(
        "30000"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["XC-02", "HS-01", "GG-01", "GG-02", "MR-01"])
def test_a_fine_for_an_offence_without_fine_is_refused(code):
    with pytest.raises(ValidationError, match="不能处以罚款"):
        check_fine(offence_in_force(code, ON), Decimal("0"), Decimal("1000"))


@pytest.mark.django_db
def test_negative_fine_is_refused():
    with pytest.raises(ValidationError, match="罚款金额不能为负数"):
        check_fine(offence_in_force("ZY-06", ON), Decimal("0"), Decimal("-1"))


@pytest.mark.django_db
def test_two_provisions_show_both_ranges_highest_first():
    # A villager without registration and without a physician qualification: XC-01 and YS-01.
    ranges = ranges_for(["XC-01", "YS-01"], Decimal("8000"), ON)
    assert [(r.offence.code, r.minimum, r.maximum) for r in ranges] == [
        ("YS-01", Decimal("20000.00"), Decimal("100000.00")),
        ("XC-01", Decimal("8000.00"), Decimal("24000.00")),
    ]


@pytest.mark.django_db
def test_illegal_cosmetic_surgery_expands_to_the_provisions_it_applies():
    ranges = ranges_for(["MR-01"], Decimal("0"), ON)
    assert [r.offence.code for r in ranges] == ["ZY-01", "YS-01", "ZY-06", "ZY-07"]
    assert [r.maximum for r in ranges] == [
        Decimal("200000"),
        Decimal("100000"),
        Decimal("100000"),
        Decimal("100000"),
    ]


@pytest.mark.django_db
def test_ranges_for_lists_each_provision_once_and_skips_those_without_fine():
    ranges = ranges_for(["MR-01", "ZY-01", "GG-01"], Decimal("0"), ON)
    assert [r.offence.code for r in ranges] == ["ZY-01", "YS-01", "ZY-06", "ZY-07"]


@pytest.mark.django_db
def test_ranges_for_a_date_before_the_law_is_refused_in_chinese():
    with pytest.raises(ValidationError, match="YS-01在2021-12-31没有有效的条款版本"):
        ranges_for(["YS-01"], Decimal("0"), dt.date(2021, 12, 31))


@pytest.mark.django_db
def test_illegal_practice_offences_are_marked():
    from qingyuan.rules.selectors import illegal_practice_codes

    assert illegal_practice_codes(ON) == {"ZY-01", "YS-01", "XC-01", "LF-02", "MR-01"}
    assert offence_in_force("MR-01", ON).unverified
    assert offence_in_force("GG-01", ON).referral_only
