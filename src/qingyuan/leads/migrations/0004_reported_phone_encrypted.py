from django.db import migrations, models

import qingyuan.core.crypto


def encrypt_existing(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    qingyuan.core.crypto.encrypt_phone_column(
        schema_editor.connection, Lead, "reported_phone", "reported_phone_index"
    )


def decrypt_existing(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    qingyuan.core.crypto.decrypt_phone_column(schema_editor.connection, Lead, "reported_phone")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0003_overdue_computed"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="reported_phone_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="lead",
            name="reported_phone",
            field=qingyuan.core.crypto.EncryptedTextField(blank=True, verbose_name="被反映人电话"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
