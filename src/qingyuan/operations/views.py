"""Pages: thin views that check, call one service, and render or redirect."""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingyuan.campaigns.models import Campaign
from qingyuan.core.forms import StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.core.workdays import due_badge
from qingyuan.regions.models import Level, Region
from qingyuan.subjects.models import Subject

from . import services
from .forms import (
    AdjacencyForm,
    DisputeForm,
    EvaluationForm,
    GroupForm,
    NominationForm,
    OperationForm,
    ReopenForm,
    ResolveForm,
    ResultForm,
    SpotCheckForm,
    SpotResultForm,
)
from .models import (
    DisputeStatus,
    JointOperation,
    JurisdictionDispute,
    OperationStatus,
    Population,
    RegionAdjacency,
    SpotCheckPlan,
    TargetSite,
    county_code,
)


def _form_error(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _flash_error(request, exc: ValidationError):
    for text in exc.messages:
        messages.error(request, text)


# --- joint operations -----------------------------------------------------------------------


class OperationFilter(StyledFilterSet):
    name = django_filters.CharFilter(label="行动名称", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label="状态", choices=OperationStatus.choices)

    class Meta:
        model = JointOperation
        fields = []


OPERATION_COLUMNS = [
    Column("行动名称", lambda o: o.name, link=True),
    Column("区划", lambda o: o.region),
    Column("提名截止", lambda o: o.nomination_deadline),
    Column("行动时段", lambda o: "；".join(str(p) for p in o.periods.all())),
    Column("状态", lambda o: o.get_status_display()),
]


@register_list("operations.operation_list", perm="operations.view")
def operation_list_source(user):
    qs = JointOperation.objects.visible_to(user).select_related("region").prefetch_related("periods")
    return ListSource(qs, OperationFilter, OPERATION_COLUMNS, "联动执法")


def _own_city(user):
    region = user.unit.region if user.unit else None
    return region if region is not None and region.level == Level.CITY else None


@require_perm("operations.view")
def operation_list(request):
    return render_list(
        request,
        list_key="operations.operation_list",
        template="operations/operation_list.html",
        extra={
            "can_manage": request.user.can("operations.manage"),
            # Only a city office keeps its counties' borders (see adjacency below).
            "can_edit_adjacency": request.user.can("operations.manage")
            and _own_city(request.user) is not None,
        },
    )


def _campaigns(user):
    """Campaigns in force for the user's region today: what an operation or spot check may belong to."""
    from qingyuan.campaigns.selectors import campaigns_in_force

    if user.unit is None:
        return Campaign.objects.none()
    return campaigns_in_force(user.unit.region, timezone.localdate())


@require_perm("operations.manage")
def operation_create(request):
    form = OperationForm(request.POST or None, campaigns=_campaigns(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = services.operation_create(
                actor=request.user,
                name=data["name"],
                campaign=data["campaign"],
                nomination_deadline=data["nomination_deadline"],
                nominations_per_county=data["nominations_per_county"],
                periods=data["periods"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已创建联动执法行动")
            return redirect(operation)
    return render(request, "includes/form.html", {"form": form, "title": "新建联动执法行动"})


def _operation_for(request, pk):
    return get_visible_or_404(JointOperation.objects.select_related("region", "unit"), request.user, pk=pk)


@require_perm("operations.view")
def operation_detail(request, pk):
    return _operation_page(request, _operation_for(request, pk))


def _operation_page(request, operation, *, refused=None, chosen=(), **bound):
    """The operation page; after a refused action (`refused`: its name) with what was typed or ticked
    kept in `bound` / `chosen` and the message next to it."""
    user = request.user
    can_manage = user.can("operations.manage") and user.unit_id == operation.unit_id
    due = services.result_due_on(operation)
    targets = list(operation.targets.select_related("subject__region", "group", "result"))
    own_county = user.unit.region_id if user.unit and user.unit.region.level == Level.COUNTY else None
    for target in targets:
        target.can_report = (
            own_county == county_code(target.subject.region_id)
            and user.can("operations.nominate")
            and operation.status != OperationStatus.PLANNING
        )
    grants = operation.grants.select_related("user__unit", "subject").order_by(
        "subject_id", "user_id", "starts_at"
    )
    if not user.can("operations.manage"):
        # A county sees who may act on its own sites, and its officers their own grants.
        grants = grants.filter(Q(subject__region__code__startswith=user.unit.region.prefix) | Q(user=user))
    context = {
        "title": operation.name,
        "operation": operation,
        "periods": operation.periods.all(),
        "groups": operation.groups.prefetch_related("counties", "team__members"),
        "targets": targets,
        "nominations": services.nomination_status(operation),
        "nominations_open": services.nominations_open(operation),
        "teams": operation.teams.select_related("group", "leader").prefetch_related("members"),
        "grants": grants.distinct(),
        "due": due,
        "due_badge": due_badge(due) if due and operation.status != OperationStatus.PLANNING else None,
        "evaluations": operation.evaluations.select_related("by"),
        "can_manage": can_manage,
        "can_nominate": user.can("operations.nominate") and own_county is not None,
    }
    if can_manage:
        context.update(
            candidates=services.target_candidates(operation).select_related("region"),
            reopen_form=bound.get("reopen_form") or ReopenForm(),
            evaluation_form=bound.get("evaluation_form") or EvaluationForm(),
            targets_errors=bound.get("targets_errors", []),
            chosen={str(pk) for pk in chosen},
        )
    context["refused"] = refused
    return render(request, "operations/operation_detail.html", context)


@require_POST
@require_perm("operations.manage")
def operation_action(request, pk, action):
    operation = _operation_for(request, pk)
    if operation.unit_id != request.user.unit_id:
        raise Http404
    # Actions with input come back to the page with it kept and the message beside it (status 200);
    # those without input (a single button) report a refusal at the top of the page.
    if action == "targets":
        ids = request.POST.getlist("subjects")
        subjects = list(services.target_candidates(operation).filter(pk__in=ids))
        try:
            if not subjects:
                raise ValidationError("请勾选要列入的点位")
            services.targets_add(actor=request.user, operation=operation, subjects=subjects)
        except ValidationError as exc:
            return _operation_page(
                request, operation, refused=action, chosen=ids, targets_errors=exc.messages
            )
        messages.success(request, f"已列入{len(subjects)}个重点点位")
        return redirect(operation)
    if action in ("reopen", "evaluate"):
        form_class, key = (
            (ReopenForm, "reopen_form") if action == "reopen" else (EvaluationForm, "evaluation_form")
        )
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if action == "reopen":
                    services.nominations_reopen(
                        actor=request.user, operation=operation, deadline=form.cleaned_data["deadline"]
                    )
                else:
                    services.evaluation_add(
                        actor=request.user, operation=operation, text=form.cleaned_data["text"]
                    )
            except ValidationError as exc:
                _form_error(form, exc)
        if form.errors:
            return _operation_page(request, operation, refused=action, **{key: form})
        messages.success(request, "已重新开放提名" if action == "reopen" else "已记录市级评价")
        return redirect(operation)
    try:
        if action == "propose":
            services.groups_propose(actor=request.user, operation=operation)
            messages.success(request, "已按相邻关系和工作量生成分组建议，可逐组修改")
        elif action == "confirm":
            grants = services.operation_confirm(actor=request.user, operation=operation)
            messages.success(request, f"已确认行动小组，授予跨区执法权限{len(grants)}项")
        elif action == "close":
            services.operation_close(actor=request.user, operation=operation)
            messages.success(request, "行动已结束，未到期的跨区授权已撤销")
        elif action == "revoke":
            grant = get_object_or_404(operation.grants, pk=request.POST.get("grant"))
            services.grant_revoke(actor=request.user, grant=grant)
            messages.success(request, "已撤销授权")
        else:
            raise Http404
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(operation)


@require_perm("operations.manage")
def group_edit(request, pk, group_pk):
    operation = _operation_for(request, pk)
    if operation.unit_id != request.user.unit_id:
        raise Http404
    group = get_object_or_404(operation.groups, pk=group_pk)
    counties = Region.objects.filter(parent_id=operation.region_id, level=Level.COUNTY, is_active=True)
    form = GroupForm(
        request.POST or None,
        counties=counties,
        initial={"name": group.name, "counties": group.counties.all()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_save(
                actor=request.user,
                group=group,
                name=form.cleaned_data["name"],
                counties=list(form.cleaned_data["counties"]),
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已保存分组")
            return redirect(operation)
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": f"修改分组：{group.name}", "cancel_url": operation.get_absolute_url()},
    )


@require_perm("operations.nominate")
def nominate(request, pk):
    """The county chief picks the supervisors the county sends (S001-A1)."""
    operation = _operation_for(request, pk)
    unit = request.user.unit
    if unit is None or unit.region.level != Level.COUNTY or unit.region.parent_id != operation.region_id:
        raise Http404
    eligible = services.eligible_nominees(unit)
    current = operation.nominations.filter(unit=unit).select_related("user")
    form = NominationForm(
        request.POST or None, eligible=eligible, initial={"users": [n.user_id for n in current]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.nominations_set(
                actor=request.user, operation=operation, users=list(form.cleaned_data["users"])
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已报送参加人员名单")
            return redirect("operations:nominate", pk=operation.pk)
    return render(
        request,
        "operations/nominate.html",
        {
            "title": f"报送参加人员：{operation.name}",
            "operation": operation,
            "unit": unit,
            "form": form,
            "nominations": current,
            "open": services.nominations_open(operation),
        },
    )


@require_perm("operations.nominate")
def result_report(request, pk, target_pk):
    operation = _operation_for(request, pk)
    target = get_object_or_404(
        TargetSite.objects.select_related("subject"), operation=operation, pk=target_pk
    )
    if request.user.unit is None or request.user.unit.region_id != county_code(target.subject.region_id):
        raise Http404
    existing = getattr(target, "result", None) if hasattr(target, "result") else None
    initial = {f: getattr(existing, f) for f in ("summary", *ResultForm.FIGURES)} if existing else None
    form = ResultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.result_report(
                actor=request.user,
                target=target,
                summary=data["summary"],
                figures={f: data[f] for f in ResultForm.FIGURES},
            )
        except ValidationError as exc:
            _form_error(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, "已上报联动执法结果")
            return redirect(operation)
    return render(
        request,
        "includes/form.html",
        {
            "form": form,
            "title": f"上报结果（附件3）：{target.subject}",
            "cancel_url": operation.get_absolute_url(),
        },
    )


@require_perm("operations.manage")
def adjacency(request):
    """The city office enters which counties border which (the platform holds no map data)."""
    city = _own_city(request.user)
    if city is None:
        raise Http404
    counties = Region.objects.filter(parent=city, level=Level.COUNTY, is_active=True)
    form = AdjacencyForm(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("remove"):
                services.adjacency_remove(
                    actor=request.user, a=form.cleaned_data["a"], b=form.cleaned_data["b"]
                )
                messages.success(request, "已删除相邻关系")
            else:
                services.adjacency_add(actor=request.user, a=form.cleaned_data["a"], b=form.cleaned_data["b"])
                messages.success(request, "已录入相邻关系")
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            return redirect("operations:adjacency")
    pairs = RegionAdjacency.objects.filter(a__parent=city).select_related("a", "b")
    return render(
        request, "operations/adjacency.html", {"title": "区县相邻关系", "form": form, "pairs": pairs}
    )


# --- jurisdiction disputes -----------------------------------------------------------------


class DisputeFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=DisputeStatus.choices)

    class Meta:
        model = JurisdictionDispute
        fields = []


DISPUTE_COLUMNS = [
    Column("监管对象", lambda d: d.subject, link=True),
    Column("提出日期", lambda d: d.raised_on),
    Column("指定期限", lambda d: d.due_on),
    Column("状态", lambda d: d.get_status_display()),
    Column("管辖单位", lambda d: d.resolved_unit or ""),
    Column("逾期决定", lambda d: "是" if d.late else ""),
]


@register_list("operations.dispute_list", perm="operations.view")
def dispute_list_source(user):
    qs = JurisdictionDispute.objects.visible_to(user).select_related("subject", "resolved_unit")
    return ListSource(qs, DisputeFilter, DISPUTE_COLUMNS, "管辖争议")


@require_perm("operations.view")
def dispute_list(request):
    return render_list(
        request,
        list_key="operations.dispute_list",
        template="operations/dispute_list.html",
        extra={"can_raise": request.user.can("operations.dispute")},
    )


@require_perm("operations.dispute")
def dispute_create(request):
    unit = request.user.unit
    if unit is None:
        raise Http404
    city_prefix = unit.region.prefix[:4]
    subjects = Subject.objects.visible_to(request.user).filter(border_area=True).order_by("name")
    counties = Region.objects.filter(code__startswith=city_prefix, level=Level.COUNTY, is_active=True)
    form = DisputeForm(
        request.POST or None,
        subjects=subjects,
        counties=counties,
        initial={"subject": request.GET.get("subject")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = services.dispute_raise(
                actor=request.user,
                subject=data["subject"],
                counties=list(data["counties"]),
                reason=data["reason"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已提出管辖争议，市级应于{dispute.due_on:%Y年%-m月%-d日}前指定管辖")
            return redirect(dispute)
    return render(request, "includes/form.html", {"form": form, "title": "提出管辖争议"})


@require_perm("operations.view")
def dispute_detail(request, pk):
    dispute = get_visible_or_404(
        JurisdictionDispute.objects.select_related("subject", "raised_by", "decided_by", "resolved_unit"),
        request.user,
        pk=pk,
    )
    user = request.user
    can_decide = (
        user.can("operations.designate")
        and user.unit
        and user.unit.region.level <= Level.CITY
        and dispute.status == DisputeStatus.OPEN
    )
    form = (
        ResolveForm(request.POST or None, city_prefix=dispute.subject.region_id[:4]) if can_decide else None
    )
    if request.method == "POST":
        if not can_decide:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.dispute_resolve(
                    actor=user,
                    dispute=dispute,
                    unit=data["unit"],
                    decision=data["decision"],
                    designated=data["designated"],
                )
            except ValidationError as exc:
                _form_error(form, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, "已作出管辖决定")
                return redirect(dispute)
    return render(
        request,
        "operations/dispute_detail.html",
        {
            "title": str(dispute),
            "dispute": dispute,
            "counties": dispute.counties.all(),
            "grants": dispute.grants.select_related("unit"),
            "due_badge": due_badge(dispute.due_on) if dispute.status == DisputeStatus.OPEN else None,
            "form": form,
        },
    )


# --- spot checks ----------------------------------------------------------------------------


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
    Column("已公开", lambda p: p.published),
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
    can_record = user.can("spotchecks.record") and (
        user.unit_id == plan.unit_id or plan.inspectors.filter(pk=user.pk).exists()
    )
    return render(
        request,
        "operations/spotcheck_detail.html",
        {
            "title": plan.name,
            "plan": plan,
            "items": plan.items.select_related("institution", "case", "county", "recorded_by"),
            "inspectors": plan.inspectors.select_related("unit"),
            "can_manage": user.can("spotchecks.manage") and user.unit_id == plan.unit_id,
            "can_record": can_record,
            "result_form": result_form or SpotResultForm(),
            "refused_item": refused_item,
        },
    )


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
        elif action == "publish":
            services.spotcheck_publish(actor=request.user, plan=plan)
            messages.success(request, "已公开抽查计划和结果")
        else:
            raise Http404
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(plan)


@require_POST
@require_perm("spotchecks.record")
def spotcheck_record(request, pk, item_pk):
    plan = _plan_for(request, pk)
    item = get_object_or_404(plan.items, pk=item_pk)
    try:
        services.spotcheck_record_check(actor=request.user, item=item)
    except PermissionDenied:
        raise Http404 from None
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
        except PermissionDenied:
            raise Http404 from None
    if form.errors:
        return _spotcheck_page(request, plan, result_form=form, refused_item=item.pk)
    messages.success(request, "已记录检查结果")
    return redirect(plan)


@login_required
def spotcheck_published(request, pk):
    """What is published: the plan, the sample and the results; no names of officers or recorders."""
    plan = get_object_or_404(SpotCheckPlan.objects.select_related("unit", "region"), pk=pk, published=True)
    return render(
        request,
        "operations/spotcheck_published.html",
        {
            "title": f"抽查公示：{plan.name}",
            "plan": plan,
            "items": plan.items.select_related("institution", "case", "county"),
        },
    )
