from django.db import migrations, models


def carry_over_announcements(apps, schema_editor):
    """A case the old job had flagged was announced for its opening or deciding deadline: remember
    that deadline, so the new job does not announce it a second time."""
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(overdue=True, status="proposed").update(overdue_notified_for=models.F("open_due"))
    Case.objects.filter(
        overdue=True, status__in=["investigating", "review", "notified", "hearing"]
    ).update(overdue_notified_for=models.F("decide_due"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_referral_declined"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="overdue_notified_for",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="已提醒超期的期限"),
        ),
        migrations.RunPython(carry_over_announcements, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="case",
            name="overdue",
        ),
    ]
