from django import forms

from qingyuan.core.forms import StyledModelForm
from qingyuan.core.idcard import validate_id_number
from qingyuan.regions.models import Level, Region
from qingyuan.registry.models import Institution

from .models import Subject, SubjectPerson
from .services import normalize_phone


class SubjectForm(StyledModelForm):
    class Meta:
        model = Subject
        fields = [
            "name",
            "kind",
            "address",
            "region",
            "location_type",
            "practice_content",
            "institution_type",
            "border_area",
            "needs_joint_action",
            "latitude",
            "longitude",
            "status",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = actor.unit.region.prefix
        self.fields["region"].queryset = Region.objects.filter(
            code__startswith=prefix, level__gte=Level.COUNTY, is_active=True
        ).order_by("code")
        self.fields["region"].label_from_instance = lambda r: r.full_name
        self.actor = actor
        self.fields["institution_licence"] = forms.CharField(
            label="对应许可证号/备案号",
            required=False,
            help_text="持证机构必填；无证场所留空",
            initial=self.instance.institution.licence_no if self.instance.institution_id else "",
            widget=forms.TextInput(attrs={"class": "form-control"}),
        )

    def clean_institution_licence(self):
        licence_no = self.cleaned_data.get("institution_licence", "").strip()
        if not licence_no:
            self.instance.institution = None
            return ""
        institution = Institution.objects.visible_to(self.actor).filter(licence_no=licence_no).first()
        if institution is None:
            raise forms.ValidationError("辖区内没有该许可证号/备案号的医疗机构")
        self.instance.institution = institution
        return licence_no


class PersonForm(StyledModelForm):
    class Meta:
        model = SubjectPerson
        fields = ["name", "role", "id_number", "phone"]
        widgets = {"id_number": forms.TextInput(), "phone": forms.TextInput()}

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        return validate_id_number(value) if value else ""

    def clean_phone(self):
        value = normalize_phone(self.cleaned_data.get("phone", ""))
        if value and not (7 <= len(value) <= 12):
            raise forms.ValidationError("电话号码应为7到12位数字")
        return value
