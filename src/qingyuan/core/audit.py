"""Writing and verifying the audit log.

Services call `record()` inside their own transaction, so a change and its audit row commit or
roll back together. Each row's hash covers its content and the previous row's hash; editing or
deleting any row breaks the chain from there on, and `manage.py audit_verify` names that row.

The hash is an HMAC keyed with QINGYUAN_AUDIT_KEY (SHA-256, or SM3 where national cryptography is
required), a key kept out of the database: someone who can write the database but has not the key
cannot recompute the chain after deleting or editing rows. Rows written before the chain was keyed
keep their plain SHA-256 ("sha256") and still verify; the first keyed row chains onto the last of
them, and no unkeyed row may follow a keyed one.

A chain that is only cut at its end still links up. So its head is anchored: every ten minutes
(core.tasks) and at every `audit_verify`, a checkpoint (head row id, hash, row count, time, HMAC over
them) is appended to a file outside the database (QINGYUAN_AUDIT_ANCHOR_DIR) and logged. Verifying
compares the chain with every checkpoint: a head that is gone or different is a truncation or a
rewrite. docs/security.md says what this does and does not stop.
"""

import base64
import binascii
import datetime as dt
import decimal
import fcntl
import hashlib
import hmac
import json
import logging
import os
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from .crypto import EncryptedTextField, mask
from .middleware import client_ip, current_request
from .models import AuditAction, AuditEvent

GENESIS = "0" * 64
LEGACY = "sha256"  # rows written before the chain was keyed
SCHEMES = {"sha256": "hmac-sha256", "sm3": "hmac-sm3"}  # settings.QINGYUAN_AUDIT_HASH -> row scheme
ANCHOR_FILE = "checkpoints.jsonl"
_CHECKPOINT_CONTEXT = b"qingyuan-audit-checkpoint\n"  # a checkpoint's MAC can never pass for a row's
logger = logging.getLogger(__name__)
_LOCK_KEY = 7_310_2024  # PostgreSQL advisory lock id that serialises appends to the chain


def _jsonable(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance, exclude=("password",)) -> dict:
    """Field values for before/after; encrypted fields appear masked, never in clear."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, EncryptedTextField):
            value = mask(value or "")
        data[field.name] = _jsonable(value)
    return data


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the fields that changed, so update rows read clearly."""
    if not before or not after:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _payload(event: AuditEvent, scheme: str = LEGACY) -> bytes:
    body = {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "region_code": event.region_code,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "ip": event.ip,
        "result": event.result,
        "prev_hash": event.prev_hash,
    }
    if scheme != LEGACY:
        body["scheme"] = scheme  # unkeyed rows keep the exact bytes they were hashed over
    return _canonical(body)


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@lru_cache(maxsize=4)
def _key(raw: str) -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < 32:
        raise ImproperlyConfigured(
            "QINGYUAN_AUDIT_KEY 须为 32 字节随机数的 base64 编码（deploy/qy genkeys 生成）"
        )
    return key


def audit_key() -> bytes:
    return _key(settings.QINGYUAN_AUDIT_KEY)


def audit_key_fingerprint() -> str:
    """SHA-256 of the audit key: backup manifests record it, so a restore can tell a different key."""
    return hashlib.sha256(audit_key()).hexdigest()


def current_scheme() -> str:
    return SCHEMES[settings.QINGYUAN_AUDIT_HASH]


def _mac(scheme: str, data: bytes) -> str:
    if scheme == "hmac-sha256":
        return hmac.new(audit_key(), data, hashlib.sha256).hexdigest()
    if scheme == "hmac-sm3":
        mac = crypto_hmac.HMAC(audit_key(), hashes.SM3())
        mac.update(data)
        return mac.finalize().hex()
    raise ValueError(f"unknown audit hash scheme {scheme!r}")


def compute_hash(event: AuditEvent) -> str:
    scheme = event.hash_scheme or LEGACY
    if scheme == LEGACY:
        return hashlib.sha256(_payload(event)).hexdigest()
    return _mac(scheme, _payload(event, scheme))


def lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    # SQLite: writers are serialised by BEGIN IMMEDIATE (settings), so the last hash is stable.


def last_hash() -> str:
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


