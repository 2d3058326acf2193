"""The embedded setup keeps its keys and SQLite database readable by the platform's account only."""

import sqlite3
import stat

from qingyuan.core.dbfiles import restrict_sqlite_files


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_embedded_setup_creates_a_private_var_dir_and_database_file(manage, tmp_path):
    var = tmp_path / "var"
    done = manage(
        "shell",
        "-c",
        "from django.db import connection; connection.cursor().execute('CREATE TABLE t (x INTEGER)')",
        env={"QINGYUAN_VAR_DIR": var, "QINGYUAN_DEV_KEYS": "1"},
    )
    assert done.returncode == 0, done.stderr
    database = var / "qingyuan.sqlite3"
    assert _mode(var) == 0o700
    assert database.exists() and _mode(database) == 0o600


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    database = tmp_path / "old.sqlite3"
    sqlite3.connect(database).execute("PRAGMA journal_mode=WAL").fetchall()
    database.chmod(0o644)
    wal = tmp_path / "old.sqlite3-wal"
    wal.write_bytes(b"")
    wal.chmod(0o664)
    restrict_sqlite_files(database)
    assert _mode(database) == 0o600 and _mode(wal) == 0o600
