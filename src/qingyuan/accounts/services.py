from django.db import transaction

from qingyuan.core import audit

from .models import User


@transaction.atomic
def user_create(*, actor, data: dict, initial_password: str) -> User:
    user = User(**data)
    user.set_password(initial_password)
    user.must_change_password = True
    user.full_clean()
    user.save()
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=user,
        after=audit.snapshot(user),
        region_code=user.unit.region_id if user.unit_id else "",
    )
    return user


@transaction.atomic
def user_update(*, actor, user: User, data: dict) -> User:
    # Lock the row: two administrators editing one account must not overwrite each other silently.
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(locked)
    for field, value in data.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.save()
    b, a = audit.diff(before, audit.snapshot(locked))
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=locked,
        before=b,
        after=a,
        region_code=locked.unit.region_id if locked.unit_id else "",
    )
    return locked


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action=audit.AuditAction.PASSWORD, target=user)
