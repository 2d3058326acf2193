import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.campaigns.selectors import campaigns_for_filter, filter_by_campaign
from qingyuan.core.forms import DateInput, DateTimeInput, StyledFilterSet, StyledForm

from .models import AnswerResult, EvidenceKind, Inspection, InspectionKind, InspectionOutcome
from .services import MIN_OFFICERS, officer_name


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        credential = obj.credential_no or "无执法证号"
        return f"{officer_name(obj)}（{credential}）"


class InspectionForm(StyledForm):
    """The field form: one column, big targets; officers are ticked from the inspecting unit."""

    kind = forms.ChoiceField(label="检查方式", choices=InspectionKind.choices)
    started_at = forms.DateTimeField(label="检查开始时间", widget=DateTimeInput())
    ended_at = forms.DateTimeField(label="检查结束时间", required=False, widget=DateTimeInput())
    officers = OfficerChoiceField(
        label="执法人员",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"至少{MIN_OFFICERS}名持执法证人员",
        error_messages={"required": f"请选择至少{MIN_OFFICERS}名执法人员"},
    )
    persons_present = forms.CharField(
        label="在场人员", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="姓名、身份"
    )
    vehicles = forms.IntegerField(label="出动车辆（辆次）", min_value=0, max_value=999, initial=1)
    findings = forms.CharField(label="检查情况", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    outcome = forms.ChoiceField(label="处理结果", choices=InspectionOutcome.choices)
    # Filled by drafts.js when the form opens on the phone, kept with the draft; see services.resubmitted.
    client_id = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-client-id": ""}),
        error_messages={"invalid": "表单标识无效，请刷新页面后重新填写"},
    )

    def __init__(self, *args, actor, items=(), region=None, teammates=(), **kwargs):
        super().__init__(*args, **kwargs)
        from qingyuan.accounts.models import User
        from qingyuan.leads.forms import add_campaign_field

        add_campaign_field(self, region, timezone.localdate())
        self.items = list(items)
        # The inspecting unit's officers, and in a joint operation the team mates from other counties
        # (operations.access.joint_teammates), so a mixed team records its visit together.
        self.fields["officers"].queryset = User.objects.filter(
            Q(unit=actor.unit) | Q(pk__in=list(teammates)),
            is_active=True,
            role__in=[Role.INSPECTOR, Role.CHIEF],
        ).order_by("full_name", "username")
        if not self.is_bound:
            self.initial.setdefault("officers", [actor.pk])
            self.initial.setdefault("started_at", timezone.localtime().replace(second=0, microsecond=0))
        self.fields["officers"].widget.attrs["class"] = "form-check-input"
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=AnswerResult.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=f"{item.text}（说明）",
                required=False,
                max_length=300,
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "说明（可选）"}),
            )

    def main_fields(self):
        return [
            self[name]
            for name in (
                "kind",
                "started_at",
                "ended_at",
                "officers",
                "persons_present",
                "vehicles",
                "campaign",
            )
        ]

    def closing_fields(self):
        return [self["findings"], self["outcome"]]

    def checklist_rows(self):
        return [(item, self[f"item_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def clean_officers(self):
        officers = list(self.cleaned_data["officers"])
        problems = []
        if len(officers) < MIN_OFFICERS:
            problems.append(f"请选择至少{MIN_OFFICERS}名执法人员（已选{len(officers)}名）")
        problems += [
            f"{officer_name(o)}没有执法证号，不能参加现场检查" for o in officers if not o.credential_no
        ]
        if problems:
            raise forms.ValidationError(problems)
        return officers

    def clean(self):
        data = super().clean()
        start, end = data.get("started_at"), data.get("ended_at")
        if start and end and end < start:
            self.add_error("ended_at", "检查结束时间不能早于开始时间")
        return data

    def answers(self) -> dict:
        return {
            item.pk: (self.cleaned_data.get(f"item_{item.pk}"), self.cleaned_data.get(f"note_{item.pk}", ""))
            for item in self.items
            if self.cleaned_data.get(f"item_{item.pk}")
        }


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *, attrs=None, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, **(attrs or {})}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class EvidenceForm(StyledForm):
    """One upload may carry several files (a burst of photos): each becomes its own piece of evidence
    with the same type and description. 拍照 opens the phone's rear camera directly."""

    kind = forms.ChoiceField(label="证据类型", choices=EvidenceKind.choices)
    file = MultipleFileField(
        label="选择文件",
        required=False,
        help_text="可一次选择多个文件：照片、录音、录像、PDF/Word/Excel；扣押物品可不附照片",
        attrs={"accept": "image/*,audio/*,video/*,.pdf,.docx,.xlsx"},
    )
    camera = MultipleFileField(
        label="拍照",
        required=False,
        help_text="用手机后置摄像头直接拍摄，可连续拍多张",
        attrs={"accept": "image/*", "capture": "environment"},
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput(attrs={"data-client-id": ""}))
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    quantity = forms.CharField(label="数量（扣押物品）", required=False, max_length=100)
    storage_place = forms.CharField(label="存放地点（扣押物品）", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("file", "camera"):
            # Shown as a labelled button (the template), the input itself stays reachable by keyboard.
            self.fields[name].widget.attrs["class"] = "visually-hidden"

    def chosen_files(self) -> list:
        return list(self.cleaned_data.get("file") or []) + list(self.cleaned_data.get("camera") or [])


class ChecklistItemForm(StyledForm):
    text = forms.CharField(label="检查内容", max_length=200)
    basis = forms.CharField(label="依据", max_length=200, required=False)
    order = forms.IntegerField(label="序号", min_value=0, max_value=999)
    active = forms.BooleanField(label="启用", required=False, initial=True)


class InspectionFilter(StyledFilterSet):
    kind = django_filters.ChoiceFilter(label="检查方式", choices=InspectionKind.choices)
    outcome = django_filters.ChoiceFilter(label="处理结果", choices=InspectionOutcome.choices)
    started_from = django_filters.DateFilter(
        label="检查日期起", field_name="started_at", lookup_expr="date__gte", widget=DateInput
    )
    started_to = django_filters.DateFilter(
        label="检查日期止", field_name="started_at", lookup_expr="date__lte", widget=DateInput
    )
    region = django_filters.CharFilter(
        label="区划代码（含下级）", field_name="region__code", lookup_expr="startswith"
    )
    q = django_filters.CharFilter(label="对象名称/地址", method="search")
    campaign = django_filters.ModelChoiceFilter(
        label="专项行动", queryset=campaigns_for_filter, method=filter_by_campaign
    )

    class Meta:
        model = Inspection
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(subject__name__contains=value) | Q(subject__address__contains=value))
