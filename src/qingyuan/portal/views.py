"""The public site: no login. Every POST is rate-limited per client address; what a resident sees of a
lead is limited to its status, date and answer (信访工作条例 第30条: reporters and case details stay
confidential)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qingyuan.leads import services
from qingyuan.leads.models import Channel, Lead, Status
from qingyuan.leads.uploads import check_files

from .forms import TipConfirmForm, TipForm, TrackForm
from .locating import ASK_FOR_MORE, default_unit, locate
from .ratelimit import over_limit, too_many_requests

DONE_SESSION_KEY = "portal_tip_done"

# Plain words for residents; several internal steps look the same from outside.
PUBLIC_STATUS = {
    Status.REGISTERED: "已收到",
    Status.ACCEPTED: "已受理",
    Status.ASSIGNED: "核查中",
    Status.VERIFYING: "核查中",
    Status.CONCLUDED: "核查中",
    Status.ANSWERED: "已答复",
    Status.CLOSED: "已办结",
    Status.REJECTED: "不予受理",
}


@require_GET
def home(request):
    context = {"title": "举报非法行医", "hotline": settings.QINGYUAN_PORTAL_HOTLINE}
    return render(request, "portal/home.html", context)


def _edit(request, form):
    return render(request, "portal/tip_form.html", {"title": "我要举报", "form": form})


def _confirm(request, form, confirm_form, location):
    context = {"title": "核对并提交", "form": form, "confirm_form": confirm_form, "location": location}
    return render(request, "portal/tip_confirm.html", context)


@require_http_methods(["GET", "POST"])
def tip(request):
    """Step 1 (no `step`): check the input and show where it goes; `step=confirm`: files, captcha,
    register; `step=edit`: back to the form with the input kept."""
    if request.method == "GET":
        return _edit(request, TipForm())
    step = request.POST.get("step", "")
    # Only sending counts against the tip allowance; checking the form resolves an address, like locate.
    if over_limit(request, "tip" if step == "confirm" else "locate"):
        return too_many_requests(request, "tip" if step == "confirm" else "locate")
    form = TipForm(request.POST)
    if step == "edit" or not form.is_valid():
        return _edit(request, form)
    location = locate(form.cleaned_data["place"])
    if not location.ok:
        form.add_error("place", f"无法确定由哪个单位处理：{ASK_FOR_MORE}")
        return _edit(request, form)
    if step != "confirm":
        return _confirm(request, form, TipConfirmForm(), location)

    confirm_form = TipConfirmForm(request.POST, request.FILES)
    if not confirm_form.is_valid():
        return _confirm(request, form, confirm_form, location)
    data = form.cleaned_data
    try:
        files = check_files(confirm_form.cleaned_data["attachments"])
    except ValidationError as exc:
        # Nothing is saved: the lead and its files are written together or not at all. The captcha
        # widget draws a fresh challenge on every render (each one is single-use).
        confirm_form.add_error("attachments", exc)
        return _confirm(request, form, confirm_form, location)
    try:
        lead = services.lead_register(
            actor=None,
            channel=Channel.WEB,
            content=data["content"],
            place=data["place"],
            category=data["category"],
            practice_content=data["practice_content"],
            reported_person=data["reported_person"],
            reporter=form.reporter_data(),
            attachments=files,
            fallback_unit=default_unit(),
        )
    except ValidationError as exc:
        # The routing changed between the steps (regions edited) or the model refused the input.
        form.add_error(None, exc)
        return _edit(request, form)
    request.session[DONE_SESSION_KEY] = {"number": lead.number, "code": lead.tracking_code}
    return redirect("portal:tip_done")


@require_GET
def tip_done(request):
    # The code is kept in the session, not the URL: it must not end up in logs or browser history.
    done = request.session.get(DONE_SESSION_KEY)
    if not done:
        return redirect("portal:tip")
    return render(request, "portal/tip_done.html", {"title": "提交成功", **done})


@require_GET
def tip_locate(request):
    if over_limit(request, "locate"):
        return too_many_requests(request, "locate")
    location = locate(request.GET.get("place", "")[:300])
    return render(request, "portal/_located.html", {"location": location})


def _public_view(lead: Lead) -> dict:
    """Exactly what a resident may read: no officers, no reporter, no internal notes."""
    answered = bool(lead.answered_at and lead.feedback)
    return {
        "status": PUBLIC_STATUS.get(lead.status, "处理中"),
        "received": timezone.localtime(lead.received_at).date(),
        "answer": lead.feedback if answered else "",
    }


@require_http_methods(["GET", "POST"])
def track(request):
    # POST, not a query string: the code is the reporter's key and must not sit in URLs and logs.
    if request.method == "GET":
        return render(request, "portal/track.html", {"title": "举报查询", "form": TrackForm()})
    if over_limit(request, "track"):
        return too_many_requests(request, "track")
    form = TrackForm(request.POST)
    result, not_found = None, False
    if form.is_valid():
        lead = (
            Lead.objects.filter(tracking_code=form.cleaned_data["code"])
            .only("status", "received_at", "feedback", "answered_at")
            .first()
        )
        if lead is None:
            not_found = True
        else:
            result = _public_view(lead)
    context = {"title": "举报查询", "form": form, "result": result, "not_found": not_found}
    return render(request, "portal/track.html", context)
