import datetime as dt

from django import forms
from django.utils import timezone

from qingyuan.core.forms import StyledModelForm, VersionedFormMixin, today
from qingyuan.core.idcard import validate_id_number
from qingyuan.regions.models import Level, Region
from qingyuan.registry.models import Institution

from .models import Subject, SubjectPerson
from .services import normalize_phone


class SubjectForm(VersionedFormMixin, StyledModelForm):
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
            "found_on",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "found_on": forms.DateInput(attrs={"type": "date"}),
        }

    # The licence field below sets the institution: a change of it by someone else is a conflict too.
    version_fields = (*Meta.fields, "institution")

    # A change of region or of 需联合查处 is dated: the forms count the subject where it was on each day
    # (FORMS.md). A move counts from its date; a correction of a wrong entry counts from the start.
    change_kind = forms.ChoiceField(
        label="区划或联合查处标记变更的性质",
        choices=[
            ("move", "迁移/情况变化：自变更日期起按新值统计"),
            (
                "correct",
                "更正登记错误：摸底梳理表（S001-A2）自始按新值统计；已记录的检查、案件仍按记录时的区划",
            ),
        ],
        initial="move",
        required=False,
        help_text="只在修改所在区划或“需联合查处”时使用",
    )
    changed_on = forms.DateField(
        label="变更日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=today,
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = actor.unit.region.prefix
        self.fields["region"].queryset = Region.objects.filter(
            code__startswith=prefix, level__gte=Level.COUNTY, is_active=True
        ).order_by("code")
        self.fields["region"].label_from_instance = lambda r: r.full_name
        self.actor = actor
        self.fields["found_on"].required = False
        self.fields["found_on"].help_text = "统计报表从这一天起计入本场所；留空为今天"
        self.fields["institution_licence"] = forms.CharField(
            label="对应许可证号/备案号",
            required=False,
            help_text="持证机构必填；无证场所留空",
            initial=self.instance.institution.licence_no if self.instance.institution_id else "",
            widget=forms.TextInput(attrs={"class": "form-control"}),
        )

    def clean(self):
        data = super().clean()
        self.change_date = None
        if "found_on" in data and not data["found_on"]:
            data["found_on"] = self.instance.found_on if self.instance.pk else timezone.localdate()
        if self.instance.pk is None:
            return data
        tracked = getattr(self.instance, "_tracked", {})
        changed = (
            "region" in data
            and data["region"] is not None
            and tracked.get("region_id") not in (None, data["region"].pk)
        ) or (
            "needs_joint_action" in data
            and tracked.get("needs_joint_action") not in (None, data["needs_joint_action"])
        )
        if not changed:
            return data
        found_on = data.get("found_on") or self.instance.found_on
        if data.get("change_kind") == "correct":
            self.change_date = found_on - dt.timedelta(days=1)
            return data
        changed_on = data.get("changed_on")
        if changed_on is None:
            self.add_error(
                "changed_on", "修改了所在区划或“需联合查处”，请填写变更日期（或选择“更正登记错误”）"
            )
        elif changed_on > timezone.localdate():
            self.add_error("changed_on", "变更日期不能晚于今天")
        elif found_on and changed_on < found_on:
            self.add_error("changed_on", "变更日期不能早于发现日期")
        else:
            self.change_date = changed_on
        return data

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