def _build(*, actor, action, target, target_type, target_repr, region_code, before, after, result, request):
    request = request or current_request()
    user = actor if actor is not None else getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_repr = target_repr or str(target)[:200]
        region_code = region_code or getattr(target, "region_id", "") or ""
    return AuditEvent(
        at=timezone.now(),
        actor_id=user.pk if user else None,
        actor_name=user.get_username() if user else (getattr(actor, "username", "") or ""),
        action=action,
        target_type=target_type or "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=(target_repr or "")[:200],
        region_code=region_code or "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        request_id=getattr(request, "request_id", "") if request else "",
        ip=client_ip(request) if request else "",
        result=result,
    )


def record(
    *,
    actor=None,
    action: str,
    target=None,
    target_type: str = "",
    target_repr: str = "",
    region_code: str = "",
    before=None,
    after=None,
    result: str = "ok",
    request=None,
) -> AuditEvent:
    """Append one audit row in the caller's transaction."""
    event = _build(
        actor=actor,
        action=action,
        target=target,
        target_type=target_type,
        target_repr=target_repr,
        region_code=region_code,
        before=before,
        after=after,
        result=result,
        request=request,
    )
    with transaction.atomic():
        lock_chain()
        event.prev_hash = last_hash()
        event.hash_scheme = current_scheme()
        event.hash = compute_hash(event)
        event.save()
    return event


def record_many(entries: list[dict], *, actor=None, request=None, batch_size: int = 5000) -> int:
    """Append many rows at once (imports): same chain, one lock, bulk insert."""
    if not entries:
        return 0
    with transaction.atomic():
        lock_chain()
        prev = last_hash()
        scheme = current_scheme()
        events = []
        for entry in entries:
            event = _build(
                actor=actor,
                request=request,
                result=entry.get("result", "ok"),
                target=entry.get("target"),
                target_type=entry.get("target_type", ""),
                target_repr=entry.get("target_repr", ""),
                region_code=entry.get("region_code", ""),
                action=entry["action"],
                before=entry.get("before"),
                after=entry.get("after"),
            )
            if entry.get("target_id"):
                event.target_id = str(entry["target_id"])
            event.prev_hash = prev
            event.hash_scheme = scheme
            event.hash = prev = compute_hash(event)
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(events)


def save_with_audit(*, actor, model, pk=None, data: dict, prepare=None, region_of=None):
    """Create (pk None) or update one record the way every service does: row lock (two officers
    editing one record must not overwrite each other silently), validation, save, and an audit row
    with the changed fields, all in one transaction. `prepare(instance)` derives fields before
    validation; `region_of(instance)` names the region when the record has no region field."""
    with transaction.atomic():
        if pk is None:
            instance, before = model(), None
        else:
            instance = model._default_manager.select_for_update().get(pk=pk)
            before = snapshot(instance)
        for field, value in data.items():
            setattr(instance, field, value)
        if prepare is not None:
            prepare(instance)
        instance.full_clean()
        instance.save()
        b, a = diff(before, snapshot(instance))
        record(
            actor=actor,
            action=AuditAction.CREATE if pk is None else AuditAction.UPDATE,
            target=instance,
            before=b,
            after=a,
            region_code=region_of(instance) if region_of else "",
        )
    return instance


