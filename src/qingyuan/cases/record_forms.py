"""Forms for the on-site records (cases.records). One column, big targets: they are filled in on a
phone at the site. The services check everything again; these only parse what was typed."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.core.forms import DateInput, DateTimeInput, StyledForm, today
from qingyuan.core.idcard import validate_id_number
from qingyuan.inspections.services import MIN_OFFICERS

from . import records
from .models_procedure import HoldDecision, OrderKind


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name or '（未填姓名）'}（{obj.credential_no or '无执法证号'}）"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name or '（未填姓名）'}（{obj.get_role_display()}）"


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


class _RecordForm(StyledForm):
    """Officers are ticked from the unit in charge and the officers already on the case or the
    inspection (an officer of another county on a joint inspection is one of them)."""

    # Filled by drafts.js when the form opens on the phone and kept with the draft: the record page
    # names it so the draft is removed once the record is saved.
    client_id = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-client-id": ""}),
        error_messages={"invalid": "表单标识无效，请刷新页面后重新填写"},
    )

    def __init__(self, *args, actor, case=None, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        from qingyuan.accounts.models import User

        parent = case if case is not None else inspection
        on_it = list(parent.officers.values_list("pk", flat=True))
        queryset = User.objects.filter(is_active=True).filter(
            Q(unit_id=parent.unit_id, role__in=[Role.INSPECTOR, Role.CHIEF]) | Q(pk__in=on_it)
        )
        self.fields["officers"].queryset = queryset.order_by("full_name", "username")
        self.fields["officers"].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            self.initial.setdefault("officers", on_it or [actor.pk])

    def clean_officers(self):
        # Said here as well as in the service, so that a form with other mistakes shows them all at once.
        officers = list(self.cleaned_data["officers"])
        problems = []
        if len(officers) < MIN_OFFICERS:
            problems.append(f"请选择至少{MIN_OFFICERS}名执法人员（已选{len(officers)}名）")
        problems += [f"{o.full_name or o.username}没有执法证号" for o in officers if not o.credential_no]
        if problems:
            raise forms.ValidationError(problems)
        return officers


OFFICERS = {
    "label": "执法人员",
    "widget": forms.CheckboxSelectMultiple,
    "help_text": f"至少{MIN_OFFICERS}名持执法证人员",
    "error_messages": {"required": f"请选择至少{MIN_OFFICERS}名执法人员"},
}


class InquiryForm(_RecordForm):
    person_name = forms.CharField(label="被询问人姓名", max_length=100)
    relation = forms.CharField(
        label="与案件关系", max_length=100, help_text="如：当事人、法定代表人、证人、就诊者"
    )
    person_id_number = forms.CharField(
        label="身份证号", max_length=18, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    person_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    person_address = forms.CharField(label="住址", max_length=300, required=False)
    started_at = forms.DateTimeField(label="询问开始时间", widget=DateTimeInput(), initial=_now)
    ended_at = forms.DateTimeField(label="询问结束时间", widget=DateTimeInput(), required=False)
    place = forms.CharField(label="询问地点", max_length=200)
    officers = OfficerChoiceField(queryset=None, **{**OFFICERS, "label": "询问人"})
    content = forms.CharField(
        label="询问内容", widget=forms.Textarea(attrs={"rows": 10}), help_text="问：…… 答：……"
    )

    def clean_person_id_number(self):
        value = self.cleaned_data.get("person_id_number", "")
        return validate_id_number(value) if value else ""

    def clean(self):
        data = super().clean()
        start, end = data.get("started_at"), data.get("ended_at")
        if start and end and end <= start:
            self.add_error("ended_at", "询问结束时间须晚于开始时间")
        return data


class OrderForm(_RecordForm):
    number = forms.CharField(label="文书编号", max_length=60, required=False)
    issued_on = forms.DateField(label="出具日期", widget=DateInput(), initial=today)
    content = forms.CharField(label="意见或违法事实及改正要求", widget=forms.Textarea(attrs={"rows": 6}))
    basis = forms.CharField(label="法律依据", max_length=300, required=False)
    correct_by = forms.DateField(label="改正期限", widget=DateInput(), required=False)
    officers = OfficerChoiceField(queryset=None, **{**OFFICERS, "label": "卫生监督员"})

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == OrderKind.CORRECTION:
            self.fields["basis"].required = True
            self.fields["correct_by"].required = True
            self.fields["correct_by"].help_text = "期限届满后应复查改正情况"
            self.fields["correct_by"].error_messages["required"] = "请填写改正期限"
            self.fields["basis"].error_messages["required"] = "请填写法律依据"
        else:
            self.fields["content"].label = "监督意见"
            self.fields["correct_by"].label = "整改期限（如有）"


class HoldForm(_RecordForm):
    number = forms.CharField(label="文书编号", max_length=60, required=False)
    held_at = forms.DateTimeField(label="保存时间", widget=DateTimeInput(), initial=_now)
    items = forms.CharField(
        label="物品清单", widget=forms.Textarea(attrs={"rows": 5}), help_text="名称、规格、数量，一行一项"
    )
    place = forms.CharField(label="保存地点", max_length=200)
    keeper = forms.CharField(label="保存人", max_length=100, required=False)
    approved_by = PersonChoiceField(
        label="批准负责人",
        queryset=None,
        help_text="本单位科室负责人或领导，不能是实施保存的执法人员；情况紧急先行保存的，须在规定时限内报告负责人",
        error_messages={
            "required": "请选择批准的负责人",
            "invalid_choice": "批准负责人须为本单位的科室负责人或领导",
        },
    )
    officers = OfficerChoiceField(queryset=None, **OFFICERS)

    def __init__(self, *args, case=None, inspection=None, **kwargs):
        super().__init__(*args, case=case, inspection=inspection, **kwargs)
        self.fields["approved_by"].queryset = records.approvers(case=case, inspection=inspection)

    def clean(self):
        data = super().clean()
        approver, officers = data.get("approved_by"), data.get("officers") or []
        if approver is not None and any(o.pk == approver.pk for o in officers):
            self.add_error("approved_by", "批准负责人不能是实施保存的执法人员")
        return data


class HoldDecisionForm(StyledForm):
    decided_on = forms.DateField(label="处理决定日期", widget=DateInput(), initial=today)
    decision = forms.ChoiceField(label="处理决定", choices=HoldDecision.choices)
    decision_text = forms.CharField(
        label="处理决定内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="依据、物品去向；没收或移送的须填写",
    )
