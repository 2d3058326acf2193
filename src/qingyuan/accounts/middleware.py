"""Session rules, in order: 30 minutes idle or 12 hours after login ends the session; a user with a TOTP device must enter a
code before anything else, and an administrator without one must set it up (SECURITY.md); a new or
reset account must change its password."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from qingyuan.api.errors import body as api_error

from .roles import ADMIN_ROLES

_ALWAYS_ALLOWED = ("/accounts/login", "/accounts/logout", "/static/", "/health/")
_OTP_PAGES = ("/accounts/otp/",)
_PASSWORD_PAGES = ("/accounts/password",)


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        last = request.session.get("last_seen", now)
        # A session opened before this rule existed has no login time: it counts from now.
        started = request.session.setdefault("login_at", now)
        if now - last > settings.SESSION_IDLE_SECONDS or now - started >= settings.SESSION_COOKIE_AGE:
            logout(request)
            return redirect(f"{reverse('accounts:login')}?expired=1")
        request.session["last_seen"] = now
        # Saving the session on every request would otherwise push its expiry 12 hours past the
        # latest click; the 12-hour limit counts from login, whatever the activity (SECURITY.md).
        request.session.set_expiry(started + settings.SESSION_COOKIE_AGE - now)
        path = request.path
        if path.startswith(_ALWAYS_ALLOWED):
            return self.get_response(request)
        if not user.is_verified():
            needs_code = user_has_device(user, confirmed=True)
            if needs_code or user.role in ADMIN_ROLES:
                if path.startswith(_OTP_PAGES):
                    return self.get_response(request)
                if path.startswith("/api/"):
                    return JsonResponse(api_error(403, "请先完成两步验证"), status=403)
                return redirect("accounts:otp_verify" if needs_code else "accounts:otp_setup")
        if user.must_change_password and not path.startswith(_PASSWORD_PAGES + _OTP_PAGES):
            if path.startswith("/api/"):
                return JsonResponse(api_error(403, "请先修改初始密码"), status=403)
            return redirect("accounts:password_change")
        return self.get_response(request)
