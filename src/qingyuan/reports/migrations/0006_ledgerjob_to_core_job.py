"""Ledger import jobs become rows of the one job model (core.Job, kind ledger_import).

Their files stay where they were stored (ledger_imports/ under the storage directory); the new rows
name them by that path and keep their SHA-256, so "the same file is still being imported" holds
across the change. A job that was unfinished is copied as it was: jobs_reap queues it again (its
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
# The sheets in the template's order (reports.ledger.columns.SHEETS when this was written); the
# counts are read by name, since PostgreSQL's jsonb does not keep the order of keys.
SHEETS = ["监管对象", "监督检查", "案件", "处罚决定", "移送", "判决", "回头看", "宣教与媒体"]


def _result(old) -> dict:
    record = old.ledger_import
    if old.status != "done" or record is None:
        return {}
    counts = [[name, record.counts[name]] for name in SHEETS if name in (record.counts or {})]
    text = "，".join(f"{name} {n}" for name, n in counts)
    return {
        "message": f"导入完成：{text}。已计入统计报表。",
        "counts": counts,
        "ledger_import": record.pk,
        "links": [
            {"label": f"查看导入详情（导入记录#{record.pk}）", "url": "reports:ledger_detail", "args": [record.pk]}
        ],
    }


def copy(apps, schema_editor):
    LedgerJob = apps.get_model("reports", "LedgerJob")
    Job = apps.get_model("core", "Job")
    rows = []
    for old in LedgerJob.objects.select_related("ledger_import").order_by("pk").iterator(chunk_size=500):
        rows.append(
            Job(
                kind="ledger_import",
                status=STATUS.get(old.status, "failed"),
                phase=PHASE.get(old.status, ""),
                done=old.done,
                total=old.total,
                params={"sheet": old.kind},
                result=_result(old),
                errors=old.errors or [],
                input_name=f"ledger_imports/{old.stored_name}",
                input_original=old.file_name,
                input_size=old.size,
                input_sha256=old.sha256,
                actor_id=old.actor_id,
                unit_id=old.unit_id,
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
        ("reports", "0005_ledger_jobs"),
        ("core", "0007_job"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
