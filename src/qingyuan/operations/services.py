"""Every write of the operations app: keyword-only functions, one transaction each, audit rows in
the same transaction (STYLE.md 1, 6)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import Role
from qingyuan.core import audit
from qingyuan.regions.models import Level, Region

from ._common import LOCAL_TZ, _campaign_checked, _in_jurisdiction, _require, day_start  # noqa: F401
from .grouping import propose_groups
from .joint import (  # noqa: F401
    RESULT_DAYS,
    checked_periods,
    city_counties,
    default_team,
    grouping_problems,
    may_report,
    operation_span,
    prune_teams,
    result_due_on,
    result_report,
    target_figures,
    team_candidates,
    team_save,
)
from .models import (
    AccessGrant,
    CityEvaluation,
    GrantReason,
    JointOperation,
    Nomination,
    OperationGroup,
    OperationPeriod,
    OperationStatus,
    RegionAdjacency,
    TargetSite,
    county_code,
)
from .workflow import OPERATION_WORKFLOW


def period_bounds(period) -> tuple[dt.datetime, dt.datetime]:
    """[first day 00:00, day after the last day 00:00) in Asia/Shanghai."""
    return day_start(period.starts_on), day_start(period.ends_on + dt.timedelta(days=1))


# --- adjacency ------------------------------------------------------------------------------


def _ordered(a: Region, b: Region):
    if a.level != Level.COUNTY or b.level != Level.COUNTY:
        raise ValidationError({"counties": "相邻关系只能在区县之间录入"})
    if a.pk == b.pk:
        raise ValidationError({"counties": "相邻关系的两个区县不能相同"})
    return (a, b) if a.pk < b.pk else (b, a)


@transaction.atomic
def adjacency_add(*, actor, a: Region, b: Region) -> RegionAdjacency:
    """Record that two counties border each other (symmetric: stored once)."""
    _require(actor, "operations.manage")
    a, b = _ordered(a, b)
    if not (_in_jurisdiction(actor, a.code) and _in_jurisdiction(actor, b.code)):
        raise PermissionDenied
    row, created = RegionAdjacency.objects.get_or_create(a=a, b=b, defaults={"created_by": actor})
    if created:
        audit.record(
            actor=actor,
            action=audit.AuditAction.CREATE,
            target=row,
            region_code=a.code[:4],
            after={"a": a.code, "b": b.code},
        )
    return row


@transaction.atomic
def adjacency_remove(*, actor, a: Region, b: Region) -> None:
    _require(actor, "operations.manage")
    a, b = _ordered(a, b)
    if not (_in_jurisdiction(actor, a.code) and _in_jurisdiction(actor, b.code)):
        raise PermissionDenied
    for row in RegionAdjacency.objects.filter(a=a, b=b):
        audit.record(
            actor=actor,
            action=audit.AuditAction.DELETE,
            target=row,
            region_code=a.code[:4],
            before={"a": a.code, "b": b.code},
        )
        row.delete()


def adjacency_of(counties) -> list[RegionAdjacency]:
    codes = [c.code for c in counties]
    return list(RegionAdjacency.objects.filter(a_id__in=codes, b_id__in=codes))


# --- joint operations -----------------------------------------------------------------------


@transaction.atomic
def operation_create(
    *,
    actor,
    name: str,
    nomination_deadline: dt.date,
    periods: list[tuple],
    nominations_per_county: int = 2,
    campaign=None,
) -> JointOperation:
    """The city office opens an operation for its own region. `periods` are (starts_on, ends_on) or
    (starts_on, ends_on, extended_reason): a period longer than the configured length needs the
    reason (joint.checked_periods)."""
    _require(actor, "operations.manage")
    if actor.unit is None or actor.unit.region.level != Level.CITY:
        raise ValidationError("联动执法行动由市级单位组织")
    periods = checked_periods(periods)
    operation = JointOperation(
        unit=actor.unit,
        region=actor.unit.region,
        name=name,
        campaign=_campaign_checked(actor, campaign),
        nomination_deadline=nomination_deadline,
        nominations_per_county=nominations_per_county,
        created_by=actor,
    )
    operation.full_clean()
    operation.save()
    for starts_on, ends_on, reason in periods:
        OperationPeriod.objects.create(
            operation=operation, starts_on=starts_on, ends_on=ends_on, extended_reason=reason
        )
    after = audit.snapshot(operation)
    after["periods"] = [[str(a), str(b), *([r] if r else [])] for a, b, r in periods]
    audit.record(actor=actor, action=audit.AuditAction.CREATE, target=operation, after=after)
    return operation


def _require_run_by(actor, operation) -> None:
    """Only the unit that runs an operation (or one above it) changes it; a county sees the city's
    operation but does not manage it."""
    if not _in_jurisdiction(actor, operation.region_id):
        raise PermissionDenied("该联动执法行动不由本单位组织")


def _lock_planning(operation, actor) -> JointOperation:
    operation = JointOperation.objects.select_for_update().get(pk=operation.pk)
    _require_run_by(actor, operation)
    if operation.status != OperationStatus.PLANNING:
        raise ValidationError("行动已部署或已结束，不能再修改分组、点位或提名")
    return operation


def workload_of(operation) -> dict[str, int]:
    """Sites needing joint action per county: the target sites if picked, else the counties' lists."""
    from qingyuan.subjects.models import Subject

    load: dict[str, int] = {}
    codes = list(operation.targets.values_list("subject__region_id", flat=True))
    if not codes:
        codes = list(
            Subject.objects.filter(
                needs_joint_action=True, region__code__startswith=operation.region.prefix
            ).values_list("region_id", flat=True)
        )
    for code in codes:
        load[county_code(code)] = load.get(county_code(code), 0) + 1
    return load


