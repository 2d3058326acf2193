"""The public site: no login. Every POST is rate-limited per client address; what a resident sees of a
lead is limited to its status, date and answer (信访工作条例 第30条: reporters and case details stay
confidential). Published typical cases show only their reviewed, redacted text. The officers' pages
for typical cases (login required) live here too, beside the public pages they feed."""

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyuan.core.forms import StyledFilterSet, StyledForm
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.leads import feedback, services
from qingyuan.leads.forms import SatisfactionForm
from qingyuan.leads.models import Channel, Lead, Satisfaction, Status
from qingyuan.leads.uploads import check_files
from qingyuan.regions.models import Region

from . import holding
from . import services as typical
from .forms import TipConfirmForm, TipForm, TrackForm
from .locating import ASK_FOR_MORE, default_unit, locate
from .models import PublishedCase, PublishedStatus
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


def _confirm(request, form, confirm_form, location, status=200):
    context = {
        "title": "核对并提交",
        "form": form,
        "confirm_form": confirm_form,
        "location": location,
        "held_files": holding.held(request.session),
    }
    return render(request, "portal/tip_confirm.html", context, status=status)


# Buttons of step 2 that do not send the tip: a new image, the other kind of challenge, removing a
# kept file. Each shows step 2 again (what was chosen is kept like after a refused send).
_STEP2_OTHER = ("refresh", "math", "image", "drop")


def _hold_new_files(request, confirm_form) -> bool:
    """Keep the files chosen in this request for the next try; False (with the error on the field)
    when they are refused: then nothing of this request is kept."""
    uploads = request.FILES.getlist("attachments")
    try:
        holding.hold(request.session, check_files(uploads))
    except ValidationError as exc:
        confirm_form.refuse_files(exc)
        return False
    return True


def _register(request, form, files):
    data = form.cleaned_data
    return services.lead_register(
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


@require_http_methods(["GET", "POST"])
def tip(request):
    """Step 1 (no `step`): check the input and show where it goes; `step=confirm`: files, captcha,
    register; `step=edit`: back to the form with the input kept; the other step-2 buttons
    (_STEP2_OTHER) show step 2 again."""
    holding.clear_expired()
    if request.method == "GET":
        return _edit(request, TipForm())
    step = request.POST.get("step", "")
    action, _, argument = step.partition(":")
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
    math = request.POST.get("captcha_mode") == "math"
    if action in _STEP2_OTHER:
        math = {"math": True, "image": False}.get(action, math)
        confirm_form = TipConfirmForm(math=math)
        _hold_new_files(request, confirm_form)
        if action == "drop":
            holding.drop(request.session, argument)
        return _confirm(request, form, confirm_form, location)
    if step != "confirm":
        return _confirm(request, form, TipConfirmForm(math=math), location)

    confirm_form = TipConfirmForm(request.POST, request.FILES, math=math)
    if not confirm_form.is_valid():
        # The widget draws a fresh challenge on every render (each one is single-use).
        _hold_new_files(request, confirm_form)
        return _confirm(request, form, confirm_form, location)
    kept = holding.open_held(request.session)
    try:
        files = check_files(kept + request.FILES.getlist("attachments"))
    except ValidationError as exc:
        # Nothing is saved: the lead and its files are written together or not at all.
        for handle in kept:
            handle.close()
        confirm_form = TipConfirmForm(math=math)
        confirm_form.refuse_files(exc)
        return _confirm(request, form, confirm_form, location)
    try:
        lead = _register(request, form, files)
    except ValidationError as exc:
        # The routing changed between the steps (regions edited) or the model refused the input.
        form.add_error(None, exc)
        return _edit(request, form)
    finally:
        for handle in kept:
            handle.close()
    holding.discard(request.session)
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
    """Exactly what a resident may read: no officers, no reporter, no internal notes. The answer only
    once it has reached the reporter or an officer released it (leads.feedback)."""
    rated = Satisfaction.objects.filter(lead=lead).first()
    answer = feedback.public_answer(lead)
    return {
        "status": PUBLIC_STATUS.get(lead.status, "处理中"),
        "received": timezone.localtime(lead.received_at).date(),
        "answer": answer,
        "rated": rated.get_rating_display() if rated else "",
        "may_rate": bool(answer) and rated is None,
    }


@require_http_methods(["GET", "POST"])
def track(request):
    # POST, not a query string: the code is the reporter's key and must not sit in URLs and logs.
    # `step=rate` posts the reporter's 满意度 with the code again (once per lead).
    if request.method == "GET":
        return render(request, "portal/track.html", {"title": "举报查询", "form": TrackForm()})
    if over_limit(request, "track"):
        return too_many_requests(request, "track")
    form = TrackForm(request.POST)
    rate_form = SatisfactionForm(request.POST) if request.POST.get("step") == "rate" else SatisfactionForm()
    result, not_found, thanks = None, False, False
    if form.is_valid():
        lead = Lead.objects.filter(tracking_code=form.cleaned_data["code"]).first()
        if lead is None:
            not_found = True
        else:
            if rate_form.is_bound and rate_form.is_valid():
                try:
                    feedback.satisfaction_record(actor=None, lead=lead, **rate_form.cleaned_data)
                    thanks = True
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        rate_form.add_error(field if field in rate_form.fields else None, errors)
            result = _public_view(lead)
    context = {
        "title": "举报查询",
        "form": form,
        "result": result,
        "not_found": not_found,
        "rate_form": rate_form,
        "thanks": thanks,
    }
    return render(request, "portal/track.html", context)


# --- typical cases (典型案例) ------------------------------------------------------------------
# The public pages read only PublishedCase.title/body, the redacted text, never the case itself.


@require_GET
def public_cases(request):
    from django.core.paginator import Paginator

    if over_limit(request, "browse"):
        return too_many_requests(request, "browse")
    rows = PublishedCase.objects.published().select_related("region").order_by("-published_at", "-pk")
    region = request.GET.get("region", "").strip()
    if region:
        rows = rows.filter(region_id=region)
    regions = Region.objects.filter(code__in=PublishedCase.objects.published().values("region_id")).order_by(
        "code"
    )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/public_cases.html",
        {"title": "典型案例", "page": page, "regions": regions, "region": region},
    )


