"""Pages for what follows a decision: crime criteria, referrals, judgments, re-inspections, look-backs.

A role without the permission gets 403 (it knows the page exists: it is in its menu or not); a
record outside the user's jurisdiction gets 404 like a missing one (SECURITY.md)."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qingyuan.core.concurrency import StaleEdit
from qingyuan.core.forms import StyledFilterSet, StyledForm
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_area_perm
from qingyuan.core.scoping import get_visible_or_404, jurisdiction_prefix
from qingyuan.core.workdays import due_badge

from . import crime, crime_matches, rechecks, referrals
from .followup_forms import (
    AccountableForm,
    ApproveForm,
    CrimeFactsForm,
    JudgmentForm,
    LinkCaseForm,
    LookBackForm,
    OutcomeForm,
    ProgressForm,
    ReasonForm,
    ReceiptForm,
    RecheckCompleteForm,
    ReferralProposeForm,
    ResultForm,
    ReviewRequestForm,
    ReviewResultForm,
    TransferForm,
)
from .models import (
    Case,
    CaseStatus,
    LookBack,
    MatchVerdict,
    Recheck,
    RecheckKind,
    RecheckResult,
    Referral,
    ReferralTarget,
)
from .referral_workflow import REFERRAL_WORKFLOW, SENT
from .workflow import TransitionNotAllowed


def _case_for(request, pk) -> Case:
    return get_visible_or_404(
        Case.objects.select_related("unit", "region", "subject", "crime_override_by"), request.user, pk=pk
    )


def _run(request, form, action):
    """Validate the form and run the service; nothing is half-saved because every service is one
    transaction. Returns None when done, else the refusal: the form then carries it, next to the
    field it names or at its top."""
    if form is not None and not form.is_valid():
        return ValidationError("")
    try:
        action(form.cleaned_data if form is not None else {})
    except StaleEdit:
        raise  # the caller shows the conflict with the user's input instead of a message
    except (ValidationError, TransitionNotAllowed) as exc:
        if form is None:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, getattr(exc, "messages", None) or [str(exc)])
        return exc
    messages.success(request, "已完成。")
    return None


# The heading each form has on the case page, repeated on the page that shows it again refused.
HEADINGS = {
    "crime_facts": "涉嫌犯罪相关事实",
    "crime_override": "决定不移送公安机关（领导）",
    "crime_match": "核实此前处罚记录",
    "referral_propose": "提请移送",
    "judgment": "登记法院判决",
    "accountable": "登记追责人员",
    "approve": "批准移送",
    "decline": "决定不移送",
    "transfer": "登记移送时间",
    "receipt": "登记接收回执",
    "outcome": "登记接收结果",
    "review_request": "提请复议",
    "review_result": "登记复议结果",
    "complete": "登记检查结果",
    "link": "关联再次违法案件",
}


def _refused(request, form, action, case, about=""):
    """The refused form again on a page of its own, with what was typed and the reasons in Chinese;
    200, since the user only has to correct and send it again."""
    for name in form.fields:
        if name in form.errors:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    title = f"{HEADINGS.get(action, '办理')}：{about or case}"
    context = {"form": form, "title": title, "cancel_url": f"{case.get_absolute_url()}#followup"}
    return render(request, "includes/form.html", context)


def _back(request, case):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(f"{case.get_absolute_url()}#followup")


# --- the panel on the case page -----------------------------------------------------------------


# The form each referral step takes on the panel; which steps are offered is the workflow's answer.
REFERRAL_FORMS = {
    "approve": ApproveForm,
    "decline": ReasonForm,
    "transfer": TransferForm,
    "receipt": ReceiptForm,
    "outcome": OutcomeForm,
    "review_request": ReviewRequestForm,
    "review_result": ReviewResultForm,
    "progress": ProgressForm,
    "result": ResultForm,
}


def _referral_rows(referral_list, user, case):
    rows = []
    for r in referral_list:
        forms = [
            (action, REFERRAL_HEADINGS.get(action, t.label), REFERRAL_FORMS[action]())
            for action, t in REFERRAL_WORKFLOW.available(r, user)
            if not REFERRAL_WORKFLOW.blocked(r, action)
        ]
        offer_case_transfer = (
            r.target == ReferralTarget.REGION
            and r.status in SENT
            and user.can("cases.approve")
            and case.status not in (CaseStatus.TRANSFERRED, CaseStatus.CLOSED)
            and case.status not in (CaseStatus.NOT_OPENED, CaseStatus.REVOKED)
        )
        rows.append(
            {
                "referral": r,
                "clocks": referrals.clocks(r),
                "forms": forms,
                "offer_case_transfer": offer_case_transfer,
            }
        )
    return rows


REFERRAL_HEADINGS = {
    "transfer": "登记移送时间",
    "receipt": "登记接收回执",
    "outcome": "登记接收结果",
    "review_result": "登记复议结果",
    "progress": "登记办理进展",
    "result": "登记办理结果",
}


class MatchReviewForm(StyledForm):
    """An officer's word on one earlier penalty found only by the party's name."""

    earlier = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(label="核实结论", choices=MatchVerdict.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="核实依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：核对户籍信息、照片或联系电话",
    )


def _match_rows(case, assessment, user):
    """Every earlier penalty found for the party, how it was found, and the officer's word on a name
    match; details of a case only inside the user's jurisdiction (history.py)."""
    prefix = jurisdiction_prefix(user)
    can_edit = user.can("cases.edit")
    rows = []
    for m in assessment.matches:
        visible = prefix is not None and m.earlier.region_id.startswith(prefix)
        rows.append(
            {
                "match": m,
                "decided_on": m.earlier.decision.decided_on,
                "region_name": m.earlier.region.full_name,
                "case": m.earlier if visible else None,
                "form": MatchReviewForm(
                    initial={"earlier": m.earlier.pk, "verdict": m.verdict}, prefix=f"m{m.earlier.pk}"
                )
                if can_edit and m.kind == crime_matches.BY_NAME
                else None,
            }
        )
    return rows


