from django.db import migrations, models

import qingyuan.core.crypto


def encrypt_existing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    qingyuan.core.crypto.encrypt_phone_column(schema_editor.connection, User, "phone", "phone_index")


def decrypt_existing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    qingyuan.core.crypto.decrypt_phone_column(schema_editor.connection, User, "phone")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_change_request"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="phone_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=qingyuan.core.crypto.EncryptedTextField(blank=True, verbose_name="手机号"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
