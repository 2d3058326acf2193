"""Campaign pages: thin views that check access, call a service and render."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from qingyuan.core.forms import StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.core.workdays import due_badge

from . import selectors, services
from .forms import (
    CampaignForm,
    DutyCompleteForm,
    DutyForm,
    GroupMemberForm,
    MediaForm,
    OutreachForm,
    PhaseForm,
    RequirementForm,
    SweepForm,
)
from .models import Campaign, Duty, FormRequirement, Phase, Schedule, next_due


class CampaignFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="名称/文号", method="search")
    is_plan = django_filters.BooleanFilter(
        label="实施方案", field_name="parent", lookup_expr="isnull", exclude=True
    )
    in_force_on = django_filters.DateFilter(label="某日在实施", method="in_force")

    class Meta:
        model = Campaign
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(doc_number__contains=value))

    def in_force(self, queryset, name, value):
        return queryset.in_force(value)


COLUMNS = [
    Column("名称", lambda c: c.name),
    Column("文号", lambda c: c.doc_number),
    Column("发文单位", lambda c: c.unit),
    Column("期间", lambda c: f"{c.starts_on:%Y-%m-%d} 至 {c.ends_on:%Y-%m-%d}"),
    Column("类型", lambda c: f"实施方案（上级：{c.parent}）" if c.parent_id else "专项行动"),
]


def _campaign_for(request, pk) -> Campaign:
    return get_visible_or_404(
        Campaign.objects.select_related("unit", "region", "office", "parent"), request.user, pk=pk
    )


def _apply_errors(form, exc: ValidationError, rename: dict | None = None):
    """Put a service's refusal on the field it names, so the user sees what to fix."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            name = rename.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_page(
    request, form, *, title, save, cancel_url, rename=None, template="includes/form.html", extra=None
):
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc, rename)
        else:
            messages.success(request, "已保存。")
            return redirect(result)
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    context.update(extra or {})
    return render(request, template, context)


@register_list("campaigns.campaign_list", perm="campaigns.view")
def campaign_list_source(user):
    qs = Campaign.objects.visible_to(user).select_related("unit", "parent")
    return ListSource(qs, CampaignFilter, COLUMNS, "专项行动")


@require_perm("campaigns.view")
def campaign_list(request):
    return render_list(
        request,
        list_key="campaigns.campaign_list",
        template="campaigns/campaign_list.html",
        extra={"can_create": request.user.can("campaigns.manage")},
    )


@require_perm("campaigns.view")
def campaign_create(request):
    if not request.user.can("campaigns.manage") or not request.user.unit_id:
        raise PermissionDenied
    form = CampaignForm(request.POST or None, actor=request.user)
    return _form_page(
        request,
        form,
        title=f"发布专项行动（{request.user.unit}）",
        save=lambda d: services.campaign_create(actor=request.user, **d),
        cancel_url="/campaigns/",
    )


@require_perm("campaigns.view")
def campaign_edit(request, pk):
    campaign = _campaign_for(request, pk)
    if not services.can_manage(request.user, campaign):
        raise PermissionDenied
    initial = {f: getattr(campaign, f) for f in services.CAMPAIGN_FIELDS}
    form = CampaignForm(request.POST or None, initial=initial, actor=request.user)
    return _form_page(
        request,
        form,
        title=f"修改：{campaign}",
        save=lambda d: services.campaign_update(actor=request.user, campaign=campaign, **d),
        cancel_url=campaign.get_absolute_url(),
    )


@require_perm("campaigns.view")
def plan_create(request, pk):
    parent = _campaign_for(request, pk)
    user = request.user
    if not user.can("campaigns.manage") or not user.unit_id:
        raise PermissionDenied
    initial = {
        "name": f"{user.unit.region.name}{parent.name}实施方案",
        "starts_on": parent.starts_on,
        "ends_on": parent.ends_on,
        "focus": parent.focus,
        "hotline": parent.hotline,
        "email": parent.email,
    }
    form = CampaignForm(request.POST or None, initial=initial, actor=user)
    return _form_page(
        request,
        form,
        title=f"制定实施方案：{parent}",
        save=lambda d: services.plan_create(actor=user, parent=parent, unit=user.unit, **d),
        cancel_url=parent.get_absolute_url(),
        rename={"unit": None},
    )


