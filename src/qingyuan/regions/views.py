import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from qingyuan.core.forms import StyledFilterSet
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import jurisdiction_prefix

from . import services
from .forms import LocalRegionForm, RegionEditForm, RegionImportForm, UnitForm
from .models import Level, Region, Unit, UnitKind


class RegionFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="名称或代码", method="search")
    level = django_filters.ChoiceFilter(label="层级", choices=Level.choices)
    is_active = django_filters.BooleanFilter(label="现行")

    class Meta:
        model = Region
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(full_name__contains=value) | Q(code__startswith=value))


REGION_COLUMNS = [
    Column("名称", lambda r: r.full_name),
    Column("代码", lambda r: r.code),
    Column("层级", lambda r: r.get_level_display()),
    Column("类型", lambda r: r.kind),
    Column("城乡分类", lambda r: r.get_urban_rural_class_display() if r.urban_rural_class else ""),
    Column("现行", lambda r: r.is_active),
]


def _regions_for(user):
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return Region.objects.none()
    return Region.objects.filter(code__startswith=prefix)


@register_list("regions.region_list", perm="regions.view")
def region_list_source(user):
    return ListSource(_regions_for(user), RegionFilter, REGION_COLUMNS, "行政区划")


@require_perm("regions.view")
def region_list(request):
    return render_list(
        request,
        list_key="regions.region_list",
        template="regions/region_list.html",
        extra={"can_manage": request.user.can("regions.manage")},
    )


@require_perm("regions.view")
def region_detail(request, code):
    try:
        region = _regions_for(request.user).get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "regions/region_detail.html",
        {
            "title": region.full_name,
            "region": region,
            "ancestors": region.ancestors()[:-1],
            "children": region.children.order_by("code"),
            "units": region.units.order_by("name"),
            "can_manage": request.user.can("regions.manage"),
        },
    )


@require_perm("regions.manage")
def region_create(request):
    form = LocalRegionForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data["code"]
        data["level"] = Level.TOWNSHIP if len(code) == 9 else Level.VILLAGE
        data["parent_id"] = code[:6] if len(code) == 9 else code[:9]
        data["full_name"] = Region.objects.get(code=data["parent_id"]).full_name + data["name"]
        region = services.region_create(actor=request.user, data=data)
        messages.success(request, f"已添加 {region.full_name}")
        return redirect("regions:detail", code=region.code)
    return render(request, "includes/form.html", {"form": form, "title": "添加乡镇/村（社区）"})


@require_perm("regions.manage")
def region_edit(request, code):
    try:
        region = _regions_for(request.user).get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None
    form = RegionEditForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name, field in form.fields.items() if not field.disabled}
        services.region_update(actor=request.user, region=region, data=data)
        messages.success(request, "已保存。")
        return redirect("regions:detail", code=region.code)
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": f"编辑区划：{region.full_name}", "cancel_url": region.get_absolute_url()},
    )


@require_perm("regions.manage")
def region_import(request):
    form = RegionImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.regions_import_local(
                actor=request.user,
                file_bytes=form.cleaned_data["file"].read(),
                within_prefix=request.user.unit.region.prefix,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"导入完成：新增 {summary['created']}，更新 {summary['updated']}")
            return redirect("regions:list")
    return render(
        request, "regions/region_import.html", {"form": form, "errors": errors, "title": "导入乡镇/村级区划"}
    )


@require_perm("regions.view")
def region_template(request):
    content = "统计用区划代码,名称,城乡分类代码\n320506100000,示例镇,\n320506100201,示例村委会,220\n"
    response = HttpResponse(content.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename=villages-template.csv"
    return response


class UnitFilter(StyledFilterSet):
    name = django_filters.CharFilter(label="单位名称", lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label="单位类型", choices=UnitKind.choices)

    class Meta:
        model = Unit
        fields = []


UNIT_COLUMNS = [
    Column("单位名称", lambda u: u.name),
    Column("类型", lambda u: u.get_kind_display()),
    Column("所在区划", lambda u: u.region),
    Column("联系电话", lambda u: u.phone),
    Column("启用", lambda u: u.is_active),
]


def _units_for(user):
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return Unit.objects.none()
    return Unit.objects.filter(region__code__startswith=prefix).select_related("region")


@register_list("regions.unit_list", perm="units.view")
def unit_list_source(user):
    return ListSource(_units_for(user), UnitFilter, UNIT_COLUMNS, "单位")


@require_perm("units.view")
def unit_list(request):
    extra = {"can_manage": request.user.can("units.manage")}
    return render_list(request, list_key="regions.unit_list", template="regions/unit_list.html", extra=extra)


@require_perm("units.view")
def unit_detail(request, pk):
    try:
        unit = _units_for(request.user).get(pk=pk)
    except Unit.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "regions/unit_detail.html",
        {"title": unit.name, "unit": unit, "can_manage": request.user.can("units.manage")},
    )


@require_perm("units.manage")
def unit_edit(request, pk=None):
    unit = Unit()
    if pk is not None:
        try:
            unit = _units_for(request.user).get(pk=pk)
        except Unit.DoesNotExist:
            raise Http404 from None
    form = UnitForm(request.POST or None, instance=unit, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        saved = services.unit_save(actor=request.user, unit=unit if pk else Unit(), data=data)
        messages.success(request, "已保存。")
        return redirect("regions:unit_detail", pk=saved.pk)
    return render(request, "includes/form.html", {"form": form, "title": "编辑单位" if pk else "新建单位"})
