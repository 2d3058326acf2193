"""The audit chain becomes keyed: each row names the scheme its hash was computed with. The rows that
exist get "sha256" (plain SHA-256, as they were written) and keep verifying; new rows are HMAC'd with
QINGYUAN_AUDIT_KEY and chain onto the last of them. No row is rewritten.

SQLite now refuses DELETE too, not only UPDATE. Adding a column makes Django rebuild the table on
SQLite, which drops its triggers, so both are (re)created here; the test suite's table flush lifts the
DELETE trigger for the flush only (conftest.py at the project root). PostgreSQL keeps its trigger
from 0002, which refuses UPDATE and DELETE already.
"""

from django.db import migrations, models

SQLITE_SQL = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改'); END;",
    "CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能删除'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_auditevent_no_delete;"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_SQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_REVERSE:
            schema_editor.execute(sql)


def update_trigger_after_unmigrating(apps, schema_editor):
    # Removing the column rebuilds the table on SQLite again; 0002's UPDATE trigger must come back.
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_SQL[:2]:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_job"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, update_trigger_after_unmigrating),
        migrations.AddField(
            model_name="auditevent",
            name="hash_scheme",
            field=models.CharField(default="sha256", max_length=16, verbose_name="哈希算法"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
