import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from qingyuan.core.concurrency import StaleEdit
from qingyuan.core.crypto import mask
from qingyuan.core.forms import StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.models import Job
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404

from . import import_files, selectors, services
from .forms import ImportForm, InstitutionForm, PractitionerForm
from .import_columns import help_rows
from .importing import SPECS
from .jobs import kind_label
from .models import (
    Institution,
    InstitutionCategory,
    InstitutionStatus,
    LicenceKind,
    Practitioner,
    PractitionerKind,
    PractitionerStatus,
)

DETAIL_PRACTITIONERS = 200


class InstitutionFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="名称或许可证号", method="search")
    category = django_filters.ChoiceFilter(label="机构类别", choices=InstitutionCategory.choices)
    licence_kind = django_filters.ChoiceFilter(label="许可/备案", choices=LicenceKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=InstitutionStatus.choices, method="by_status")
    region = django_filters.CharFilter(
        label="区划代码（含下级）", field_name="region__code", lookup_expr="startswith"
    )

    class Meta:
        model = Institution
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(selectors.registry_search_q("institution", value))

    def by_status(self, queryset, name, value):
        return queryset.filter(selectors.institution_status_q(value))


class PractitionerFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="姓名或执业证书编码", method="search")
    kind = django_filters.ChoiceFilter(label="人员类型", choices=PractitionerKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=PractitionerStatus.choices)
    region = django_filters.CharFilter(
        label="区划代码（含下级）", field_name="region__code", lookup_expr="startswith"
    )
    institution = django_filters.NumberFilter(label="注册执业机构编号", field_name="institution_id")

    class Meta:
        model = Practitioner
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(selectors.registry_search_q("practitioner", value))


INSTITUTION_COLUMNS = [
    Column("机构名称", lambda i: i.name),
    Column("许可证号/备案号", lambda i: i.licence_no),
    Column("机构类别", lambda i: i.get_category_display()),
    Column("许可/备案", lambda i: i.get_licence_kind_display()),
    Column("有效期至", lambda i: i.valid_until),
    Column("状态", lambda i: i.effective_status_label),
    Column("所在区划", lambda i: i.region.full_name),
    Column("地址", lambda i: i.address),
]

PRACTITIONER_COLUMNS = [
    Column("姓名", lambda p: p.name),
    Column("执业证书编码", lambda p: p.certificate_no),
    Column("人员类型", lambda p: p.get_kind_display()),
    Column("执业类别", lambda p: p.practice_category),
    Column("执业范围", lambda p: p.practice_scope),
    Column("注册执业机构", lambda p: p.institution.name if p.institution_id else ""),
    Column("状态", lambda p: p.get_status_display()),
    Column("所在区划", lambda p: p.region.full_name),
]


def _practitioners_for(user):
    # The ID number is neither listed nor exported: leave it (and its decryption) out of list queries.
    return (
        Practitioner.objects.visible_to(user)
        .select_related("region", "institution")
        .defer("id_number", "id_number_index")
    )


@register_list("registry.institution_list", perm="registry.view")
def institution_list_source(user):
    qs = Institution.objects.visible_to(user).select_related("region")
    return ListSource(qs, InstitutionFilter, INSTITUTION_COLUMNS, "医疗机构")


@register_list("registry.practitioner_list", perm="registry.view")
def practitioner_list_source(user):
    return ListSource(_practitioners_for(user), PractitionerFilter, PRACTITIONER_COLUMNS, "执业人员")


@require_perm("registry.view")
def institution_list(request):
    return render_list(
        request,
        list_key="registry.institution_list",
        template="registry/institution_list.html",
        extra=_list_actions(request.user),
    )


@require_perm("registry.view")
def practitioner_list(request):
    return render_list(
        request,
        list_key="registry.practitioner_list",
        template="registry/practitioner_list.html",
        extra=_list_actions(request.user),
    )


def _list_actions(user) -> dict:
    return {"can_manage": user.can("registry.manage"), "can_import": user.can("registry.import")}


