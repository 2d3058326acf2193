"""Per-client-address limits on the public endpoints (SECURITY.md: public endpoints rate-limited).

A fixed window counted in Django's cache: cheap, no table, and good enough to stop a script flooding
the tip form or guessing tracking codes. The counts live where the default cache lives; see the note
at QINGYUAN_PORTAL_RATES in settings.py about a shared cache in production."""

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from qingyuan.core.middleware import client_ip


def over_limit(request, scope: str) -> bool:
    """Count this request against `scope`; True once the client has used up its allowance."""
    count, seconds = settings.QINGYUAN_PORTAL_RATES[scope]
    window = int(time.time() // seconds)
    key = f"portal-rate:{scope}:{client_ip(request)}:{window}"
    # add() then incr(): two workers starting the same window cannot both reset the count.
    cache.add(key, 0, timeout=seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=seconds + 5)
        used = 1
    return used > count


def too_many_requests(request, scope: str):
    _count, seconds = settings.QINGYUAN_PORTAL_RATES[scope]
    minutes = max(1, seconds // 60)
    response = render(
        request, "portal/rate_limited.html", {"title": "操作过于频繁", "minutes": minutes}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response