def _recheck_rows(recheck_list, user):
    can_edit = user.can("cases.edit")
    rows = []
    for r in recheck_list:
        pending = r.result == RecheckResult.PENDING
        rows.append(
            {
                "recheck": r,
                "badge": due_badge(r.due_on) if pending else None,
                "complete_form": RecheckCompleteForm(user=user, recheck=r, prefix=f"r{r.pk}")
                if pending and can_edit
                else None,
                "link_form": LinkCaseForm(user=user, prefix=f"l{r.pk}")
                if r.result == RecheckResult.REOFFENDED and not r.new_case_id and can_edit
                else None,
            }
        )
    return rows


@require_area_perm("cases.view")
def followup_panel(request, pk):
    case = _case_for(request, pk)
    user = request.user
    assessment = crime.evaluate(case)
    police_approved = crime.police_referral_approved(case)
    referral_list = list(case.referrals.select_related("approved_by", "created_by"))
    judgments = list(case.judgments.select_related("referral"))
    context = {
        "case": case,
        "assessment": assessment,
        "stale": assessment.suspected != case.crime_suspected or assessment.reasons != case.crime_reasons,
        "matches": _match_rows(case, assessment, user),
        "blocked": crime.close_blocked_reason(case),
        "police_approved": police_approved,
        "can_edit": user.can("cases.edit"),
        "can_override": user.can("cases.override"),
        "facts_form": CrimeFactsForm(instance=case)
        if user.can("cases.edit") and not hasattr(case, "decision")
        else None,
        "override_form": ReasonForm() if assessment.suspected and not police_approved else None,
        "referrals": _referral_rows(referral_list, user, case),
        "propose_form": ReferralProposeForm(
            user=user,
            initial={"target": ReferralTarget.POLICE}
            if assessment.suspected and not police_approved
            else None,
        ),
        "judgments": judgments,
        "accountable": case.accountable.select_related("judgment"),
        "judgment_form": JudgmentForm(case=case),
        "accountable_form": AccountableForm(case=case),
        "rechecks": _recheck_rows(case.rechecks.select_related("subject", "new_case", "lookback"), user),
        "later_cases": case.later_cases.visible_to(user),
    }
    return render(request, "cases/followup/panel.html", context)