@require_GET
def public_case(request, pk):
    if over_limit(request, "browse"):
        return too_many_requests(request, "browse")
    published = get_object_or_404(PublishedCase.objects.published().select_related("region"), pk=pk)
    return render(request, "portal/public_case.html", {"title": published.title, "published": published})


class TypicalReviewForm(StyledForm):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文（公开文本）", widget=forms.Textarea(attrs={"rows": 14}))


class TypicalFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=PublishedStatus.choices)

    class Meta:
        model = PublishedCase
        fields = []


TYPICAL_COLUMNS = [
    Column("标题", lambda x: x.title),
    Column("案件编号", lambda x: x.case.number or ""),
    Column("区县", lambda x: x.region.name),
    Column("状态", lambda x: x.get_status_display()),
    Column("提出人", lambda x: x.proposed_by.full_name),
    Column("审核人", lambda x: x.reviewed_by.full_name if x.reviewed_by_id else ""),
    Column(
        "公布时间",
        lambda x: timezone.localtime(x.published_at).strftime("%Y-%m-%d %H:%M") if x.published_at else "",
    ),
]


@register_list("portal.typical_list", perm="cases.view")
def typical_list_source(user):
    qs = PublishedCase.objects.visible_to(user).select_related("case", "region", "proposed_by", "reviewed_by")
    return ListSource(qs, TypicalFilter, TYPICAL_COLUMNS, "典型案例")


@require_perm("cases.view")
def typical_list(request):
    return render_list(request, list_key="portal.typical_list", template="portal/typical_list.html")


def _typical_for(request, pk) -> PublishedCase:
    return get_visible_or_404(
        PublishedCase.objects.select_related("case", "region", "proposed_by", "reviewed_by"),
        request.user,
        pk=pk,
    )


def _render_typical(request, published, form=None, status=200):
    user = request.user
    may_review = (
        published.status == PublishedStatus.DRAFT
        and user.can("cases.approve")
        and published.proposed_by_id != user.pk
    )
    if form is None and may_review:
        form = TypicalReviewForm(initial={"title": published.title, "body": published.body})
    return render(
        request,
        "portal/typical_detail.html",
        {
            "title": published.title,
            "published": published,
            "review_form": form if may_review else None,
            "own_proposal": published.status == PublishedStatus.DRAFT and published.proposed_by_id == user.pk,
            "can_approve": user.can("cases.approve"),
        },
        status=status,
    )


@require_perm("cases.view")
def typical_detail(request, pk):
    return _render_typical(request, _typical_for(request, pk))


@require_POST
@require_perm("cases.edit")
def typical_propose(request, case_pk):
    from qingyuan.cases.selectors import case_for

    case = case_for(request.user, case_pk)
    try:
        published = typical.typical_propose(actor=request.user, case=case)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect(case.get_absolute_url())
    messages.success(request, "已推荐为典型案例，已生成脱敏文本，待其他负责人审核。")
    return redirect(published.get_absolute_url())


@require_POST
@require_perm("cases.approve")
def typical_action(request, pk, action):
    published = _typical_for(request, pk)
    try:
        if action == "review":
            form = TypicalReviewForm(request.POST)
            if not form.is_valid():
                return _render_typical(request, published, form, status=400)
            try:
                typical.typical_review(actor=request.user, published=published, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return _render_typical(request, published, form, status=400)
            messages.success(request, "审核通过，可以公布。")
        elif action == "publish":
            typical.typical_publish(actor=request.user, published=published)
            messages.success(request, "已在公众网站公布。")
        elif action == "withdraw":
            typical.typical_withdraw(actor=request.user, published=published)
            messages.success(request, "已撤回，公众网站不再显示。")
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect(published.get_absolute_url())
