"""Pages of the submission workflow: the panel under a form (status, checks, 上报), the list of
submissions, one submission (frozen figures, differences from the records now, history, 退回 /
审核通过), its download, and the roll-up of the lower regions' forms for a city or province."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from qingyuan.core import audit
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404, jurisdiction_prefix
from qingyuan.regions.models import Level, Region

from . import validation
from .exports import CONTENT_TYPES
from .exports import render as render_file
from .forms import get_form
from .models import Submission, SubmissionStatus
from .params import SCOPE_KEYS, ScopeForm, initial_for, scope_query
from .rollup import rollup
from .submission_forms import ReturnForm, RollupForm, SubmissionFilter, SubmitForm
from .submissions import (
    available,
    compute,
    form_due_on,
    reviewer_problem,
    status_events,
    submission_accept,
    submission_figures,
    submission_return,
    submission_submit,
    submitter_problem,
    versions,
    versions_of,
)
from .views import _definition, _display, choices_for


def _params(data, **extra) -> str:
    return scope_query(data, (*SCOPE_KEYS, "form"), **extra)


def _error_list(error: ValidationError, form=None) -> list[str]:
    """The messages of a service's ValidationError; those naming a field of `form` go to that field."""
    if hasattr(error, "error_dict"):
        rest = []
        for field, errors in error.message_dict.items():
            if form is not None and field in form.fields:
                for message in errors:
                    form.add_error(field, message)
            else:
                rest.extend(errors)
        return rest
    return list(error.messages)


def table_views(result, marks: dict | None = None) -> list[dict]:
    """The figures laid out for templates/reports/submission_tables.html; `marks` maps (table title,
    row label, column label) to the differing live value, shown on the cell."""
    marks = marks or {}
    views = []
    for table in result.tables:
        view = {"table": table, "header": table.header_rows()}
        if table.is_grid:
            view["rows"] = [
                (
                    row.label,
                    [
                        (
                            _display(table.cells[row.key][c.key], c.kind, c.label),
                            marks.get((table.title, row.label, c.label), ""),
                        )
                        for c in table.columns
                    ],
                )
                for row in table.rows
            ]
        else:
            view["items"] = [
                [_display(item.get(c.key), c.kind, c.label) for c in table.columns] for item in table.items
            ]
        views.append(view)
    return views


def difference_rows(differences) -> list[dict]:
    return [
        {
            "table": d.table,
            "row": d.row,
            "column": d.column,
            "submitted": _display(d.submitted, d.kind, d.column),
            "live": _display(d.live, d.kind, d.column),
        }
        for d in differences
    ]


def _marks(differences) -> dict:
    return {(d.table, d.row, d.column): _display(d.live, d.kind, d.column) for d in differences}


# --- the panel under a form ---------------------------------------------------------------------


def _panel_context(request, definition, scope_form, submit_form=None, errors=()) -> dict:
    context = {
        "definition": definition,
        "title": f"上报：{definition.code} {definition.title}",
        "submit_form": submit_form or SubmitForm(),
        "errors": list(errors),
        "params": _params(request.GET),
    }
    if not scope_form.is_valid():
        context["scope_error"] = scope_form.error_text()
        return context
    scope = scope_form.scope()
    user = request.user
    found = list(versions(definition.code, scope).select_related("submitted_by", "reviewed_by")[:10])
    current = found[0] if found else None
    context.update(
        scope=scope,
        versions=found,
        current=current,
        due_on=form_due_on(code=definition.code, scope=scope),
        submit_problem=submitter_problem(user, scope.region) if user.can("reports.submit") else "",
        can_rollup=definition.summable and definition.mode != "document" and scope.region.level < 3,
        document=definition.mode == "document",
    )
    context["can_submit"] = (
        user.can("reports.submit")
        and not context["submit_problem"]
        and not context["document"]
        and (current is None or current.status == SubmissionStatus.RETURNED)
    )
    if not context["document"]:
        try:
            context["findings"] = validation.validate(compute(definition, scope))
        except ValidationError as error:
            context["scope_error"] = "；".join(error.messages)
    return context


