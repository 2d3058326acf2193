"""The exchange's keys: the Ed25519 key that signs this platform's feed, and the network-wide index
key that turns an ID number into the identity hash every participating region computes alike.

Signature header over the exact body bytes:  X-Qingyuan-Signature: ed25519 keyid=<id> sig=<base64>
keyid is the first 16 hex digits of SHA-256 of the raw public key, so a partner sees at once that a
page was signed with a key other than the one it was given (a rotation nobody told it about).
"""

import base64
import binascii
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from qingyuan.core.idcard import normalize_id_number

HEADER = "X-Qingyuan-Signature"
_HEADER_RE = re.compile(r"^ed25519 keyid=([0-9a-f]{16}) sig=([A-Za-z0-9+/=]+)$")


class BadSignature(Exception):
    """The page cannot be trusted; the message (Chinese) says why."""


def _raw(setting: str) -> bytes:
    value = getattr(settings, setting, "") or ""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{setting} 须为 Base64 编码的 32 字节密钥（docs/exchange.md）")
    return raw


@lru_cache(maxsize=1)
def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_raw("QINGYUAN_EXCHANGE_SIGNING_KEY"))


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    return _raw("QINGYUAN_EXCHANGE_INDEX_KEY")


def reset_key_cache():
    _private_key.cache_clear()
    _index_key.cache_clear()


def public_key_b64() -> str:
    raw = _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public_b64: str) -> str:
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def sign(body: bytes) -> str:
    """The header value for `body`."""
    sig = base64.b64encode(_private_key().sign(body)).decode()
    return f"ed25519 keyid={key_id(public_key_b64())} sig={sig}"


def verify(body: bytes, header: str, public_b64: str) -> None:
    """Raise BadSignature unless `header` is a valid signature of `body` by the key `public_b64`."""
    match = _HEADER_RE.match((header or "").strip())
    if match is None:
        raise BadSignature("应答缺少签名或签名格式不正确")
    if match.group(1) != key_id(public_b64):
        raise BadSignature(f"签名密钥 {match.group(1)} 不是登记的对方公钥，对方可能已更换密钥")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64))
        key.verify(base64.b64decode(match.group(2)), body)
    except (InvalidSignature, ValueError, binascii.Error):
        raise BadSignature("签名校验失败：应答内容被篡改或不是对方平台签发") from None


def valid_public_key(value: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(value, validate=True))
    except (ValueError, binascii.Error):
        return False
    return True


def identity_hash(id_number: str) -> str:
    """HMAC-SHA256 of the normalised ID number (or unified social credit code) under the exchange
    index key: equal for the same person on every platform of the network, never reversible without
    the key. Deliberately not the platform's own blind index, whose key never leaves the platform."""
    value = normalize_id_number(id_number)
    if not value:
        return ""
    return hmac.new(_index_key(), value.encode(), hashlib.sha256).hexdigest()
