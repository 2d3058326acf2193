"""Pages for the on-site records (cases.records): the forms to make one on a case or an inspection,
and each record's own page with its documents.

A role without the permission gets 403 (it knows the pages exist); a record, case or inspection
outside the user's jurisdiction gets 404 like a missing one (SECURITY.md)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import records, selectors
from .models_procedure import EvidenceHold, Inquiry, OrderKind, SupervisionOrder
from .record_forms import HoldDecisionForm, HoldForm, InquiryForm, OrderForm

# What each "new" link makes: the page heading and the form.
KINDS = {
    "inquiry": "询问笔录",
    OrderKind.OPINION.value: OrderKind.OPINION.label,
    OrderKind.CORRECTION.value: OrderKind.CORRECTION.label,
    "hold": "先行登记保存",
}


def _inspection_for(user, pk):
    from qingyuan.inspections.models import Inspection

    inspection = Inspection.objects.select_related("subject", "unit", "region").filter(pk=pk).first()
    if inspection is None or not records.inspection_visible(user, inspection):
        raise Http404
    return inspection


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_for(kind, data, *, actor, case, inspection):
    where = {"actor": actor, "case": case, "inspection": inspection}
    if kind == "inquiry":
        return InquiryForm(data, **where)
    if kind == "hold":
        return HoldForm(data, **where)
    return OrderForm(data, kind=kind, **where)


def _save(kind, data, *, actor, case, inspection):
    where = {"actor": actor, "case": case, "inspection": inspection}
    if kind == "inquiry":
        return records.record_inquiry(**where, **data)
    if kind == "hold":
        return records.record_hold(**where, **data)
    return records.record_order(**where, kind=kind, **data)


def _create(request, kind, *, case=None, inspection=None):
    parent = case if case is not None else inspection
    back = f"{parent.get_absolute_url()}#records"
    if case is not None and not records.may_write(request.user, case=case):
        messages.error(request, f"案件状态为“{case.get_status_display()}”，不能再记录{KINDS[kind]}。")
        return redirect(back)
    form = _form_for(
        kind,
        request.POST if request.method == "POST" else None,
        actor=request.user,
        case=case,
        inspection=inspection,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client_id = data.pop("client_id", None)
        try:
            record = _save(kind, data, actor=request.user, case=case, inspection=inspection)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if getattr(record, "resubmitted", False):
                messages.info(request, "该记录已经保存过，本次没有重复保存。")
            else:
                messages.success(request, f"已记录{KINDS[kind]}。")
            return redirect(_record_url(record) + (f"?saved={client_id}" if client_id else ""))
    where = f"案件 {case.number or case.title}" if case is not None else f"检查 {inspection}"
    owner = f"case:{case.pk}" if case is not None else f"inspection:{inspection.pk}"
    return render(
        request,
        "cases/records/form.html",
        {
            "title": f"{KINDS[kind]}：{where}",
            "form": form,
            "cancel_url": back,
            "draft_key": f"record:{owner}:{kind}",
        },
    )


def _uuid_text(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except (ValueError, TypeError):
        return ""


def _record_url(record) -> str:
    from django.urls import reverse

    name = {Inquiry: "cases:inquiry", SupervisionOrder: "cases:order", EvidenceHold: "cases:hold"}[
        type(record)
    ]
    return reverse(name, args=[record.pk])


def _require(user, perm: str) -> None:
    if not user.can(perm):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def case_record_new(request, pk, kind):
    if kind not in KINDS:
        raise Http404
    _require(request.user, "cases.edit")
    return _create(request, kind, case=selectors.case_for(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def inspection_record_new(request, pk, kind):
    if kind not in KINDS:
        raise Http404
    _require(request.user, "inspections.edit")
    return _create(request, kind, inspection=_inspection_for(request.user, pk))


# --- each record's page -------------------------------------------------------------------------------


def _record_for(request, model, pk):
    record = model.objects.select_related("case", "inspection__subject").filter(pk=pk).first()
    if record is None:
        raise Http404
    if not request.user.can(records.view_perm(record)):
        raise PermissionDenied
    if not records.record_visible(request.user, record):
        raise Http404
    return record


def _context(request, record, title, **extra):
    parent = records.parent_of(record)
    where = {"case": record.case} if record.case_id else {"inspection": record.inspection}
    return {
        "title": title,
        "drafts_done": _uuid_text(request.GET.get("saved", "")),
        "record": record,
        "parent": parent,
        "parent_label": f"案件 {parent.number or parent.title}" if record.case_id else f"检查 {parent}",
        "officers": list(record.officers.all()),
        "can_write": records.may_write(request.user, **where),
        **extra,
    }


@login_required
def inquiry_detail(request, pk):
    inquiry = _record_for(request, Inquiry, pk)
    context = _context(
        request, inquiry, f"询问笔录：{inquiry.person_name}", masked=records.masked_person(inquiry)
    )
    return render(request, "cases/records/inquiry_detail.html", context)


@login_required
def order_detail(request, pk):
    order = _record_for(request, SupervisionOrder, pk)
    context = _context(
        request,
        order,
        f"{order.get_kind_display()}{(' ' + order.number) if order.number else ''}",
        followup=records.correction_followup(order, request.user),
        can_inspect=request.user.can("inspections.edit"),
        document_kind="correction_order" if order.kind == OrderKind.CORRECTION else "supervision_opinion",
    )
    return render(request, "cases/records/order_detail.html", context)


def _hold_page(request, hold, form=None, status=200):
    decide_form = form
    if decide_form is None and not hold.decided_on:
        where = {"case": hold.case} if hold.case_id else {"inspection": hold.inspection}
        if records.may_write(request.user, **where):
            decide_form = HoldDecisionForm()
    context = _context(
        request,
        hold,
        f"先行登记保存{(' ' + hold.number) if hold.number else ''}",
        clock=records.hold_clock(hold),
        decide_form=decide_form,
    )
    return render(request, "cases/records/hold_detail.html", context, status=status)


@login_required
def hold_detail(request, pk):
    return _hold_page(request, _record_for(request, EvidenceHold, pk))


@login_required
@require_POST
def hold_decide(request, pk):
    hold = _record_for(request, EvidenceHold, pk)
    _require(request.user, records.write_perm(case=hold.case, inspection=hold.inspection))
    form = HoldDecisionForm(request.POST)
    if form.is_valid():
        try:
            hold = records.decide_hold(actor=request.user, hold=hold, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            clock = records.hold_clock(hold)
            if clock["late"]:
                messages.warning(
                    request, f"已记录处理决定。处理期限为{clock['decide_due']:%Y-%m-%d}，本决定已逾期。"
                )
            else:
                messages.success(request, "已记录处理决定。")
            return redirect(_record_url(hold))
    return _hold_page(request, hold, form=form)
