"""The rules a joint operation is held to (seed 001) and the work of its teams and counties:

- each period lasts at most the configured number of days (rules threshold JOINT_OPERATION_DAYS,
  seed 001 四(二)1 "每次行动为期一周"); a longer one only with a recorded reason;
- every county of the city is in exactly one group of 4–6 counties (四(二)2); a departure only with
  a recorded reason, given when the city confirms;
- the team of a group: members from its counties' nominations, one leader;
- a target's 附件3 result: the county's words only. The figures of S001-A3 come from the records
  (inspections, cases, rechecks of the targets during the periods, outreach and media reports), so
  `target_figures` reads the same querysets the form sums.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit, workdays
from qingyuan.regions.models import Level, Region

from ._common import _in_jurisdiction, _require
from .grouping import MAX_SIZE, MIN_SIZE
from .models import JointOperation, OperationResult, OperationStatus, Team, county_code

RESULT_DAYS = 7  # seed 001 四(二)3: 集中联合执法行动后一周内上报
# Used only when the rules table holds no version of JOINT_OPERATION_DAYS at all (a database loaded
# without the rules data); the value is the seed's own "为期一周".
SEED_OPERATION_DAYS = 7


# --- periods --------------------------------------------------------------------------------


def max_period_days(on: dt.date) -> int:
    """JOINT_OPERATION_DAYS in force on the period's first day (the earliest version for a period
    before any version took effect)."""
    from qingyuan.rules.models import Threshold
    from qingyuan.rules.selectors import threshold

    try:
        return int(threshold("JOINT_OPERATION_DAYS", on))
    except Threshold.DoesNotExist:
        first = Threshold.objects.filter(code="JOINT_OPERATION_DAYS").order_by("effective_from").first()
        return int(first.value) if first is not None else SEED_OPERATION_DAYS


def checked_periods(periods) -> list[tuple[dt.date, dt.date, str]]:
    """(starts_on, ends_on[, extended_reason]) → sorted (starts_on, ends_on, reason); refuses an
    inverted period, and one longer than the limit without a reason, naming the period."""
    if not periods:
        raise ValidationError({"periods": "请至少填写一个行动时段"})
    result, errors = [], []
    for n, period in enumerate(periods, start=1):
        starts_on, ends_on = period[0], period[1]
        reason = (period[2] if len(period) > 2 else "") or ""
        reason = reason.strip()
        label = f"第{n}个行动时段（{starts_on:%Y-%m-%d}至{ends_on:%Y-%m-%d}）"
        if ends_on < starts_on:
            errors.append(f"{label}：结束日期不能早于开始日期")
            continue
        days, limit = (ends_on - starts_on).days + 1, max_period_days(starts_on)
        if days > limit and not reason:
            errors.append(
                f"{label}共{days}天，超过规定的{limit}天（每次行动为期一周）；确需延长的，请填写延长原因"
            )
        result.append((starts_on, ends_on, reason if days > limit else ""))
    if errors:
        raise ValidationError({"periods": errors})
    return sorted(result)


# --- groups ---------------------------------------------------------------------------------


def city_counties(operation) -> list[Region]:
    return list(
        Region.objects.filter(parent_id=operation.region_id, level=Level.COUNTY, is_active=True).order_by(
            "code"
        )
    )


def grouping_problems(operation) -> list[str]:
    """What departs from seed 001's grouping, one sentence each (empty: none). A city with fewer
    counties than a group needs forms one group of all of them, the only grouping it can have."""
    counties = city_counties(operation)
    groups = list(operation.groups.prefetch_related("counties"))
    if not groups:
        return ["尚未分组"]
    problems = []
    seen: dict[str, list[str]] = {}
    for group in groups:
        for county in group.counties.all():
            seen.setdefault(county.code, []).append(group.name)
    ungrouped = [c.name for c in counties if c.code not in seen]
    if ungrouped:
        problems.append(f"未编入任何分组的区县：{'、'.join(ungrouped)}")
    names = {c.code: c.name for c in counties}
    twice = [f"{names.get(code, code)}（{'、'.join(g)}）" for code, g in seen.items() if len(g) > 1]
    if twice:
        problems.append(f"编入多个分组的区县：{'；'.join(twice)}")
    if len(counties) < MIN_SIZE and len(groups) == 1 and not ungrouped:
        return problems
    for group in groups:
        size = group.counties.count()
        if size < MIN_SIZE:
            problems.append(f"{group.name}只有{size}个区县，少于每组{MIN_SIZE}个")
        elif size > MAX_SIZE:
            problems.append(f"{group.name}有{size}个区县，多于每组{MAX_SIZE}个")
    return problems


def grouping_condition(operation, inputs) -> str | None:
    """The confirm step's condition (operations.workflow): a departing grouping needs its reason."""
    problems = grouping_problems(operation)
    if not problems or problems == ["尚未分组"]:
        return None  # "尚未分组" is the workflow's own _has_groups refusal
    reason = (inputs.get("grouping_reason") or "").strip()
    if reason:
        return None
    return (
        f"分组不符合每个区县编入且只编入一个{MIN_SIZE}-{MAX_SIZE}个区县分组的要求："
        f"{'；'.join(problems)}。如确需如此分组，请填写原因后再确认"
    )


