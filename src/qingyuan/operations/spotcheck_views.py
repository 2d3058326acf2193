"""Spot-check pages (督查抽查, 双随机): the planning unit creates, draws, ends and publishes; the drawn
inspectors record results (permission follows the draw, spotchecks.may_record). The public pages of
published checks are in portal.spotcheck_views."""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qingyuan.core.forms import StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.regions.models import Level, Region

from . import services, spotchecks
from .forms import SpotCheckForm, SpotResultForm
from .models import Population, SpotCheckPlan
from .views import _campaigns, _flash_error, _form_error
from .workflow import SPOTCHECK_WORKFLOW


class SpotCheckFilter(StyledFilterSet):
    name = django_filters.CharFilter(label="抽查名称", lookup_expr="contains")
    population = django_filters.ChoiceFilter(label="抽查范围", choices=Population.choices)

    class Meta:
        model = SpotCheckPlan
        fields = []


SPOTCHECK_COLUMNS = [
    Column("抽查名称", lambda p: p.name, link=True),
    Column("抽查单位", lambda p: p.unit),
    Column("被抽查区划", lambda p: p.region),
    Column("抽查范围", lambda p: p.get_population_display()),
    Column("比例", lambda p: f"{p.ratio * 100:.0f}%"),
    Column("抽取时间", lambda p: p.drawn_at),
    Column("状态", lambda p: p.get_status_display()),
]


@register_list("operations.spotcheck_list", perm="operations.view")
def spotcheck_list_source(user):
    qs = SpotCheckPlan.objects.visible_to(user).select_related("unit", "region")
    return ListSource(qs, SpotCheckFilter, SPOTCHECK_COLUMNS, "督查抽查")


@require_perm("operations.view")
def spotcheck_list(request):
    return render_list(
        request,
        list_key="operations.spotcheck_list",
        template="operations/spotcheck_list.html",
        extra={"can_manage": request.user.can("spotchecks.manage")},
    )


@require_perm("spotchecks.manage")
def spotcheck_create(request):
    if request.user.unit is None:
        raise Http404
    upper = request.user.unit.region
    regions = Region.objects.filter(
        code__startswith=upper.prefix, level__gt=upper.level, level__lte=Level.COUNTY, is_active=True
    )
    form = SpotCheckForm(request.POST or None, regions=regions, campaigns=_campaigns(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.spotcheck_create(
                actor=request.user,
                region=data["region"],
                name=data["name"],
                population=data["population"],
                ratio=data["ratio"],
                inspectors_count=data["inspectors_count"],
                seed=data["seed"],
                campaign=data["campaign"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已创建抽查计划，随机种子 {plan.seed}")
            return redirect(plan)
    return render(request, "includes/form.html", {"form": form, "title": "新建督查抽查"})


def _plan_for(request, pk):
    return get_visible_or_404(SpotCheckPlan.objects.select_related("unit", "region"), request.user, pk=pk)


@require_perm("operations.view")
def spotcheck_detail(request, pk):
    return _spotcheck_page(request, _plan_for(request, pk))


def _spotcheck_page(request, plan, *, result_form=None, refused_item=None):
    """The plan's page; after a refused result, that item's form with what was typed and the message."""
    user = request.user
    can_manage = user.can("spotchecks.manage") and user.unit_id == plan.unit_id
    items = list(plan.items.select_related("institution", "case", "county", "recorded_by"))
    left = sum(1 for item in items if item.recorded_at is None)
    return render(
        request,
        "operations/spotcheck_detail.html",
        {
            "title": plan.name,
            "plan": plan,
            "items": items,
            "left": left,
            "inspectors": plan.inspectors.select_related("unit"),
            "can_manage": can_manage,
            "steps": [a for a, _ in SPOTCHECK_WORKFLOW.available(plan, user)] if can_manage else [],
            "can_record": services.may_record(plan, user),
            "result_form": result_form or SpotResultForm(),
            "refused_item": refused_item,
        },
    )


SPOTCHECK_DONE = {
    "complete": "已结束检查，督查人员不能再记录结果",
    "publish": "已在公众网站公开抽查计划和结果",
}


@require_POST
@require_perm("spotchecks.manage")
def spotcheck_action(request, pk, action):
    plan = _plan_for(request, pk)
    if plan.unit_id != request.user.unit_id:
        raise Http404
    try:
        if action == "draw":
            plan = services.spotcheck_draw(actor=request.user, plan=plan)
            messages.success(
                request, f"已抽取{plan.items.count()}个对象和{plan.inspectors.count()}名督查人员"
            )
        elif action == "complete":
            services.spotcheck_complete(actor=request.user, plan=plan)
            messages.success(request, SPOTCHECK_DONE[action])
        elif action == "publish":
            services.spotcheck_publish(actor=request.user, plan=plan)
            messages.success(request, SPOTCHECK_DONE[action])
        else:
            raise Http404
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(plan)


@require_POST
@login_required
def spotcheck_record(request, pk, item_pk):
    """Permission follows the draw (spotchecks.may_record), not the role: a drawn 监督员 records too.
    Whoever was not drawn gets 404, as for a record outside their jurisdiction; a drawn inspector
    after the check has ended is told so (403 with the reason)."""
    plan = _plan_for(request, pk)
    item = get_object_or_404(plan.items, pk=item_pk)
    if not spotchecks.is_drawn(plan, request.user):
        raise Http404
    services.spotcheck_record_check(actor=request.user, item=item)
    form = SpotResultForm(request.POST)
    if form.is_valid():
        try:
            services.spotcheck_record(
                actor=request.user,
                item=item,
                result=form.cleaned_data["result"],
                compliant=form.cleaned_data["compliant"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
    if form.errors:
        return _spotcheck_page(request, plan, result_form=form, refused_item=item.pk)
    messages.success(request, "已记录检查结果")
    return redirect(plan)


@login_required
def spotcheck_published(request, pk):
    """The published plan is on the public site now (portal.spotcheck_views); old links lead there."""
    plan = get_object_or_404(SpotCheckPlan, pk=pk, published=True)
    return redirect("portal:spotcheck_detail", pk=plan.pk)