CASE_ACTIONS = {
    "crime_refresh": ("cases.edit", None),
    "crime_facts": ("cases.edit", CrimeFactsForm),
    "crime_override": ("cases.override", ReasonForm),
    "referral_propose": ("cases.edit", ReferralProposeForm),
    "crime_match": ("cases.edit", MatchReviewForm),
    "judgment": ("cases.edit", JudgmentForm),
    "accountable": ("cases.edit", AccountableForm),
}


@require_POST
@require_area_perm("cases.view")
def followup_action(request, pk, action):
    if action not in CASE_ACTIONS:
        raise Http404
    case = _case_for(request, pk)
    user = request.user
    perm, form_class = CASE_ACTIONS[action]
    if not user.can(perm):
        raise PermissionDenied
    if form_class in (JudgmentForm, AccountableForm):
        form = form_class(request.POST, case=case)
    elif form_class is CrimeFactsForm:
        form = form_class(request.POST, instance=Case(pk=case.pk), record=case)
    elif form_class is ReferralProposeForm:
        form = form_class(request.POST, user=user)
    elif form_class is MatchReviewForm:
        form = form_class(request.POST, prefix=request.POST.get("prefix", ""))
    else:
        form = form_class(request.POST) if form_class else None

    def handle(data):
        if action == "crime_refresh":
            result = crime.crime_refresh(case=case, actor=user)
            messages.info(
                request, "评估结果：" + ("涉嫌非法行医罪" if result.suspected else "未达到非法行医罪标准")
            )
        elif action == "crime_facts":
            facts = {name: value for name, value in data.items() if name != "version"}
            result = crime.crime_facts_record(actor=user, case=case, facts=facts, version=form.version)
            messages.info(
                request, "评估结果：" + ("涉嫌非法行医罪" if result.suspected else "未达到非法行医罪标准")
            )
        elif action == "crime_override":
            crime.crime_override(actor=user, case=case, reason=data["reason"])
        elif action == "referral_propose":
            referrals.referral_propose(
                actor=user,
                case=case,
                target=data["target"],
                target_unit=data["target_unit"],
                receiving_unit=data["receiving_unit"],
                reason=data["reason"],
                proposed_on=data["proposed_on"],
            )
        elif action == "crime_match":
            crime_matches.review_match(
                actor=user, case=case, earlier_pk=data["earlier"], verdict=data["verdict"], note=data["note"]
            )
        elif action == "judgment":
            referrals.judgment_record(actor=user, case=case, **data)
        elif action == "accountable":
            referrals.accountable_add(actor=user, case=case, **data)

    try:
        refused = _run(request, form, handle)
    except StaleEdit as exc:
        # A colleague saved these facts since the panel was opened: both values, the input kept.
        form.show_conflict(exc)
        context = {"form": form, "title": f"涉嫌犯罪相关事实：{case}", "cancel_url": case.get_absolute_url()}
        return render(request, "includes/form.html", context, status=409)
    if refused is not None and form is not None:
        return _refused(request, form, action, case)
    return _back(request, case)


REFERRAL_ACTIONS = {
    "approve": ("cases.approve", ApproveForm),
    "decline": ("cases.approve", ReasonForm),
    "transfer": ("cases.edit", TransferForm),
    "receipt": ("cases.edit", ReceiptForm),
    "outcome": ("cases.edit", OutcomeForm),
    "review_request": ("cases.approve", ReviewRequestForm),
    "review_result": ("cases.edit", ReviewResultForm),
    "progress": ("cases.edit", ProgressForm),
    "result": ("cases.edit", ResultForm),
    "case_transfer": ("cases.approve", None),
}


