"""Issue 15: a period longer than the configured length needs a reason, a grouping that departs from
seed 001 needs a reason, and a target's 附件3 result keeps only the county's words: its typed
figures go, since S001-A3 counts them from the records (one source for each figure)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("operations", "0003_spotcheck_status")]

    operations = [
        migrations.AddField(
            model_name="jointoperation",
            name="grouping_reason",
            field=models.TextField(blank=True, verbose_name="分组不符合要求的原因"),
        ),
        migrations.AddField(
            model_name="operationperiod",
            name="extended_reason",
            field=models.TextField(blank=True, verbose_name="延长原因"),
        ),
        migrations.RenameField(model_name="operationresult", old_name="summary", new_name="notes"),
        migrations.AlterField(
            model_name="operationresult",
            name="notes",
            field=models.TextField(verbose_name="查处情况说明"),
        ),
        migrations.RemoveField(model_name="operationresult", name="educated"),
        migrations.RemoveField(model_name="operationresult", name="investigated"),
        migrations.RemoveField(model_name="operationresult", name="penalised"),
        migrations.RemoveField(model_name="operationresult", name="rechecked"),
        migrations.RemoveField(model_name="operationresult", name="officer_trips"),
        migrations.RemoveField(model_name="operationresult", name="vehicle_trips"),
        migrations.RemoveField(model_name="operationresult", name="media_reports"),
    ]
