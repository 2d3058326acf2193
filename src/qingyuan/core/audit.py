"""Writing and verifying the audit log.

Services call `record()` inside their own transaction, so a change and its audit row commit or
roll back together. Each row's hash covers its content and the previous row's hash; editing or
deleting any row breaks the chain from there on, and `manage.py audit_verify` names that row.
"""

import datetime as dt
import decimal
import hashlib
import json
import uuid

from django.db import connection, models, transaction
from django.utils import timezone

from .crypto import EncryptedTextField, mask
from .middleware import client_ip, current_request
from .models import AuditAction, AuditEvent

GENESIS = "0" * 64
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


def _payload(event: AuditEvent) -> bytes:
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
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_payload(event)).hexdigest()


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


def verify_chain(batch_size: int = 10000):
    """Walk the chain; return (rows checked, first broken event or None, reason)."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != prev:
            return checked, event, "前一条哈希不符（有记录被删除或插入）"
        if compute_hash(event) != event.hash:
            return checked, event, "内容与哈希不符（记录被篡改）"
        prev = event.hash
        checked += 1
    return checked, None, ""


__all__ = ["AuditAction", "record", "record_many", "save_with_audit", "snapshot", "diff", "verify_chain"]
