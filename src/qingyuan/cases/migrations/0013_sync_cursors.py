from django.db import migrations, models
from django.db.models import F


def from_created(apps, schema_editor):
    # A record never changed since it was made was last updated when it was made.
    for name in ("PenaltyDecision", "Referral"):
        apps.get_model("cases", name).objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_referral_two_way")]
    operations = [
        migrations.AddField(
            model_name="penaltydecision",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="更新时间"),
        ),
        migrations.AddField(
            model_name="referral",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="更新时间"),
        ),
        migrations.RunPython(from_created, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="penaltydecision",
            index=models.Index(fields=["updated_at", "id"], name="decision_sync"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["updated_at", "id"], name="referral_sync"),
        ),
    ]
