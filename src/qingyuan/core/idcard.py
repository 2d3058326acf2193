"""Resident ID number (GB 11643-1999) validation: 18 characters, region code, birth date, check digit."""

import datetime as dt

from django.core.exceptions import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# First two digits of every province-level region code (GB/T 2260); 71/81/82 hold other documents.
_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
}


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> str:
    value = normalize_id_number(value)
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError("身份证号码应为18位（最后一位可为X）", code="id_format")
    if value[:2] not in _PROVINCES:
        raise ValidationError("身份证号码的地区码无效", code="id_region")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效", code="id_birth") from None
    if birth.year < 1900 or birth > dt.date.today():
        raise ValidationError("身份证号码中的出生日期无效", code="id_birth")
    if check_digit(value[:17]) != value[17]:
        raise ValidationError("身份证号码校验位错误", code="id_check")
    return value