# --- verifying ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    """The first problem found: the row concerned (for a cut, the last row before it; 0 when it is the
    checkpoint file) and the reason. Shown as f"审计日志{message}"."""

    pk: int
    reason: str
    message: str

    def __str__(self):
        return f"审计日志{self.message}"


def _row_break(event, reason: str, checked: int) -> ChainBreak:
    return ChainBreak(event.pk, reason, f"第 {event.pk} 条校验失败：{reason}（此前 {checked} 条完好）")


def _cut(after: int, reason: str) -> ChainBreak:
    return ChainBreak(after, reason, f"在第 {after} 条之后被截断或改写：{reason}")


def _when(point: dict) -> str:
    return f"{point['at'][:19].replace('T', ' ')} 的检查点"


def _check_row(event, prev: str, keyed: bool) -> str:
    """Why `event` does not follow `prev` in the chain, or "" when it does."""
    if event.prev_hash != prev:
        return "前一条哈希不符（有记录被删除或插入）"
    scheme = event.hash_scheme or LEGACY
    if scheme != LEGACY and scheme not in SCHEMES.values():
        return f"哈希算法“{scheme[:16]}”未知（记录被篡改）"
    if scheme == LEGACY and keyed:
        # Otherwise whoever can write the database would rewrite recent rows as unkeyed ones.
        return "带密钥的记录之后出现无密钥的记录（记录被改写）"
    if compute_hash(event) != event.hash:
        return "内容与哈希不符（记录被篡改）"
    return ""


def _walk(batch_size: int, checkpoints: list[dict]):
    """(rows checked, ChainBreak or None, head) over the whole chain and every checkpoint."""
    pending = sorted(checkpoints, key=lambda point: point["id"])
    prev, keyed, checked, last_id, anchored, head, i = GENESIS, False, 0, 0, 0, None, 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if i < len(pending) and pending[i]["id"] < event.pk:
            gone = pending[i]
            return checked, _cut(last_id, f"{_when(gone)}记录的第 {gone['id']} 条已不存在"), None
        reason = _check_row(event, prev, keyed)
        if reason:
            return checked, _row_break(event, reason, checked), None
        checked += 1
        while i < len(pending) and pending[i]["id"] == event.pk:
            point = pending[i]
            i += 1
            if point["hash"] != event.hash:
                # The chain links up, so it was recomputed from some row after the last matching
                # checkpoint on: only the key allows that.
                return checked, _cut(anchored, f"第 {event.pk} 条与{_when(point)}不符"), None
            if point["count"] != checked:
                reason = (
                    f"至此共 {checked} 条，{_when(point)}记录为 {point['count']} 条（有记录被删除或插入）"
                )
                return checked, _row_break(event, reason, checked - 1), None
            anchored = event.pk
        prev, keyed, last_id = event.hash, keyed or event.hash_scheme != LEGACY, event.pk
        head = {"id": event.pk, "hash": event.hash, "count": checked, "scheme": event.hash_scheme}
    if i < len(pending):
        point = pending[-1]
        reason = f"{_when(point)}记录到第 {point['id']} 条（共 {point['count']} 条），现只有 {checked} 条"
        return checked, _cut(last_id, reason), None
    return checked, None, head


def verify_chain(batch_size: int = 10000):
    """Walk the chain and compare it with every checkpoint; return (rows checked, ChainBreak or None,
    reason)."""
    checked, broken, _head = _verify(batch_size)
    return checked, broken, broken.reason if broken else ""


def _verify(batch_size: int):
    checkpoints, broken = read_checkpoints()
    if broken is not None:
        return 0, broken, None
    return _walk(batch_size, checkpoints)


def verify_and_anchor(batch_size: int = 10000):
    """verify_chain, then anchor the head it verified (a chain that fails is never anchored)."""
    checked, broken, head = _verify(batch_size)
    if broken is None and head is not None:
        _anchor(head)
    return checked, broken, broken.reason if broken else ""


# --- checkpoints outside the database ---------------------------------------------------------------

_CHECKPOINT_FIELDS = ("id", "hash", "count", "at", "scheme")


def anchor_dir() -> Path:
    return Path(settings.QINGYUAN_AUDIT_ANCHOR_DIR)


def _checkpoint_mac(body: dict, alg: str) -> str:
    return _mac(alg, _CHECKPOINT_CONTEXT + _canonical(body))


def _parse(line: str) -> dict | None:
    """The checkpoint on `line` if its MAC verifies under the audit key, else None."""
    try:
        data = json.loads(line)
        body = {name: data[name] for name in _CHECKPOINT_FIELDS}
        alg, mac = data["mac_alg"], data["mac"]
    except (ValueError, KeyError, TypeError):
        return None
    if not (isinstance(body["id"], int) and isinstance(body["count"], int) and isinstance(body["at"], str)):
        return None
    if not (isinstance(mac, str) and mac.isascii()):  # compare_digest refuses other text
        return None
    if alg not in SCHEMES.values() or not hmac.compare_digest(_checkpoint_mac(body, alg), mac):
        return None
    return body


def read_checkpoints() -> tuple[list[dict], ChainBreak | None]:
    """Every checkpoint in the anchor directory, or the first line that is not a valid one."""
    points: list[dict] = []
    directory = anchor_dir()
    if not directory.is_dir():
        return points, None
    for path in sorted(directory.glob("*.jsonl")):
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                point = _parse(line)
                if point is None:
                    reason = f"检查点文件 {path.name} 第 {number} 行签名不符或无法读取（检查点被改动或伪造）"
                    return points, ChainBreak(0, reason, f"无法校验：{reason}")
                points.append(point)
    return points, None


def _open_anchor() -> int:
    directory = anchor_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.open(directory / ANCHOR_FILE, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)


def _last_checkpoint(fd: int) -> tuple[str, dict | None]:
    """The file's last line and its checkpoint (a checkpoint line is far shorter than the tail read)."""
    size = os.fstat(fd).st_size
    start = max(0, size - 65536)
    lines = [line for line in os.pread(fd, size - start, start).split(b"\n") if line.strip()]
    if not lines:
        return "", None
    text = lines[-1].decode("utf-8", "replace")
    return text, _parse(text)


