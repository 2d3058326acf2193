import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qingyuan.campaigns.selectors import campaigns_for_filter, filter_by_campaign
from qingyuan.core.concurrency import StaleEdit
from qingyuan.core.forms import DateInput, StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.core.workdays import due_badge
from qingyuan.subjects.models import Subject

from . import feedback, selectors, services, workflow
from .forms import (
    AnswerForm,
    AssignForm,
    ConcludeForm,
    DeliveryForm,
    DuplicateForm,
    LeadIntakeForm,
    LinkForm,
    ReasonForm,
    RejectForm,
    RerouteForm,
    RewardForm,
    RewardPaymentForm,
    SatisfactionForm,
)
from .matching import OutsideMatches, match_lead_for
from .models import Category, Channel, Lead, Satisfaction, Status
from .uploads import attachment_open, check_files


def reward_panel(user, lead) -> dict:
    from .reward_views import panel  # the reward pages import this module's render_detail

    return panel(user, lead)


class LeadFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="编号/内容/地点", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=Status.choices)
    channel = django_filters.ChoiceFilter(label="来源渠道", choices=Channel.choices)
    category = django_filters.ChoiceFilter(label="问题类别", choices=Category.choices)
    region = django_filters.CharFilter(
        label="区划代码（含下级）", field_name="region__code", lookup_expr="startswith"
    )
    overdue = django_filters.BooleanFilter(label="已超期", method="filter_overdue")
    is_anonymous = django_filters.BooleanFilter(label="匿名")
    campaign = django_filters.ModelChoiceFilter(
        label="专项行动", queryset=campaigns_for_filter, method=filter_by_campaign
    )
    received_from = django_filters.DateFilter(
        label="收到日期起", field_name="received_at", lookup_expr="date__gte", widget=DateInput
    )
    received_to = django_filters.DateFilter(
        label="收到日期止", field_name="received_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = Lead
        fields = []

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(number__startswith=value) | Q(content__contains=value) | Q(place__contains=value)
        )

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.not_overdue()


def _due_text(lead):
    due = services.current_due(lead)
    return due_badge(due).text if due else ""


LEAD_COLUMNS = [
    Column("编号", lambda x: x.number),
    Column("收到时间", lambda x: x.received_at.astimezone().strftime("%Y-%m-%d %H:%M")),
    Column("渠道", lambda x: x.get_channel_display()),
    Column("类别", lambda x: x.get_category_display()),
    Column("地点", lambda x: x.place),
    Column("承办单位", lambda x: x.handling_unit),
    Column("状态", lambda x: x.get_status_display()),
    Column("实名", lambda x: not x.is_anonymous),
    Column("期限", _due_text),
]


@register_list("leads.lead_list", perm="leads.view")
def lead_list_source(user):
    qs = Lead.objects.visible_to(user).select_related("handling_unit")
    return ListSource(qs, LeadFilter, LEAD_COLUMNS, "线索")


@require_perm("leads.view")
def lead_list(request):
    qs = lead_list_source(request.user).queryset
    extra = {
        "can_register": request.user.can("leads.register"),
        "can_reward": request.user.can("leads.reward"),
    }
    if request.GET.get("export") != "xlsx":
        # The figures describe exactly the listed leads: same scope, same filters as render_list.
        filterset = LeadFilter(request.GET or None, queryset=qs, request=request)
        filtered = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
        extra["figures"] = selectors.lead_figures(filtered)
    return render_list(request, list_key="leads.lead_list", template="leads/lead_list.html", extra=extra)


