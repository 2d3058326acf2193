import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_sync_cursors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.AddField(
            model_name="case",
            name="national_no",
            field=models.CharField(blank=True, db_index=True, max_length=60, verbose_name="国家系统编号"),
        ),
        migrations.AddField(
            model_name="case",
            name="national_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="国家系统编号登记人",
            ),
        ),
    ]
