import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def _record_login_time(sender, request, user, **kwargs):
    # The 12-hour session limit counts from here (SessionPolicyMiddleware); a second login in the
    # same browser starts a new 12 hours.
    if request is not None and hasattr(request, "session"):
        request.session["login_at"] = int(time.time())
