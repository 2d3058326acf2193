"""Work that runs away from the request (imports), started once the request's transaction commits.

The embedded setup runs it in a thread of the web process; in production the same `run(pk)` is
the body of a task for the Redis-backed workers (ARCHITECTURE.md, background work). A setting
named by `inline_setting` (True in tests) runs it at once in the caller's thread instead.
"""

import contextvars
import threading

from django.conf import settings
from django.db import connections, transaction


def start_after_commit(run, pk: int, *, name: str, inline_setting: str) -> None:
    """Call run(pk) after the current transaction commits: inline, or in a daemon thread `name`."""
    transaction.on_commit(lambda: _launch(run, pk, name, inline_setting))


def _launch(run, pk, name, inline_setting) -> None:
    if getattr(settings, inline_setting, False):
        run(pk)
        return
    # The copied context carries the uploading request, so audit rows keep its request id and address.
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(_in_thread, run, pk), name=name, daemon=True).start()


def _in_thread(run, pk) -> None:
    try:
        run(pk)
    finally:
        connections.close_all()  # this thread's connections only
