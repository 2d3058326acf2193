"""Files a visitor chose on the tip form's second step, kept while that step is refused (a wrong
captcha, a switch of challenge) so that they need not be chosen again.

They sit in a private directory outside the storage the site serves, one folder per visit, named by a
random token kept only in the visitor's session: nobody can name another visitor's folder. Limits are
the form's own (MAX_FILES, MAX_FILE_BYTES, checked by uploads.check_files before anything is held),
plus a ceiling on the whole area. A hold expires after QINGYUAN_PORTAL_HOLD_MINUTES; expired folders
are removed whenever anyone opens or sends the form."""

import os
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

from qingyuan.leads.uploads import MAX_FILE_BYTES, MAX_FILES

SESSION_KEY = "portal_tip_hold"
# All visitors together; past it nothing more is held (the visitor chooses the files again).
AREA_BYTES = 50 * MAX_FILES * MAX_FILE_BYTES


def _root() -> Path:
    return Path(settings.QINGYUAN_PORTAL_HOLD_DIR)


def _lifetime() -> int:
    return int(settings.QINGYUAN_PORTAL_HOLD_MINUTES) * 60


def _folder(token: str) -> Path:
    # The token comes from the session only, but is still checked: a path, never.
    if not token or not token.isalnum():
        raise ValueError("bad hold token")
    return _root() / token


def clear_expired(now: float | None = None) -> int:
    """Remove every hold older than its lifetime; returns how many folders went."""
    root = _root()
    if not root.is_dir():
        return 0
    limit = (now or time.time()) - _lifetime()
    removed = 0
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _area_bytes() -> int:
    root = _root()
    if not root.is_dir():
        return 0
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def held(session) -> list[dict]:
    """What this visitor has on hold, still on disk and not expired."""
    hold = session.get(SESSION_KEY)
    if not hold:
        return []
    folder = _folder(hold["token"])
    if hold["expires"] < time.time() or not folder.is_dir():
        discard(session)
        return []
    return [item for item in hold["files"] if (folder / item["stored"]).is_file()]


def hold(session, checked: list[dict]) -> None:
    """Keep newly chosen files (already passed through check_files) next to those on hold."""
    if not checked:
        return
    current = held(session)
    if len(current) + len(checked) > MAX_FILES:
        raise ValidationError(f"附件最多{MAX_FILES}个，请先移除已保留的照片")
    incoming = sum(item["size"] for item in checked)
    if _area_bytes() + incoming > AREA_BYTES:
        raise ValidationError("暂时无法保留所选文件，请在输入验证码后重新选择")
    state = session.get(SESSION_KEY) if current else None
    if not state:
        state = {"token": secrets.token_hex(16), "serial": 0}
    state["files"] = list(current)
    folder = _folder(state["token"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for item in checked:
        state["serial"] += 1
        stored = f"{state['serial']}.bin"
        upload = item["file"]
        upload.seek(0)
        fd = os.open(folder / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        upload.seek(0)
        state["files"].append({"stored": stored, "name": item["original_name"], "size": item["size"]})
    state["expires"] = time.time() + _lifetime()
    os.utime(folder)  # the clean-up reads the folder's age
    session[SESSION_KEY] = state


def drop(session, stored: str) -> None:
    """Remove one held file at the visitor's request."""
    state = session.get(SESSION_KEY)
    if not state:
        return
    keep = [item for item in state["files"] if item["stored"] != stored]
    if len(keep) != len(state["files"]):
        (_folder(state["token"]) / stored).unlink(missing_ok=True)
        state["files"] = keep
        session[SESSION_KEY] = state


def open_held(session) -> list[File]:
    """The held files as file objects for check_files and the lead; the caller closes them."""
    state = session.get(SESSION_KEY)
    folder = _folder(state["token"]) if state else None
    return [File(open(folder / item["stored"], "rb"), name=item["name"]) for item in held(session)]  # noqa: SIM115


def discard(session) -> None:
    """Forget the hold and delete its folder: after the lead is saved, or when it has expired."""
    state = session.pop(SESSION_KEY, None)
    if state:
        shutil.rmtree(_folder(state["token"]), ignore_errors=True)
