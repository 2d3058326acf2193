"""Referral.status from what the referrals recorded before it existed: the dates of each step and the
outcome. A copy of the rule, so that later changes to the code do not change this migration."""

from django.db import migrations


def status_of(referral) -> str:
    if referral.outcome == "declined":
        return "declined"
    if referral.review_outcome:
        return "reviewed"
    if referral.review_requested_on:
        return "review_requested"
    if referral.outcome in ("accepted", "refused"):
        return referral.outcome
    if referral.received_on:
        return "received"
    if referral.transferred_at:
        return "transferred"
    if referral.approved_on:
        return "approved"
    return "proposed"


def backfill(apps, schema_editor):
    Referral = apps.get_model("cases", "Referral")
    changed = []
    for referral in Referral.objects.all().iterator(chunk_size=1000):
        status = status_of(referral)
        if referral.status != status:
            referral.status = status
            changed.append(referral)
    Referral.objects.bulk_update(changed, ["status"], batch_size=1000)


class Migration(migrations.Migration):
    # Chained after 0009_crime_match (not beside it on 0008_procedure) so the app keeps one leaf.
    dependencies = [("cases", "0009_crime_match")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
