"""The embedded SQLite database holds reporters' (encrypted) identities, ID-number indexes and the
audit log: its files must be readable by the platform's own account only (等保 2.0 access control).

SQLite creates the database file with the process umask (usually 0644) and gives its -wal and -shm
files the database file's mode, so tightening the main file on every new connection covers all three
and also repairs installations created before this rule.
"""

import os
import stat
from pathlib import Path

PRIVATE = 0o600


def restrict_sqlite_files(path) -> None:
    path = Path(path)
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(candidate, mode & PRIVATE)


def on_connection_created(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    # In-memory and shared-cache test databases have no file to protect.
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    restrict_sqlite_files(name)
