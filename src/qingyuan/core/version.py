"""The version of the running code, as /health/ and backup manifests report it.

In order: a VERSION file next to manage.py (the build writes `git describe --tags --always` into it,
so an installation without .git still knows which commit it runs), `git describe` of the checkout,
else the version in pyproject.toml. Computed once per process.
"""

import subprocess
import tomllib
from functools import lru_cache

from django.conf import settings


def _from_file() -> str:
    path = settings.BASE_DIR / "VERSION"
    try:
        return path.read_text(encoding="utf-8").strip()[:64]
    except OSError:
        return ""


def _from_git() -> str:
    if not (settings.BASE_DIR / ".git").exists():
        return ""
    try:
        done = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty"],  # noqa: S607 - git from PATH
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()[:64] if done.returncode == 0 else ""


def _from_package() -> str:
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


@lru_cache(maxsize=1)
def app_version() -> str:
    return _from_file() or _from_git() or _from_package()
