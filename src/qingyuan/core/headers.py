"""Security headers on every response: a strict Content-Security-Policy and a Permissions-Policy.

Django 5.2 has no CSP of its own. The pages carry no inline script, inline style or `javascript:`
URL (figures reach scripts through json_script, widths through data attributes), so the policy
needs no 'unsafe-inline': an injected <script> or event handler would not run even if escaping
failed somewhere (等保 2.0, SECURITY.md "Input and files").

Only the API documentation page (drf-spectacular's Swagger UI, a third-party bundle) styles itself
inline; its relaxation is limited to that URL.
"""

from __future__ import annotations

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
# Swagger UI writes a <style> block and style attributes from its bundle; its scripts stay 'self'
# (the split view serves the start-up script as a file).
API_DOCS = {**STRICT, "style-src": "'self' 'unsafe-inline'"}

# Field pages take photos with the phone's camera and locate the site; nothing else is needed.
PERMISSIONS = (
    "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "midi=(), display-capture=(), accelerometer=(), gyroscope=(), magnetometer=()"
)


def policy_text(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


STRICT_POLICY = policy_text(STRICT)
API_DOCS_POLICY = policy_text(API_DOCS)
API_DOCS_PREFIX = "/api/docs/"


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy unless a view set its own. Referrer-Policy,
    X-Content-Type-Options and X-Frame-Options come from Django's SecurityMiddleware and
    XFrameOptionsMiddleware (settings.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        relaxed = request.path.startswith(API_DOCS_PREFIX)
        response.headers.setdefault("Content-Security-Policy", API_DOCS_POLICY if relaxed else STRICT_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        return response