# --- teams ----------------------------------------------------------------------------------


def team_candidates(operation, group):
    """The nominees of the group's counties: the only people a team may have."""
    from qingyuan.accounts.models import User

    counties = list(group.counties.values_list("code", flat=True))
    ids = operation.nominations.filter(unit__region_id__in=counties).values("user_id")
    return User.objects.filter(pk__in=ids).select_related("unit").order_by("unit__region_id", "username")


def _lock_planning(operation, actor) -> JointOperation:
    operation = JointOperation.objects.select_for_update().get(pk=operation.pk)
    if not _in_jurisdiction(actor, operation.region_id):
        raise PermissionDenied("该联动执法行动不由本单位组织")
    if operation.status != OperationStatus.PLANNING:
        raise ValidationError("行动已部署或已结束，不能再修改小组")
    return operation


@transaction.atomic
def team_save(*, actor, group, members: list, leader=None) -> Team:
    """The city sets a group's team before confirming: members from the group's nominees, and a
    leader among them (required once the team has members)."""
    _require(actor, "operations.manage")
    operation = _lock_planning(group.operation, actor)
    allowed = {u.pk for u in team_candidates(operation, group)}
    members = list({m.pk: m for m in members}.values())
    errors: dict[str, list[str]] = {}
    outsiders = [m.full_name or m.username for m in members if m.pk not in allowed]
    if outsiders:
        errors["members"] = [f"{'、'.join(outsiders)}不是本组区县提名的监督员"]
    if members and leader is None:
        errors["leader"] = ["请指定带队人"]
    elif leader is not None and leader.pk not in {m.pk for m in members}:
        errors["leader"] = ["带队人须为本组队员"]
    if errors:
        raise ValidationError(errors)
    team, created = Team.objects.get_or_create(operation=operation, group=group)
    before = (
        None
        if created
        else {
            "members": sorted(team.members.values_list("pk", flat=True)),
            "leader": team.leader_id,
        }
    )
    team.members.set(members)
    team.leader = leader
    team.save()
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE if created else audit.AuditAction.UPDATE,
        target=team,
        region_code=operation.region_id,
        before=before,
        after={"members": sorted(m.pk for m in members), "leader": leader.pk if leader else None},
    )
    return team


def default_team(operation, group) -> Team:
    """The team the city confirmed, or (none saved) every nominee of the group's counties, led by
    the first; written inside the confirm step (services.operation_confirm)."""
    team, created = Team.objects.get_or_create(operation=operation, group=group)
    if created:
        members = list(team_candidates(operation, group))
        team.members.set(members)
        team.leader = members[0] if members else None
        team.save()
    return team


