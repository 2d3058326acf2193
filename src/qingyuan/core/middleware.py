"""Request context (request id, client address, user) for audit rows written deep inside services."""

import contextlib
import contextvars
import ipaddress
import re
import uuid
from functools import lru_cache

from django.conf import settings

_request = contextvars.ContextVar("qingyuan_request", default=None)

# A request id from the proxy (nginx's $request_id: 32 hex digits) or a client is kept only when it is
# a short token of safe characters; anything else is replaced, so the audit column (64) always fits.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request():
    return _request.get()


class ReplayedRequest:
    """Stands for a request whose work goes on later in a task worker (a queued job), so the audit
    rows that work writes carry that request's id and client address."""

    def __init__(self, *, request_id: str, ip: str, user=None):
        self.request_id = request_id
        self.client_ip = ip
        self.META = {"REMOTE_ADDR": ip}
        self.user = user


@contextlib.contextmanager
def request_replayed(*, request_id: str, ip: str, user=None):
    token = _request.set(ReplayedRequest(request_id=request_id, ip=ip, user=user))
    try:
        yield
    finally:
        _request.reset(token)


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, unless it is a trusted proxy (QINGYUAN_TRUSTED_PROXIES).

    Then X-Forwarded-For is read from the right, skipping the trusted proxies; the first address that
    is not one of them is the client (anything further left could be forged by that client). Login
    lockout, rate limits and the audit log all call this one function.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _trusted_networks(tuple(settings.QINGYUAN_TRUSTED_PROXIES))
    if not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed chain: believe nothing in it
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else remote


def axes_client_ip(request) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: lock out the same address the audit log records."""
    return client_ip(request)


def request_id_for(request) -> str:
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    if offered and SAFE_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        request.client_ip = client_ip(request)
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