def _timeline(phases, today):
    """Phases in order with their state, and a 今天 marker where today falls."""
    entries, marked = [], False
    for phase in phases:
        if not marked and today < phase.starts_on:
            entries.append({"today": today})
            marked = True
        state = "done" if phase.ends_on < today else ("current" if phase.starts_on <= today else "future")
        entries.append({"phase": phase, "state": state})
        if state == "current":
            marked = True
    if not marked:
        entries.append({"today": today})
    return entries


@require_perm("campaigns.view")
def campaign_detail(request, pk):
    campaign = _campaign_for(request, pk)
    user, today = request.user, timezone.localdate()
    requirements = []
    for req in campaign.requirements.select_related("inherited_from"):
        due = next_due(req, today)
        requirements.append(
            {
                "req": req,
                "next_due": due,
                "badge": due_badge(due, today) if due else None,
                "by_operation": req.schedule == Schedule.AFTER_OPERATION,
            }
        )
    prefix = selectors.scope_prefix(campaign, user)
    duties = list(
        campaign.duties.filter(unit__region__code__startswith=prefix).select_related(
            "unit", "phase", "completed_by"
        )
    )
    for duty in duties:
        duty.late = duty.is_late(today)
        duty.can_complete = duty.completed_on is None and services.can_complete(user, duty)
    can_manage = services.can_manage(user, campaign)
    context = {
        "title": campaign.name,
        "campaign": campaign,
        "today": today,
        "can_manage": can_manage,
        "can_plan": user.can("campaigns.manage")
        and user.unit_id
        and user.unit.region_id != campaign.region_id
        and user.unit.region_id.startswith(campaign.region.prefix),
        "can_sweep": user.can("campaigns.sweep"),
        "can_record": services.can_record(user),
        "members": campaign.group_members.select_related("unit"),
        "timeline": _timeline(list(campaign.phases.select_related("inherited_from")), today),
        "requirements": requirements,
        "plans": Campaign.objects.visible_to(user).filter(parent=campaign).select_related("unit"),
        "coverage": selectors.plan_coverage(campaign, user=user),
        "progress": selectors.duty_progress(campaign, today=today, user=user),
        "duties": duties,
        "sweep": selectors.sweep_coverage(campaign, user=user),
        "outreach": selectors.outreach_totals(region=prefix, campaign=campaign),
        "outreach_rows": selectors.outreach_by_county(campaign, user=user),
        "tagged": selectors.tagged_counts(campaign, user),
        # The counts link to the lists only for those who may open them (a police liaison may not).
        "list_links": {kind: user.can(f"{kind}.view") for kind in ("leads", "inspections", "cases")},
    }
    if can_manage:
        context.update(
            phase_form=PhaseForm(),
            requirement_form=RequirementForm(),
            duty_form=DutyForm(campaign=campaign),
            member_form=GroupMemberForm(campaign=campaign),
        )
    return render(request, "campaigns/campaign_detail.html", context)


def _managed(request, campaign):
    if not services.can_manage(request.user, campaign):
        raise PermissionDenied
    return campaign


