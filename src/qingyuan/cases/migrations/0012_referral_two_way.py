import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Bodies a referral target may name on the platform (the drug regulator's county work sits in the
# market regulation bureau since the 2018 reform, so both kinds are accepted for it).
KINDS = {"police": ["police"], "market": ["market"], "drug": ["market", "other"]}


def backfill_receiving_unit(apps, schema_editor):
    """Point existing referrals at the platform unit whose name is exactly the typed receiving unit,
    when there is exactly one such unit of the target's kind; every other row keeps its text only."""
    Referral = apps.get_model("cases", "Referral")
    Unit = apps.get_model("regions", "Unit")
    for referral in Referral.objects.filter(receiving_unit__isnull=True).exclude(target_unit=""):
        kinds = KINDS.get(referral.target)
        units = Unit.objects.filter(name=referral.target_unit.strip())
        if kinds:
            units = units.filter(kind__in=kinds)
        found = list(units[:2])
        if len(found) == 1:
            referral.receiving_unit_id = found[0].pk
            referral.save(update_fields=["receiving_unit"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_recheck_region"),
        ("regions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="receiving_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="received_referrals",
                to="regions.unit",
                verbose_name="接收单位（平台内）",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="drug_supplier",
            field=models.CharField(blank=True, max_length=300, verbose_name="药品供货来源"),
        ),
        migrations.AddField(
            model_name="referral",
            name="drug_names",
            field=models.TextField(blank=True, verbose_name="药品名称"),
        ),
        migrations.AddField(
            model_name="referral",
            name="drug_quantities",
            field=models.TextField(blank=True, verbose_name="药品数量"),
        ),
        migrations.AddField(
            model_name="referral",
            name="investigation_result",
            field=models.CharField(
                blank=True,
                choices=[
                    ("filed", "立案"),
                    ("not_filed", "不立案"),
                    ("prosecution", "移送起诉"),
                    ("judgment", "判决"),
                ],
                max_length=16,
                verbose_name="办理结果",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="investigation_result_on",
            field=models.DateField(blank=True, null=True, verbose_name="办理结果日期"),
        ),
        migrations.CreateModel(
            name="ReferralUpdate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "result",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("filed", "立案"),
                            ("not_filed", "不立案"),
                            ("prosecution", "移送起诉"),
                            ("judgment", "判决"),
                        ],
                        max_length=16,
                        verbose_name="办理结果",
                    ),
                ),
                ("on", models.DateField(verbose_name="日期")),
                ("note", models.TextField(blank=True, verbose_name="说明")),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="updates",
                        to="cases.referral",
                    ),
                ),
            ],
            options={
                "verbose_name": "移送办理情况",
                "verbose_name_plural": "移送办理情况",
                "ordering": ["on", "pk"],
            },
        ),
        migrations.RunPython(backfill_receiving_unit, migrations.RunPython.noop),
    ]
