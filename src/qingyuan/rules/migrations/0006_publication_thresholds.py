"""Time limits of the publication of penalty decisions, as version 1 of each; an administrator changes
them by adding a version (rules pages), never in code."""

import datetime as dt

from django.db import migrations

THRESHOLDS = [
    # code, name, value, basis, effective_from, unverified, note
    (
        "PUBLISH_DECISION_WORKING_DAYS",
        "一般程序行政处罚决定送达后公示期限（工作日）",
        7,
        "行政处罚法 第48条第1款；“双公示”工作要求：行政处罚决定自作出之日起7个工作日内公开（本平台自送达生效之日起计算）",
        dt.date(2021, 7, 15),
        False,
        "从送达日期次日起按工作日计算；省、市另有更短期限的，由管理员增加新版本",
    ),
    (
        "PUBLISH_WITHDRAW_WORKING_DAYS",
        "公示的处罚决定被变更、撤销、确认违法或无效后撤回期限（工作日）",
        3,
        "行政处罚法 第48条第2款：应当在三日内撤回；第85条：“三日”指工作日",
        dt.date(2021, 7, 15),
        False,
        "从撤销、复议决定或判决作出之日次日起计算",
    ),
]


def load(apps, schema_editor):
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
    apps.get_model("rules", "Threshold").objects.filter(
        code__in=[t[0] for t in THRESHOLDS], version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0005_cooperation_thresholds")]
    operations = [migrations.RunPython(load, unload)]
