from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_delete_importjob")]

    operations = [
        migrations.AddField(
            model_name="institution",
            name="status_changed_on",
            field=models.DateField(
                blank=True, null=True, help_text="状态改变时留空则记为保存当日", verbose_name="状态变更日期"
            ),
        ),
        migrations.AddField(
            model_name="practitioner",
            name="status_changed_on",
            field=models.DateField(
                blank=True, null=True, help_text="状态改变时留空则记为保存当日", verbose_name="状态变更日期"
            ),
        ),
    ]
