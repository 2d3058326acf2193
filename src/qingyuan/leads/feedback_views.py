"""The lead page's follow-up pages: its subject made from the lead, the reporter's receipt, and how the
answer reached the reporter (送达, 可网上查询, 满意度). Each write checks permission and jurisdiction
before reading the form; a refusal shows the lead page again with what was typed."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from qingyuan.core.concurrency import StaleEdit
from qingyuan.core.permissions import require_perm
from qingyuan.subjects.forms import PersonForm, SubjectForm

from . import feedback, workflow
from .forms import DeliveryForm, LinkForm, SatisfactionForm
from .linking import person_initial, subject_create_from_lead, subject_initial
from .views import _lead_for, action_form, attach_errors, render_detail

# Meaningful only when an existing subject is edited (a dated change of region); a new one has none.
EDIT_ONLY_FIELDS = ("change_kind", "changed_on")


def _person_form(data, lead):
    form = PersonForm(data, prefix="person", initial=person_initial(lead))
    form.fields["name"].required = False
    form.fields["name"].help_text = "被反映人姓名；不登记人员可留空"
    return form


@require_http_methods(["GET", "POST"])
@require_perm("leads.view")
def lead_subject_create(request, pk):
    lead = _lead_for(request, pk)
    if not request.user.can("subjects.edit"):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = SubjectForm(data, actor=request.user, initial=subject_initial(lead))
    for name in EDIT_ONLY_FIELDS:
        form.fields.pop(name, None)
    person_form = _person_form(data, lead)
    link_form = LinkForm(data, record=lead, prefix="link")
    status = 200
    if data is not None:
        valid = [form.is_valid(), link_form.is_valid()]
        typed = {name: (data.get(f"person-{name}") or "").strip() for name in ("name", "phone", "id_number")}
        person = None
        if typed["name"]:
            valid.append(person_form.is_valid())
            person = person_form.cleaned_data
        elif typed["phone"] or typed["id_number"]:
            person_form.is_valid()
            person_form.add_error("name", "填写了电话或身份证号，请同时填写姓名")
            valid.append(False)
        if all(valid):
            subject_data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            subject_data["institution"] = form.instance.institution
            try:
                subject = subject_create_from_lead(
                    actor=request.user,
                    lead=lead,
                    data=subject_data,
                    person=person,
                    version=link_form.version,
                )
            except StaleEdit as exc:
                current = _lead_for(request, pk)
                linked = f"现关联：{current.subject}" if current.subject_id else "现未关联监管对象"
                form.add_error(None, f"{exc.messages[0]}。{linked}。如仍要新建，请再次保存。")
                link_form = LinkForm(None, record=current, prefix="link")
                status = 409
            except ValidationError as exc:
                for message in attach_errors(None, exc):
                    form.add_error(None, message)
                status = 400
            else:
                messages.success(request, f"已建立监管对象“{subject}”，并与本线索关联。")
                return redirect(lead.get_absolute_url())
        else:
            status = 400
    context = {
        "title": f"建立监管对象：{lead.number}",
        "lead": lead,
        "form": form,
        "person_form": person_form,
        "link_form": link_form,
    }
    return render(request, "leads/subject_from_lead.html", context, status=status)


@require_perm("leads.view")
def lead_receipt(request, pk):
    """A slip for the reporter: where and with what to look the answer up."""
    lead = _lead_for(request, pk)
    context = {
        "title": f"举报受理回执：{lead.number}",
        "lead": lead,
        # The public address the bureau publishes, not the host an officer happens to use internally.
        "track_url": (
            settings.QINGYUAN_SITE_URL.rstrip("/") + reverse("portal:track")
            if settings.QINGYUAN_SITE_URL
            else request.build_absolute_uri(reverse("portal:track"))
        ),
        "hotline": settings.QINGYUAN_PORTAL_HOTLINE,
    }
    return render(request, "leads/receipt.html", context)


def _answerer_step(request, pk, action, service, done, form_class=None):
    """One of the steps after the answer (送达, 可网上查询, 满意度): the answerer's right is checked
    before the form is read; a refusal shows the lead page again with what was typed."""
    lead = _lead_for(request, pk)
    feedback.check_answerer(actor=request.user, lead=lead)
    form = action_form(action, form_class, request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return render_detail(request, lead, bound={action: form}, status=400)
    try:
        service(actor=request.user, lead=lead, **(form.cleaned_data if form is not None else {}))
    except (ValidationError, workflow.TransitionNotAllowed) as exc:
        rest = attach_errors(form, exc)
        # Read again: the refused service may have changed the instance in memory, not in the database.
        return render_detail(request, _lead_for(request, pk), bound={action: form}, errors=rest, status=400)
    messages.success(request, done)
    return redirect(lead.get_absolute_url())


@require_POST
@require_perm("leads.view")
def lead_deliver(request, pk):
    return _answerer_step(
        request, pk, "deliver", feedback.delivery_record, "已登记答复送达。", form_class=DeliveryForm
    )


@require_POST
@require_perm("leads.view")
def lead_release(request, pk):
    return _answerer_step(
        request, pk, "release", feedback.lead_release, "答复已设为可网上查询，举报人凭查询码可见。"
    )


@require_POST
@require_perm("leads.view")
def lead_rate(request, pk):
    return _answerer_step(
        request,
        pk,
        "rate",
        feedback.satisfaction_record,
        "已记录举报人的满意度评价。",
        form_class=SatisfactionForm,
    )
