from django.db import migrations, models


def carry_over_announcements(apps, schema_editor):
    """A lead the old job had flagged was announced for the deadline of its current step: remember
    that deadline, so the new job does not announce it a second time."""
    Lead = apps.get_model("leads", "Lead")
    due_field = {
        "registered": "accept_due",
        "accepted": "conclude_due",
        "assigned": "conclude_due",
        "verifying": "conclude_due",
        "concluded": "feedback_due",
    }
    for status, field in due_field.items():
        Lead.objects.filter(overdue=True, status=status).update(overdue_notified_for=models.F(field))


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_campaign"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="overdue_notified_for",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="已提醒超期的期限"),
        ),
        migrations.RunPython(carry_over_announcements, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="lead",
            name="overdue",
        ),
    ]
