"""Session rules: 30 minutes idle ends the session; a new or reset account must change its password first."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

_EXEMPT_PREFIXES = ("/accounts/login", "/accounts/logout", "/accounts/password", "/static/", "/api/")


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                return redirect(f"{reverse('accounts:login')}?expired=1")
            request.session["last_seen"] = now
            if user.must_change_password and not request.path.startswith(_EXEMPT_PREFIXES):
                return redirect("accounts:password_change")
        return self.get_response(request)