@transaction.atomic
def groups_propose(*, actor, operation) -> list[OperationGroup]:
    """Replace the groups with a fresh proposal (grouping.propose_groups); edit them afterwards."""
    _require(actor, "operations.manage")
    operation = _lock_planning(operation, actor)
    counties = city_counties(operation)
    proposal = propose_groups(counties, adjacency_of(counties), workload_of(operation))
    operation.groups.all().delete()
    groups = []
    for n, members in enumerate(proposal, start=1):
        group = OperationGroup.objects.create(operation=operation, name=f"第{n}组")
        group.counties.set(members)
        groups.append(group)
    _assign_targets(operation)
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=operation,
        after={"groups": [[c.code for c in members] for members in proposal]},
    )
    return groups


@transaction.atomic
def group_save(*, actor, group, name: str, counties: list[Region]) -> OperationGroup:
    """The city edits a group; a county belongs to one group of the operation only."""
    _require(actor, "operations.manage")
    operation = _lock_planning(group.operation, actor)
    codes = {c.code for c in counties}
    if not codes:
        raise ValidationError({"counties": "每组至少选择一个区县"})
    if any(c.level != Level.COUNTY or c.parent_id != operation.region_id for c in counties):
        raise ValidationError({"counties": "只能选择本市的区县"})
    taken: set[str] = set()
    for other in operation.groups.exclude(pk=group.pk).prefetch_related("counties"):
        taken |= {c.code for c in other.counties.all()} & codes
    if taken:
        raise ValidationError({"counties": f"区县已在其他分组：{'、'.join(sorted(taken))}"})
    before = {"name": group.name, "counties": sorted(group.counties.values_list("code", flat=True))}
    group.name = name
    group.full_clean()
    group.save()
    group.counties.set(counties)
    _assign_targets(operation)
    after = {"name": name, "counties": sorted(codes)}
    if removed := prune_teams(operation):
        after["team_members_removed"] = removed
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=group,
        region_code=operation.region_id,
        before=before,
        after=after,
    )
    return group


def _assign_targets(operation):
    by_county = {}
    for group in operation.groups.prefetch_related("counties"):
        for county in group.counties.all():
            by_county[county.code] = group
    for target in operation.targets.select_related("subject"):
        group = by_county.get(county_code(target.subject.region_id))
        if target.group_id != (group.pk if group else None):
            target.group = group
            target.save(update_fields=["group"])


def target_candidates(operation):
    from qingyuan.subjects.models import Subject

    return (
        Subject.objects.filter(needs_joint_action=True, region__code__startswith=operation.region.prefix)
        .exclude(pk__in=operation.targets.values("subject_id"))
        .order_by("region_id", "pk")
    )


