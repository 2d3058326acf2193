"""The cross-county access rule other apps call (inspections, evidence): may this user act on this
site, beyond their own jurisdiction, at this moment? Only an explicit, unrevoked AccessGrant says
yes: held by the user (joint operation) or by the user's unit (designated jurisdiction)."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import AccessGrant, GrantReason


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


# Bumped whenever a grant is written in this process: the per-user cache below is then stale.
_generation = 0


def _grant_written(**kwargs):
    global _generation
    _generation += 1


post_save.connect(_grant_written, sender=AccessGrant, dispatch_uid="qingyuan.operations.grant_written")
post_delete.connect(_grant_written, sender=AccessGrant, dispatch_uid="qingyuan.operations.grant_deleted")


def granted_subject_ids(user, at=None, reason: str | None = None) -> set[int]:
    """Ids of every subject the user may act on through a grant at `at` (default now), of one
    `reason` (GrantReason) or any.

    Every scoped list asks this (ScopedQuerySet.visible_to), several times a page. The answer for
    "now" is kept on the user object, which lives for one request, so a page asks the database once;
    a grant written meanwhile in this process invalidates it."""
    if at is not None or user is None:
        grants = _grants(user, at)
        if reason:
            grants = grants.filter(reason=reason)
        return set(grants.values_list("subject_id", flat=True))
    cached = getattr(user, "_granted_subject_ids", None)
    if cached is None or cached[0] != _generation:
        by_reason: dict[str, set[int]] = {}
        for subject_id, kind in _grants(user, None).values_list("subject_id", "reason"):
            by_reason.setdefault(kind, set()).add(subject_id)
        cached = (_generation, by_reason)
        try:
            user._granted_subject_ids = cached
        except AttributeError:  # AnonymousUser and other objects that refuse attributes
            pass
    if reason:
        return set(cached[1].get(reason, ()))
    return set().union(*cached[1].values())


def may_write_subject(user, subject) -> bool:
    """Editing a site's register entry and its persons (identities included) stays with the
    jurisdiction: the county of the address, or the unit designated for it. A joint operation's
    visitors read the site and record inspections and evidence, nothing more."""
    from qingyuan.subjects.models import Subject

    subject_id = getattr(subject, "pk", subject)
    if Subject.objects.in_jurisdiction_of(user).filter(pk=subject_id).exists():
        return True
    return subject_id in granted_subject_ids(user, reason=GrantReason.DESIGNATION)


def subjects_for(user, at=None):
    """The user's own jurisdiction's subjects plus those granted to them at `at`: the queryset an
    inspection or evidence form offers as "sites you may act on"."""
    from qingyuan.subjects.models import Subject

    # The own jurisdiction grants aside: visible_to would add the grants of now, not of `at`.
    own = Subject.objects.in_jurisdiction_of(user)
    ids = granted_subject_ids(user, at)
    if not ids:
        return own
    return Subject.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=ids))


def designation_at(subject, on=None):
    """The 指定管辖 grant in force for the site on `on` (a date or datetime, default now), or None.
    While one is, the designated unit is the site's jurisdiction: it opens and runs cases, bans,
    re-inspects and counts the site in its forms; the county of the address keeps read access to
    what it did before."""
    from datetime import date, datetime, time

    at = on or timezone.now()
    if isinstance(at, date) and not isinstance(at, datetime):
        # A date stands for the whole day: a designation taking effect during it covers it.
        at = timezone.make_aware(datetime.combine(at, time.max))
    subject_id = getattr(subject, "pk", subject)
    return (
        designations_at(at)
        .filter(subject_id=subject_id)
        .select_related("unit__region")
        .order_by("-starts_at", "-pk")
        .first()
    )


def designations_at(at):
    """指定管辖 grants in force at the instant `at`. Unlike AccessGrant.active_at (access now), a
    revoked designation still covers the time before its revocation: a form for a past period, or a
    record dated before the revocation, keeps the region that was answerable then."""
    return AccessGrant.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at),
        Q(revoked_at__isnull=True) | Q(revoked_at__gt=at),
        reason=GrantReason.DESIGNATION,
        unit__isnull=False,
        starts_at__lte=at,
    )


def responsible_region(subject, on=None):
    """The region answerable for the site on `on`: the designated unit's region while a designation
    is in force, else the region of the site's address. New records (cases, inspections, rechecks)
    take it as their region, so every form counts them where the work belonged that day."""
    grant = designation_at(subject, on)
    return grant.unit.region if grant is not None else subject.region


def require_may_act(user, subject, on=None) -> None:
    """Refuse a new record for the site (a case, an inspection, a re-inspection) by the county of its
    address while a designation to another unit is in force on `on` (default now). That county keeps
    reading what it did; the designated unit, the levels above both, and visiting officers under a
    joint-operation grant act as before. The other checks (permission, jurisdiction) stay the
    caller's. Raises NotPermitted (a PermissionDenied) naming the designated unit and the date."""
    from qingyuan.core.scoping import jurisdiction_prefix
    from qingyuan.core.workflow import NotPermitted

    grant = designation_at(subject, on)
    if grant is None:
        return
    prefix = jurisdiction_prefix(user)
    if prefix is None or grant.unit.region_id.startswith(prefix):
        return
    if subject.region_id.startswith(prefix):
        since = timezone.localtime(grant.starts_at).date()
        raise NotPermitted(
            f"本对象自{since:%Y年%m月%d日}起由{grant.unit.name}指定管辖，"
            "本单位可查阅此前的记录，但不能再为其立案、检查或复查"
        )


