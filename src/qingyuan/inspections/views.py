"""Pages: inspection list, the field form, the record page with evidence, the 笔录 and evidence files."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingyuan.core import audit
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_area_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.core.workflow import NotPermitted
from qingyuan.operations import access

from . import checklists, selectors, services
from .forms import ChecklistItemForm, EvidenceForm, InspectionFilter, InspectionForm
from .models import ChecklistItem, ChecklistTemplate, CustodyAction, Evidence, Inspection
from .storage import IMAGES


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


COLUMNS = [
    Column("检查时间", lambda x: _local(x.started_at)),
    Column("监管对象", lambda x: x.subject.name),
    Column("地址", lambda x: x.subject.address),
    Column("检查方式", lambda x: x.get_kind_display()),
    Column("检查单位", lambda x: x.unit),
    Column("执法人员", lambda x: "、".join(services.officer_name(o) for o in x.officers.all())),
    Column("车辆（辆次）", lambda x: x.vehicles),
    Column("处理结果", lambda x: x.get_outcome_display()),
    Column("所在区划", lambda x: x.region.full_name),
]


@register_list("inspections.inspection_list", perm="inspections.view")
def inspection_list_source(user):
    qs = (
        Inspection.objects.visible_to(user)
        .select_related("subject", "unit", "region")
        .prefetch_related("officers")
    )
    return ListSource(qs, InspectionFilter, COLUMNS, "监督检查")


@require_area_perm("inspections.view")
def inspection_list(request):
    return render_list(
        request, list_key="inspections.inspection_list", template="inspections/inspection_list.html"
    )


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _lead_for(request, pk):
    from qingyuan.leads.models import Lead

    return get_visible_or_404(
        Lead.objects.select_related("subject__region", "campaign", "handling_unit"), request.user, pk=pk
    )


def _pick_subject(request, lead):
    """No subject yet: the lead's, or one the inspector picks from their sites (or 建立监管对象)."""
    q = request.GET.get("q", "").strip()
    found = (
        selectors.subject_choices(request.user, q or (lead.place if lead else ""))
        if q or (lead and lead.place)
        else []
    )
    return render(
        request,
        "inspections/inspection_start.html",
        {
            "title": "记录监督检查",
            "lead": lead,
            "q": q,
            "subjects": found,
            "can_add_subject": request.user.can("subjects.edit"),
        },
    )