@transaction.atomic
def targets_add(*, actor, operation, subjects) -> list[TargetSite]:
    """Pick target sites from the counties' lists of sites needing joint action."""
    _require(actor, "operations.manage")
    operation = _lock_planning(operation, actor)
    added = []
    for subject in subjects:
        if not subject.needs_joint_action:
            raise ValidationError({"subjects": f"{subject}：未被区县列为需联合查处的点位"})
        if not subject.region_id.startswith(operation.region.prefix):
            raise ValidationError({"subjects": f"{subject}：不在本市范围内"})
        target, created = TargetSite.objects.get_or_create(operation=operation, subject=subject)
        if created:
            added.append(target)
            audit.record(
                actor=actor,
                action=audit.AuditAction.CREATE,
                target=target,
                region_code=subject.region_id,
                after={"operation": operation.pk, "subject": subject.pk},
            )
    _assign_targets(operation)
    return added


@transaction.atomic
def target_remove(*, actor, target) -> None:
    _require(actor, "operations.manage")
    _lock_planning(target.operation, actor)
    audit.record(
        actor=actor,
        action=audit.AuditAction.DELETE,
        target=target,
        region_code=target.subject.region_id,
        before={"operation": target.operation_id, "subject": target.subject_id},
    )
    target.delete()


def eligible_nominees(unit):
    """Inspectors of the unit with an enforcement credential (RULES.md: credentials on every inspection)."""
    return (
        User.objects.filter(unit=unit, role=Role.INSPECTOR, is_active=True)
        .exclude(credential_no="")
        .order_by("username")
    )


def nominations_open(operation, today=None) -> bool:
    today = today or timezone.localdate()
    return operation.status == OperationStatus.PLANNING and today <= operation.nomination_deadline


def _nominating_unit(actor, operation):
    _require(actor, "operations.nominate")
    unit = actor.unit
    if unit is None or unit.region.level != Level.COUNTY or unit.region.parent_id != operation.region_id:
        raise PermissionDenied
    return unit


@transaction.atomic
def nominations_set(*, actor, operation, users: list, today=None) -> list[Nomination]:
    """A county chief names the supervisors the county sends (S001-A1), replacing its earlier list.
    After the deadline nothing changes unless the city reopens nominations (moves the deadline)."""
    unit = _nominating_unit(actor, operation)
    operation = JointOperation.objects.select_for_update().get(pk=operation.pk)
    if operation.status != OperationStatus.PLANNING:
        raise ValidationError("行动已部署，不能再变更提名")
    if not nominations_open(operation, today):
        raise ValidationError(
            f"提名已于{operation.nomination_deadline:%Y年%-m月%-d日}截止，如需补报请联系市级重新开放提名"
        )
    users = list(dict.fromkeys(users))
    eligible = set(eligible_nominees(unit).values_list("pk", flat=True))
    for user in users:
        if user.pk not in eligible:
            raise ValidationError({"users": f"{user}：须为本单位持有执法证的监督员"})
    if len(users) > operation.nominations_per_county:
        raise ValidationError(
            {"users": f"每个区县最多提名{operation.nominations_per_county}名监督员，本次选择了{len(users)}名"}
        )
    current = {n.user_id: n for n in operation.nominations.filter(unit=unit)}
    wanted = {u.pk for u in users}
    for user_id, nomination in current.items():
        if user_id not in wanted:
            audit.record(
                actor=actor,
                action=audit.AuditAction.DELETE,
                target=nomination,
                region_code=unit.region_id,
                before={"operation": operation.pk, "user": user_id},
            )
            nomination.delete()
    result = []
    for user in users:
        if user.pk in current:
            result.append(current[user.pk])
            continue
        nomination = Nomination.objects.create(operation=operation, unit=unit, user=user, nominated_by=actor)
        audit.record(
            actor=actor,
            action=audit.AuditAction.CREATE,
            target=nomination,
            region_code=unit.region_id,
            after={"operation": operation.pk, "user": user.pk},
        )
        result.append(nomination)
    return result


@transaction.atomic
def nominations_reopen(*, actor, operation, deadline: dt.date) -> JointOperation:
    """The city moves the nomination deadline (reopens nominations for late counties)."""
    _require(actor, "operations.manage")
    operation = _lock_planning(operation, actor)
    before = str(operation.nomination_deadline)
    operation.nomination_deadline = deadline
    operation.save(update_fields=["nomination_deadline"])
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=operation,
        before={"nomination_deadline": before},
        after={"nomination_deadline": str(deadline)},
    )
    return operation


