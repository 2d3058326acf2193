"""Test-suite plumbing shared by src/ and tests/ (personas and fixtures live in src/qingyuan/conftest.py).

- SQLite refuses DELETE on the audit log (core migration 0008), and SQLite has no TRUNCATE: the flush
  that ends every transactional test (live server, transaction=True) deletes every row of every
  table. The flush lifts that trigger for its own statements and puts it back, in one transaction;
  nothing else in the suite, and nothing in production, can delete an audit row.
- Audit checkpoints are written outside the database (settings.QINGYUAN_AUDIT_ANCHOR_DIR). Each test
  gets a directory of its own, so that a test's checkpoints never meet another test's database, nor
  the development database under var/.
- A test that commits (transaction=True, live_server: every browser test) ends with a flush that
  empties every table, the rules, time limits, thresholds and checklists that migrations load among
  them. Such tests start from the migrated database instead (serialized rollback, reloaded before each
  of them), so what a test sees never depends on which tests ran before it in its process.
- `make test` runs the suite in several processes (pytest-xdist). Everything a test may write outside
  its database (uploads, evidence, held tip files, the demo password) goes to a directory of the
  process's own, and the cache is that process's memory: two processes, or a test run beside
  `make run`, never see each other's files or rate-limit counters. Each process has its own test
  database too (pytest-django: in memory on SQLite, test_<name>_gw0, _gw1… on PostgreSQL).
"""

import pytest
from pytest_django.fixtures import validate_django_db

_AUDIT_DELETE_TRIGGER = "core_auditevent_no_delete"


def pytest_collection_modifyitems(items):
    for item in items:
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, databases, _serialized, available_apps = (
            validate_django_db(marker) if marker else (False, False, None, False, None)
        )
        fixtures = item.fixturenames
        if transaction or "transactional_db" in fixtures or "live_server" in fixtures:
            # Put first, so that it is the closest django_db marker pytest-django reads.
            item.add_marker(
                pytest.mark.django_db(
                    transaction=True,
                    reset_sequences=reset_sequences,
                    databases=databases,
                    serialized_rollback=True,
                    available_apps=available_apps,
                ),
                append=False,
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test databases, with the migrated data kept for serialized rollback readable
    from every connection object of its alias. Django keeps it on the connection object that created
    the database, and connections are per context: once Playwright has switched greenlets, a browser
    test and its fixtures hold another object, and Django would neither reload the data before the
    test nor leave the post-migrate signal out of the flush after it."""
    from django.db import connections

    kept = {
        connection.alias: connection.__dict__["_test_serialized_contents"]
        for connection in connections.all()
        if "_test_serialized_contents" in connection.__dict__
    }

    def serialized_contents(connection):
        try:
            return kept[connection.alias]
        except KeyError:
            raise AttributeError("_test_serialized_contents") from None

    classes = {type(connection) for connection in connections.all()}
    for cls in classes:
        cls._test_serialized_contents = property(serialized_contents)
    yield
    for cls in classes:
        del cls._test_serialized_contents


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


@pytest.fixture(autouse=True, scope="session")
def _files_and_cache_per_process(tmp_path_factory):
    # tmp_path_factory's base directory is already one per xdist worker (…/popen-gw0).
    from django.test import override_settings

    var = tmp_path_factory.mktemp("var")
    override = override_settings(
        VAR_DIR=var,
        MEDIA_ROOT=var / "storage",
        QINGYUAN_EVIDENCE_DIR=var / "evidence",
        QINGYUAN_PORTAL_HOLD_DIR=var / "tip_hold",
        # Even when REDIS_URL is set: a test that clears the cache would flush the other processes'
        # Redis database too. The shared-Redis behaviour has tests of its own (test_configuration).
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    )
    override.enable()
    for directory in ("storage", "evidence"):
        (var / directory).mkdir()
    yield
    override.disable()


@pytest.fixture(autouse=True)
def _audit_anchor_dir(settings, tmp_path_factory):
    settings.QINGYUAN_AUDIT_ANCHOR_DIR = tmp_path_factory.mktemp("audit_anchors")
