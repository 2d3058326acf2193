"""Where to go after login, two-factor login or a password change. A `next` from the query string
or form is attacker-controlled: a link to /accounts/otp/verify/?next=https://evil.example/ would
otherwise hand a freshly authenticated officer to a look-alike site (open redirect)."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str = "core:home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)