@require_POST
@require_area_perm("cases.view")
def referral_action(request, pk, action):
    if action not in REFERRAL_ACTIONS:
        raise Http404
    referral = get_visible_or_404(Referral.objects.select_related("case"), request.user, pk=pk)
    user = request.user
    perm, form_class = REFERRAL_ACTIONS[action]
    if not user.can(perm):
        raise PermissionDenied
    form = form_class(request.POST) if form_class else None

    def handle(data):
        if action == "approve":
            referrals.referral_approve(actor=user, referral=referral, approved_on=data["approved_on"])
        elif action == "decline":
            referrals.referral_decline(actor=user, referral=referral, reason=data["reason"])
        elif action == "transfer":
            referrals.referral_transfer(actor=user, referral=referral, transferred_at=data["transferred_at"])
        elif action == "receipt":
            referrals.referral_receipt(actor=user, referral=referral, **data)
        elif action == "outcome":
            referrals.referral_outcome(actor=user, referral=referral, **data)
        elif action == "review_request":
            referrals.referral_review_request(
                actor=user, referral=referral, requested_on=data["requested_on"]
            )
        elif action == "review_result":
            referrals.referral_review_result(actor=user, referral=referral, result=data["result"])
        elif action == "progress":
            referrals.referral_progress(actor=user, referral=referral, **data)
        elif action == "result":
            referrals.referral_result(actor=user, referral=referral, **data)
        elif action == "case_transfer":
            from . import services

            if referral.target != ReferralTarget.REGION or referral.status not in SENT:
                raise ValidationError("只有已批准的移送其他地区的记录可以将案件整体移送")
            services.case_transfer(actor=user, case=referral.case, reason=f"{referral}：{referral.reason}")

    if _run(request, form, handle) is not None and form is not None:
        return _refused(request, form, action, referral.case, about=str(referral))
    return _back(request, referral.case)


@require_POST
@require_area_perm("cases.edit")
def recheck_action(request, pk, action):
    recheck = get_visible_or_404(Recheck.objects.select_related("case", "subject"), request.user, pk=pk)
    user = request.user
    if action == "complete":
        form = RecheckCompleteForm(request.POST, user=user, recheck=recheck, prefix=f"r{recheck.pk}")

        def handle(data):
            rechecks.recheck_complete(
                actor=user,
                recheck=recheck,
                inspection=data.get("inspection"),
                done_on=data.get("done_on"),
                result=data["result"],
                new_case=data.get("new_case"),
            )
    elif action == "link":
        form = LinkCaseForm(request.POST, user=user, prefix=f"l{recheck.pk}")

        def handle(data):
            rechecks.reoffence_link(actor=user, recheck=recheck, new_case=data["new_case"])
    else:
        raise Http404
    if _run(request, form, handle) is not None:
        return _refused(request, form, action, recheck.case, about=str(recheck))
    return _back(request, recheck.case)


# --- re-inspections and look-backs ----------------------------------------------------------------