@require_perm("campaigns.view")
def member_add(request, pk):
    campaign = _managed(request, _campaign_for(request, pk))
    form = GroupMemberForm(request.POST or None, campaign=campaign)
    return _form_page(
        request,
        form,
        title="添加领导小组成员",
        save=lambda d: services.group_member_add(actor=request.user, campaign=campaign, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )


@require_perm("campaigns.view")
def phase_add(request, pk):
    campaign = _managed(request, _campaign_for(request, pk))
    form = PhaseForm(request.POST or None)
    return _form_page(
        request,
        form,
        title="添加阶段",
        save=lambda d: services.phase_add(actor=request.user, campaign=campaign, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )


def _child_for(request, model, pk):
    """A phase, requirement or duty, reached through a campaign the user may see (404 otherwise)."""
    visible = Campaign.objects.visible_to(request.user)
    obj = model.objects.select_related("campaign").filter(pk=pk, campaign__in=visible).first()
    if obj is None:
        from django.http import Http404

        raise Http404
    return obj


@require_perm("campaigns.view")
def phase_edit(request, pk):
    phase = _child_for(request, Phase, pk)
    campaign = _managed(request, phase.campaign)
    initial = {"kind": phase.kind, "starts_on": phase.starts_on, "ends_on": phase.ends_on, "note": phase.note}
    form = PhaseForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        title=f"修改阶段：{phase}",
        save=lambda d: services.phase_edit(actor=request.user, phase=phase, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )


@require_perm("campaigns.view")
def requirement_add(request, pk):
    campaign = _managed(request, _campaign_for(request, pk))
    form = RequirementForm(request.POST or None)
    return _form_page(
        request,
        form,
        title="添加报表要求",
        save=lambda d: services.requirement_add(actor=request.user, campaign=campaign, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )


@require_perm("campaigns.view")
def requirement_edit(request, pk):
    req = _child_for(request, FormRequirement, pk)
    campaign = _managed(request, req.campaign)
    fields = ("form_code", "schedule", "due_on", "day_of_month", "days_after", "note")
    form = RequirementForm(request.POST or None, initial={f: getattr(req, f) for f in fields})
    return _form_page(
        request,
        form,
        title=f"修改报表要求：{req.form_code}",
        save=lambda d: services.requirement_edit(actor=request.user, requirement=req, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )


@require_perm("campaigns.view")
def duty_add(request, pk):
    campaign = _managed(request, _campaign_for(request, pk))
    form = DutyForm(request.POST or None, campaign=campaign)
    return _form_page(
        request,
        form,
        title="添加职责分工",
        save=lambda d: services.duty_add(actor=request.user, campaign=campaign, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )


@require_perm("campaigns.view")
def duty_edit(request, pk):
    duty = _child_for(request, Duty, pk)
    campaign = _managed(request, duty.campaign)
    initial = {"unit": duty.unit_id, "phase": duty.phase_id, "task": duty.task, "due_on": duty.due_on}
    form = DutyForm(request.POST or None, initial=initial, campaign=campaign)
    return _form_page(
        request,
        form,
        title="修改职责分工",
        save=lambda d: services.duty_edit(actor=request.user, duty=duty, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )


@require_perm("campaigns.view")
def duty_complete(request, pk):
    duty = _child_for(request, Duty, pk)
    if not services.can_complete(request.user, duty):
        raise PermissionDenied
    form = DutyCompleteForm(request.POST or None, initial={"completed_on": timezone.localdate()})
    return _form_page(
        request,
        form,
        title=f"登记完成：{duty.unit} — {duty.task[:30]}",
        save=lambda d: (
            services.duty_complete(
                actor=request.user, duty=duty, completed_on=d["completed_on"], note=d["note"]
            )
            and duty.campaign
        ),
        cancel_url=duty.campaign.get_absolute_url(),
        rename={"completion_note": "note"},
    )


@require_perm("campaigns.sweep")
def sweep_record(request, pk):
    """Phone page: the villages of the user's jurisdiction not yet swept, and the form to record one."""
    campaign = _campaign_for(request, pk)
    user = request.user
    villages = selectors.villages_to_sweep(campaign, user)
    initial = {"swept_on": timezone.localdate(), "swept_by": [user.pk], "village": request.GET.get("village")}
    form = SweepForm(request.POST or None, initial=initial, villages=villages, actor=user)
    return _form_page(
        request,
        form,
        title=f"摸底排查登记：{campaign}",
        save=lambda d: (
            services.sweep_record(actor=user, campaign=campaign, **d) and f"/campaigns/{campaign.pk}/sweep/"
        ),
        cancel_url=campaign.get_absolute_url(),
        template="campaigns/sweep.html",
        extra={"campaign": campaign, "villages": villages, "remaining": villages.count()},
    )


def _recorder(request, pk):
    campaign = _campaign_for(request, pk)
    if not services.can_record(request.user):
        raise PermissionDenied
    return campaign


@require_perm("campaigns.view")
def outreach_add(request, pk):
    campaign = _recorder(request, pk)
    form = OutreachForm(request.POST or None, actor=request.user, campaign=campaign)
    return _form_page(
        request,
        form,
        title="登记法制宣教",
        save=lambda d: services.outreach_record(actor=request.user, campaign=campaign, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )


@require_perm("campaigns.view")
def media_add(request, pk):
    campaign = _recorder(request, pk)
    form = MediaForm(request.POST or None, actor=request.user, campaign=campaign)
    return _form_page(
        request,
        form,
        title="登记媒体报道",
        save=lambda d: services.media_record(actor=request.user, campaign=campaign, **d) and campaign,
        cancel_url=campaign.get_absolute_url(),
    )
