"""/health/: JSON for the load balancer and the monitoring probe, whatever fails, and nothing in it that
an outsider should not read (it is public)."""

import os
import time

import pytest
from django.test import Client
from huey.contrib.djhuey import HUEY

from qingyuan.core import health


@pytest.fixture
def healthy_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path / "evidence"
    settings.MEDIA_ROOT.mkdir()
    settings.QINGYUAN_EVIDENCE_DIR.mkdir()
    return tmp_path


@pytest.fixture
def beating():
    health.heartbeat()
    yield
    HUEY.delete(health.HEARTBEAT_KEY)


def _probe():
    response = Client().get("/health/")
    assert response["Content-Type"] == "application/json"
    return response, response.json()


def test_everything_ok_answers_200_with_each_check_version_and_time(db, healthy_dirs, beating):
    response, body = _probe()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"] == {
        "database": "ok",
        "storage": "ok",
        "evidence": "ok",
        "cache": "ok",
        "task_queue": "ok",
    }
    assert isinstance(body["task_queue_pending"], int)
    assert body["version"] and body["version"] != "unknown"
    assert body["time"][:4].isdigit() and body["time"].endswith("+08:00")
    assert response["Cache-Control"].startswith("max-age=0")
    # The probe writes and removes its test files.
    assert not [p for p in healthy_dirs.rglob("*") if p.is_file()]


def test_answer_names_no_path(db, healthy_dirs, beating, settings):
    settings.QINGYUAN_EVIDENCE_DIR = healthy_dirs / "gone"
    text = Client().get("/health/").content.decode()
    assert str(healthy_dirs) not in text and "gone" not in text


def test_storage_directory_that_cannot_be_written_is_an_error(
    db, healthy_dirs, beating, settings, monkeypatch
):
    os.chmod(settings.MEDIA_ROOT, 0o500)
    if os.access(settings.MEDIA_ROOT, os.W_OK):
        # root ignores the mode bits: fail the write the way a read-only mount or full disk would.
        def refuse(*args, dir=None, **kwargs):
            raise PermissionError(13, "Permission denied", str(dir))

        monkeypatch.setattr(health.tempfile, "mkstemp", refuse)
    try:
        response, body = _probe()
    finally:
        os.chmod(settings.MEDIA_ROOT, 0o700)
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"]["storage"] == "error: 目录不可写"


def test_missing_evidence_directory_is_an_error(db, healthy_dirs, beating, settings):
    settings.QINGYUAN_EVIDENCE_DIR.rmdir()
    response, body = _probe()
    assert response.status_code == 503
    assert body["checks"]["evidence"] == "error: 目录不存在"
    assert body["checks"]["storage"] == "ok"


def test_cache_that_cannot_be_reached_is_an_error_not_a_500(db, healthy_dirs, beating, settings):
    # Nothing listens on port 1: every cache call fails to connect.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response, body = _probe()
    assert response.status_code == 503
    assert body["checks"]["cache"] == "error: 检查失败（ConnectionError）"
    assert body["checks"]["database"] == "ok"


def test_no_heartbeat_means_the_task_queue_is_down(db, healthy_dirs):
    HUEY.delete(health.HEARTBEAT_KEY)
    response, body = _probe()
    assert response.status_code == 503
    assert body["checks"]["task_queue"] == "error: 尚无任务进程心跳"


def test_stale_heartbeat_means_the_task_queue_is_down(db, healthy_dirs, settings):
    settings.QINGYUAN_HEARTBEAT_STALE_SECONDS = 120
    HUEY.put(health.HEARTBEAT_KEY, time.time() - 121)
    try:
        response, body = _probe()
    finally:
        HUEY.delete(health.HEARTBEAT_KEY)
    assert response.status_code == 503
    assert body["checks"]["task_queue"] == "error: 最近 120 秒无任务进程心跳"


def test_a_check_that_raises_is_reported_without_its_text(db, healthy_dirs, beating, monkeypatch):
    def broken():
        raise RuntimeError("postgres://qingyuan:secret@10.0.0.5/qingyuan /var/lib/qingyuan")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response, body = _probe()
    assert response.status_code == 503
    assert body["checks"]["database"] == "error: 检查失败（RuntimeError）"
    assert "secret" not in response.content.decode() and "/var/lib" not in response.content.decode()


def test_health_is_json_for_any_method_and_needs_no_login(db, healthy_dirs, beating):
    response = Client(enforce_csrf_checks=True).post("/health/")
    assert response["Content-Type"] == "application/json"