@require_area_perm("inspections.edit")
def inspection_create(request):
    params = request.POST if request.method == "POST" else request.GET
    if request.user.unit is None:
        raise PermissionDenied
    lead = _lead_for(request, params["lead"]) if params.get("lead") else None
    # A lead already tied to a site is inspected there; otherwise the site comes from the form.
    subject_pk = lead.subject_id if lead is not None and lead.subject_id else params.get("subject")
    if not subject_pk and request.method == "GET":
        return _pick_subject(request, lead)
    # Sites in the officer's jurisdiction, and sites granted to them in a joint operation or designation.
    subject = get_object_or_404(
        access.subjects_for(request.user).select_related("region", "institution"), pk=subject_pk
    )
    if request.method == "POST":
        earlier = services.resubmitted(request.user, params.get("client_id", "").strip() or None)
        if earlier is not None:
            messages.info(request, "该检查记录已经保存过，本次没有重复保存。")
            return redirect(earlier.get_absolute_url())
    template = checklists.template_for(subject)
    initial = {"campaign": lead.campaign_id} if lead is not None and lead.campaign_id else {}
    form = InspectionForm(
        request.POST or None,
        actor=request.user,
        items=checklists.items_for(template),
        region=access.responsible_region(subject),  # its campaigns; 指定管辖 moves it
        initial=initial,
        teammates=access.joint_teammates(request.user, subject),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_record(
                actor=request.user,
                subject=subject,
                kind=data["kind"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                officers=data["officers"],
                persons_present=data["persons_present"],
                vehicles=data["vehicles"],
                findings=data["findings"],
                outcome=data["outcome"],
                lead=lead,
                answers=form.answers(),
                campaign=data.get("campaign"),
                client_id=data.get("client_id"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except NotPermitted as exc:
            # A refusal that names its reason (指定管辖 to another county): shown with the input kept.
            form.add_error(None, str(exc))
        else:
            if getattr(inspection, "resubmitted", False):
                messages.info(request, "该检查记录已经保存过，本次没有重复保存。")
            else:
                messages.success(request, "已记录监督检查。")
            return redirect(inspection.get_absolute_url())
    draft_key = f"inspection:lead:{lead.pk}" if lead is not None else f"inspection:subject:{subject.pk}"
    return render(
        request,
        "inspections/inspection_form.html",
        {
            "title": "记录监督检查",
            "form": form,
            "subject": subject,
            "lead": lead,
            "template": template,
            "draft_key": draft_key,
        },
    )


def _inspection_for(request, pk):
    queryset = Inspection.objects.select_related(
        "subject", "unit", "region", "lead", "recorded_by", "checklist"
    )
    inspection = queryset.filter(pk=pk).first()
    if inspection is not None and _granted_officer(request.user, inspection):
        return inspection
    return get_visible_or_404(queryset, request.user, pk=pk)


def _granted_officer(user, inspection) -> bool:
    """An officer of another county who took part in this inspection under a grant that still runs
    (joint operation): they may open it to add evidence until the operation ends."""
    return access.granted(user, inspection.subject_id) and inspection.officers.filter(pk=user.pk).exists()


@require_area_perm("inspections.view")
def inspection_detail(request, pk):
    return _render_detail(request, _inspection_for(request, pk))


def _render_detail(request, inspection, evidence_form=None, status=200):
    user = request.user
    case, can_propose = selectors.case_of(inspection, user)
    saved = request.GET.get("saved", "")
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "title": f"监督检查：{inspection.subject.name}",
            "inspection": inspection,
            "officers": list(inspection.officers.all()),
            "answers": list(inspection.answers.select_related("item")),
            "can_view_evidence": user.can("evidence.view"),
            "evidence": list(selectors.inspection_evidence(inspection, user)),
            "evidence_form": (evidence_form or EvidenceForm()) if user.can("evidence.add") else None,
            "case": case,
            "can_propose": can_propose,
            "lead_visible": selectors.lead_visible(inspection, user),
            # Drafts on the phone that these submissions came from are done with (drafts.js).
            "drafts_done": [str(x) for x in (inspection.client_id, _uuid_or_none(saved)) if x],
        },
        status=status,
    )


def _uuid_or_none(text):
    try:
        return uuid.UUID(text)
    except (ValueError, TypeError):
        return None


@require_POST
@require_area_perm("inspections.view")
def evidence_add(request, pk):
    inspection = _inspection_for(request, pk)
    if not request.user.can("evidence.add"):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.evidence_add_many(
                actor=request.user,
                subject=inspection.subject,
                inspection=inspection,
                files=form.chosen_files(),
                kind=data["kind"],
                description=data["description"],
                quantity=data["quantity"],
                storage_place=data["storage_place"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            numbers = "、".join(f"证据#{e.pk}" for e in saved)
            messages.success(request, f"已保存{numbers}（SHA-256 已记录）。")
            done = f"?saved={data['client_id']}" if data.get("client_id") else ""
            return redirect(inspection.get_absolute_url() + done + "#evidence")
    return _render_detail(request, inspection, evidence_form=form, status=400)


def _evidence_for(request, pk):
    queryset = Evidence.objects.select_related("subject", "inspection", "uploaded_by")
    evidence = queryset.filter(pk=pk).first()
    if (
        evidence is not None
        and evidence.inspection is not None
        and _granted_officer(request.user, evidence.inspection)
    ):
        return evidence
    return get_visible_or_404(queryset, request.user, pk=pk)


@require_area_perm("evidence.view")
def evidence_detail(request, pk):
    evidence = _evidence_for(request, pk)
    return render(
        request,
        "inspections/evidence_detail.html",
        {
            "title": f"证据#{evidence.pk}",
            "evidence": evidence,
            "custody": selectors.custody_log(evidence),
            "can_preview": evidence.content_type in IMAGES or evidence.content_type == "application/pdf",
        },
    )


@require_area_perm("evidence.view")
def evidence_file(request, pk):
    evidence = _evidence_for(request, pk)
    if not evidence.path:
        raise Http404
    inline = request.GET.get("inline") == "1"
    action = CustodyAction.VIEW if inline else CustodyAction.DOWNLOAD
    try:
        handle = services.evidence_open(actor=request.user, evidence=evidence, action=action, request=request)
    except FileNotFoundError:
        messages.error(request, "证据文件缺失，请联系管理员运行证据校验。")
        return redirect(evidence.get_absolute_url())
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=evidence.original_name or f"evidence-{evidence.pk}",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_area_perm("inspections.checklists")
def checklist_list(request):
    return render(
        request,
        "inspections/checklists.html",
        {
            "title": "检查表",
            "templates": ChecklistTemplate.objects.prefetch_related("items").order_by("applies_to", "id"),
            "item_form": ChecklistItemForm(),
        },
    )


@require_POST
@require_area_perm("inspections.checklists")
def checklist_item_save(request, template_pk, pk=None):
    template = ChecklistTemplate.objects.filter(pk=template_pk).first()
    if template is None:
        raise Http404
    item = None
    if pk is not None:
        item = ChecklistItem.objects.filter(pk=pk, template=template).first()
        if item is None:
            raise Http404
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        audit.save_with_audit(
            actor=request.user,
            model=ChecklistItem,
            pk=item.pk if item else None,
            data={"template": template, **form.cleaned_data},
        )
        messages.success(request, "已保存检查项目。")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
    return redirect("inspections:checklists")


@require_POST
@require_area_perm("inspections.checklists")
def checklist_toggle(request, template_pk):
    template = ChecklistTemplate.objects.filter(pk=template_pk).first()
    if template is None:
        raise Http404
    audit.save_with_audit(
        actor=request.user, model=ChecklistTemplate, pk=template.pk, data={"active": not template.active}
    )
    messages.success(request, f"已{'停用' if template.active else '启用'}“{template.name}”。")
    return redirect("inspections:checklists")
