from django import forms

from qingyuan.core.crypto import mask
from qingyuan.core.forms import DateInput, StyledForm, StyledModelForm, VersionedFormMixin
from qingyuan.core.idcard import validate_id_number
from qingyuan.regions.models import Level, Region

from .models import ImportKind, Institution, Practitioner, normalize_number


def _region_field(form, actor):
    prefix = actor.unit.region.prefix
    field = form.fields["region"]
    field.queryset = Region.objects.filter(
        code__startswith=prefix, level__gte=Level.COUNTY, is_active=True
    ).order_by("code")
    field.label_from_instance = lambda r: f"{r.full_name}（{r.code}）"


class InstitutionForm(VersionedFormMixin, StyledModelForm):
    class Meta:
        model = Institution
        fields = [
            "name",
            "category",
            "licence_kind",
            "licence_no",
            "valid_until",
            "address",
            "region",
            "legal_representative",
            "departments",
            "status",
            "status_changed_on",
        ]
        widgets = {
            "valid_until": DateInput(format="%Y-%m-%d"),
            "status_changed_on": DateInput(format="%Y-%m-%d"),
            "departments": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        _region_field(self, actor)

    def clean_licence_no(self):
        number = normalize_number(self.cleaned_data["licence_no"])
        taken = Institution.objects.filter(licence_no=number).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("该许可证号/备案号已登记")
        return number


class PractitionerForm(VersionedFormMixin, StyledModelForm):
    institution_licence = forms.CharField(
        label="注册执业机构许可证号",
        required=False,
        help_text="填写平台已登记机构的许可证号/备案号，可留空",
    )

    class Meta:
        model = Practitioner
        fields = [
            "name",
            "id_number",
            "qualification_no",
            "certificate_no",
            "kind",
            "practice_category",
            "practice_scope",
            "region",
            "status",
            "status_changed_on",
        ]
        widgets = {
            "id_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "status_changed_on": DateInput(format="%Y-%m-%d"),
        }

    version_fields = (*Meta.fields, "institution")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        _region_field(self, actor)
        id_field = self.fields["id_number"]
        if self.instance.pk:
            # The form never shows a stored ID number: editing must not become an unaudited reveal.
            id_field.help_text = f"当前：{mask(self.instance.id_number or '') or '未填写'}；留空则不修改"
            self.initial["id_number"] = ""
            if self.instance.institution_id:
                self.initial["institution_licence"] = self.instance.institution.licence_no

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        if not value:
            return self.instance.id_number if self.instance.pk else ""
        return validate_id_number(value)

    def clean_certificate_no(self):
        number = normalize_number(self.cleaned_data["certificate_no"])
        if Practitioner.objects.filter(certificate_no=number).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("该执业证书编码已登记")
        return number

    def clean_institution_licence(self):
        number = normalize_number(self.cleaned_data.get("institution_licence", ""))
        if not number:
            self.institution = None
            return ""
        # Licences are public: a practitioner may be registered at an institution of any region.
        self.institution = Institution.objects.filter(licence_no=number).first()
        if self.institution is None:
            raise forms.ValidationError("平台中没有该许可证号/备案号的医疗机构")
        return number

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["institution"] = self.institution
        return data


class ImportForm(StyledForm):
    kind = forms.ChoiceField(label="导入内容", choices=ImportKind.choices)
    file = forms.FileField(
        label="文件",
        help_text="CSV（UTF-8 或 GBK 编码）或 Excel（.xlsx），使用平台提供的模板；整文件校验，有错则整文件不导入",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


# --- the public look-up's parameters: one check for the page and the open API ------------------------


class _LookupForm(StyledForm):
    limit = forms.IntegerField(label="条数", required=False, min_value=1, max_value=50)

    def _at_least(self, name: str, length: int):
        value = " ".join(self.cleaned_data.get(name, "").split())
        if value and len(value) < length:
            raise forms.ValidationError(f"请至少输入{length}个字")
        return value


class InstitutionLookupForm(_LookupForm):
    q = forms.CharField(label="机构名称、许可证号或地址", required=False, max_length=100)
    licence_no = forms.CharField(label="许可证号/备案号", required=False, max_length=64)
    region = forms.RegexField(
        label="区划代码",
        required=False,
        regex=r"^\d{2,12}$",
        error_messages={"invalid": "应为2至12位数字"},
    )

    def clean_q(self):
        return self._at_least("q", 2)

    def clean_licence_no(self):
        number = normalize_number(self.cleaned_data.get("licence_no", ""))
        if number and len(number) < 4:
            raise forms.ValidationError("请至少输入4位")
        return number

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("q") and not data.get("licence_no"):
            self.add_error("q", "请输入机构名称、许可证号或地址")
        return data


class PractitionerLookupForm(_LookupForm):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请输入要查询的姓名"})
    institution = forms.CharField(label="执业机构名称", required=False, max_length=100)

    def clean_name(self):
        return self._at_least("name", 2)

    def clean_institution(self):
        return self._at_least("institution", 2)
