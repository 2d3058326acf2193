"""Error pages in Chinese (settings: handler400/403/404/500 in urls.py, CSRF_FAILURE_VIEW).

400, 403, 404 and the CSRF refusal are ordinary pages of the site, with its navigation for a
logged-in user. The 500 page is self-contained (no database, no context processors: whatever
failed may fail again) and shows the request id that the error's log line carries, so an operator
can find the record a user reports.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)


def _page(request, template: str, status: int, context: dict | None = None) -> HttpResponse:
    context = {"request_id": getattr(request, "request_id", ""), **(context or {})}
    try:
        body = loader.get_template(template).render(context, request)
    except Exception:
        # The navigation reads the database; a page about an error must still come out.
        logger.exception("error page %s could not be drawn with the site's navigation", status)
        body = loader.get_template("500.html").render({**context, "status": status})
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _page(request, "400.html", 400)


def permission_denied(request, exception=None):
    # A refusal raised with a Chinese reason shows it; Django's own (empty or English) do not.
    message = str(exception or "")
    shown = message if message and not message.isascii() else ""
    return _page(request, "403.html", 403, {"exception": shown})


def _api(request) -> bool:
    # Programs read /api/: they get the API's one error shape (api/errors.py), not a page.
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _api(request):
        from qingyuan.api.errors import django_error_response

        return django_error_response(request, 404)
    return _page(request, "404.html", 404)


def server_error(request):
    if _api(request):
        from qingyuan.api.errors import django_error_response

        return django_error_response(request, 500)
    body = loader.get_template("500.html").render({"request_id": getattr(request, "request_id", "")})
    return HttpResponse(body, status=500)


def csrf_failure(request, reason=""):
    # django.security.csrf has already logged the reason.
    return _page(request, "403_csrf.html", 403)
