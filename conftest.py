"""Test-suite plumbing shared by src/ and tests/ (personas and fixtures live in src/qingyuan/conftest.py).

- SQLite refuses DELETE on the audit log (core migration 0008), and SQLite has no TRUNCATE: the flush
  that ends every transactional test (live server, transaction=True) deletes every row of every
  table. The flush lifts that trigger for its own statements and puts it back, in one transaction;
  nothing else in the suite, and nothing in production, can delete an audit row.
- Audit checkpoints are written outside the database (settings.QINGYUAN_AUDIT_ANCHOR_DIR). Each test
  gets a directory of its own, so that a test's checkpoints never meet another test's database, nor
  the development database under var/.
"""

import pytest

_AUDIT_DELETE_TRIGGER = "core_auditevent_no_delete"


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_past_the_audit_trigger():
    # Imported here, once Django is set up: importing a database backend before the settings are
    # loaded breaks (a circular import on PostgreSQL runs).
    from django.db.backends.sqlite3.base import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def flush_past_the_trigger(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [_AUDIT_DELETE_TRIGGER]
            )
            row = cursor.fetchone()
        if row is None:
            return flush(self, sql_list)
        return flush(self, [f"DROP TRIGGER {_AUDIT_DELETE_TRIGGER}", *sql_list, row[0]])

    DatabaseOperations.execute_sql_flush = flush_past_the_trigger
    yield
    DatabaseOperations.execute_sql_flush = flush


@pytest.fixture(autouse=True)
def _audit_anchor_dir(settings, tmp_path_factory):
    settings.QINGYUAN_AUDIT_ANCHOR_DIR = tmp_path_factory.mktemp("audit_anchors")