def nomination_status(operation, today=None) -> list[dict]:
    """Per county of the city: its nominees, how many are missing, for the operation page."""
    nominations = list(operation.nominations.select_related("unit", "user"))
    rows = []
    for county in city_counties(operation):
        mine = [n for n in nominations if n.unit.region_id == county.code]
        rows.append(
            {
                "county": county,
                "nominations": mine,
                "missing": max(0, operation.nominations_per_county - len(mine)),
            }
        )
    return rows


def operation_confirm(*, actor, operation, grouping_reason: str = "") -> list[AccessGrant]:
    """The city confirms the teams and grants access: for every target site of a group, each team
    member from one of the group's OTHER counties gets one grant per operation period, covering
    exactly that period's days (Asia/Shanghai). Their own county's sites need no grant. A grouping
    that departs from seed 001 (joint.grouping_problems) is confirmed only with `grouping_reason`,
    recorded on the operation and in the step's audit row."""
    grants = []

    def grant_access(operation):
        # A nomination withdrawn after the city set a team takes its officer out of the team too.
        prune_teams(operation)
        periods = list(operation.periods.all())
        for group in operation.groups.prefetch_related("counties", "targets__subject"):
            team = default_team(operation, group)
            members = list(team.members.select_related("unit"))
            for target in group.targets.all():
                site_county = county_code(target.subject.region_id)
                for member in members:
                    if county_code(member.unit.region_id) == site_county:
                        continue
                    for period in periods:
                        starts_at, ends_at = period_bounds(period)
                        grants.append(
                            AccessGrant.objects.create(
                                user=member,
                                subject=target.subject,
                                starts_at=starts_at,
                                ends_at=ends_at,
                                reason=GrantReason.JOINT_OPERATION,
                                operation=operation,
                                granted_by=actor,
                            )
                        )
        for grant in grants:
            audit.record(
                actor=actor,
                action=audit.AuditAction.CREATE,
                target=grant,
                region_code=grant.subject.region_id,
                after=audit.snapshot(grant),
            )

    reason = (grouping_reason or "").strip()
    changes = {"confirmed_at": timezone.now()}
    if reason and grouping_problems(operation):
        changes["grouping_reason"] = reason
    OPERATION_WORKFLOW.take(
        operation,
        "confirm",
        actor=actor,
        changes=changes,
        inputs={"grouping_reason": reason},
        after=grant_access,
    )
    return grants


@transaction.atomic
def grant_revoke(*, actor, grant) -> AccessGrant:
    """End a grant now (an officer withdrawn, an operation ended early)."""
    if grant.reason == GrantReason.DESIGNATION:
        _require(actor, "operations.designate")
    else:
        _require(actor, "operations.manage")
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            actor=actor,
            action=audit.AuditAction.UPDATE,
            target=grant,
            region_code=grant.subject.region_id,
            before={"revoked_at": None},
            after={"revoked_at": grant.revoked_at},
        )
    return grant


def operation_close(*, actor, operation) -> JointOperation:
    """End the operation: any grant of it still running or still to come is revoked now."""

    def revoke_grants(operation):
        for grant in operation.grants.filter(revoked_at__isnull=True, ends_at__gt=timezone.now()):
            grant_revoke(actor=actor, grant=grant)

    return OPERATION_WORKFLOW.take(operation, "close", actor=actor, after=revoke_grants)


@transaction.atomic
def evaluation_add(*, actor, operation, text: str) -> CityEvaluation:
    _require(actor, "operations.manage")
    _require_run_by(actor, operation)
    if not (text or "").strip():
        raise ValidationError({"text": "请填写评价意见"})
    evaluation = CityEvaluation.objects.create(operation=operation, text=text.strip(), by=actor)
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=evaluation,
        region_code=operation.region_id,
        after={"operation": operation.pk, "text": evaluation.text},
    )
    return evaluation


# Disputes and spot checks live in their own modules; services is the one name views call.
from .disputes import dispute_due_on, dispute_raise, dispute_resolve  # noqa: E402, F401
from .spotchecks import (  # noqa: E402, F401
    MIN_RATIO,
    inspector_pool,
    may_record,
    sample_strata,
    spotcheck_complete,
    spotcheck_create,
    spotcheck_draw,
    spotcheck_publish,
    spotcheck_record,
    spotcheck_record_check,
)