def _append(fd: int, head: dict) -> dict | None:
    """Append a checkpoint of `head` unless the newest one already names it or a later row; the caller
    holds the file's lock, so two workers at once write it once."""
    _text, last = _last_checkpoint(fd)
    if last is not None and last["id"] >= head["id"]:
        return None
    body = {
        "id": head["id"],
        "hash": head["hash"],
        "count": head["count"],
        "at": timezone.localtime().isoformat(timespec="seconds"),
        "scheme": head["scheme"],
    }
    alg = current_scheme()
    point = {**body, "mac_alg": alg, "mac": _checkpoint_mac(body, alg)}
    line = json.dumps(point, sort_keys=True, separators=(",", ":")) + "\n"
    os.write(fd, line.encode())  # one write with O_APPEND: a line is never interleaved with another
    os.fsync(fd)
    # A second copy outside the database and this file: the log goes to journald (deployment.md).
    logger.info("audit checkpoint %s", line.strip())
    return point


def _anchor(head: dict) -> dict | None:
    fd = _open_anchor()
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return _append(fd, head)
    finally:
        os.close(fd)  # releases the lock


def checkpoint() -> tuple[dict | None, ChainBreak | None]:
    """The scheduled checkpoint: verify the rows written since the newest checkpoint, then anchor the
    new head. Returns (the checkpoint written or None, the problem found or None). Writes nothing when
    the head has not moved, nor when anything fails to verify: a cut chain must not be anchored."""
    fd = _open_anchor()
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        text, last = _last_checkpoint(fd)
        if text and last is None:
            _checked, broken, _head = _verify(10000)
            return None, broken or ChainBreak(
                0, "检查点文件最后一行签名不符", "无法校验：检查点文件最后一行签名不符"
            )
        if last is None:
            start, prev, count, keyed, head = 0, GENESIS, 0, False, None
        else:
            row = AuditEvent.objects.filter(pk=last["id"]).values_list("hash", flat=True).first()
            if row != last["hash"]:
                # Gone or different: the whole walk names the row after which the chain was cut.
                _checked, broken, _head = _verify(10000)
                return None, broken or _cut(last["id"], f"第 {last['id']} 条与{_when(last)}不符")
            start, prev, count, keyed = last["id"], last["hash"], last["count"], last["scheme"] != LEGACY
            head = last
        for event in AuditEvent.objects.filter(pk__gt=start).order_by("id").iterator(chunk_size=10000):
            reason = _check_row(event, prev, keyed)
            if reason:
                return None, _row_break(event, reason, count)
            count += 1
            prev, keyed = event.hash, keyed or event.hash_scheme != LEGACY
            head = {"id": event.pk, "hash": event.hash, "count": count, "scheme": event.hash_scheme}
        if head is None or head is last:
            return None, None
        return _append(fd, head), None
    finally:
        os.close(fd)


__all__ = [
    "AuditAction",
    "ChainBreak",
    "checkpoint",
    "diff",
    "record",
    "record_many",
    "save_with_audit",
    "snapshot",
    "verify_and_anchor",
    "verify_chain",
]
