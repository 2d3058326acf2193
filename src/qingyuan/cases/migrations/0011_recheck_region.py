"""Recheck.region: the region answerable for a re-inspection (指定管辖 moves it to the designated
county), so that the forms count each re-inspection where the work belonged (docs/forms.md).

Added nullable, filled from the original case's region (the region that banned the site, and so
owed the re-inspection when it was scheduled), then made required."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    Recheck = apps.get_model("cases", "Recheck")
    Case = apps.get_model("cases", "Case")
    regions = dict(Case.objects.filter(rechecks__isnull=False).values_list("pk", "region_id").distinct())
    for recheck in Recheck.objects.filter(region__isnull=True).only("pk", "case_id"):
        Recheck.objects.filter(pk=recheck.pk).update(region_id=regions[recheck.case_id])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_referral_status_backfill"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="recheck",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.region",
                verbose_name="负责区划",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="recheck",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.region",
                verbose_name="负责区划",
            ),
        ),
    ]
