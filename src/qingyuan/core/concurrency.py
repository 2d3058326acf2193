"""Optimistic concurrency: an edit made from a page or an API call opened before someone else's save is
refused instead of silently undoing that save.

Row locks in the services serialise two saves, but the second one still writes the values its form
was opened with; the lock alone cannot tell a stale form. So every edit form carries a version
token: a signed fingerprint of each field it can overwrite, taken when the form was opened. The
service, after `select_for_update`, compares the token with the locked row (`check_version`) and
raises `StaleEdit` naming the fields someone else changed; nothing is written. Fingerprints are keyed
hashes, so the token shows no value (ID numbers included) to whoever reads the page source.

A field-by-field token rather than `updated_at` or a version column: penalty decisions have neither,
no migration is needed, and a scheduled job or a workflow step that leaves the edited fields alone
does not turn an open form stale. The API uses the same token as its ETag (`etag`,
`token_from_if_match`): GET sends it, PUT/PATCH send it back in `If-Match`.
"""

import datetime as dt
import decimal
import json

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .crypto import EncryptedTextField, mask
from .models import AuditEvent

SALT = "qingyuan.core.concurrency"
STALE_MESSAGE = "该记录已被他人修改（{who}，{when}），请查看变化后重新提交"


def _canonical(value) -> str:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        # 3000 and 3000.00 are one amount: a re-read row must not look changed.
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, (list, tuple)):
        return json.dumps([_canonical(v) for v in value])
    return json.dumps(value, ensure_ascii=False, default=str)


def _raw(instance, name):
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return sorted(instance.pk and getattr(instance, name).values_list("pk", flat=True) or [])
    value = getattr(instance, field.attname)
    return "" if value is None and isinstance(field, EncryptedTextField) else value


def _fingerprint(value) -> str:
    return salted_hmac(SALT, _canonical(value)).hexdigest()[:20]


def _known(instance, fields) -> list[str]:
    names = []
    for name in fields:
        try:
            instance._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        names.append(name)
    return names


def fingerprints(instance, fields) -> dict[str, str]:
    return {name: _fingerprint(_raw(instance, name)) for name in _known(instance, fields)}


def version_token(instance, fields) -> str:
    """The token an edit form carries: what `fields` of `instance` held when the form was opened."""
    return signing.dumps(fingerprints(instance, fields), salt=SALT, compress=True)


def last_change(instance) -> tuple[str, dt.datetime | None]:
    """Who changed the record last and when, from the audit log (every service records its writes)."""
    event = (
        AuditEvent.objects.filter(target_type=instance._meta.label_lower, target_id=str(instance.pk))
        .exclude(action__in=["reveal", "export"])
        .select_related(None)
        .order_by("-id")
        .first()
    )
    if event is None:
        return "其他用户", None
    name = ""
    if event.actor_id:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=event.actor_id).first()
        name = getattr(user, "full_name", "") or getattr(user, "username", "") if user else ""
    return name or event.actor_name or "系统", event.at


class StaleEdit(ValidationError):
    """The record changed after the form (or the API client) read it. A ValidationError, so a caller
    that does not handle it specially still shows the message and writes nothing."""

    def __init__(self, instance, changed: list[str]):
        self.instance = instance
        self.changed = changed
        self.changed_by, self.changed_at = last_change(instance)
        when = timezone.localtime(self.changed_at).strftime("%Y-%m-%d %H:%M") if self.changed_at else "刚才"
        super().__init__(STALE_MESSAGE.format(who=self.changed_by, when=when), code="stale")


def check_version(instance, token: str | None, fields) -> None:
    """Call inside the service's transaction, on the row just locked with select_for_update and
    before any new value is set. `token` None means no form was involved (imports, commands): those
    write under the row lock alone. A token that does not verify is treated as stale."""
    if token is None:
        return
    try:
        opened = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise StaleEdit(instance, list(_known(instance, fields))) from None
    current = fingerprints(instance, fields)
    changed = [name for name, value in current.items() if name in opened and opened[name] != value]
    if changed:
        raise StaleEdit(instance, changed)


def etag(instance, fields) -> str:
    """The ETag of a record for the API: the same token an edit form carries, so a PUT/PATCH that sends
    it back in If-Match is checked field by field exactly like a form."""
    return f'"{version_token(instance, fields)}"'


def token_from_if_match(header: str | None) -> str | None:
    """The version token in an If-Match header; None when absent or `*` (no check asked for)."""
    if not header:
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    return None if tag in ("", "*") else tag


def display(instance, name) -> str:
    """A field's current value as a person reads it: choices by label, related records by name, ID
    numbers masked."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return "、".join(str(o) for o in getattr(instance, name).all()) or "（空）"
    value = getattr(instance, name)
    if isinstance(field, EncryptedTextField):
        return mask(value or "") or "（空）"
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    return show(value)


def show(value) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return "、".join(str(v) for v in items) or "（空）"
    return str(value)


__all__ = ["StaleEdit", "check_version", "etag", "token_from_if_match", "version_token"]
