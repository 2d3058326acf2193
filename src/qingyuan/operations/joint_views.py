"""Joint-operation pages for the people who do the work: the groups with their teams and target
sites (and the links that work for the viewer: site page, 记录检查, evidence), the team editor, and
a target's 附件3 account, whose figures come from the records."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.regions.models import Level

from . import services
from ._common import _in_jurisdiction
from .forms import ResultForm, TeamForm
from .models import JointOperation, OperationStatus, TargetSite, county_code


def _operation_for(request, pk):
    return get_visible_or_404(JointOperation.objects.select_related("region", "unit"), request.user, pk=pk)


def organises(user, operation) -> bool:
    """The city that runs the operation, or a level above it: sees every group and target."""
    unit = user.unit
    return (
        unit is not None and unit.region.level <= Level.CITY and _in_jurisdiction(user, operation.region_id)
    )


def _period_windows(operation):
    return [services.period_bounds(p) for p in operation.periods.all()]


def group_blocks(operation, user) -> tuple[list[dict], list[dict]]:
    """(groups the viewer may see, each with its team and target rows; rows of targets in no group,
    for the organisers). A group is seen by the organisers, its team members and its counties."""
    from qingyuan.inspections.models import Inspection
    from qingyuan.subjects.models import Subject

    from .models import AccessGrant

    organiser = organises(user, operation)
    own_county = (
        county_code(user.unit.region_id) if user.unit and user.unit.region.level >= Level.COUNTY else None
    )
    targets = list(operation.targets.select_related("subject__region", "group", "result"))
    ids = [t.subject_id for t in targets]
    visible = set(Subject.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    windows = _period_windows(operation)
    inspections: dict[int, Inspection] = {}
    if windows and user.can("evidence.add"):
        from django.db.models import Q

        during = Q()
        for lo, hi in windows:
            during |= Q(started_at__gte=lo, started_at__lt=hi)
        for inspection in Inspection.objects.filter(during, subject_id__in=visible, officers=user).order_by(
            "started_at"
        ):
            inspections[inspection.subject_id] = inspection  # the latest wins
    now = timezone.now()
    later: dict[int, object] = {}
    for grant in AccessGrant.objects.filter(
        operation=operation, user=user, revoked_at__isnull=True, starts_at__gt=now
    ).order_by("starts_at"):
        later.setdefault(grant.subject_id, grant.starts_at)
    may_inspect = user.can("inspections.edit")

    def row(target):
        subject_id = target.subject_id
        inspection = inspections.get(subject_id)
        return {
            "target": target,
            "site_url": target.subject.get_absolute_url() if subject_id in visible else "",
            "inspect_url": (
                f"{reverse('inspections:create')}?subject={subject_id}"
                if may_inspect and subject_id in visible
                else ""
            ),
            "evidence_url": f"{inspection.get_absolute_url()}#evidence" if inspection else "",
            "from": later.get(subject_id) if subject_id not in visible else None,
            "can_report": operation.status != OperationStatus.PLANNING and services.may_report(user, target),
        }

    blocks = []
    for group in operation.groups.prefetch_related("counties"):
        counties = list(group.counties.all())
        team = getattr(group, "team", None)
        members = list(team.members.select_related("unit")) if team else []
        if not (organiser or user in members or own_county in {c.code for c in counties}):
            continue
        blocks.append(
            {
                "group": group,
                "counties": counties,
                "team": team,
                "members": members,
                "default_members": [] if team else list(services.team_candidates(operation, group)),
                "rows": [row(t) for t in targets if t.group_id == group.pk],
            }
        )
    loose = [row(t) for t in targets if t.group_id is None] if organiser else []
    return blocks, loose


@require_perm("operations.manage")
def team_edit(request, pk, group_pk):
    """The city sets a group's team: members from its counties' nominees, and the leader."""
    operation = _operation_for(request, pk)
    if operation.unit_id != request.user.unit_id:
        raise Http404
    group = get_object_or_404(operation.groups.prefetch_related("counties"), pk=group_pk)
    candidates = services.team_candidates(operation, group)
    team = getattr(group, "team", None)
    if team is not None:
        initial = {"members": list(team.members.all()), "leader": team.leader}
    else:
        members = list(candidates)
        initial = {"members": members, "leader": members[0] if members else None}
    form = TeamForm(request.POST or None, candidates=candidates, initial=initial)
    editable = operation.status == OperationStatus.PLANNING
    if request.method == "POST":
        if not editable:
            messages.error(request, "行动已部署或已结束，不能再修改小组")
            return redirect(operation)
        if form.is_valid():
            try:
                services.team_save(
                    actor=request.user,
                    group=group,
                    members=list(form.cleaned_data["members"]),
                    leader=form.cleaned_data["leader"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"已保存{group.name}的行动小组")
                return redirect(f"{operation.get_absolute_url()}#group-{group.pk}")
    return render(
        request,
        "operations/team_edit.html",
        {
            "title": f"行动小组：{group.name}",
            "operation": operation,
            "group": group,
            "form": form,
            "editable": editable,
            "has_candidates": candidates.exists(),
        },
    )


@require_perm("operations.nominate")
def result_report(request, pk, target_pk):
    """The county with jurisdiction writes its account of a target (附件3); the figures shown are the
    records', as S001-A3 counts them."""
    operation = _operation_for(request, pk)
    target = get_object_or_404(
        TargetSite.objects.select_related("subject", "operation__region"), operation=operation, pk=target_pk
    )
    if not services.may_report(request.user, target):
        raise Http404
    existing = getattr(target, "result", None) if hasattr(target, "result") else None
    form = ResultForm(request.POST or None, initial={"notes": existing.notes} if existing else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.result_report(actor=request.user, target=target, notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            for field, errors in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
            ):
                form.add_error(field if field in (form.fields or {}) else None, errors)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, "已上报查处情况说明")
            return redirect(operation)
    return render(
        request,
        "operations/result_form.html",
        {
            "title": f"查处情况（附件3）：{target.subject}",
            "operation": operation,
            "target": target,
            "figures": services.target_figures(target),
            "form_url": s001_a3_url(operation, request.user.unit.region),
            "form": form,
        },
    )


def s001_a3_url(operation, region) -> str:
    """The S001-A3 page for `region` over the operation's periods: the county's 附件3 is that computed
    form, submitted from there with its 填报说明."""
    span = services.operation_span(operation)
    if span is None or region is None:
        return ""
    return (
        f"{reverse('reports:form', args=['S001-A3'])}?region={region.code}"
        f"&start={span[0]:%Y-%m-%d}&end={span[1]:%Y-%m-%d}&operation={operation.pk}"
    )
