import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qingyuan.core.concurrency import StaleEdit
from qingyuan.core.crypto import mask, mask_phone
from qingyuan.core.forms import StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.operations.access import may_write_subject
from qingyuan.regions.models import LocationType

from . import selectors, services
from .forms import PersonForm, SubjectForm
from .history import subject_timeline
from .models import InstitutionType, PracticeContent, Subject, SubjectKind, SubjectPerson, SubjectStatus


class SubjectFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="名称/地址/人员/电话", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=SubjectKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=SubjectStatus.choices)
    practice_content = django_filters.ChoiceFilter(label="行医内容", choices=PracticeContent.choices)
    institution_type = django_filters.ChoiceFilter(label="机构类型", choices=InstitutionType.choices)
    location_type = django_filters.ChoiceFilter(label="区域类型", choices=LocationType.choices)
    region = django_filters.CharFilter(
        label="区划代码（含下级）", field_name="region__code", lookup_expr="startswith"
    )
    border_area = django_filters.BooleanFilter(label="区县交界地区")

    class Meta:
        model = Subject
        fields = []

    def search(self, queryset, name, value):
        return selectors.subject_search(queryset, value)


SUBJECT_COLUMNS = [
    Column("名称", lambda s: s.name),
    Column("类型", lambda s: s.get_kind_display()),
    Column("地址", lambda s: s.address),
    Column("所在区划", lambda s: s.region.full_name),
    Column("行医内容", lambda s: s.get_practice_content_display()),
    Column("区域类型", lambda s: s.get_location_type_display()),
    Column("状态", lambda s: s.get_status_display()),
    Column("更新时间", lambda s: s.updated_at),
]


@register_list("subjects.subject_list", perm="subjects.view")
def subject_list_source(user):
    qs = Subject.objects.visible_to(user).select_related("region")
    return ListSource(qs, SubjectFilter, SUBJECT_COLUMNS, "监管对象")


@require_perm("subjects.view")
def subject_list(request):
    return render_list(
        request,
        list_key="subjects.subject_list",
        template="subjects/subject_list.html",
        extra={"can_edit": request.user.can("subjects.edit")},
    )


@require_perm("subjects.view")
def subject_detail(request, pk):
    subject = get_visible_or_404(Subject.objects.select_related("region", "institution"), request.user, pk=pk)
    designation, acting_refused = _designation(subject, request.user)
    keeps_register = may_write_subject(request.user, subject)
    persons = [
        {"person": p, "id_masked": mask(p.id_number or ""), "phone_masked": mask_phone(p.phone or "")}
        for p in subject.persons.all()
    ]
    return render(
        request,
        "subjects/subject_detail.html",
        {
            "title": subject.name,
            "subject": subject,
            "persons": persons,
            "history": selectors.subject_history(subject),
            "timeline": subject_timeline(subject, request.user),
            "can_inspect": request.user.can("inspections.edit") and not acting_refused,
            "can_propose": request.user.can("cases.edit") and keeps_register and not acting_refused,
            "can_edit": request.user.can("subjects.edit") and keeps_register,
            "can_reveal": request.user.can("subjects.reveal") and keeps_register,
            "designation": designation,
            "acting_refused": acting_refused,
        },
    )


def _designation(subject, user):
    """The 指定管辖 in force for the site and, for the county of its address, why it no longer adds
    records there (operations.access.require_may_act, the services' own check)."""
    from django.core.exceptions import PermissionDenied

    from qingyuan.operations.access import designation_at, require_may_act

    designation = designation_at(subject)
    if designation is None:
        return None, ""
    try:
        require_may_act(user, subject)
    except PermissionDenied as refused:
        return designation, str(refused)
    return designation, ""


def _writable(user, pk):
    """A site the user may edit: seen (404 otherwise) and held by their jurisdiction or designation
    (403 for a joint operation's visitor, who sees it but does not keep its register)."""
    subject = get_visible_or_404(Subject.objects.all(), user, pk=pk)
    if not may_write_subject(user, subject):
        raise PermissionDenied("该监管对象由其管辖单位维护，联动执法人员可查阅并记录检查，不能修改")
    return subject


@require_perm("subjects.edit")
def subject_edit(request, pk=None):
    subject = None
    if pk is not None:
        subject = _writable(request.user, pk)
    form = SubjectForm(request.POST or None, instance=subject, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data["institution"] = form.instance.institution
        try:
            saved = services.subject_save(
                actor=request.user,
                subject=subject,
                data=data,
                change_date=form.change_date,
                version=form.version,
            )
        except StaleEdit as exc:
            form.show_conflict(exc)
        else:
            messages.success(request, "已保存。")
            return redirect(saved.get_absolute_url())
    title = f"编辑监管对象：{subject}" if subject else "登记监管对象"
    return render(
        request, "includes/form.html", {"form": form, "title": title}, status=409 if form.stale else 200
    )


@require_perm("subjects.edit")
def person_add(request, pk):
    subject = _writable(request.user, pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.person_add(actor=request.user, subject=subject, data=form.cleaned_data)
        messages.success(request, "已添加相关人员。")
        return redirect(subject.get_absolute_url())
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": f"添加相关人员：{subject}", "cancel_url": subject.get_absolute_url()},
    )


@require_POST
@require_perm("subjects.view")
def person_reveal(request, pk):
    person = get_visible_or_404(SubjectPerson.objects.select_related("subject"), request.user, pk=pk)
    if not request.user.can("subjects.reveal") or not may_write_subject(request.user, person.subject_id):
        raise PermissionDenied
    values = services.person_reveal(actor=request.user, person=person)
    return render(request, "subjects/person_revealed.html", {"person": person, **values})
