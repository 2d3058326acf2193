"""Request limits per caller (docs/api.md "限流"): one budget per partner system, one per officer
(token and browser session share it), one per address for calls without credentials.

Counts live in the default cache, which is Redis in production, so the limit holds across every
process and machine serving the API. Rates are in settings REST_FRAMEWORK DEFAULT_THROTTLE_RATES
under "partner", "user" and "anon"; a refused call is 429 with Retry-After (api/errors.py).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import PartnerPrincipal


class PrincipalRateThrottle(SimpleRateThrottle):
    cache_format = "throttle_api_%(scope)s_%(ident)s"

    def __init__(self):
        # The rate is chosen per request (it depends on who calls), not once per class.
        pass

    def get_rate(self):
        # Read each time, so a changed setting (and a test's override) takes effect without a restart.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        user = request.user
        if isinstance(user, PartnerPrincipal):
            self.scope, ident = "partner", user.partner.pk
        elif user is not None and user.is_authenticated:
            self.scope, ident = "user", user.pk
        else:
            self.scope, ident = "anon", self.get_ident(request)
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def get_cache_key(self, request, view):  # required by the base class; allow_request builds the key
        return self.key
