from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_ledgerjob_to_core_job"),
    ]

    operations = [
        migrations.DeleteModel(name="LedgerJob"),
    ]
