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
        ]
        widgets = {
            "valid_until": DateInput(format="%Y-%m-%d"),
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
        ]
        widgets = {"id_number": forms.TextInput(attrs={"autocomplete": "off"})}

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
