"""Logins, failures, lockouts and logouts go to the audit log (等保 2.0: every failure recorded)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(actor=user, action=audit.AuditAction.LOGIN, target=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action=audit.AuditAction.LOGOUT, target=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    audit.record(
        action=audit.AuditAction.LOGIN_FAILED,
        target_type="accounts.user",
        target_repr=username,
        result="fail",
        request=request,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit.record(
        action=audit.AuditAction.LOCKOUT,
        target_type="accounts.user",
        target_repr=username or "",
        after={"ip": ip_address},
        result="fail",
        request=request,
    )
