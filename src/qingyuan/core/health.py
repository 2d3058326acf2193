"""Health of one app server and what it depends on, for the load balancer and the monitoring probe.

GET /health/ answers JSON, always: 200 when every check is "ok", 503 otherwise, never an HTML page
and never a 500 (a check that raises is reported as that check's error). The answer names each
check with a short status, the queue length, the code version and the time. It carries no personal
data, no secrets and no paths: an error says what failed and the exception's class, not its text
(which can hold a connection URL with a password, or a path).

The task queue is alive when its scheduler wrote a heartbeat recently: `heartbeat()` runs every
minute as a periodic task and stores the time in Huey's own storage, which every web process reads.
"""

import logging
import os
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from huey.contrib.djhuey import HUEY

from .version import app_version

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "qy:heartbeat"


def heartbeat() -> None:
    """Record that a task process is running (scheduled every minute)."""
    HUEY.put(HEARTBEAT_KEY, time.time())


def _stale_after() -> int:
    return int(getattr(settings, "QINGYUAN_HEARTBEAT_STALE_SECONDS", 180))


class CheckFailed(Exception):
    """A check's own finding, already worded for the answer."""


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_writable(directory) -> str:
    path = Path(directory)
    if not path.is_dir():
        raise CheckFailed("目录不存在")
    # A real write, not os.access(): a read-only mount or a full disk only shows when writing.
    try:
        handle, name = tempfile.mkstemp(prefix=".health-", dir=path)
        try:
            os.write(handle, b"ok")
        finally:
            os.close(handle)
            os.unlink(name)
    except OSError as exc:
        raise CheckFailed("目录不可写") from exc
    return "ok"


def check_storage() -> str:
    return _check_writable(settings.MEDIA_ROOT)


def check_evidence() -> str:
    return _check_writable(settings.QINGYUAN_EVIDENCE_DIR)


def check_cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=30)
    found = cache.get(key)
    cache.delete(key)
    if found != "ok":
        raise CheckFailed("写入后读不到")
    return "ok"


def check_task_queue() -> str:
    beat = HUEY.get(HEARTBEAT_KEY, peek=True)
    if beat is None:
        raise CheckFailed("尚无任务进程心跳")
    age = time.time() - float(beat)
    limit = _stale_after()
    if age > limit:
        raise CheckFailed(f"最近 {limit} 秒无任务进程心跳")
    return "ok"


CHECKS = {
    "database": check_database,
    "storage": check_storage,
    "evidence": check_evidence,
    "cache": check_cache,
    "task_queue": check_task_queue,
}


def _run(name, check) -> str:
    try:
        return check()
    except CheckFailed as exc:
        return f"error: {exc}"
    except Exception as exc:  # noqa: BLE001 - any failure of a dependency is an unhealthy answer
        logger.warning("health check %s failed: %s", name, type(exc).__name__, exc_info=True)
        return f"error: 检查失败（{type(exc).__name__}）"


def _pending() -> int | None:
    try:
        return int(HUEY.pending_count())
    except Exception:  # noqa: BLE001 - reported as unknown; task_queue says why
        return None


# Any method gets the same JSON (a probe configured with POST or HEAD must not get a CSRF page); the
# view reads nothing from the request and changes nothing but its own test file and cache key.
@csrf_exempt
@never_cache
def health(request):
    checks = {name: _run(name, check) for name, check in CHECKS.items()}
    healthy = all(value == "ok" for value in checks.values())
    try:
        version = app_version()
    except Exception:  # noqa: BLE001 - the version is information, never a reason to fail the probe
        version = "unknown"
    body = {
        "status": "ok" if healthy else "error",
        "checks": checks,
        "task_queue_pending": _pending(),
        "version": version,
        "time": timezone.localtime().isoformat(timespec="seconds"),
    }
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
