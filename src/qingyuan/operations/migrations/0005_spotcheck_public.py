from django.db import migrations, models


class Migration(migrations.Migration):
    """双随机、一公开: a spot check ends (已结束) before it is published, and nobody records results
    after that; the end is dated for the public page."""

    dependencies = [("operations", "0004_operation_limits")]

    operations = [
        migrations.AddField(
            model_name="spotcheckplan",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="检查结束时间"),
        ),
        migrations.AlterField(
            model_name="spotcheckplan",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "已创建"),
                    ("drawn", "已抽取"),
                    ("completed", "已结束"),
                    ("published", "已公开"),
                ],
                db_index=True,
                default="draft",
                max_length=16,
                verbose_name="状态",
            ),
        ),
    ]
