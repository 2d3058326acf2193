"""Pages of the departments' side: 部门协作 for a 联络员 (referrals addressed to their unit, leads handed
to the health side), 情况通报 for liaisons and the heads of health units, and the case's
药品来源移送药监 action for the health side.

A role without the area gets 403; a referral or notice not addressed to the user's unit gets 404
like a missing one (SECURITY.md)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qingyuan.cases import referrals
from qingyuan.cases.models import Case
from qingyuan.cases.referral_workflow import REFERRAL_WORKFLOW, NotPermitted, TransitionNotAllowed
from qingyuan.core.permissions import require_area_perm
from qingyuan.core.scoping import get_visible_or_404, jurisdiction_prefix

from . import forms, services
from .models import Notice

# The receiving side's steps: the form each takes and the heading it has on the page.
STEPS = {
    "receipt": (forms.ReceiptForm, "登记接收"),
    "outcome": (forms.DecisionForm, "受理/立案或不予受理"),
    "progress": (forms.ProgressForm, "登记办理进展"),
    "result": (forms.ResultForm, "登记办理结果"),
    "review_result": (forms.ReviewResultForm, "登记复议结果"),
}


def _errors_into(form, exc):
    """A service's refusal next to the field it names, or at the top of the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", None) or [str(exc)])


@require_area_perm("liaison.receive")
def index(request):
    user = request.user
    rows = (
        services.addressed_to(user).select_related("case__unit", "receiving_unit").order_by("-transferred_at")
    )
    return render(
        request,
        "liaison/index.html",
        {
            "referrals": rows,
            "leads": services.transferred_leads(user).order_by("-received_at")[:50],
            "unread": Notice.objects.visible_to(user)
            .filter(receipts__unit_id=user.unit_id, receipts__read_at__isnull=True)
            .count(),
        },
    )


def _step_forms(referral, user, bound=None):
    offered = []
    for action, _transition in REFERRAL_WORKFLOW.available(referral, user):
        if action not in STEPS or REFERRAL_WORKFLOW.blocked(referral, action):
            continue
        form_class, heading = STEPS[action]
        form = bound if bound is not None and bound.prefix == action else form_class(prefix=action)
        offered.append({"action": action, "heading": heading, "form": form})
    return offered


def _referral_page(request, referral, bound=None, status=200):
    case = referral.case
    return render(
        request,
        "liaison/referral_detail.html",
        {
            "referral": referral,
            "case": case,
            "officers": case.officers.filter(is_active=True),
            "clocks": referrals.clocks(referral),
            "updates": referral.updates.select_related("recorded_by"),
            "steps": _step_forms(referral, request.user, bound),
        },
        status=status,
    )


@require_area_perm("liaison.receive")
def referral_detail(request, pk):
    return _referral_page(request, services.referral_or_404(request.user, pk))


@require_POST
@require_area_perm("liaison.receive")
def referral_step(request, pk, action):
    if action not in STEPS:
        raise Http404
    user = request.user
    referral = services.referral_or_404(user, pk)
    # Someone who may not take the step is refused as such (403) whatever they typed; a step the
    # referral has moved past is told so on its page.
    try:
        REFERRAL_WORKFLOW.check(referral, action, user, conditions=False)
    except NotPermitted:
        raise
    except TransitionNotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("liaison:referral", pk=referral.pk)
    form_class, _heading = STEPS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "receipt":
                referrals.referral_receipt(actor=user, referral=referral, **data)
            elif action == "outcome":
                referrals.referral_outcome(actor=user, referral=referral, **data)
            elif action == "progress":
                referrals.referral_progress(actor=user, referral=referral, **data)
            elif action == "result":
                referrals.referral_result(actor=user, referral=referral, **data)
            else:
                referrals.referral_review_result(actor=user, referral=referral, result=data["result"])
        except (ValidationError, TransitionNotAllowed) as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "已登记，卫生健康部门已收到通知。")
            return redirect("liaison:referral", pk=referral.pk)
    referral.refresh_from_db()
    return _referral_page(request, referral, bound=form)


@require_area_perm("liaison.receive")
def lead_transfer(request):
    form = forms.LeadTransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_transfer(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(
                request, f"已移送卫生健康部门，线索编号 {lead.number}，承办单位：{lead.handling_unit}"
            )
            return redirect("liaison:index")
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": "向卫生健康部门移送线索或案件", "cancel_url": reverse("liaison:index")},
    )


# --- 情况通报 ---------------------------------------------------------------------------------------


@require_area_perm("notices.view")
def notice_list(request):
    user = request.user
    notices = Notice.objects.visible_to(user).select_related("from_unit").prefetch_related("receipts__unit")
    rows = []
    for notice in notices[:100]:
        receipts = list(notice.receipts.all())
        mine = next((r for r in receipts if r.unit_id == user.unit_id), None)
        rows.append(
            {
                "notice": notice,
                "sent": notice.from_unit_id == user.unit_id,
                "unread": mine is not None and mine.read_at is None,
                "read_count": sum(1 for r in receipts if r.read_at),
                "total": len(receipts),
            }
        )
    return render(
        request,
        "liaison/notice_list.html",
        {"rows": rows, "can_send": user.can("notices.send")},
    )


@require_area_perm("notices.send")
def notice_new(request):
    form = forms.NoticeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.notice_send(
                actor=request.user,
                title=data["title"],
                body=data["body"],
                units=data["units"],
                files=data["attachments"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "情况通报已发送。")
            return redirect(notice.get_absolute_url())
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": "发送情况通报", "cancel_url": reverse("liaison:notices")},
    )


@require_area_perm("notices.view")
def notice_detail(request, pk):
    notice = services.notice_or_404(request.user, pk)
    # Opening the notice is the read receipt of the reader's unit (who and when).
    services.notice_read(actor=request.user, notice=notice)
    return render(
        request,
        "liaison/notice_detail.html",
        {
            "notice": notice,
            "receipts": notice.receipts.select_related("unit", "read_by"),
            "attachments": notice.attachments.all(),
        },
    )


@require_area_perm("notices.view")
def notice_attachment(request, pk, attachment_pk):
    notice = services.notice_or_404(request.user, pk)
    attachment = notice.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the health side: drug sources to the drug regulator -------------------------------------------


@require_area_perm("cases.edit")
def drug_source(request, pk):
    case = get_visible_or_404(Case.objects.select_related("subject"), request.user, pk=pk)
    # A cross-jurisdiction grant opens the site's records to a visiting officer; referring the case
    # stays with the jurisdiction that handles it.
    if not case.region_id.startswith(jurisdiction_prefix(request.user) or "-"):
        raise PermissionDenied("药品来源移送由案件所在辖区办理")
    form = forms.DrugSourceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.drug_source_refer(actor=request.user, case=case, **form.cleaned_data)
        except (ValidationError, TransitionNotAllowed) as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "已提请将药品来源移送药品监管部门，待负责人批准。")
            return redirect(f"{case.get_absolute_url()}#followup")
    return render(
        request,
        "includes/form.html",
        {
            "form": form,
            "title": f"药品来源移送药监：{case.number or case.title}",
            "cancel_url": f"{case.get_absolute_url()}#followup",
        },
    )
