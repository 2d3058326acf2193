from django.db import migrations, models
from django.db.models import F


def from_created(apps, schema_editor):
    # An inspection never changed since it was recorded was last updated when it was recorded.
    apps.get_model("inspections", "Inspection").objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0005_inspection_client_id")]
    operations = [
        migrations.AddField(
            model_name="inspection",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="更新时间"),
        ),
        migrations.RunPython(from_created, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(fields=["updated_at", "id"], name="inspection_sync"),
        ),
    ]
