"""Request context (request id, client address, user) for audit rows written deep inside services."""

import contextvars
import uuid

_request = contextvars.ContextVar("qingyuan_request", default=None)


def current_request():
    return _request.get()


def client_ip(request) -> str:
    # Behind a reverse proxy set QINGYUAN_TRUST_X_FORWARDED_FOR; otherwise the header is forgeable.
    from django.conf import settings

    if getattr(settings, "QINGYUAN_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
