"""Trigram indexes for licence verification by name or address fragment (PostgreSQL only).

`LIKE '%fragment%'` cannot use a btree; pg_trgm's GIN indexes can, for fragments of three or more
characters. Checked on a database with ctype C.UTF-8: `show_trgm('苏州中医诊所')` yields seven
trigrams, so Chinese characters count as word characters and the index serves Chinese text.
Shorter fragments are answered by prefix match on the existing btree (varchar_pattern_ops) index.
SQLite has neither, and its embedded deployments are small enough for a scan: no-op there.
"""

from django.db import migrations

INDEXES = [
    ("registry_institution_name_trgm", "registry_institution", "name"),
    ("registry_institution_address_trgm", "registry_institution", "address"),
    ("registry_practitioner_name_trgm", "registry_practitioner", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_import_job")]

    operations = [migrations.RunPython(create, drop)]
