"""Encryption at rest for confidential fields (ID numbers, phones, reporter identity).

AES-256-GCM with a key kept outside the database (env QINGYUAN_FIELD_KEYS; the embedded setup's
var/field_keys).
Ciphertexts carry their key id, so keys rotate: the first key encrypts, every listed key decrypts,
and `manage.py rotate_field_keys` re-encrypts old rows. A keyed HMAC ("blind index") lets the
platform find a person by ID number or phone without decrypting every row.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

PREFIX = "enc1"


@lru_cache(maxsize=1)
def _keys() -> tuple[tuple[str, bytes], ...]:
    # settings.py refuses to start without keys outside the embedded setup (which generates them).
    raw = settings.QINGYUAN_FIELD_KEYS
    keys = []
    for item in raw.split(","):
        kid, _, b64 = item.strip().partition(":")
        key = base64.b64decode(b64)
        if len(key) != 32:
            raise ValueError(f"field key {kid!r} must be 32 bytes (AES-256)")
        keys.append((kid, key))
    return tuple(keys)


def reset_key_cache():
    _keys.cache_clear()
    _index_key.cache_clear()


def current_key_id() -> str:
    return _keys()[0][0]


def key_ids() -> list[str]:
    """Ids of every configured field key, the encrypting one first."""
    return [kid for kid, _key in _keys()]


def field_key_fingerprints() -> dict[str, str]:
    """SHA-256 of each configured field key by id: tells two keys apart without revealing either
    (backup manifests record it, so a restore can say which key is missing or different)."""
    return {kid: hashlib.sha256(key).hexdigest() for kid, key in _keys()}


def index_key_fingerprint() -> str:
    return hashlib.sha256(_index_key()).hexdigest()


def encrypt(plaintext: str) -> str:
    kid, key = _keys()[0]
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, plaintext.encode(), kid.encode())
    return f"{PREFIX}:{kid}:{base64.b64encode(nonce + ct).decode()}"


def decrypt(token: str) -> str:
    prefix, kid, b64 = token.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("not an encrypted value")
    key = dict(_keys())[kid]
    blob = base64.b64decode(b64)
    return AESGCM(key).decrypt(blob[:12], blob[12:], kid.encode()).decode()


def blind_index(value: str) -> str:
    """Deterministic keyed hash for equality search; never reversible without the key."""
    if not value:
        return ""
    return hmac.new(_index_key(), value.strip().upper().encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    # Separate from the encryption keys so that rotating those leaves every blind index valid.
    raw = settings.QINGYUAN_INDEX_KEY
    return base64.b64decode(raw)


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext; Python code sees plaintext. Not searchable: pair with blind_index."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        if value.startswith(PREFIX + ":"):
            return value
        return encrypt(value)


def phone_index(value: str) -> str:
    """Blind index of a phone number by its digits only, so "139-1234 5678" finds 13912345678."""
    return blind_index("".join(ch for ch in (value or "") if ch.isdigit()))


def encrypt_phone_column(conn, model, field: str, index_field: str, batch_size: int = 2000):
    """Data migration step: encrypt a phone column that was stored in clear and fill its blind index.

    Raw SQL on purpose: the model's field is already an EncryptedTextField, which would try to
    decrypt the clear values on reading them. Rows already encrypted are left alone, so a rerun is
    harmless."""
    q = conn.ops.quote_name
    table, column = q(model._meta.db_table), q(model._meta.get_field(field).column)
    index_column, pk = q(model._meta.get_field(index_field).column), q(model._meta.pk.column)
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {column} FROM {table} WHERE {column} <> '' AND {column} NOT LIKE %s",  # noqa: S608
            [PREFIX + ":%"],
        )
        rows = cursor.fetchall()
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s, {index_column} = %s WHERE {pk} = %s",  # noqa: S608
                [
                    (encrypt(value), phone_index(value), key)
                    for key, value in rows[start : start + batch_size]
                ],
            )


def decrypt_phone_column(conn, model, field: str, batch_size: int = 2000):
    """Reverse of encrypt_phone_column, for migrating back: clear text again."""
    q = conn.ops.quote_name
    table, column = q(model._meta.db_table), q(model._meta.get_field(field).column)
    pk = q(model._meta.pk.column)
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} LIKE %s", [PREFIX + ":%"])  # noqa: S608
        rows = cursor.fetchall()
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                [(decrypt(value), key) for key, value in rows[start : start + batch_size]],
            )


def mask(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """3205**********1234 style masking for display by default."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return value[:1] + "*" * (len(value) - 1)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_phone(value: str) -> str:
    return mask(value, 3, 4)