def prune_teams(operation) -> list[int]:
    """After a group's counties change: members no longer nominated by one of its counties leave
    its team (a leader among them too). Returns the ids removed, for the group's audit row."""
    removed = []
    for team in operation.teams.select_related("group"):
        allowed = {u.pk for u in team_candidates(operation, team.group)}
        gone = [m for m in team.members.all() if m.pk not in allowed]
        if gone:
            team.members.remove(*gone)
            removed += [m.pk for m in gone]
        if team.leader_id and team.leader_id not in allowed:
            team.leader = None
            team.save(update_fields=["leader"])
    return removed


# --- results (附件3) -------------------------------------------------------------------------


def result_due_on(operation) -> dt.date | None:
    last = operation.periods.order_by("-ends_on").values_list("ends_on", flat=True).first()
    return workdays.add_days(last, RESULT_DAYS) if last else None


def operation_span(operation) -> tuple[dt.date, dt.date] | None:
    periods = list(operation.periods.all())
    if not periods:
        return None
    return min(p.starts_on for p in periods), max(p.ends_on for p in periods)


def target_figures(target) -> list[tuple[str, int]]:
    """The S001-A3 figures of one target site during the operation's periods, from the records and
    through the form's own querysets (so the page and the form cannot disagree). 宣教人数 and 媒体报道
    concern a region, not a site: the county's form counts them from its 法制宣教 and 媒体报道 records."""
    from django.db.models import Count, Q, Sum

    from qingyuan.inspections.models import InspectionKind
    from qingyuan.reports.forms.base import Scope
    from qingyuan.reports.forms.s001 import A3_COLUMNS, S001A3

    operation = target.operation
    span = operation_span(operation)
    if span is None:
        return []
    form, scope = S001A3(), Scope(operation.region, span[0], span[1], operation=operation)
    subject = target.subject_id
    done = (
        form.inspections(scope)
        .filter(subject_id=subject)
        .aggregate(
            rechecked=Count("subject_id", distinct=True, filter=Q(kind=InspectionKind.RECHECK)),
            officer_trips=Sum("officer_count"),
            vehicle_trips=Sum("vehicles"),
        )
    )
    values = {
        "investigated": form.opened_cases(scope)
        .filter(subject_id=subject)
        .values("subject_id")
        .distinct()
        .count(),
        "penalised": form.decisions(scope)
        .filter(case__subject_id=subject)
        .values("case__subject_id")
        .distinct()
        .count(),
        **{k: v or 0 for k, v in done.items()},
    }
    return [(c.label, values[c.key]) for c in A3_COLUMNS if c.key in values]


def may_report(actor, target) -> bool:
    """The county with jurisdiction over the site writes its 附件3 account."""
    return (
        actor.unit is not None
        and actor.unit.region_id == county_code(target.subject.region_id)
        and (actor.can("operations.nominate") or actor.can("operations.manage"))
    )


@transaction.atomic
def result_report(*, actor, target, notes: str, reported_on=None) -> OperationResult:
    """The county with jurisdiction writes what it did at a target site (附件3). Words only: its
    figures are S001-A3's, from the records."""
    operation = target.operation
    if not may_report(actor, target):
        raise PermissionDenied
    if operation.status == OperationStatus.PLANNING:
        raise ValidationError("行动尚未部署，不能上报结果")
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "请填写查处情况说明"})
    reported_on = reported_on or timezone.localdate()
    result = OperationResult.objects.filter(target=target).first()
    before = audit.snapshot(result) if result else None
    result = result or OperationResult(operation=operation, target=target)
    result.county_id = county_code(target.subject.region_id)
    result.notes = notes
    result.due_on = result_due_on(operation)
    result.reported_on = reported_on
    result.reported_by = actor
    result.full_clean()
    result.save()
    b, a = audit.diff(before, audit.snapshot(result))
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE if before else audit.AuditAction.CREATE,
        target=result,
        region_code=result.county_id,
        before=b,
        after=a,
    )
    return result
