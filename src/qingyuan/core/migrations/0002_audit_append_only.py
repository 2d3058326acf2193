"""The database itself refuses UPDATE and DELETE on the audit log, whatever code path tries."""

from django.db import migrations

PG_SQL = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '审计日志只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""
# SQLite (the embedded default) guards UPDATE only: it has no TRUNCATE, so a DELETE trigger would also
# block the test framework's table flush. A deleted row still breaks the hash chain and
# `audit_verify` names it; production runs PostgreSQL, where both are refused.
# Since 0008 SQLite refuses DELETE as well (the suite's flush lifts that trigger for itself: conftest.py).
SQLITE_SQL = [
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_auditevent_no_update;"]


def forwards(apps, schema_editor):
    statements = [PG_SQL] if schema_editor.connection.vendor == "postgresql" else SQLITE_SQL
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = [PG_REVERSE] if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