class RecheckFilter(StyledFilterSet):
    state = django_filters.ChoiceFilter(
        label="状态",
        choices=[
            (rechecks.STATE_DUE, "待检查"),
            (rechecks.STATE_OVERDUE, "已超期"),
            (rechecks.STATE_DONE, "已完成"),
        ],
        method="by_state",
    )
    kind = django_filters.ChoiceFilter(label="类型", choices=RecheckKind.choices)
    result = django_filters.ChoiceFilter(label="结果", choices=RecheckResult.choices)
    region = django_filters.CharFilter(
        label="区划代码（含下级）", field_name="region__code", lookup_expr="startswith"
    )
    due_from = django_filters.DateFilter(label="应检查日期起", field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(label="应检查日期止", field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Recheck
        fields = []

    def by_state(self, queryset, name, value):
        return rechecks.rechecks_in_state(queryset, value)


def _recheck_due_text(r):
    # Kept on the row so the page colours the same badge the export writes as text.
    r.badge = due_badge(r.due_on) if r.result == RecheckResult.PENDING else None
    return r.badge.text if r.badge else ""


RECHECK_COLUMNS = [
    Column("监管对象", lambda r: r.subject.name),
    Column("类型", lambda r: r.get_kind_display()),
    Column("原案件", lambda r: r.case),
    Column("所在区划", lambda r: r.subject.region.full_name),
    Column("应检查日期", lambda r: r.due_on),
    Column("期限", _recheck_due_text),
    Column("结果", lambda r: r.get_result_display()),
    Column("检查日期", lambda r: r.done_on),
    Column("再次违法案件", lambda r: r.new_case or ""),
    Column("回头看", lambda r: r.lookback or ""),
]


@register_list("cases.recheck_list", perm="cases.view")
def recheck_list_source(user):
    qs = Recheck.objects.visible_to(user).select_related("subject__region", "case", "new_case", "lookback")
    return ListSource(qs, RecheckFilter, RECHECK_COLUMNS, "复查与回头看")


@require_area_perm("cases.view")
def recheck_list(request):
    qs = recheck_list_source(request.user).queryset
    pending = qs.filter(result=RecheckResult.PENDING)
    return render_list(
        request,
        list_key="cases.recheck_list",
        template="cases/followup/recheck_list.html",
        extra={
            "figures": {
                "due": rechecks.rechecks_in_state(pending, rechecks.STATE_DUE).count(),
                "overdue": rechecks.rechecks_in_state(pending, rechecks.STATE_OVERDUE).count(),
                "done": rechecks.rechecks_in_state(qs, rechecks.STATE_DONE).count(),
            },
        },
    )


class LookBackFilter(StyledFilterSet):
    name = django_filters.CharFilter(label="名称", lookup_expr="contains")
    region = django_filters.CharFilter(
        label="区划代码（含下级）", field_name="region__code", lookup_expr="startswith"
    )

    class Meta:
        model = LookBack
        fields = []


LOOKBACK_COLUMNS = [
    Column("名称", lambda lb: lb.name),
    Column("范围", lambda lb: lb.region.full_name),
    Column("取缔日期", lambda lb: f"{lb.banned_from:%Y-%m-%d} 至 {lb.banned_to:%Y-%m-%d}"),
    Column("完成期限", lambda lb: lb.due_on),
    Column("进度", lambda lb: f"{lb.n_done}/{lb.n_total}"),
    Column("再次违法", lambda lb: lb.n_reoffended),
    Column("组织单位", lambda lb: lb.unit),
]


@register_list("cases.lookback_list", perm="cases.view")
def lookback_list_source(user):
    qs = (
        LookBack.objects.visible_to(user)
        .select_related("region", "unit")
        .annotate(
            n_total=Count("items"),
            n_done=Count("items", filter=~Q(items__result=RecheckResult.PENDING)),
            n_reoffended=Count("items", filter=Q(items__result=RecheckResult.REOFFENDED)),
        )
        .order_by("-created_at", "-pk")
    )
    return ListSource(qs, LookBackFilter, LOOKBACK_COLUMNS, "回头看")


@require_area_perm("cases.view")
def lookback_list(request):
    return render_list(
        request,
        list_key="cases.lookback_list",
        template="cases/followup/lookback_list.html",
        extra={"can_start": request.user.can("cases.approve")},
    )


@require_area_perm("cases.approve")
def lookback_create(request):
    form = LookBackForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lookback = rechecks.lookback_start(actor=request.user, **data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已建立回头看“{lookback.name}”，共{lookback.items.count()}户")
            return redirect("cases:lookback_detail", pk=lookback.pk)
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": "组织回头看", "cancel_url": reverse("cases:lookbacks")},
    )


@require_area_perm("cases.view")
def lookback_detail(request, pk):
    lookback = get_visible_or_404(
        LookBack.objects.select_related("region", "unit", "created_by"), request.user, pk=pk
    )
    items = (
        lookback.items.visible_to(request.user)
        .select_related("subject__region", "case", "new_case")
        .order_by("result", "subject__region__code", "pk")
    )
    rows = [
        {"item": r, "badge": due_badge(r.due_on) if r.result == RecheckResult.PENDING else None}
        for r in items
    ]
    return render(
        request,
        "cases/followup/lookback_detail.html",
        {
            "title": lookback.name,
            "lookback": lookback,
            "progress": rechecks.lookback_progress(lookback),
            "rows": rows,
        },
    )
