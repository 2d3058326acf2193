"""Registry import jobs become rows of the one job model (core.Job, kind registry_import).

Their files stay where they were stored (imports/ under the storage directory); the new rows name
them by that path. A job that was unfinished is copied as it was: jobs_reap queues it again (its
write was one transaction, so nothing of it is in the database) or marks it failed with the reason.
"""

from django.db import migrations

STATUS = {
    "pending": "pending",
    "checking": "running",
    "writing": "running",
    "done": "done",
    "refused": "refused",
    "failed": "failed",
}
PHASE = {"checking": "校验中", "writing": "写入中"}
LABEL = {"institutions": ("查看医疗机构", "registry:institution_list"), "practitioners": ("查看执业人员", "registry:practitioner_list")}


def _result(old) -> dict:
    if old.status != "done":
        return {}
    total = old.total or 0
    unchanged = max(0, total - old.created - old.updated)
    label, url = LABEL.get(old.kind, LABEL["institutions"])
    return {
        "message": f"导入完成：共 {total} 行，新增 {old.created} 条，更新 {old.updated} 条，未变 {unchanged} 条。",
        "counts": [["总行数", total], ["新增", old.created], ["更新", old.updated], ["未变", unchanged]],
        "links": [{"label": label, "url": url}],
    }


def copy(apps, schema_editor):
    ImportJob = apps.get_model("registry", "ImportJob")
    Job = apps.get_model("core", "Job")
    rows = []
    for old in ImportJob.objects.select_related("actor").order_by("pk").iterator():
        rows.append(
            Job(
                kind="registry_import",
                status=STATUS.get(old.status, "failed"),
                phase=PHASE.get(old.status, ""),
                done=old.done,
                total=old.total,
                params={"kind": old.kind},
                result=_result(old),
                errors=old.errors or [],
                input_name=f"imports/{old.stored_name}",
                input_original=old.original_name,
                input_size=old.size,
                actor_id=old.actor_id,
                unit_id=old.actor.unit_id,
                region_id=old.region_id,
                attempts=1 if old.started_at else 0,
                heartbeat_at=old.finished_at or old.started_at or old.created_at,
                created_at=old.created_at,
                started_at=old.started_at,
                finished_at=old.finished_at,
            )
        )
    Job.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_trigram_search"),
        ("core", "0007_job"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