def grant_in_use(user, subject, at=None):
    """The grant through which `user` acts on `subject` at `at` (default now): None when the site
    lies in the user's own jurisdiction (no grant needed) or no grant covers it."""
    from qingyuan.core.scoping import jurisdiction_prefix

    prefix = jurisdiction_prefix(user)
    region = getattr(subject, "region_id", None)
    if prefix is not None and region is not None and region.startswith(prefix):
        return None
    subject_id = getattr(subject, "pk", subject)
    return (
        _grants(user, at)
        .filter(subject_id=subject_id)
        .select_related("operation")
        .order_by("-starts_at", "-pk")
        .first()
    )


def grant_audit_facts(subject, users, at=None) -> dict:
    """What an audit row names when a write was allowed through grants: for each of `users` (the actor,
    the officers) acting outside their jurisdiction, the grant id, its reason and its operation or
    dispute. Empty when nobody needed a grant."""
    used = []
    for user in {u.pk: u for u in users if u is not None}.values():
        grant = grant_in_use(user, subject, at)
        if grant is None:
            continue
        used.append(
            {
                "grant": grant.pk,
                "user": user.pk,
                "reason": grant.reason,
                "operation": grant.operation_id,
                "operation_name": grant.operation.name if grant.operation_id else "",
                "dispute": grant.dispute_id,
            }
        )
    return {"access_grants": used} if used else {}


def joint_teammates(user, subject, at=None) -> set[int]:
    """Ids of the officers who may record a visit to the site together with `user` in a joint
    operation: the members of the team of the site's group, in each operation with a grant for the
    site in force, when `user` holds that grant or is in that team (the host county's officers need no
    grant for their own site). Empty outside a joint operation."""
    from .models import Team

    subject_id = getattr(subject, "pk", subject)
    at = at or timezone.now()
    active = AccessGrant.objects.active_at(at).filter(subject_id=subject_id, operation__isnull=False)
    held = _grants(user, at).filter(subject_id=subject_id, operation__isnull=False)
    teams = Team.objects.filter(
        Q(operation_id__in=held.values("operation_id")) | Q(members=user),
        operation_id__in=active.values("operation_id"),
        group__targets__subject_id=subject_id,
    )
    return set(Team.members.through.objects.filter(team__in=teams).values_list("user_id", flat=True))
