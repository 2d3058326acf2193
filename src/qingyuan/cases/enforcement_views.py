"""Pages of the enforcement steps: one page per step, reached from the case page's 执行 section.

The page is offered only for a step the case's state and the user's permission allow (403 without
the permission, 404 for a case outside the user's jurisdiction: SECURITY.md); a refused step shows
its form again with what was typed and the reason beside the field it names."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from qingyuan.core.permissions import require_area_perm

from . import enforcement, selectors, workflow
from .enforcement_forms import CourtApplyForm, CourtResultForm, DemandForm, PlanForm, ServeDemandForm
from .models import CourtOutcome, CourtRuling

ANCHOR = "#enforcement"


def _plan(user, case, data):
    return enforcement.plan_approve(
        actor=user,
        case=case,
        kind=data["kind"],
        requested_on=data["requested_on"],
        approved_on=data["approved_on"],
        reason=data["reason"],
        defer_to=data.get("defer_to"),
        instalments=data.get("instalments") or [],
    )


def _court_result(user, case, data):
    return enforcement.court_result_record(actor=user, case=case, **data)


# action -> (form, heading, hint, service)
STEPS = {
    "plan_payment": (
        PlanForm,
        "批准延期/分期缴纳",
        "当事人确有经济困难，经申请和批准，可以暂缓或者分期缴纳罚款（行政处罚法第66条）。按计划缴纳期间不加处罚款。",
        _plan,
    ),
    "demand": (
        DemandForm,
        "催告",
        "缴款期限届满仍未缴纳的，申请强制执行前应书面催告（行政强制法第54条）。催告金额为当日尚欠款项，含加处罚款。",
        lambda user, case, data: enforcement.demand_issue(actor=user, case=case, **data),
    ),
    "serve_demand": (
        ServeDemandForm,
        "送达催告书",
        "催告书送达十日后当事人仍未履行的，可以申请人民法院强制执行。",
        lambda user, case, data: enforcement.demand_serve(actor=user, case=case, **data),
    ),
    "apply_court": (
        CourtApplyForm,
        "申请人民法院强制执行",
        "当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行的，自期限届满之日起三个月内申请（行政强制法第53条）。",
        lambda user, case, data: enforcement.court_apply(actor=user, case=case, **data),
    ),
    "court_result": (
        CourtResultForm,
        "登记法院裁定和执行结果",
        "法院执行到位的款项登记为缴款；终结执行或裁定不予执行后可结案。",
        _court_result,
    ),
}


def _initial(case, action) -> dict | None:
    if action != "court_result":
        return None
    application = enforcement.latest_application(case)
    if application is None:
        return None
    return {
        "accepted_on": application.accepted_on,
        "ruling": application.ruling or CourtRuling.PENDING,
        "ruling_no": application.ruling_no,
        "ruled_on": application.ruled_on,
        "outcome": application.outcome or CourtOutcome.PENDING,
        "outcome_on": application.outcome_on,
        "outcome_note": application.outcome_note,
    }


@require_area_perm("cases.view")
def enforcement_step(request, pk, action):
    if action not in STEPS:
        raise Http404
    case = selectors.case_for(request.user, pk)
    form_class, heading, hint, service = STEPS[action]
    try:
        # State and permission: NotPermitted is a 403; a state the step does not start from sends the
        # user back to the case, with the reason.
        workflow.check(case, action, request.user)
    except workflow.NotPermitted:
        raise
    except workflow.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect(case.get_absolute_url() + ANCHOR)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(request.user, case, form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            except workflow.NotPermitted:
                raise
            except workflow.TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已{heading}。")
                return redirect(case.get_absolute_url() + ANCHOR)
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    else:
        form = form_class(initial=_initial(case, action))
    context = {
        "title": f"{heading}：{case}",
        "heading": heading,
        "hint": hint,
        "case": case,
        "form": form,
        "overview": enforcement.overview(case),
        # Why the step cannot be taken today, shown above the form (it is checked again on saving).
        "blocked": workflow.CASE_WORKFLOW.blocked(case, action) if request.method == "GET" else None,
        "cancel_url": case.get_absolute_url() + ANCHOR,
    }
    return render(request, "cases/enforcement/step.html", context)
