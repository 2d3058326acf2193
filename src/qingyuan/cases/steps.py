"""What every case step shares: the row lock and jurisdiction check, the timeline step (CaseEvent),
the audit row and the workflow transition, and notifications sent once the transaction commits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.notifications import notify

from . import workflow
from .models import Case, CaseEvent

# The fields each edit form overwrites, and so the fields its version token covers (core.concurrency).
FACTS_FIELDS = ("facts", "illegal_income")

NATIONAL_ENTRY_FIELDS = ("national_entry_on",)

FILING_FIELDS = ("filed_on",)


def _today():
    return timezone.localdate()


_event = CaseEvent.add


def _lock(case, actor=None) -> Case:
    # Row lock: two officers acting on one case at once must not overwrite each other.
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if actor is not None:
        require_in_scope(actor, locked)
    return locked


def require_in_scope(actor, case) -> None:
    """Every write to a case is made by someone whose jurisdiction holds it, whoever calls the
    service (page, command, import): the same rule as the pages' 404."""
    if not Case.objects.in_jurisdiction_of(actor).filter(pk=case.pk).exists():
        raise workflow.NotPermitted("该案件不在您的管辖范围内")


def _chiefs(case):
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role

    return list(User.objects.filter(unit=case.unit, role__in=[Role.CHIEF, Role.LEADER], is_active=True))


def _notify_on_commit(users, text, case):
    users = list(users)
    transaction.on_commit(lambda: notify(users, text, case.get_absolute_url()))


def _label(case) -> str:
    return case.number or case.title


def _audit_change(actor, instance, before, action=audit.AuditAction.UPDATE, region_code=""):
    b, a = audit.diff(before, audit.snapshot(instance))
    audit.record(actor=actor, action=action, target=instance, before=b, after=a, region_code=region_code)


def _transition(case, *, actor, action, note="", **changes) -> Case:
    """Take a step of the case workflow (cases.workflow): lock, check, change, timeline, audit."""
    return workflow.CASE_WORKFLOW.apply(case, action, actor=actor, note=note, changes=changes)


def _require(value, field, message):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: message})
