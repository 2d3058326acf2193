from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_importjob_to_core_job"),
    ]

    operations = [
        migrations.DeleteModel(name="ImportJob"),
    ]
