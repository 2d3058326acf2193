"""Every write to an account. The rules of 三员分立 (SECURITY.md) live here, so that pages, the API,
commands and imports all obey them:

- an administrator never changes their own account (role, unit and so jurisdiction included): the
  安全管理员 who made itself 领导 of the city could read cases and reporters' identities;
- 系统管理员 edits accounts, 安全管理员 grants role and unit (jurisdiction);
- any change of an administrator account, or one that makes an account an administrator (one role
  per account, so this is also the only way between administrator and business roles), takes two
  administrators: one proposes it (UserChangeRequest), an administrator of the other of those two
  roles approves it, and only then is it applied. Each step is audited.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit, crypto
from qingyuan.core.crypto import EncryptedTextField
from qingyuan.core.workflow import Transition, Workflow

from .models import ChangeStatus, User, UserChangeRequest
from .roles import ADMIN_ROLES, Role

# Role and unit decide what an account may see and do: only 安全管理员 grants them.
GRANT_FIELDS = {"role", "unit"}
# Who approves a change proposed by whom: the other of the two account administrators.
APPROVER_ROLE = {Role.SYSADMIN: Role.SECADMIN, Role.SECADMIN: Role.SYSADMIN}


def _region_of(user):
    return user.unit.region_id if user.unit_id else ""


def _check_may_write(actor, user: User | None, fields) -> None:
    """Raise unless `actor` may change these fields of `user` (None: a new account). actor None is
    a command run on the server (bootstrap), which has no web identity to check."""
    if actor is None:
        return
    if fields & GRANT_FIELDS and not actor.can("users.grant") and user is not None:
        raise PermissionDenied("只有安全管理员可以授予角色和所在单位（辖区）")
    if fields - GRANT_FIELDS and not actor.can("users.manage"):
        raise PermissionDenied("只有系统管理员可以新建和编辑账号")
    if user is not None and not User.objects.visible_to(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("该账号不在您的辖区内")
    if user is not None and actor.role in ADMIN_ROLES and user.pk == actor.pk:
        raise ValidationError("管理员不能修改自己的账号（包括角色、单位和辖区），须由另一名管理员办理")


def _plain(name, value):
    field = User._meta.get_field(name)
    if field.is_relation:
        return value.pk if value is not None else None
    return value


def _stored(name, value):
    """The value as kept in a change request: a phone number stays encrypted at rest there too."""
    value = _plain(name, value)
    if isinstance(User._meta.get_field(name), EncryptedTextField) and value:
        return crypto.encrypt(value)
    return value


def _unstored(name, value):
    if isinstance(User._meta.get_field(name), EncryptedTextField) and value:
        return crypto.decrypt(value)
    return value


def shown(name, stored):
    """A stored value as the audit log and the pages may show it: encrypted fields masked."""
    if isinstance(User._meta.get_field(name), EncryptedTextField) and stored:
        return crypto.mask(_unstored(name, stored))
    return stored


def _loaded(name, value):
    field = User._meta.get_field(name)
    value = _unstored(name, value)
    if field.is_relation and value is not None:
        return field.related_model._default_manager.get(pk=value)
    return value


def is_admin_change(user: User, data: dict) -> bool:
    """Whether changing `user` with `data` needs a second administrator."""
    return user.role in ADMIN_ROLES or data.get("role", user.role) in ADMIN_ROLES


def may_approve(actor, change: UserChangeRequest) -> bool:
    return (
        actor is not None
        and actor.is_active
        and change.status == ChangeStatus.PENDING
        and actor.role == APPROVER_ROLE.get(change.requested_by.role)
        and actor.pk not in (change.requested_by_id, change.user_id)
        and User.objects.visible_to(actor).filter(pk=change.user_id).exists()
    )


@transaction.atomic
def user_create(*, actor, data: dict, initial_password: str) -> User:
    _check_may_write(actor, None, set(data))
    if actor is not None and data.get("role") in ADMIN_ROLES:
        # An administrator account starts as a business account and becomes an administrator only
        # through an approved change request, so no single administrator makes another.
        raise ValidationError(
            "不能直接新建管理员账号：请先新建账号，再由安全管理员申请授予管理员角色，经系统管理员审批"
        )
    if (
        actor is not None
        and not actor.can("users.grant")
        and (data.get("unit") is not None or data.get("role", Role.INSPECTOR) != Role.INSPECTOR)
    ):
        raise PermissionDenied("新建账号时不能指定角色和所在单位：由安全管理员另行授予")
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


def user_update(*, actor, user: User, data: dict) -> User | UserChangeRequest:
    """Apply `data` to `user`, or, for an administrator account, record it as a change request
    that another administrator must approve (returned instead of the account)."""
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        changed = {
            name: value
            for name, value in data.items()
            if _plain(name, value) != _plain(name, getattr(current, name))
        }
        _check_may_write(actor, current, set(changed))
        if not changed:
            return current
        if actor is not None and is_admin_change(current, changed):
            return _change_request(actor=actor, user=current, changed=changed)
    return audit.save_with_audit(actor=actor, model=User, pk=user.pk, data=changed, region_of=_region_of)


def _change_request(*, actor, user: User, changed: dict) -> UserChangeRequest:
    if actor.role not in APPROVER_ROLE:
        raise PermissionDenied("只有系统管理员或安全管理员可以申请变更管理员账号")
    if UserChangeRequest.objects.filter(user=user, status=ChangeStatus.PENDING).exists():
        raise ValidationError("该账号已有待审批的变更，请先审批或驳回")
    change = UserChangeRequest.objects.create(
        user=user,
        changes={name: _stored(name, value) for name, value in changed.items()},
        previous={name: _stored(name, getattr(user, name)) for name in changed},
        requested_by=actor,
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=change,
        before={name: shown(name, value) for name, value in change.previous.items()},
        after={name: shown(name, value) for name, value in change.changes.items()},
        region_code=_region_of(user),
    )
    return change


def _approver_problem(change: UserChangeRequest, actor) -> str | None:
    if may_approve(actor, change):
        return None
    return "须由申请人以外、另一角色的管理员（系统管理员与安全管理员互相审批）审批，且不能审批自己的账号"


def _rejecter_problem(change: UserChangeRequest, actor) -> str | None:
    # The requester may withdraw; otherwise the same administrators who could approve may reject.
    if actor.pk == change.requested_by_id or may_approve(actor, change):
        return None
    return "您不能驳回这项变更申请"


def _account_unchanged(change: UserChangeRequest, inputs) -> str | None:
    """Nobody approves something other than what they saw: the account must still hold the values
    the request replaces."""
    user = User.objects.select_for_update().get(pk=change.user_id)
    if any(
        _plain(name, getattr(user, name)) != _unstored(name, value) for name, value in change.previous.items()
    ):
        return "申请提交后该账号已被修改，请驳回后重新申请"
    return None


CHANGE_WORKFLOW = Workflow(
    noun="变更申请",
    model=UserChangeRequest,
    transitions={
        "approve": Transition(
            "批准",
            frozenset({ChangeStatus.PENDING}),
            ChangeStatus.APPROVED,
            None,
            conditions=(_account_unchanged,),
            actor_problem=_approver_problem,
        ),
        "reject": Transition(
            "驳回",
            frozenset({ChangeStatus.PENDING}),
            ChangeStatus.REJECTED,
            None,
            actor_problem=_rejecter_problem,
        ),
    },
    region_code=lambda change: _region_of(change.user),
    related=("requested_by", "user"),
)


def user_change_approve(*, actor, change: UserChangeRequest) -> User:
    with transaction.atomic():
        change = CHANGE_WORKFLOW.take(
            change, "approve", actor=actor, changes={"decided_by": actor, "decided_at": timezone.now()}
        )
        data = {name: _loaded(name, value) for name, value in change.changes.items()}
        return audit.save_with_audit(
            actor=actor, model=User, pk=change.user_id, data=data, region_of=_region_of
        )


def user_change_reject(*, actor, change: UserChangeRequest) -> UserChangeRequest:
    return CHANGE_WORKFLOW.take(
        change, "reject", actor=actor, changes={"decided_by": actor, "decided_at": timezone.now()}
    )


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action=audit.AuditAction.PASSWORD, target=user)


def user_notification_settings(*, user, email: str, notify_by_email: bool, notify_by_sms: bool):
    """The user sets their own e-mail address and where notifications also go; audited like any change."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = audit.snapshot(locked)
        locked.email, locked.notify_by_email, locked.notify_by_sms = email, notify_by_email, notify_by_sms
        locked.save(update_fields=["email", "notify_by_email", "notify_by_sms"])
        b, a = audit.diff(before, audit.snapshot(locked))
        audit.record(actor=user, action=audit.AuditAction.UPDATE, target=locked, before=b, after=a)
    return locked
