"""Case pages: the list, proposing a case, the case page with its actions, documents, templates."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingyuan.campaigns.selectors import campaigns_for_filter, filter_by_campaign
from qingyuan.core.concurrency import StaleEdit
from qingyuan.core.forms import DateInput, StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.rules.selectors import time_limits_preloaded
from qingyuan.subjects.models import InstitutionType

from . import documents, selectors, services, workflow
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
    TemplateUploadForm,
)
from .models import Case, CaseSource, CaseStatus, DocumentKind, DocumentTemplate, PartyKind


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
    qs = selectors.cases_for(user).prefetch_related("pauses", "extensions", "payments", "decision__measures")
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
    origin = {"lead": None, "inspection": None, "subject": None, "source": CaseSource.DIRECT, "initial": {}}
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
        inspection = get_visible_or_404(Inspection.objects.all(), request.user, pk=params["inspection"])
        origin.update(inspection=inspection, subject=inspection.subject, source=CaseSource.INSPECTION)
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


@require_perm("cases.edit")
def case_create(request):
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
    unit = origin["lead"].handling_unit if origin["lead"] else request.user.unit
    form = ProposeForm(
        request.POST or None,
        unit=unit,
        initial=origin["initial"],
        region=origin["subject"].region,
        on=services.checked_day(lead=origin["lead"], inspection=origin["inspection"]),
    )
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
                offence_codes=data["offence_codes"],
                illegal_income=data["illegal_income"],
                facts=data["facts"],
                officers=list(data["officers"]),
                lead=origin["lead"],
                inspection=origin["inspection"],
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


def _form_errors(form, exc):
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", [str(exc)]))


def _typical_of(case):
    from qingyuan.portal.models import PublishedCase

    return PublishedCase.objects.filter(case=case).first()


@require_perm("cases.view")
def case_detail(request, pk):
    case = selectors.case_for(request.user, pk)
    user = request.user
    actions = dict(workflow.available(case, user))
    ranges, ranges_error = selectors.fine_ranges(case)
    decision = getattr(case, "decision", None)
    can_edit = user.can("cases.edit")
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
            "documents": [(k, DocumentKind(k).label) for k in documents.available_kinds(case)],
            "can_edit": can_edit,
            "can_approve": user.can("cases.approve"),
            "reason_form": ReasonForm(),
            "date_form": DateForm(),
            "notify_form": NotifyForm() if "notify" in actions else None,
            "decision_form": DecisionForm(case=case) if "decide" in actions else None,
            "extend_form": ExtendForm() if user.can("cases.approve") else None,
            "pause_form": PauseForm() if can_edit else None,
            "facts_form": FactsForm(
                initial={"facts": case.facts, "illegal_income": case.illegal_income}, record=case
            )
            if can_edit and decision is None
            else None,
            "payment_form": PaymentForm() if can_edit else None,
            "entry_form": NationalEntryForm(initial={"on": case.national_entry_on}, record=case)
            if can_edit
            else None,
            "filing_form": FilingForm(record=decision) if can_edit and decision is not None else None,
            "open_pause": case.pauses.filter(ended_on__isnull=True).first(),
            "deciding": case.status in workflow.DECIDING_STATES,
            "evidence": list(case.evidence.all()),
            "evidence_form": EvidenceForm()
            if user.can("evidence.add") and case.status in workflow.OPEN_STATES
            else None,
        },
    )


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


@require_POST
@require_perm("cases.view")
def case_action(request, pk, action):
    case = selectors.case_for(request.user, pk)
    user = request.user
    services.case_action_check(actor=user, case=case, action=action)
    if action == "decide":
        form = DecisionForm(request.POST, case=case)
    elif action == "evidence":
        form = EvidenceForm(request.POST, request.FILES)
    elif action in VERSIONED_RECORDS:
        form = ACTION_FORMS[action](request.POST, record=VERSIONED_RECORDS[action](case))
    elif action in ACTION_FORMS:
        form = ACTION_FORMS[action](request.POST)
    else:
        form = None
    handlers = _handlers(user, case, {}, form)
    if action not in handlers:
        raise Http404
    try:
        if form is not None and not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[f].label}：{e}" if f in form.fields else str(e)
                    for f, errs in form.errors.items()
                    for e in errs
                ]
            )
        data = form.cleaned_data if form is not None else {}
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
    except (ValidationError, workflow.TransitionNotAllowed, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, "已完成。")
    return redirect(case.get_absolute_url())


@require_perm("cases.view")
def case_document(request, pk, kind):
    case = selectors.case_for(request.user, pk)
    if kind not in documents.available_kinds(case):
        raise Http404
    try:
        rendered = documents.document_render(actor=request.user, case=case, kind=kind)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(case.get_absolute_url())
    return _docx_response(rendered.content, rendered.filename)


def _docx_response(content, filename):
    from urllib.parse import quote

    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_perm("cases.templates")
def template_admin(request):
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("reset"):
        documents.template_reset(actor=request.user, kind=request.POST["reset"])
        messages.success(request, "已恢复为系统默认模板。")
        return redirect("cases:templates")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            documents.template_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                original_name=upload.name,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "模板已启用。")
            return redirect("cases:templates")
    uploaded = {t.kind: t for t in DocumentTemplate.objects.select_related("uploaded_by").defer("content")}
    return render(
        request,
        "cases/templates.html",
        {
            "title": "文书模板",
            "form": form,
            "kinds": [(k, label, uploaded.get(k)) for k, label in DocumentKind.choices],
            "placeholders": documents.PLACEHOLDERS,
        },
    )


@require_perm("cases.templates")
def template_download(request, kind):
    if kind not in DocumentKind.values:
        raise Http404
    from qingyuan.core import audit

    audit.record(action=audit.AuditAction.EXPORT, target_type="cases.documenttemplate", target_repr=kind)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _docx_response(documents.template_source(kind), f"{DocumentKind(kind).label}模板-{stamp}.docx")
