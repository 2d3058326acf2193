import django_filters
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from qingyuan.registry.models import Institution, Practitioner
from qingyuan.subjects.models import Subject, SubjectStatus

from .forms import DateInput, StyledFilterSet
from .lists import Column, ListSource, register_list, render_list
from .models import AuditAction, AuditEvent, WorkdayOverride
from .permissions import require_perm


def _jurisdiction_figures(user) -> list[tuple[str, int, str]]:
    """辖区数据: the figures of the user's jurisdiction today, (label, value, link)."""
    from django.urls import reverse

    today = timezone.localdate()
    figures = []
    if user.can("leads.view"):
        from qingyuan.leads.models import Lead, Status

        leads = Lead.objects.visible_to(user).exclude(status__in=[Status.CLOSED, Status.REJECTED])
        url = reverse("leads:list")
        figures += [
            ("在办线索", leads.count(), url),
            ("超期线索", Lead.objects.visible_to(user).overdue(today).count(), f"{url}?overdue=true"),
        ]
    if user.can("cases.view"):
        from qingyuan.cases.models import Case

        url = reverse("cases:list")
        figures.append(
            ("超期案件", Case.objects.visible_to(user).overdue(today).count(), f"{url}?overdue=true")
        )
    if user.can("subjects.view"):
        subjects = Subject.objects.visible_to(user)
        url = reverse("subjects:list")
        figures += [
            ("在查监管对象", subjects.filter(status=SubjectStatus.ACTIVE).count(), url),
            ("已取缔", subjects.filter(status=SubjectStatus.BANNED).count(), url),
        ]
    if user.can("registry.view"):
        figures += [
            (
                "辖区医疗机构",
                Institution.objects.visible_to(user).count(),
                reverse("registry:institution_list"),
            ),
            (
                "辖区执业人员",
                Practitioner.objects.visible_to(user).count(),
                reverse("registry:practitioner_list"),
            ),
        ]
    return figures


@login_required
def home(request):
    """「我的工作」: what is overdue, due within 2 working days, the rest of today's work, then the
    jurisdiction's figures (core.worklist)."""
    from .worklist import work_list

    user = request.user
    return render(
        request,
        "core/home.html",
        {"title": "我的工作", "work": work_list(user), "figures": _jurisdiction_figures(user)},
    )


class AuditFilter(StyledFilterSet):
    actor_name = django_filters.CharFilter(label="操作人账号", lookup_expr="icontains")
    action = django_filters.ChoiceFilter(label="操作", choices=AuditAction.choices)
    target_type = django_filters.CharFilter(label="对象类型", lookup_expr="icontains")
    at_from = django_filters.DateFilter(
        label="起始日期", field_name="at", lookup_expr="date__gte", widget=DateInput
    )
    at_to = django_filters.DateFilter(
        label="截止日期", field_name="at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = []


AUDIT_COLUMNS = [
    Column("时间", lambda e: e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
    Column("操作人", lambda e: e.actor_name),
    Column("操作", lambda e: e.get_action_display()),
    Column("对象类型", lambda e: e.target_type),
    Column("对象", lambda e: e.target_repr),
    Column("结果", lambda e: e.result),
    Column("客户端地址", lambda e: e.ip),
    Column("请求编号", lambda e: e.request_id),
]


@register_list("core.audit_list", perm="audit.view")
def audit_list_source(user):
    # The auditor's scope is the log, not a region.
    return ListSource(AuditEvent.objects.order_by("-id"), AuditFilter, AUDIT_COLUMNS, "审计日志")


@require_perm("audit.view")
def audit_list(request):
    """审计管理员: the whole log, newest first."""
    return render_list(request, list_key="core.audit_list", template="includes/list.html", per_page=50)


class WorkdayOverrideFilter(StyledFilterSet):
    year = django_filters.NumberFilter(label="年份", field_name="date", lookup_expr="year")

    class Meta:
        model = WorkdayOverride
        fields = []


WORKDAY_COLUMNS = [
    Column("日期", lambda o: o.date),
    Column("当天", lambda o: "上班" if o.is_workday else "放假"),
    Column("说明", lambda o: o.note),
]


@register_list("core.workdays", perm="settings.manage")
def workday_source(user):
    return ListSource(WorkdayOverride.objects.all(), WorkdayOverrideFilter, WORKDAY_COLUMNS, "工作日调整")


@require_perm("settings.manage")
def workday_overrides(request):
    """系统管理员 enters each year's State Council holiday notice (the packaged calendar stops at 2026)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from . import audit
    from .forms import WorkdayOverrideForm
    from .workdays import calendar_known

    form = WorkdayOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        override = audit.save_with_audit(actor=request.user, model=WorkdayOverride, data=form.cleaned_data)
        messages.success(
            request, f"已保存：{override.date:%Y-%m-%d} {'上班' if override.is_workday else '放假'}"
        )
        return redirect("core:workdays")
    year = timezone.localdate().year
    unknown = [y for y in (year, year + 1) if not calendar_known(y)]
    return render_list(
        request,
        list_key="core.workdays",
        template="core/workdays.html",
        extra={"form": form, "unknown_years": unknown},
    )
