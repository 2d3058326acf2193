"""Fragment search ("金星村12号", part of a name) at national size: trigram indexes on PostgreSQL.
SQLite, the embedded default, scans instead, which is fine at a county's size."""

from django.db import migrations

INDEXES = [
    ("subjects_subject_name_trgm", "subjects_subject", "name"),
    ("subjects_subject_address_trgm", "subjects_subject", "address"),
    ("subjects_subjectperson_name_trgm", "subjects_subjectperson", "name"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ("{column}" gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("subjects", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
