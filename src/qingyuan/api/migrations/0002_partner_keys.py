from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# Keys issued before keys expired: a year from issue, but never less than this from the upgrade,
# so that no partner is cut off without time to be given a new key.
NOTICE = timedelta(days=30)


def set_expiry(apps, schema_editor):
    PartnerSystem = apps.get_model("api", "PartnerSystem")
    floor = timezone.now() + NOTICE
    for partner in PartnerSystem.objects.all():
        partner.expires_at = max(partner.created_at + timedelta(days=settings.QINGYUAN_PARTNER_KEY_DAYS), floor)
        partner.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name="partnersystem",
            name="expires_at",
            field=models.DateTimeField(
                null=True, help_text="到期后密钥失效，须更换（partner_rotate）", verbose_name="密钥有效期至"
            ),
        ),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="partnersystem",
            name="expires_at",
            field=models.DateTimeField(
                help_text="到期后密钥失效，须更换（partner_rotate）", verbose_name="密钥有效期至"
            ),
        ),
        migrations.AddField(
            model_name="partnersystem",
            name="previous_key_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="partnersystem",
            name="previous_expires_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="旧密钥停用时间"),
        ),
        migrations.AddField(
            model_name="partnersystem",
            name="rotated_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="最近更换密钥时间"),
        ),
        migrations.AddField(
            model_name="partnersystem",
            name="last_used_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="最近使用时间"),
        ),
    ]
