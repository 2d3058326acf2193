"""Pages of the penalty procedure before the decision: one page per step (拟处罚, 告知, 陈述申辩, 听证,
法制审核, 集体讨论) reached from the case page, and the leader's form for a time-barred opening.

A step the user's role may never take answers 403; a case outside the jurisdiction 404 like a
missing one; a step the case's state does not allow sends the user back to the case page with the
reason. A refused submission shows the form again with what was typed and the reason beside the
field it names."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingyuan.core.permissions import require_perm

from . import penalty, penalty_steps, selectors, services, workflow
from .penalty_forms import (
    DiscussionForm,
    HearingEndForm,
    HearingRequestForm,
    HearingScheduleForm,
    LegalReviewForm,
    NoticeForm,
    ProposalForm,
    StatementForm,
    TimeBarForm,
)
from .workflow import NotPermitted, TransitionNotAllowed


@dataclass(frozen=True)
class Step:
    title: str
    form: type
    run: Callable
    button: str = "保存"
    hint: str = ""


def _propose(user, case, data, form):
    return penalty_steps.proposal_record(
        actor=user,
        case=case,
        offence_code=data["offence_code"],
        facts=data["facts"],
        measures=form.measures(),
        discretion=data["discretion"],
        discretion_reason=data["discretion_reason"],
        discretion_basis=data["discretion_basis"],
    )


def _notify(user, case, data, form):
    return services.case_notify(
        actor=user,
        case=case,
        notified_on=data["notified_on"],
        waived=data["waived"],
        notice_number=data["notice_number"],
    )


STEPS = {
    "propose_penalty": Step(
        "拟定处罚意见",
        ProposalForm,
        _propose,
        hint="罚款须在法定幅度内；减轻处罚可低于下限，须写明理由和依据（行政处罚法第32条）；不予处罚不列处罚种类（第33条）。",
    ),
    "notify": Step("告知当事人（行政处罚事先告知书）", NoticeForm, _notify, button="登记告知"),
    "renotify": Step(
        "重新告知当事人",
        NoticeForm,
        _notify,
        button="登记重新告知",
        hint="重新告知后，陈述申辩和听证申请期限重新起算。",
    ),
    "record_statement": Step(
        "记录陈述申辩",
        StatementForm,
        lambda user, case, data, form: penalty_steps.statement_record(
            actor=user,
            case=case,
            taken_at=data["taken_at"],
            place=data["place"],
            speaker=data["speaker"],
            content=data["content"],
            officers=list(data["officers"]),
            adoption=data["adoption"],
            adoption_reason=data["adoption_reason"],
        ),
    ),
    "request_hearing": Step(
        "当事人要求听证",
        HearingRequestForm,
        lambda user, case, data, form: services.case_request_hearing(
            actor=user, case=case, requested_on=data["requested_on"]
        ),
        button="登记听证申请",
        hint="听证期间不计入办案期限。",
    ),
    "schedule_hearing": Step(
        "通知听证",
        HearingScheduleForm,
        lambda user, case, data, form: penalty_steps.hearing_schedule(
            actor=user,
            case=case,
            notice_served_on=data["notice_served_on"],
            scheduled_at=data["scheduled_at"],
            place=data["place"],
            host=data["host"],
            clerk=data["clerk"],
            public=data["public"],
        ),
        hint="听证通知书须在举行听证的七日前送达；主持人不能是本案调查人员（行政处罚法第64条）。",
    ),
    "end_hearing": Step(
        "听证结束",
        HearingEndForm,
        lambda user, case, data, form: services.case_end_hearing(
            actor=user, case=case, ended_on=data["ended_on"], report=data["report"]
        ),
        button="登记听证结束",
    ),
    "legal_review": Step(
        "法制审核",
        LegalReviewForm,
        lambda user, case, data, form: penalty_steps.legal_review_record(
            actor=user,
            case=case,
            reviewed_on=data["reviewed_on"],
            opinion=data["opinion"],
            conclusion=data["conclusion"],
            co_reviewers=list(data["co_reviewers"]),
        ),
        hint="本案承办人和拟定处罚意见的人员不能审核（行政处罚法第58条）；结论为“退回补充调查”的，案件退回调查取证。",
    ),
    "discuss": Step(
        "集体讨论",
        DiscussionForm,
        lambda user, case, data, form: penalty_steps.discussion_record(
            actor=user,
            case=case,
            held_on=data["held_on"],
            place=data["place"],
            chair=data["chair"],
            participants=list(data["participants"]),
            other_participants=data["other_participants"],
            recorder=data["recorder"],
            opinions=data["opinions"],
            conclusion=data["conclusion"],
            conclusion_text=data["conclusion_text"],
        ),
        hint="行政处罚法第57条第2款：情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定。",
    ),
}


def _put_errors(form, exc):
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    codes = {getattr(e, "code", None) for e in getattr(exc, "error_list", [])}
    target = "fine" if "fine" in form.fields and any(c and str(c).startswith("fine") for c in codes) else None
    form.add_error(target, getattr(exc, "messages", None) or [str(exc)])


def _mark_invalid(form):
    for name in form.fields:
        if name in form.errors:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _back(case):
    return redirect(f"{case.get_absolute_url()}#penalty")


@require_perm("cases.view")
def step_page(request, pk, action):
    if action not in STEPS:
        raise Http404
    case = selectors.case_for(request.user, pk)
    step = STEPS[action]
    try:
        workflow.check(case, action, request.user)
    except NotPermitted:
        raise
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return _back(case)
    proposal = penalty.current_proposal(case)
    kwargs = {"case": case, "user": request.user}
    if action == "propose_penalty":
        kwargs["proposal"] = proposal
    form = step.form(request.POST or None, **kwargs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                step.run(request.user, case, form.cleaned_data, form)
            except PermissionDenied:
                raise
            except (ValidationError, TransitionNotAllowed) as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, f"已完成：{step.title}。")
                return _back(case)
        _mark_invalid(form)
    context = {
        "title": f"{step.title}：{case}",
        "heading": step.title,
        "case": case,
        "form": form,
        "step": step,
        "action": action,
        "proposal": proposal,
        "proposals": list(case.proposals.order_by("-version").prefetch_related("measures")),
        "blocked": workflow.CASE_WORKFLOW.blocked(case, action),
    }
    return render(request, "cases/penalty/step.html", context, status=status)


@require_POST
@require_perm("cases.view")
def submit_legal_review(request, pk):
    case = selectors.case_for(request.user, pk)
    try:
        penalty_steps.legal_review_submit(actor=request.user, case=case)
    except NotPermitted:
        raise
    except (ValidationError, TransitionNotAllowed) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
    else:
        messages.success(request, "已提交法制审核。")
    return _back(case)


@require_perm("cases.override", forbidden=True, message="只有领导可以批准超过追责期限立案")
def time_bar(request, pk):
    case = selectors.case_for(request.user, pk)
    form = TimeBarForm(request.POST or None, initial={"time_bar_reason": case.time_bar_reason})
    if request.method == "POST" and form.is_valid():
        try:
            penalty_steps.time_bar_override(
                actor=request.user, case=case, reason=form.cleaned_data["time_bar_reason"]
            )
        except NotPermitted:
            raise
        except (ValidationError, TransitionNotAllowed) as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, "已登记超过追责期限仍立案的理由。")
            return redirect(case.get_absolute_url())
    _mark_invalid(form)
    context = {
        "title": f"超过追责期限立案：{case}",
        "heading": "超过追责期限仍立案（领导批准）",
        "case": case,
        "form": form,
        "step": Step("超过追责期限仍立案", TimeBarForm, None, button="登记理由"),
        "action": "time_bar",
        "proposal": None,
        "proposals": [],
        "blocked": penalty.time_bar_problem(case, timezone.localdate()),
    }
    return render(request, "cases/penalty/step.html", context)