@require_perm("registry.view")
def institution_detail(request, pk):
    institution = get_visible_or_404(Institution.objects.select_related("region"), request.user, pk=pk)
    practitioners = _practitioners_for(request.user).filter(institution=institution)
    return render(
        request,
        "registry/institution_detail.html",
        {
            "title": institution.name,
            "institution": institution,
            "practitioners": practitioners[:DETAIL_PRACTITIONERS],
            "practitioner_count": practitioners.count(),
            "history": selectors.record_history(institution),
            "can_manage": request.user.can("registry.manage"),
        },
    )


@require_perm("registry.view")
def practitioner_detail(request, pk):
    practitioner = get_visible_or_404(
        Practitioner.objects.select_related("region", "institution"), request.user, pk=pk
    )
    return render(
        request,
        "registry/practitioner_detail.html",
        {
            "title": practitioner.name,
            "practitioner": practitioner,
            "id_masked": mask(practitioner.id_number or ""),
            "history": selectors.record_history(practitioner),
            "can_manage": request.user.can("registry.manage"),
        },
    )


@require_perm("registry.manage")
def institution_edit(request, pk=None):
    institution = None
    if pk is not None:
        institution = get_visible_or_404(Institution.objects.all(), request.user, pk=pk)
    form = InstitutionForm(request.POST or None, instance=institution, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.institution_save(
                actor=request.user, institution=institution, data=data, version=form.version
            )
        except StaleEdit as exc:
            form.show_conflict(exc)
        else:
            messages.success(request, "已保存。")
            return redirect(saved.get_absolute_url())
    title = f"编辑医疗机构：{institution}" if institution else "登记医疗机构"
    cancel = institution.get_absolute_url() if institution else None
    context = {"form": form, "title": title, "cancel_url": cancel}
    return render(request, "includes/form.html", context, status=409 if form.stale else 200)


@require_perm("registry.manage")
def practitioner_edit(request, pk=None):
    practitioner = None
    if pk is not None:
        practitioner = get_visible_or_404(
            Practitioner.objects.select_related("institution"), request.user, pk=pk
        )
    form = PractitionerForm(request.POST or None, instance=practitioner, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.practitioner_save(
                actor=request.user, practitioner=practitioner, data=form.service_data(), version=form.version
            )
        except StaleEdit as exc:
            form.show_conflict(exc)
        else:
            messages.success(request, "已保存。")
            return redirect(saved.get_absolute_url())
    title = f"编辑执业人员：{practitioner.name}" if practitioner else "登记执业人员"
    cancel = practitioner.get_absolute_url() if practitioner else None
    context = {"form": form, "title": title, "cancel_url": cancel}
    return render(request, "includes/form.html", context, status=409 if form.stale else 200)


@require_perm("registry.view")
def verify(request):
    query = request.GET.get("q", "").strip()[:100]
    results = selectors.verify_licence(query) if query else []
    context = {"title": "证照核验", "query": query, "results": results}
    template = "registry/_verify_results.html" if request.htmx else "registry/verify.html"
    return render(request, template, context)


@require_perm("registry.import")
def import_start(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect(job.get_absolute_url())
    # The user's own uploads, and a chief's whole jurisdiction (Job.viewable_by).
    recent = Job.objects.viewable_by(request.user).filter(kind="registry_import").select_related("actor")[:20]
    return render(
        request,
        "registry/import.html",
        {"title": "导入医疗机构与执业人员", "form": form, "jobs": [(j, kind_label(j)) for j in recent]},
    )


@require_perm("registry.import")
def import_template(request, kind, fmt):
    spec = SPECS.get(kind)
    if spec is None or fmt not in import_files.FORMATS:
        raise Http404
    if fmt == "csv":
        content, content_type = import_files.template_csv(spec.headers), "text/csv; charset=utf-8"
    else:
        content = import_files.template_xlsx(spec.title, spec.columns, help_rows(spec.columns))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=registry-{kind}-template.{fmt}"
    return response
