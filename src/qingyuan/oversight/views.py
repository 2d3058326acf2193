"""Pages: thin views that check, call one service, and render or redirect."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingyuan.cases.models import Case
from qingyuan.core.forms import StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.core.workdays import due_badge
from qingyuan.core.workflow import NotPermitted, TransitionNotAllowed

from . import services
from .forms import (
    CaseSupervisionForm,
    FindingForm,
    NoteForm,
    ReasonForm,
    RectificationForm,
    RegionSupervisionForm,
    ReportForm,
    VisitForm,
    lower_units,
)
from .models import (
    RectificationItem,
    RectificationStatus,
    SupervisedItem,
    SupervisionKind,
    SupervisionStatus,
    SupervisionVisit,
)
from .workflow import RECTIFICATION_WORKFLOW, SUPERVISION_WORKFLOW, supervises, supervisor_problem


def _precheck(request, workflow, obj, action):
    """Permission, jurisdiction and state before the form is read: who may not take the step is
    refused as such (403) whatever was posted; a step the record's state no longer allows goes back
    to the page with the reason (`take` checks again on the locked row)."""
    try:
        workflow.check(obj, action, request.user, conditions=False)
    except NotPermitted:
        raise
    except TransitionNotAllowed as refused:
        messages.error(request, str(refused))
        return redirect(obj)
    return None


def _may_visit(request, visit):
    problem = services.visiting_problem(request.user, visit)
    if problem:
        raise PermissionDenied(problem)


def _form_error(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- 挂牌督办 list -----------------------------------------------------------------------------------


class SupervisionFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=SupervisionStatus.choices)
    kind = django_filters.ChoiceFilter(label="督办类型", choices=SupervisionKind.choices)
    overdue = django_filters.ChoiceFilter(
        label="是否逾期", choices=[("true", "已逾期未报结果")], method="filter_overdue"
    )

    class Meta:
        model = SupervisedItem
        fields = []

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value == "true" else queryset


COLUMNS = [
    Column("督办事项", lambda i: i.title, link=True),
    Column("类型", lambda i: i.get_kind_display()),
    Column("承办单位", lambda i: i.supervised_unit),
    Column("督办单位", lambda i: i.supervising_unit),
    Column("办结期限", lambda i: i.deadline),
    Column("状态", lambda i: i.get_status_display()),
    Column("逾期", lambda i: "已逾期" if i.overdue else ""),
]


@register_list("oversight.list", perm="oversight.view")
def supervision_list_source(user):
    qs = SupervisedItem.objects.visible_to(user).select_related("supervised_unit", "supervising_unit")
    return ListSource(qs, SupervisionFilter, COLUMNS, "挂牌督办")


@require_perm("oversight.view")
def supervision_list(request):
    user = request.user
    return render_list(
        request,
        list_key="oversight.list",
        template="oversight/list.html",
        extra={"can_manage": supervises(user)},
    )


# --- putting under supervision ---------------------------------------------------------------------


@require_perm("oversight.manage")
def supervision_create(request):
    """挂牌督办 of a case (?case=) or of a lagging region."""
    user = request.user
    case = None
    if request.GET.get("case"):
        case = get_visible_or_404(Case.objects.select_related("unit__region"), user, pk=request.GET["case"])
        problem = supervisor_problem(user, case.unit.region)
        if problem:
            raise PermissionDenied(problem)
        form = CaseSupervisionForm(request.POST or None)
        title = f"挂牌督办：{case.number or '（待立案）'} {case.title}"
    else:
        if not supervises(user):
            raise PermissionDenied("挂牌督办、督导由市级以上单位实施，区县不能督办")
        # From a region's page (?region=): its health commission (or first health unit) preselected.
        unit = (
            lower_units(user).filter(region_id=request.GET.get("region", "")).order_by("kind").first()
            if request.GET.get("region")
            else None
        )
        form = RegionSupervisionForm(request.POST or None, user=user, initial={"unit": unit})
        title = "挂牌督办（工作滞后地区）"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if case is not None:
                item = services.supervise_case(
                    actor=user, case=case, requirements=data["requirements"], deadline=data["deadline"]
                )
            else:
                item = services.supervise_region(
                    actor=user,
                    unit=data["unit"],
                    title=data["title"],
                    requirements=data["requirements"],
                    deadline=data["deadline"],
                )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已挂牌督办，办结期限{item.deadline:%Y年%-m月%-d日}")
            return redirect(item)
    cancel = case.get_absolute_url() if case else reverse("oversight:list")
    return render(request, "includes/form.html", {"form": form, "title": title, "cancel_url": cancel})


# --- the item page ---------------------------------------------------------------------------------

STEP_FORMS = {
    "progress": (ReportForm, "报送进展情况", "报送进展", "outline-primary"),
    "report": (ReportForm, "报送办理结果", "报送结果", "primary"),
    "accept": (NoteForm, "验收办结", "验收办结", "success"),
    "return": (ReasonForm, "退回重新办理", "退回", "outline-warning"),
    "withdraw": (ReasonForm, "撤销督办", "撤销督办", "outline-danger"),
}


def _item(request, pk):
    return get_visible_or_404(
        SupervisedItem.objects.select_related(
            "case", "region", "supervising_unit__region", "supervised_unit", "leader", "created_by"
        ),
        request.user,
        pk=pk,
    )


@require_perm("oversight.view")
def supervision_detail(request, pk, forms=None):
    item = _item(request, pk)
    steps = []
    for action, _transition in SUPERVISION_WORKFLOW.available(item, request.user):
        form_class, heading, button, style = STEP_FORMS[action]
        form = (forms or {}).get(action) or form_class(prefix=action)
        steps.append(
            {
                "action": action,
                "form": form,
                "heading": heading,
                "button": button,
                "style": style,
                "form_id": f"step-{action}",
            }
        )
    return render(
        request,
        "oversight/detail.html",
        {
            "title": item.title,
            "item": item,
            "reports": item.reports.select_related("reported_by"),
            "events": item.events.select_related("actor"),
            "badge": due_badge(item.deadline) if item.status == SupervisionStatus.ACTIVE else None,
            "steps": steps,
        },
        status=400 if forms else 200,
    )


@require_POST
@require_perm("oversight.view")
def supervision_step(request, pk, action):
    item = _item(request, pk)
    if action not in STEP_FORMS:
        raise Http404
    if refused := _precheck(request, SUPERVISION_WORKFLOW, item, action):
        return refused
    form = STEP_FORMS[action][0](request.POST, prefix=action)
    if form.is_valid():
        value = form.cleaned_data.get("text", form.cleaned_data.get("note", ""))
        step = services.SUPERVISION_STEPS[action]
        kwargs = {"text": value} if "text" in form.fields else {"note": value}
        try:
            step(actor=request.user, item=item, **kwargs)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已{STEP_FORMS[action][2]}")
            return redirect(item)
    return supervision_detail(request, pk, forms={action: form})


# --- 督导 -------------------------------------------------------------------------------------------


class VisitFilter(StyledFilterSet):
    class Meta:
        model = SupervisionVisit
        fields = []


def _open_items(visit) -> str:
    items = [i for f in visit.findings.all() for i in f.items.all()]
    done = sum(1 for i in items if i.status == RectificationStatus.VERIFIED)
    return f"{done}/{len(items)}" if items else "—"


VISIT_COLUMNS = [
    Column("督导", lambda v: str(v), link=True),
    Column("督导单位", lambda v: v.unit),
    Column("被督导地区", lambda v: v.region.full_name),
    Column("整改销号", _open_items),
]


@register_list("oversight.visits", perm="oversight.view")
def visit_list_source(user):
    qs = (
        SupervisionVisit.objects.visible_to(user)
        .select_related("unit", "region")
        .prefetch_related("findings__items")
    )
    return ListSource(qs, VisitFilter, VISIT_COLUMNS, "督导")


@require_perm("oversight.view")
def visit_list(request):
    user = request.user
    return render_list(
        request,
        list_key="oversight.visits",
        template="oversight/visit_list.html",
        extra={"can_manage": supervises(user)},
    )


@require_perm("oversight.manage")
def visit_create(request):
    user = request.user
    if not supervises(user):
        raise PermissionDenied("挂牌督办、督导由市级以上单位实施，区县不能督办")
    initial = {"visited_on": timezone.localdate(), "region": request.GET.get("region")}
    form = VisitForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_create(
                actor=user, region=data["region"], visited_on=data["visited_on"], summary=data["summary"]
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已登记督导，请登记发现的问题和整改事项")
            return redirect(visit)
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": "登记督导", "cancel_url": reverse("oversight:visit_list")},
    )


RECT_FORMS = {
    "rectify": (ReasonForm, "报告整改"),
    "verify": (NoteForm, "验收销号"),
    "return": (ReasonForm, "退回整改"),
}


def _visit(request, pk):
    return get_visible_or_404(
        SupervisionVisit.objects.select_related("unit", "region", "leader"), request.user, pk=pk
    )


@require_perm("oversight.view")
def visit_detail(request, pk, finding_form=None, item_form=None, bound=None):
    visit = _visit(request, pk)
    user = request.user
    can_add = user.can("oversight.manage") and not services.visiting_problem(user, visit)
    findings = []
    for finding in visit.findings.prefetch_related("items__responsible_unit"):
        rows = []
        for fix in finding.items.all():
            steps = [
                (
                    action,
                    RECT_FORMS[action][1],
                    (bound or {}).get((fix.pk, action)) or RECT_FORMS[action][0](prefix=f"{action}-{fix.pk}"),
                )
                for action, _t in RECTIFICATION_WORKFLOW.available(fix, user)
            ]
            rows.append((fix, steps))
        findings.append((finding, rows))
    total = sum(len(rows) for _f, rows in findings)
    done = sum(1 for _f, rows in findings for fix, _s in rows if fix.status == RectificationStatus.VERIFIED)
    return render(
        request,
        "oversight/visit_detail.html",
        {
            "title": str(visit),
            "visit": visit,
            "findings": findings,
            "total": total,
            "done": done,
            "finding_form": (finding_form or FindingForm(prefix="finding")) if can_add else None,
            "item_form": (item_form or RectificationForm(prefix="item", visit=visit))
            if can_add and findings
            else None,
        },
        status=400 if (finding_form or item_form or bound) else 200,
    )


@require_POST
@require_perm("oversight.manage")
def finding_create(request, pk):
    visit = _visit(request, pk)
    _may_visit(request, visit)
    form = FindingForm(request.POST, prefix="finding")
    if form.is_valid():
        try:
            services.finding_add(actor=request.user, visit=visit, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已登记发现的问题")
            return redirect(visit)
    return visit_detail(request, pk, finding_form=form)


@require_POST
@require_perm("oversight.manage")
def rectification_create(request, pk):
    visit = _visit(request, pk)
    _may_visit(request, visit)
    form = RectificationForm(request.POST, prefix="item", visit=visit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rectification_add(
                actor=request.user,
                finding=data["finding"],
                text=data["text"],
                unit=data["unit"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已添加整改事项")
            return redirect(visit)
    return visit_detail(request, pk, item_form=form)


@require_POST
@require_perm("oversight.view")
def rectification_step(request, pk, item_pk, action):
    visit = _visit(request, pk)
    if action not in RECT_FORMS:
        raise Http404
    fix = get_visible_or_404(
        RectificationItem.objects.select_related("finding__visit"),
        request.user,
        pk=item_pk,
        finding__visit=visit,
    )
    if refused := _precheck(request, RECTIFICATION_WORKFLOW, fix, action):
        return refused
    form = RECT_FORMS[action][0](request.POST, prefix=f"{action}-{fix.pk}")
    if form.is_valid():
        try:
            services.RECTIFICATION_STEPS[action](actor=request.user, item=fix, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已{RECT_FORMS[action][1]}")
            return redirect(fix)
    return visit_detail(request, pk, bound={(fix.pk, action): form})
