"""Cross-jurisdiction grants (跨区授权) as their users see them: who may list them, and revocation.

A grant is created by the step that needs it (a designation by dispute_resolve, joint-operation
grants by operation_confirm); here it is only read and ended. Revoking is a step of the one workflow
mechanism (core.workflow): the row is locked, the actor checked, the audit row written with the
reason, and the holder told. The grant's state (生效中/已到期/已撤销) is computed from its dates, so the
workflow reads it rather than a stored status.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from qingyuan.core.notifications import notify
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.core.workflow import NotPermitted, Transition, TransitionNotAllowed, Workflow

from ._common import _in_jurisdiction
from .models import AccessGrant, GrantReason

ACTIVE, PENDING, ENDED, REVOKED = "active", "pending", "ended", "revoked"
STATE_LABELS = {ACTIVE: "生效中", PENDING: "未开始", ENDED: "已到期", REVOKED: "已撤销"}


def grant_state(grant, at=None) -> str:
    at = at or timezone.now()
    if grant.revoked_at is not None:
        return REVOKED
    if grant.ends_at is not None and grant.ends_at <= at:
        return ENDED
    if grant.starts_at > at:
        return PENDING
    return ACTIVE


def grants_visible_to(user):
    """The grants a user may see: those about sites in their jurisdiction (the county of the address
    sees who acts there), those held by their unit or by people of their jurisdiction, their own,
    and those a dispute they see decided (a claimant reads the decision in full)."""
    from .models import JurisdictionDispute

    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return AccessGrant.objects.none()
    if prefix == "":
        return AccessGrant.objects.all()
    return AccessGrant.objects.filter(
        Q(subject__region__code__startswith=prefix)
        | Q(unit__region__code__startswith=prefix)
        | Q(user__unit__region__code__startswith=prefix)
        | Q(user_id=user.pk)
        | Q(dispute__in=JurisdictionDispute.objects.visible_to(user).values("pk"))
    )


def granting_level_problem(grant, user) -> str | None:
    """Only the level that granted may revoke: the city (with operations.designate) for a designation,
    the unit running the joint operation (with operations.manage) for its grants. Why not, or None."""
    if grant.reason == GrantReason.DESIGNATION:
        if not user.can("operations.designate"):
            return "您没有撤销指定管辖的权限"
        holder_region = grant.unit.region_id if grant.unit_id else ""
        if not (_in_jurisdiction(user, grant.subject.region_id) and _in_jurisdiction(user, holder_region)):
            return "指定管辖只能由作出指定的上级单位撤销"
        return None
    if not user.can("operations.manage"):
        return "您没有撤销联动执法授权的权限"
    running = grant.operation.region_id if grant.operation_id else grant.subject.region_id
    if not _in_jurisdiction(user, running):
        return "联动执法授权只能由组织该行动的单位撤销"
    return None


def may_revoke(grant, user) -> bool:
    return grant_state(grant) in (ACTIVE, PENDING) and granting_level_problem(grant, user) is None


def _holder_users(grant):
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role

    if grant.user_id:
        return [grant.user]
    # A unit-wide grant: the people who run the unit's work on the site.
    return list(
        User.objects.filter(
            unit_id=grant.unit_id, role__in=[Role.CHIEF, Role.LEADER, Role.INSPECTOR], is_active=True
        )
    )


class GrantWorkflow(Workflow):
    """The grant has no status column: its state is read from its dates (grant_state)."""

    def state(self, obj) -> str:
        return grant_state(obj)

    def state_label(self, obj) -> str:
        return STATE_LABELS[grant_state(obj)]


GRANT_WORKFLOW = GrantWorkflow(
    noun="授权",
    model=AccessGrant,
    transitions={
        "revoke": Transition(
            "撤销授权",
            frozenset({ACTIVE, PENDING}),
            None,  # the revocation is recorded on the grant (revoked_at); its state follows
            None,  # the permission depends on the grant's kind: granting_level_problem
            actor_problem=granting_level_problem,
            needs_note="请填写撤销理由",
        ),
    },
    state_field="revoked_at",
    in_scope=lambda user, grant: grants_visible_to(user).filter(pk=grant.pk).exists(),
    region_code=lambda grant: grant.subject.region_id,
    related=("subject", "unit", "user", "operation"),
)


def revoke_reason(grant) -> str:
    """The reason given when the grant was revoked, as its audit row keeps it."""
    from qingyuan.core.models import AuditEvent

    if grant.revoked_at is None:
        return ""
    row = (
        AuditEvent.objects.filter(target_type=AccessGrant._meta.label_lower, target_id=str(grant.pk))
        .filter(after__action="revoke")
        .order_by("-at")
        .values_list("after", flat=True)
        .first()
    )
    return (row or {}).get("reason", "")


def grant_revoke(*, actor, grant, reason: str) -> AccessGrant:
    """End a grant now. The reason is required and kept in the audit row; the holder is notified.
    Refused (PermissionDenied) to anyone but the granting level; refused (ValidationError) for a
    grant already ended or revoked."""
    reason = (reason or "").strip()
    try:
        GRANT_WORKFLOW.check(grant, "revoke", actor, conditions=False)
    except NotPermitted:
        raise
    except TransitionNotAllowed as refused:
        raise ValidationError(str(refused)) from None
    if not reason:
        raise ValidationError({"reason": "请填写撤销理由"})
    with transaction.atomic():
        revoked = GRANT_WORKFLOW.take(
            grant,
            "revoke",
            actor=actor,
            note=reason,
            changes={"revoked_at": timezone.now(), "revoked_by": actor},
            audit_extra={"reason": reason[:500]},
        )
        # Told here rather than by the workflow's notices: the grant has no page of its own URL
        # on the model, and the holder should land on the grant with its reason.
        users = _holder_users(revoked)
        text = f"对“{revoked.subject.name}”的{revoked.get_reason_display()}授权已被撤销：{reason}"
        url = reverse("operations:grant_detail", args=[revoked.pk])
        transaction.on_commit(lambda: notify(users, text, url))
    return revoked
