"""Running manage.py in a process of its own, with exactly the environment a test names: settings are
read once per process, so start-up refusals, production settings and a second installation (backup
and restore) are only seen this way."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Everything that selects or configures an installation; a test's process starts without any of it.
_INSTALLATION_VARS = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "TASKS_REDIS_URL",
    "HTTPS",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "LOG_FORMAT",
    "STATIC_ROOT",
    # Set by the browser tests in this process (Playwright's event loop); never in a deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _new_keys() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "QINGYUAN_FIELD_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "QINGYUAN_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        "QINGYUAN_AUDIT_KEY": base64.b64encode(os.urandom(32)).decode(),
    }


@pytest.fixture(scope="session")
def new_keys():
    """new_keys() -> a fresh set of the four keys production must be given."""
    return _new_keys


@pytest.fixture(scope="session")
def manage():
    """manage(*args, env={...}) -> CompletedProcess, run from the project directory."""

    def _run(*args, env: dict, timeout: int = 300, stdin: str | None = None):
        clean = {
            name: value
            for name, value in os.environ.items()
            if name not in _INSTALLATION_VARS and not name.startswith("QINGYUAN_")
        }
        clean.update({name: str(value) for name, value in env.items()})
        return subprocess.run(  # noqa: S603 - our own manage.py with arguments from the test
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
            cwd=settings.BASE_DIR,
            env=clean,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return _run
