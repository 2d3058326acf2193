"""Case pages: the list, proposing a case, the case page with its actions, documents, templates."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qingyuan.campaigns.selectors import campaigns_for_filter, filter_by_campaign
from qingyuan.core.concurrency import StaleEdit
from qingyuan.core.forms import DateInput, StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.rules.selectors import time_limits_preloaded
from qingyuan.subjects.models import InstitutionType

from . import national_views, proposal, selectors, services, workflow
from .forms import (
    DateForm,
    DecisionForm,
    EvidenceForm,
    ExtendForm,
    FactsForm,
    FilingForm,
    NationalEntryForm,
    NotifyForm,
    PauseForm,
    PaymentForm,
    ProposeForm,
    ReasonForm,
)
from .models import Case, CaseSource, CaseStatus, PartyKind


class CaseFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and start > end:
            self.add_error("opened_to", "立案日期止不能早于立案日期起")
        return data


class CaseFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="编号/案由/当事人", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=CaseStatus.choices)
    region = django_filters.CharFilter(
        label="区划代码（含下级）", field_name="region__code", lookup_expr="startswith"
    )
    overdue = django_filters.BooleanFilter(label="已超期", method="filter_overdue")
    crime_suspected = django_filters.BooleanFilter(label="涉嫌犯罪")
    year = django_filters.NumberFilter(label="立案年度", field_name="opened_on", lookup_expr="year")
    opened_from = django_filters.DateFilter(
        label="立案日期起", field_name="opened_on", lookup_expr="gte", widget=DateInput
    )
    opened_to = django_filters.DateFilter(
        label="立案日期止", field_name="opened_on", lookup_expr="lte", widget=DateInput
    )
    institution_type = django_filters.ChoiceFilter(
        label="机构类型", field_name="subject__institution_type", choices=InstitutionType.choices
    )
    campaign = django_filters.ModelChoiceFilter(
        label="专项行动", queryset=campaigns_for_filter, method=filter_by_campaign
    )
    # Entered in the national reporting system (cases.national): a date recorded, with or without a number.
    national = django_filters.ChoiceFilter(
        label="国家系统录入",
        choices=[("pending", "未录入"), ("entered", "已录入")],
        field_name="national_entry_on",
        method="filter_national",
    )

    class Meta:
        model = Case
        fields = []
        form = CaseFilterForm

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__contains=value) | Q(title__contains=value) | Q(party_name__contains=value)
        )

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.not_overdue()

    def filter_national(self, queryset, name, value):
        return queryset.filter(national_entry_on__isnull=value == "pending")


def _clock_text(case):
    found = selectors.clock(case)
    return f"{found['label']} {found['badge'].text}" if found else ""


CASE_COLUMNS = [
    Column("编号", lambda x: x.number or "（待立案）"),
    Column("案由", lambda x: x.title),
    Column("当事人", lambda x: x.party_name),
    Column("承办单位", lambda x: x.unit),
    Column("立案日期", lambda x: x.opened_on),
    Column("状态", lambda x: x.get_status_display()),
    Column("涉嫌犯罪", lambda x: x.crime_suspected),
    Column("期限", _clock_text),
    Column("录入全国系统", lambda x: x.national_entry_on),
]


@register_list("cases.case_list", perm="cases.view")
def case_list_source(user):
    # Every row shows its clock: the pauses and extensions of the 办案期限, the money of the 缴款期限,
    # and the time limits in force, read once instead of once per row.
    qs = selectors.cases_for(user).prefetch_related(
        "pauses", "extensions", "payments", "decision__measures", "payment_plans__instalments", "demands"
    )
    return ListSource(qs, CaseFilter, CASE_COLUMNS, "案件", around=time_limits_preloaded)


@require_perm("cases.view")
def case_list(request):
    qs = case_list_source(request.user).queryset
    extra = {"can_propose": request.user.can("cases.edit")}
    filterset = CaseFilter(request.GET or None, queryset=qs, request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    if request.GET.get("export") == "xlsx":
        if not valid:
            # An unreadable filter would export every case in view; back to the list, which names it.
            query = request.GET.copy()
            query.pop("export")
            return redirect(f"{request.path}?{query.urlencode()}")
    else:
        extra["figures"] = selectors.figures(filterset.qs if filterset.is_bound and valid else qs)
    return render_list(request, list_key="cases.case_list", template="cases/case_list.html", extra=extra)


def _origin(request):
    """Where a proposal starts: a concluded lead, an inspection or a subject, all in the user's scope."""
    from qingyuan.leads.models import Conclusion, Lead
    from qingyuan.subjects.models import Subject, SubjectKind

    params = request.POST if request.method == "POST" else request.GET
    origin = {
        "lead": None,
        "inspection": None,
        "subject": None,
        "source": CaseSource.DIRECT,
        "initial": {},
        "party_person": None,
        "evidence": [],
    }
    if params.get("lead"):
        lead = get_visible_or_404(
            Lead.objects.select_related("subject", "handling_unit"), request.user, pk=params["lead"]
        )
        if lead.conclusion != Conclusion.CASE_OPENED:
            raise ValidationError("只有核查结论为“立案查处”的线索可以提请立案")
        if lead.subject is None:
            raise ValidationError("请先在线索页面关联监管对象，再提请立案")
        origin.update(lead=lead, subject=lead.subject, source=CaseSource.LEAD)
        origin["initial"]["facts"] = lead.conclusion_note
    elif params.get("inspection"):
        try:
            from qingyuan.inspections.models import Inspection
        except ImportError:
            raise Http404 from None
        inspection = get_visible_or_404(
            Inspection.objects.select_related("subject"), request.user, pk=params["inspection"]
        )
        origin.update(inspection=inspection, subject=inspection.subject, source=CaseSource.INSPECTION)
        origin["party_person"] = proposal.party_person(inspection)
        origin["evidence"] = list(inspection.evidence.all())
    elif params.get("subject"):
        origin["subject"] = get_visible_or_404(Subject.objects.all(), request.user, pk=params["subject"])
    subject = origin["subject"]
    if subject is not None:
        origin["initial"].update(
            source=origin["source"],
            party_name=subject.name,
            party_address=subject.address,
            party_kind=PartyKind.ORGANISATION if subject.kind == SubjectKind.LICENSED else PartyKind.CITIZEN,
        )
    return origin


