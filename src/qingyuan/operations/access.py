"""The cross-county access rule other apps call (inspections, evidence): may this user act on this
site, beyond their own jurisdiction, at this moment? Only an explicit, unrevoked AccessGrant says
yes: held by the user (joint operation) or by the user's unit (designated jurisdiction)."""

from django.db.models import Q
from django.utils import timezone

from .models import AccessGrant


def _grants(user, at):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return AccessGrant.objects.none()
    holder = Q(user_id=user.pk)
    if user.unit_id:
        holder |= Q(unit_id=user.unit_id)
    return AccessGrant.objects.active_at(at or timezone.now()).filter(holder)


def granted(user, subject, at=None) -> bool:
    """True while an unrevoked grant for that user (or their unit) and subject covers `at` (default
    now). A grant covers [starts_at, ends_at): the instant it ends it no longer does."""
    subject_id = getattr(subject, "pk", subject)
    return _grants(user, at).filter(subject_id=subject_id).exists()


def granted_subject_ids(user, at=None) -> set[int]:
    """Ids of every subject the user may act on through a grant at `at` (default now)."""
    return set(_grants(user, at).values_list("subject_id", flat=True))


def subjects_for(user, at=None):
    """The user's own jurisdiction's subjects plus those granted to them at `at`: the queryset an
    inspection or evidence form offers as "sites you may act on"."""
    from qingyuan.subjects.models import Subject

    own = Subject.objects.visible_to(user)
    ids = granted_subject_ids(user, at)
    if not ids:
        return own
    return Subject.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=ids))
