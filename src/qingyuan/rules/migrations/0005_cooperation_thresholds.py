"""Thresholds of the cooperation across units (issue 15), as version 1 of each; an administrator
changes them by adding a version (rules pages), never in code."""

import datetime as dt

from django.db import migrations

SEED_001 = "打击无证行医联动执法工作实施方案（种子001）"

THRESHOLDS = [
    # code, name, value, basis, effective_from, unverified, note
    (
        "JOINT_OPERATION_DAYS",
        "联动执法每次集中行动的天数上限（天）",
        7,
        f"{SEED_001} 四(二)1：每次行动为期一周",
        dt.date(2012, 1, 1),
        False,
        "更长的行动时段须填写延长原因，记入审计日志",
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
    dependencies = [("rules", "0004_load_thresholds")]
    operations = [migrations.RunPython(load, unload)]