@require_perm("leads.register")
def lead_create(request):
    unit = getattr(request.user, "unit", None)
    form = LeadIntakeForm(
        request.POST or None, request.FILES or None, region=unit.region if unit is not None else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            files = check_files(data["attachments"])
            lead = services.lead_register(
                actor=request.user,
                channel=data["channel"],
                received_at=data["received_at"],
                content=data["content"],
                place=data["place"],
                category=data["category"],
                practice_content=data["practice_content"],
                reported_person=data["reported_person"],
                reported_phone=data["reported_phone"],
                reporter=form.reporter_data(),
                attachments=files,
                transfer_source=data["transfer_source"],
                transfer_document=data["transfer_document"],
                campaign=data.get("campaign"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "campaign" in exc.error_dict:
                form.add_error("campaign", exc.error_dict["campaign"])
            else:
                form.add_error("attachments" if "附件" in str(exc) else None, exc)
        else:
            messages.success(
                request, f"已登记线索 {lead.number}，{lead.routing_note}，承办单位：{lead.handling_unit}"
            )
            return redirect(lead.get_absolute_url())
    return render(request, "includes/form.html", {"form": form, "title": "登记线索"})


def _lead_for(request, pk):
    return get_visible_or_404(
        Lead.objects.select_related("handling_unit", "region", "subject", "reporter"), request.user, pk=pk
    )


def can_answer(user, lead) -> bool:
    """Who answers the reporter also records delivery, release and a rating taken on the phone."""
    return lead.officers.filter(pk=user.pk).exists() or user.can("leads.answer")


def action_form(action, form_class, data=None, **kwargs):
    # Ids per action: several forms on the lead page share field names (reason, …), and each label
    # must point at its own field.
    return form_class(data, auto_id=f"{action}-%s", **kwargs)


def render_detail(request, lead, *, bound=None, errors=(), status=200):
    """The lead page; `bound` holds a refused form by action name, shown with what was typed and its
    errors in place of the empty one, `errors` the refusals that belong to no field."""
    bound = bound or {}
    user = request.user
    due = services.current_due(lead)
    actions = dict(workflow.available(lead, user))
    candidates, outside_matches = (
        match_lead_for(lead=lead, actor=user) if lead.subject_id is None else ([], OutsideMatches())
    )
    for candidate in candidates:
        candidate.penalties = selectors.candidate_penalty_history(candidate)
    subject_penalties = selectors.subject_penalty_history(lead.subject) if lead.subject_id else None
    person_penalties = selectors.reported_person_history(lead)
    selectors.record_outside_penalty_lookup(
        actor=user,
        lead=lead,
        histories=[subject_penalties, person_penalties, *(c.penalties for c in candidates)],
    )

    def pick(action, make, shown=True):
        # A refused form is shown whatever the lead's state now, so its errors are never lost.
        if action in bound:
            return bound[action]
        return make() if shown else None

    answerer = can_answer(user, lead)
    answered = feedback.has_answer(lead)
    rated = Satisfaction.objects.filter(lead=lead).select_related("recorded_by").first()
    delivered = feedback.is_delivered(lead)
    context = {
        "title": lead.number,
        "lead": lead,
        "due": due_badge(due) if due else None,
        "actions": actions,
        "candidates": candidates,
        "outside_matches": outside_matches,
        "subject_penalties": subject_penalties,
        "person_penalties": person_penalties,
        "can_see_reporter": services.can_see_reporter(user, lead),
        "can_reward": user.can("leads.reward"),
        "reward_panel": reward_panel(user, lead),
        "can_edit_subjects": user.can("subjects.edit"),
        "can_inspect": user.can("inspections.edit") and lead.status == Status.VERIFYING,
        "page_errors": list(errors),
        "assign_form": pick(
            "assign", lambda: action_form("assign", AssignForm, lead=lead), "assign" in actions
        ),
        "conclude_form": pick(
            "conclude", lambda: action_form("conclude", ConcludeForm), "conclude" in actions
        ),
        "answer_form": pick(
            "answer",
            lambda: action_form("answer", AnswerForm, initial={"text": lead.feedback}, record=lead),
            "answer" in actions,
        ),
        "reject_form": pick("reject", lambda: action_form("reject", RejectForm), "reject" in actions),
        "reroute_form": pick(
            "reroute", lambda: action_form("reroute", RerouteForm, actor=user), "reroute" in actions
        ),
        "reward_form": pick("reward", lambda: action_form("reward", RewardForm)),
        "payment_form": pick("payment", lambda: action_form("payment", RewardPaymentForm)),
        "extend_form": pick("extend", lambda: action_form("extend", ReasonForm)),
        "extend_heading": f"{services.extension_text(lead)}（须批准）",
        "duplicate_form": pick("duplicate", lambda: action_form("duplicate", DuplicateForm)),
        "link_form": LinkForm(record=lead),
        "deliveries": lead.deliveries.select_related("recorded_by"),
        "answer_delivered": delivered,
        "answer_released": feedback.is_released(lead),
        "delivery_form": pick("deliver", lambda: action_form("deliver", DeliveryForm), answerer and answered),
        "may_release": answerer and answered and lead.feedback_released_at is None and not delivered,
        "satisfaction": rated,
        "satisfaction_form": pick(
            "rate", lambda: action_form("rate", SatisfactionForm), answerer and delivered and rated is None
        ),
    }
    return render(request, "leads/lead_detail.html", context, status=status)


@require_perm("leads.view")
def lead_detail(request, pk):
    return render_detail(request, _lead_for(request, pk))


FORMS = {
    "reject": RejectForm,
    "conclude": ConcludeForm,
    "extend": ReasonForm,
    "duplicate": DuplicateForm,
    "reward": RewardForm,
    "payment": RewardPaymentForm,
}

# Service error keys that name a form field differently.
ERROR_FIELDS = {"original": "original_number"}


def attach_errors(form, exc) -> list[str]:
    """Put a refusal next to the field it concerns; returns what belongs to no field (or all of it,
    with no form)."""
    if hasattr(exc, "error_dict"):
        pairs = [(ERROR_FIELDS.get(k, k), v) for k, v in exc.error_dict.items()]
        messages_ = [(k, m) for k, errs in pairs for m in ValidationError(errs).messages]
    else:
        messages_ = [(None, m) for m in getattr(exc, "messages", [str(exc)])]
    rest = []
    for field, message in messages_:
        if form is not None:
            form.add_error(field if field in form.fields else None, message)
        else:
            rest.append(message)
    return rest


@require_POST
@require_perm("leads.view")
def lead_action(request, pk, action):
    lead = _lead_for(request, pk)
    user = request.user
    services.lead_action_check(actor=user, lead=lead, action=action)
    if action == "assign":
        form = action_form(action, AssignForm, request.POST, lead=lead)
    elif action == "reroute":
        form = action_form(action, RerouteForm, request.POST, actor=user)
    elif action == "answer":
        form = action_form(action, AnswerForm, request.POST, record=lead)
    elif action in FORMS:
        form = action_form(action, FORMS[action], request.POST)
    else:
        form = None
    if form is not None and not form.is_valid():
        return render_detail(request, lead, bound={action: form}, status=400)
    data = form.cleaned_data if form is not None else {}

    def duplicate_of():
        number = data["original_number"].strip()
        original = Lead.objects.visible_to(user).filter(number=number).first()
        if original is None:
            raise ValidationError({"original_number": "未找到该编号的线索，或不在您的管辖范围内"})
        return services.lead_mark_duplicate(actor=user, lead=lead, original=original)

    handlers = {
        "accept": lambda: services.lead_accept(actor=user, lead=lead),
        "reject": lambda: services.lead_reject(actor=user, lead=lead, reason=data["reason"]),
        "assign": lambda: services.lead_assign(actor=user, lead=lead, officers=list(data["officers"])),
        "verify": lambda: services.lead_start_verification(actor=user, lead=lead),
        "conclude": lambda: services.lead_conclude(
            actor=user, lead=lead, conclusion=data["conclusion"], note=data["note"]
        ),
        "answer": lambda: services.lead_answer(
            actor=user, lead=lead, text=data["text"], version=form.version, release=data["release"]
        ),
        "close": lambda: services.lead_close(actor=user, lead=lead),
        "extend": lambda: services.lead_extend(actor=user, lead=lead, reason=data["reason"]),
        "reroute": lambda: services.lead_reroute(
            actor=user, lead=lead, unit=data["unit"], reason=data["reason"]
        ),
        "duplicate": duplicate_of,
        "reward": lambda: services.reward_decide(
            actor=user, lead=lead, decision=data["decision"], amount=data["amount"], reason=data["reason"]
        ),
        "payment": lambda: services.reward_pay(
            actor=user,
            reward=getattr(lead, "reward", None),
            paid_amount=data["paid_amount"],
            paid_at=data["paid_at"],
            reference=data["reference"],
        ),
    }
    if action not in handlers:
        raise Http404
    try:
        handlers[action]()
    except PermissionDenied:
        raise  # a missing permission or a lead outside the jurisdiction is a 403, not a form error
    except StaleEdit as exc:
        # A colleague answered since this form was opened: show both answers and keep what was typed.
        form.show_conflict(exc)
        context = {"form": form, "title": f"答复举报人：{lead.number}", "cancel_url": lead.get_absolute_url()}
        return render(request, "includes/form.html", context, status=409)
    except (ValidationError, workflow.TransitionNotAllowed) as exc:
        # Nothing was written (one transaction per step): the page again, with what was typed.
        rest = attach_errors(form, exc)
        return render_detail(request, _lead_for(request, pk), bound={action: form}, errors=rest, status=400)
    messages.success(request, "已完成。")
    return redirect(lead.get_absolute_url())


@require_POST
@require_perm("leads.view")
def lead_link(request, pk):
    lead = _lead_for(request, pk)
    if not request.user.can("subjects.edit"):
        raise PermissionDenied
    subject = get_visible_or_404(Subject.objects.all(), request.user, pk=request.POST.get("subject"))
    form = LinkForm(request.POST, record=lead)
    form.is_valid()
    try:
        services.lead_link_subject(actor=request.user, lead=lead, subject=subject, version=form.version)
    except StaleEdit as exc:
        current = _lead_for(request, pk)
        now_linked = f"现关联：{current.subject}" if current.subject_id else "现未关联监管对象"
        return render_detail(request, current, errors=[f"{exc.messages[0]}。{now_linked}"], status=409)
    messages.success(request, f"已关联监管对象：{subject}")
    return redirect(lead.get_absolute_url())


def attachment_download(request, pk, attachment_pk):
    # 404 for the public as for other counties: a download link must not confirm that a tip exists.
    if not request.user.is_authenticated or not request.user.can("leads.view"):
        raise Http404
    lead = _lead_for(request, pk)
    attachment = lead.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment_open(actor=request.user, attachment=attachment)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@require_perm("leads.view")
def reporter_reveal(request, pk):
    lead = _lead_for(request, pk)
    try:
        reporter = services.reporter_reveal(actor=request.user, lead=lead)
    except workflow.TransitionNotAllowed:
        raise PermissionDenied from None
    return render(request, "leads/reporter_revealed.html", {"reporter": reporter})


@require_POST
@require_perm("leads.view")
def reported_phone_reveal(request, pk):
    lead = _lead_for(request, pk)
    try:
        phone = services.reported_phone_reveal(actor=request.user, lead=lead)
    except workflow.TransitionNotAllowed:
        raise PermissionDenied from None
    return render(request, "leads/reported_phone_revealed.html", {"phone": phone})


@require_perm("leads.templates")
def feedback_templates(request):
    """系统管理员 words the default answer for each outcome; officers edit each answer before sending."""
    from qingyuan.core import audit

    from .forms import FeedbackTemplateForm
    from .models import FeedbackTemplate

    form = FeedbackTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        existing = FeedbackTemplate.objects.filter(conclusion=form.cleaned_data["conclusion"]).first()
        audit.save_with_audit(
            actor=request.user,
            model=FeedbackTemplate,
            pk=existing.pk if existing else None,
            data={"conclusion": form.cleaned_data["conclusion"], "text": form.cleaned_data["text"]},
        )
        messages.success(request, "已保存答复模板。")
        return redirect("leads:templates")
    return render(
        request,
        "leads/feedback_templates.html",
        {
            "title": "答复模板",
            "form": form,
            "templates": FeedbackTemplate.objects.order_by("conclusion"),
        },
    )
