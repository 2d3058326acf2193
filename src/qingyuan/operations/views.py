"""Pages: thin views that check, call one service, and render or redirect."""

import django_filters
from django.contrib import messages
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
    ConfirmForm,
    DisputeForm,
    EvaluationForm,
    GroupForm,
    NominationForm,
    OperationForm,
    ReopenForm,
    ResolveForm,
)
from .models import (
    DisputeStatus,
    JointOperation,
    JurisdictionDispute,
    OperationStatus,
    RegionAdjacency,
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
    from .joint_views import group_blocks, s001_a3_url

    user = request.user
    can_manage = user.can("operations.manage") and user.unit_id == operation.unit_id
    due = services.result_due_on(operation)
    own_county = user.unit.region_id if user.unit and user.unit.region.level == Level.COUNTY else None
    blocks, loose = group_blocks(operation, user)
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
        "blocks": blocks,
        "loose_rows": loose,
        "has_targets": operation.targets.exists(),
        "grouping_problems": [p for p in services.grouping_problems(operation) if p != "尚未分组"],
        "nominations": services.nomination_status(operation),
        "nominations_open": services.nominations_open(operation),
        "grants": grants.distinct(),
        "due": due,
        "due_badge": due_badge(due) if due and operation.status != OperationStatus.PLANNING else None,
        "evaluations": operation.evaluations.select_related("by"),
        "can_manage": can_manage,
        "can_nominate": user.can("operations.nominate") and own_county is not None,
        # The county's 附件3 is S001-A3 computed for it over the periods, submitted from the form page.
        "a3_url": s001_a3_url(operation, user.unit.region)
        if own_county and user.can("reports.submit") and operation.status != OperationStatus.PLANNING
        else "",
    }
    if can_manage:
        context.update(
            candidates=services.target_candidates(operation).select_related("region"),
            reopen_form=bound.get("reopen_form") or ReopenForm(),
            confirm_form=bound.get("confirm_form") or ConfirmForm(),
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
            form = ConfirmForm(request.POST)
            form.is_valid()
            try:
                grants = services.operation_confirm(
                    actor=request.user,
                    operation=operation,
                    grouping_reason=form.cleaned_data.get("grouping_reason", ""),
                )
            except ValidationError as exc:
                _form_error(form, exc)
                return _operation_page(request, operation, refused=action, confirm_form=form)
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
