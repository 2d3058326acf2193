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


def user_update(*, actor, user: User, data: dict) -> User:
    return audit.save_with_audit(
        actor=actor,
        model=User,
        pk=user.pk,
        data=data,
        region_of=lambda u: u.unit.region_id if u.unit_id else "",
    )


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action=audit.AuditAction.PASSWORD, target=user)