@require_perm("reports.view")
def panel(request, code):
    definition = _definition(code)
    context = _panel_context(request, definition, ScopeForm(request.GET, user=request.user))
    template = "reports/submission_panel.html" if request.htmx else "reports/submission_panel_page.html"
    return render(request, template, context)


@require_POST
@require_perm("reports.submit")
def submit(request, code):
    definition = _definition(code)
    scope_form = ScopeForm(request.GET, user=request.user)
    submit_form = SubmitForm(request.POST)
    errors = []
    if scope_form.is_valid() and submit_form.is_valid():
        try:
            submission = submission_submit(
                actor=request.user,
                definition=definition,
                scope=scope_form.scope(),
                note=submit_form.cleaned_data["note"],
            )
        except ValidationError as error:
            errors = _error_list(error, submit_form)
        else:
            messages.success(request, f"已上报（第{submission.version}版），等待上级单位审核。")
            return redirect(submission)
    context = _panel_context(request, definition, scope_form, submit_form, errors)
    return render(request, "reports/submission_panel_page.html", context, status=400)


# --- list and detail ----------------------------------------------------------------------------

COLUMNS = [
    Column("报表", lambda s: f"{s.form_code} 第{s.version}版"),
    Column("区划", lambda s: s.region.full_name),
    Column("统计期", lambda s: f"{s.period_start:%Y-%m-%d} 至 {s.period_end:%Y-%m-%d}"),
    Column("专项行动", lambda s: s.campaign or ""),
    Column("状态", lambda s: s.get_status_display()),
    Column("汇总", lambda s: s.rolled_up),
    Column("上报单位", lambda s: s.unit),
    Column("上报时间", lambda s: timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M")),
    Column("报送期限", lambda s: s.due_on),
    Column("逾期", lambda s: s.late),
]


@register_list("reports.submission_list", perm="reports.view")
def submission_list_source(user):
    queryset = Submission.objects.visible_to(user).select_related("region", "unit", "campaign")
    return ListSource(queryset, SubmissionFilter, COLUMNS, "报表上报与审核")


@require_perm("reports.view")
def submission_list(request):
    return render_list(
        request,
        list_key="reports.submission_list",
        template="reports/submission_list.html",
        extra={"can_review": request.user.can("reports.review")},
    )


def _submission_for(request, pk) -> Submission:
    return get_visible_or_404(
        Submission.objects.select_related(
            "region", "unit", "campaign", "operation", "submitted_by", "reviewed_by"
        ),
        request.user,
        pk=pk,
    )


@require_perm("reports.view")
def detail(request, pk):
    return _detail(request, _submission_for(request, pk))


def _detail(request, submission, return_form=None):
    definition = get_form(submission.form_code)
    context = {
        "title": f"{submission.form_code} 上报 · {submission.region.full_name} 第{submission.version}版",
        "submission": submission,
        "definition": definition,
        "actions": available(submission, request.user),
        "review_problem": reviewer_problem(request.user, submission)
        if request.user.can("reports.review")
        else "",
        "return_form": return_form or ReturnForm(),
        "versions": versions_of(submission),
        "events": status_events(submission),
        "sources": submission.sources.select_related("region", "unit").order_by("region_id"),
        "rolled_into": submission.rolled_into.select_related("region").order_by("-submitted_at"),
        "formats": [f for f in CONTENT_TYPES if f != "docx"],
    }
    try:
        stored, _live, differences = submission_figures(submission)
    except ValidationError as error:
        context["error"] = "；".join(error.messages)
    else:
        context.update(
            result=stored,
            tables=table_views(stored, _marks(differences)),
            differences=difference_rows(differences),
        )
    return render(request, "reports/submission_detail.html", context, status=400 if return_form else 200)


@require_POST
@require_perm("reports.review")
def return_view(request, pk):
    submission = _submission_for(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail(request, submission, return_form=form)
    try:
        submission_return(actor=request.user, submission=submission, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        # Refused (e.g. already rolled into the city's form): the reason typed stays in the box, and
        # the message sits next to it.
        problems = _error_list(error, form)
        submission.refresh_from_db()
        if "return" not in available(submission, request.user):
            # Someone else acted first: the form is gone from the page, so the message goes on top.
            messages.error(request, "；".join(problems) or "退回未成功")
            return redirect(submission)
        for message in problems:
            form.add_error("reason", message)
        return _detail(request, submission, return_form=form)
    messages.success(request, "已退回，填报单位可修改后重新上报。")
    return redirect(submission)


@require_POST
@require_perm("reports.review")
def accept_view(request, pk):
    submission = _submission_for(request, pk)
    try:
        submission_accept(actor=request.user, submission=submission)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已审核通过，报表数字已锁定。")
    return redirect(submission)


@require_perm("reports.view")
def export(request, pk, fmt):
    """The submitted figures as a file (never the records now: the download matches what was signed off)."""
    submission = _submission_for(request, pk)
    if fmt not in CONTENT_TYPES or fmt == "docx":
        raise Http404
    stored, _live, _diff = submission_figures(submission)
    content, content_type, name = render_file(stored, fmt)
    name = name.replace(f".{fmt}", f"_上报第{submission.version}版.{fmt}")
    audit.record(
        actor=request.user,
        action=audit.AuditAction.EXPORT,
        target=submission,
        after={"format": fmt, "version": submission.version},
        request=request,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(fmt != "json", name)
    return response


# --- roll-up ------------------------------------------------------------------------------------


def upper_region_choices(user) -> list[tuple[str, str]]:
    """The provinces and cities of the user's jurisdiction: the regions that roll up lower forms."""
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return []
    regions = Region.objects.filter(code__startswith=prefix, level__lte=Level.CITY).order_by("code")
    return [(r.code, r.full_name) for r in regions[:500]]


def _rollup_context(request, form, submit_form=None, errors=()) -> dict:
    context = {
        "title": "逐级汇总",
        "form": form,
        "regions": upper_region_choices(request.user),
        "submit_form": submit_form or SubmitForm(),
        "errors": list(errors),
        "params": _params(request.GET),
        # Campaigns and operations are chosen by name among those the user may see (under their own
        # names: the shared scope form would draw its own selects for "campaigns" and "operations").
        **{f"rollup_{key}": value for key, value in choices_for(request.user).items()},
    }
    if not (form.is_bound and form.is_valid()):
        return context
    scope = form.scope()
    code = form.cleaned_data["form"]
    try:
        summary = rollup(code=code, scope=scope)
    except ValidationError as error:
        context["error"] = "；".join(error.messages)
        return context
    found = versions(code, scope).first()
    problem = (
        submitter_problem(request.user, scope.region) if request.user.can("reports.submit") else "无上报权限"
    )
    context.update(
        summary=summary,
        tables=table_views(summary.result, _marks(summary.differences)),
        differences=difference_rows(summary.differences),
        current=found,
        can_submit=not problem and (found is None or found.status == SubmissionStatus.RETURNED),
        submit_problem=problem if request.user.can("reports.submit") else "",
    )
    return context


@require_perm("reports.view")
def rollup_view(request):
    data = request.GET if "form" in request.GET else None
    initial = {**initial_for(request.user), "form": "S003-A1"}
    form = RollupForm(data, user=request.user, initial=initial)
    return render(request, "reports/submission_rollup.html", _rollup_context(request, form))


@require_POST
@require_perm("reports.submit")
def rollup_submit(request):
    form = RollupForm(request.GET, user=request.user)
    submit_form = SubmitForm(request.POST)
    errors = []
    if form.is_valid() and submit_form.is_valid():
        try:
            submission = submission_submit(
                actor=request.user,
                code=form.cleaned_data["form"],
                scope=form.scope(),
                note=submit_form.cleaned_data["note"],
                rolled_up=True,
            )
        except ValidationError as error:
            errors = _error_list(error, submit_form)
        else:
            messages.success(request, f"汇总表已上报（第{submission.version}版），等待上级单位审核。")
            return redirect(submission)
    context = _rollup_context(request, form, submit_form, errors)
    return render(request, "reports/submission_rollup.html", context, status=400)
