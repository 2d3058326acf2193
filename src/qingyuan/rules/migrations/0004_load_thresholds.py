"""The thresholds of RULES.md "Thresholds", as version 1 of each. Amounts that the law leaves to a
ministry or province (较大数额, 重大) are marked unverified where the text was not seen; an
administrator corrects them by adding a version, never in code."""

import datetime as dt

from django.db import migrations

CHUFA = "行政处罚法(2021)"
CHUFA_FROM = dt.date(2021, 7, 15)
STRONG = ["revoke", "suspend", "ban"]

THRESHOLDS = [
    # code, name, value, basis, effective_from, unverified, note
    ("SIMPLIFIED_FINE_CITIZEN", "简易程序罚款上限（公民）", 200, f"{CHUFA} 第51条", CHUFA_FROM, False, ""),
    (
        "SIMPLIFIED_FINE_ORG",
        "简易程序罚款上限（法人或其他组织）",
        3000,
        f"{CHUFA} 第51条",
        CHUFA_FROM,
        False,
        "",
    ),
    (
        "LARGE_FINE_CITIZEN",
        "较大数额罚款（公民，元以上）",
        10000,
        f"{CHUFA} 第63条第1款第1项；数额由国务院部门或省级规定",
        CHUFA_FROM,
        True,
        "各地规定不一，请按本省规定修正",
    ),
    (
        "LARGE_FINE_ORG",
        "较大数额罚款（法人或其他组织，元以上）",
        100000,
        f"{CHUFA} 第63条第1款第1项；数额由国务院部门或省级规定",
        CHUFA_FROM,
        True,
        "各地规定不一，请按本省规定修正",
    ),
    (
        "LARGE_CONFISCATION_CITIZEN",
        "没收较大数额违法所得（公民，元以上）",
        10000,
        f"{CHUFA} 第63条第1款第2项",
        CHUFA_FROM,
        True,
        "各地规定不一，请按本省规定修正",
    ),
    (
        "LARGE_CONFISCATION_ORG",
        "没收较大数额违法所得（法人或其他组织，元以上）",
        100000,
        f"{CHUFA} 第63条第1款第2项",
        CHUFA_FROM,
        True,
        "各地规定不一，请按本省规定修正",
    ),
    (
        "HEARING_MEASURES",
        "应告知听证权利的处罚种类",
        STRONG,
        f"{CHUFA} 第63条第1款第3、4项（降低资质等级、吊销许可证件；责令停产停业、责令关闭、限制从业）",
        CHUFA_FROM,
        False,
        "",
    ),
    (
        "LEGAL_REVIEW_MEASURES",
        "应当法制审核的处罚种类",
        STRONG,
        f"{CHUFA} 第58条第1款第1、2项",
        CHUFA_FROM,
        True,
        "重大执法决定法制审核目录由各机关制定；较大数额罚款和经过听证的案件同样须审核",
    ),
    (
        "LEGAL_REVIEW_AFTER_HEARING",
        "经过听证程序的案件须法制审核（1 是，0 否）",
        1,
        f"{CHUFA} 第58条第1款第2项",
        CHUFA_FROM,
        False,
        "",
    ),
    (
        "COLLECTIVE_MEASURES",
        "应当集体讨论决定的处罚种类",
        ["revoke"],
        f"{CHUFA} 第57条第2款",
        CHUFA_FROM,
        True,
        "“情节复杂或者重大违法行为”的范围由各机关规定",
    ),
    (
        "COLLECTIVE_FINE_CITIZEN",
        "应当集体讨论的罚款数额（公民，元以上）",
        50000,
        f"{CHUFA} 第57条第2款",
        CHUFA_FROM,
        True,
        "各机关规定不一，请按本机关规定修正",
    ),
    (
        "COLLECTIVE_FINE_ORG",
        "应当集体讨论的罚款数额（法人或其他组织，元以上）",
        200000,
        f"{CHUFA} 第57条第2款",
        CHUFA_FROM,
        True,
        "各机关规定不一，请按本机关规定修正",
    ),
    (
        "COLLECTIVE_AFTER_HEARING",
        "经过听证的案件须集体讨论（1 是，0 否）",
        1,
        "",
        CHUFA_FROM,
        True,
        "多数卫生健康行政机关的规定；可按本机关规定修正",
    ),
    (
        "COLLECTIVE_MIN_PEOPLE",
        "集体讨论参加人员（含主持人）最少人数",
        3,
        f"{CHUFA} 第57条第2款（负责人集体讨论）；人数为本机关集体讨论制度",
        CHUFA_FROM,
        True,
        "法律未规定人数，按本机关制度修正",
    ),
    (
        "CRIME_PRIOR_PENALTIES",
        "因非法行医受过行政处罚的次数（达到即属情节严重）",
        2,
        "最高人民法院关于审理非法行医刑事案件具体应用法律若干问题的解释(2016) 第2条第4项",
        dt.date(2016, 12, 20),
        False,
        "",
    ),
    (
        "LATE_PAYMENT_PERCENT",
        "逾期缴纳罚款每日加处比例（%）",
        3,
        f"{CHUFA} 第72条第1款第1项",
        CHUFA_FROM,
        False,
        "加处罚款的数额不得超出罚款的数额",
    ),
]


# Time limits the procedure names that 0002 did not load.
LIMITS = [
    # code, name, amount, unit, basis, effective_from, unverified, note
    (
        "SIMPLIFIED_FILING",
        "简易程序当场处罚决定报所属行政机关备案",
        7,
        "working_days",
        f"{CHUFA} 第52条第3款；期限见卫生健康行政处罚程序规定",
        CHUFA_FROM,
        True,
        "行政处罚法只规定应当备案，期限以部门规章为准",
    ),
]


def load(apps, schema_editor):
    TimeLimit = apps.get_model("rules", "TimeLimit")
    for code, name, amount, unit, basis, effective_from, unverified, note in LIMITS:
        TimeLimit.objects.update_or_create(
            code=code,
            version=1,
            defaults=dict(
                name=name,
                amount=amount,
                unit=unit,
                basis=basis,
                effective_from=effective_from,
                unverified=unverified,
                note=note,
            ),
        )
    Threshold = apps.get_model("rules", "Threshold")
    for code, name, value, basis, effective_from, unverified, note in THRESHOLDS:
        Threshold.objects.update_or_create(
            code=code,
            version=1,
            defaults=dict(
                name=name,
                value=value,
                basis=basis,
                effective_from=effective_from,
                unverified=unverified,
                note=note,
            ),
        )


def unload(apps, schema_editor):
    apps.get_model("rules", "TimeLimit").objects.filter(code__in=[t[0] for t in LIMITS], version=1).delete()
    apps.get_model("rules", "Threshold").objects.filter(
        code__in=[t[0] for t in THRESHOLDS], version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0003_threshold")]
    operations = [migrations.RunPython(load, unload)]