def _case_of_inspection(inspection):
    # One inspection founds one case (cases.services.case_propose refuses a second).
    return Case.objects.filter(inspection=inspection).order_by("pk").first()


@require_perm("cases.edit")
def case_create(request):
    from qingyuan.operations.access import responsible_region
    from qingyuan.subjects.models import Subject

    try:
        origin = _origin(request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("cases:list")
    if origin["subject"] is None:
        q = request.GET.get("q", "").strip()
        found = Subject.objects.visible_to(request.user).filter(name__contains=q)[:20] if q else []
        return render(request, "cases/case_start.html", {"title": "提请立案", "q": q, "subjects": found})
    inspection = origin["inspection"]
    if inspection is not None:
        existing = _case_of_inspection(inspection)
        if existing is not None:
            messages.info(request, "该检查已提请立案，不能重复立案，以下是已有的案件。")
            return redirect(existing.get_absolute_url())
    unit = origin["lead"].handling_unit if origin["lead"] else request.user.unit
    form = ProposeForm(
        request.POST or None,
        unit=unit,
        initial=origin["initial"],
        # The campaigns offered are those of the region answerable for the site (指定管辖).
        region=responsible_region(origin["subject"]),
        on=services.checked_day(lead=origin["lead"], inspection=inspection),
    )
    if inspection is not None and request.method != "POST":
        offered = {code for code, _label in form.fields["offence_codes"].choices}
        form.initial.update(proposal.initial_from_inspection(inspection, offered))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_propose(
                actor=request.user,
                subject=origin["subject"],
                source=data["source"],
                title=data["title"],
                party_kind=data["party_kind"],
                party_name=data["party_name"],
                party_id_number=data["party_id_number"],
                party_address=data["party_address"],
                offence_date=data["offence_date"],
                act_ended_on=data["act_ended_on"],
                endangers_health=data["endangers_health"],
                offence_codes=data["offence_codes"],
                illegal_income=data["illegal_income"],
                facts=data["facts"],
                officers=list(data["officers"]),
                lead=origin["lead"],
                inspection=inspection,
                party_person=_party_person(origin, data),
                campaign=data.get("campaign"),
            )
        except (ValidationError, workflow.TransitionNotAllowed) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已提请立案，待负责人审批。")
            return redirect(case.get_absolute_url())
    hidden = {k: getattr(origin[k], "pk", None) for k in ("lead", "inspection", "subject")}
    return render(
        request,
        "cases/case_form.html",
        {"title": f"提请立案：{origin['subject']}", "form": form, "origin": origin, "hidden": hidden},
    )


def _party_person(origin, data):
    # The person named at the inspection is the party only while the officer keeps that name.
    person = origin["party_person"]
    return person if person is not None and data["party_name"].strip() == person.name else None


def _form_errors(form, exc):
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", [str(exc)]))


def _typical_of(case):
    from qingyuan.portal.models import PublishedCase

    return PublishedCase.objects.filter(case=case).first()


DATE_ACTIONS = ("approve_open", "request_hearing", "end_hearing", "serve", "close", "pause_end")
REASON_ACTIONS = ("not_open", "revoke", "transfer")


def _auto_id(action):
    # Several small forms share one page: ids carry the action so that labels find their own field.
    return f"{action}-%s"


def _action_forms(case, user, actions, decision):
    """A fresh form for every step the case page can show; the page picks those the case allows."""
    can_edit = user.can("cases.edit")
    found = {a: DateForm(auto_id=_auto_id(a)) for a in DATE_ACTIONS}
    found.update({a: ReasonForm(auto_id=_auto_id(a)) for a in REASON_ACTIONS})
    found["notify"] = NotifyForm(auto_id=_auto_id("notify")) if "notify" in actions else None
    found["decide"] = DecisionForm(case=case, auto_id=_auto_id("decide")) if "decide" in actions else None
    found["extend"] = ExtendForm(auto_id=_auto_id("extend")) if user.can("cases.approve") else None
    found["pause"] = PauseForm(auto_id=_auto_id("pause")) if can_edit else None
    found["facts"] = (
        FactsForm(
            initial={"facts": case.facts, "illegal_income": case.illegal_income},
            record=case,
            auto_id=_auto_id("facts"),
        )
        if can_edit and decision is None
        else None
    )
    found["payment"] = PaymentForm(auto_id=_auto_id("payment")) if can_edit else None
    found["national_entry"] = (
        NationalEntryForm(
            initial={"on": case.national_entry_on}, record=case, auto_id=_auto_id("national_entry")
        )
        if can_edit
        else None
    )
    found["national"] = national_views.record_form(case) if can_edit else None
    found["file"] = (
        FilingForm(record=decision, auto_id=_auto_id("file")) if can_edit and decision is not None else None
    )
    found["evidence"] = (
        EvidenceForm(auto_id=_auto_id("evidence"))
        if user.can("evidence.add") and case.status in workflow.OPEN_STATES
        else None
    )
    return found


def _detail(request, case, refused=None, status=200):
    """The case page; `refused` is (action, bound form) for a step the user submitted and that was
    refused: its form is shown with what was typed and the errors, in place of a fresh one."""
    user = request.user
    actions = dict(workflow.available(case, user))
    ranges, ranges_error = selectors.fine_ranges(case)
    decision = getattr(case, "decision", None)
    forms_by_action = _action_forms(case, user, actions, decision)
    if refused is not None:
        forms_by_action[refused[0]] = refused[1]
    return render(
        request,
        "cases/case_detail.html",
        {
            "title": str(case),
            "case": case,
            "actions": actions,
            "clock": selectors.clock(case),
            "ranges": ranges,
            "ranges_error": ranges_error,
            "decision": decision,
            "typical": _typical_of(case),
            "money": services.money_summary(case) if decision else None,
            "filing": selectors.filing(case),
            "hearing_due": services.deadlines.hearing_window_due(case),
            "can_edit": user.can("cases.edit"),
            "can_approve": user.can("cases.approve"),
            "forms": forms_by_action,
            "refused": refused[0] if refused is not None else "",
            "open_pause": case.pauses.filter(ended_on__isnull=True).first(),
            "deciding": case.status in workflow.DECIDING_STATES,
            "evidence": list(case.evidence.all()),
        },
        status=status,
    )


@require_perm("cases.view")
def case_detail(request, pk):
    return _detail(request, selectors.case_for(request.user, pk))


ACTION_FORMS = {
    "not_open": ReasonForm,
    "revoke": ReasonForm,
    "transfer": ReasonForm,
    "approve_open": DateForm,
    "request_hearing": DateForm,
    "end_hearing": DateForm,
    "serve": DateForm,
    "close": DateForm,
    "pause_end": DateForm,
    "file": FilingForm,
    "national_entry": NationalEntryForm,
    "notify": NotifyForm,
    "extend": ExtendForm,
    "pause": PauseForm,
    "facts": FactsForm,
    "payment": PaymentForm,
}


# Actions that overwrite fields of a record, and the record whose version their form carries.
VERSIONED_RECORDS = {
    "facts": lambda case: case,
    "national_entry": lambda case: case,
    "file": lambda case: getattr(case, "decision", None),
}
VERSIONED_TITLES = {
    "facts": "违法事实与违法所得",
    "national_entry": "录入全国信息系统日期",
    "file": "简易程序备案",
}


def _handlers(user, case, data, form):
    s = services
    return {
        "approve_open": lambda: s.case_approve_open(actor=user, case=case, opened_on=data["on"]),
        "not_open": lambda: s.case_not_open(actor=user, case=case, reason=data["reason"]),
        "to_review": lambda: s.case_to_review(actor=user, case=case),
        "notify": lambda: s.case_notify(
            actor=user, case=case, notified_on=data["notified_on"], waived=data["waived"]
        ),
        "request_hearing": lambda: s.case_request_hearing(actor=user, case=case, requested_on=data["on"]),
        "end_hearing": lambda: s.case_end_hearing(actor=user, case=case, ended_on=data["on"]),
        "decide": lambda: s.decision_record(
            actor=user,
            case=case,
            offence_code=data["offence_code"],
            procedure=data["procedure"],
            decided_on=data["decided_on"],
            measures=form.measures(),
            discretion_reason=data["discretion_reason"],
        ),
        "serve": lambda: s.case_serve(actor=user, case=case, served_on=data["on"]),
        "enforce": lambda: s.case_enforce(actor=user, case=case),
        "close": lambda: s.case_close(actor=user, case=case, closed_on=data["on"]),
        "revoke": lambda: s.case_revoke(actor=user, case=case, reason=data["reason"]),
        "transfer": lambda: s.case_transfer(actor=user, case=case, reason=data["reason"]),
        "extend": lambda: s.case_extend(actor=user, case=case, kind=data["kind"], reason=data["reason"]),
        "pause": lambda: s.pause_start(
            actor=user, case=case, kind=data["kind"], started_on=data["started_on"], note=data["note"]
        ),
        "pause_end": lambda: s.pause_end(actor=user, case=case, ended_on=data["on"]),
        "facts": lambda: s.case_edit_facts(
            actor=user,
            case=case,
            facts=data["facts"],
            illegal_income=data["illegal_income"],
            version=form.version,
        ),
        "payment": lambda: s.payment_record(
            actor=user,
            case=case,
            kind=data["kind"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            receipt_no=data["receipt_no"],
        ),
        "file": lambda: s.decision_file(actor=user, case=case, filed_on=data["on"], version=form.version),
        "national_entry": lambda: s.case_set_national_entry(
            actor=user, case=case, entered_on=data["on"], version=form.version
        ),
        "evidence": lambda: s.case_attach_evidence(
            actor=user,
            case=case,
            kind=data["kind"],
            uploaded_file=data["file"],
            description=data["description"],
            quantity=data["quantity"],
            storage_place=data["storage_place"],
        ),
    }


# Fields a service names differently from the form that sends them.
FIELD_ALIASES = {"measures": None}


def _field_for(form, name):
    if name in form.fields:
        return name
    if name in FIELD_ALIASES:
        return FIELD_ALIASES[name]
    # The one-date forms send "on" for 立案, 送达, 结案, 备案 … dates the services call opened_on, served_on …
    if name.endswith("_on") and "on" in form.fields:
        return "on"
    return None


def _refusal_on_form(form, exc, action):
    """Put a service's refusal on the form: next to the field it names, else at the top of the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(_field_for(form, name), errors)
        return
    messages_ = getattr(exc, "messages", None) or [str(exc)]
    codes = {getattr(e, "code", None) for e in getattr(exc, "error_list", [])}
    # The fine is checked against the legal range by rules.fines, which knows no form.
    target = "fine" if action == "decide" and any(c and c.startswith("fine") for c in codes) else None
    form.add_error(target, messages_)


def _mark_invalid(form):
    """Red fields, and the cursor on the first of them, so the page opens where the refusal is."""
    invalid = [name for name in form.fields if name in form.errors]
    for name in invalid:
        widget = form.fields[name].widget
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    visible = [name for name, field in form.fields.items() if not field.widget.is_hidden]
    first = (invalid or visible or [None])[0]
    if first is not None:
        form.fields[first].widget.attrs["autofocus"] = True


def _bound_form(request, case, action):
    auto_id = _auto_id(action)
    if action == "decide":
        return DecisionForm(request.POST, case=case, auto_id=auto_id)
    if action == "evidence":
        return EvidenceForm(request.POST, request.FILES, auto_id=auto_id)
    if action in VERSIONED_RECORDS:
        return ACTION_FORMS[action](request.POST, record=VERSIONED_RECORDS[action](case), auto_id=auto_id)
    if action in ACTION_FORMS:
        return ACTION_FORMS[action](request.POST, auto_id=auto_id)
    return None


@require_POST
@require_perm("cases.view")
def case_action(request, pk, action):
    case = selectors.case_for(request.user, pk)
    user = request.user
    services.case_action_check(actor=user, case=case, action=action)
    form = _bound_form(request, case, action)
    if action not in _handlers(user, case, {}, form):
        raise Http404
    if form is not None and not form.is_valid():
        return _refused(request, pk, action, form)
    data = form.cleaned_data if form is not None else {}
    try:
        _handlers(user, case, data, form)[action]()
    except StaleEdit as exc:
        # A colleague saved since this form was opened: show both values and keep what was typed.
        form.show_conflict(exc)
        context = {
            "form": form,
            "title": f"{VERSIONED_TITLES[action]}：{case}",
            "cancel_url": case.get_absolute_url(),
        }
        return render(request, "includes/form.html", context, status=409)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "您没有该操作的权限")
    except (ValidationError, workflow.TransitionNotAllowed) as exc:
        if form is not None:
            _refusal_on_form(form, exc, action)
            return _refused(request, pk, action, form)
        # A step without a form (提交合议审理, 转入执行): the reason is shown at the top of the page.
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, "已完成。")
    return redirect(case.get_absolute_url())


def _refused(request, pk, action, form):
    _mark_invalid(form)
    # Nothing was saved (each service is one transaction): the page again, from the database.
    return _detail(request, selectors.case_for(request.user, pk), refused=(action, form))
