"""Forms of the follow-up pages. They only parse input; the rules live in the services."""

from django import forms
from django.utils import timezone

from qingyuan.core.forms import DateInput, DateTimeInput, StyledForm, VersionedFormMixin, today
from qingyuan.core.scoping import jurisdiction_prefix

from .models import (
    Case,
    InvestigationResult,
    LiabilityKind,
    RecheckResult,
    ReferralOutcome,
    ReferralTarget,
)


class ReasonForm(StyledForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class ReferralProposeForm(StyledForm):
    target = forms.ChoiceField(label="移送对象", choices=ReferralTarget.choices)
    receiving_unit = forms.ModelChoiceField(
        label="接收单位（平台内）",
        queryset=None,
        required=False,
        empty_label="（不在平台内，下面填写名称）",
        help_text="选择平台内的单位后，由其联络员在平台上登记接收、受理和办理结果",
    )
    target_unit = forms.CharField(label="接收单位名称", max_length=200, required=False)
    reason = forms.CharField(label="移送理由", widget=forms.Textarea(attrs={"rows": 2}))
    proposed_on = forms.DateField(
        label="提请日期", required=False, widget=DateInput, initial=today, help_text="留空为今天"
    )

    def __init__(self, *args, user, **kwargs):
        from .referrals import receiving_units

        super().__init__(*args, **kwargs)
        field = self.fields["receiving_unit"]
        field.queryset = receiving_units(user)
        field.label_from_instance = lambda unit: f"{unit.name}（{unit.get_kind_display()}）"
        field.widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        if not data.get("receiving_unit") and not (data.get("target_unit") or "").strip():
            self.add_error("target_unit", "请选择平台内的接收单位或填写接收单位名称")
        return data


class ProgressForm(StyledForm):
    on = forms.DateField(label="日期", widget=DateInput, initial=today)
    note = forms.CharField(label="办理进展", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ResultForm(StyledForm):
    result = forms.ChoiceField(label="办理结果", choices=InvestigationResult.choices)
    on = forms.DateField(label="结果日期", widget=DateInput, initial=today)
    note = forms.CharField(label="说明（不立案的须填写理由）", required=False, max_length=2000)


class ApproveForm(StyledForm):
    approved_on = forms.DateField(
        label="批准日期", required=False, widget=DateInput, initial=today, help_text="留空为今天"
    )


class TransferForm(StyledForm):
    transferred_at = forms.DateTimeField(
        label="移送时间",
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        initial=timezone.now,
    )


class ReceiptForm(StyledForm):
    received_on = forms.DateField(label="接收日期", widget=DateInput, initial=today)
    receipt_no = forms.CharField(label="回执编号", max_length=60)


class OutcomeForm(StyledForm):
    outcome = forms.ChoiceField(
        label="接收结果", choices=[(k, v) for k, v in ReferralOutcome.choices if k != ReferralOutcome.PENDING]
    )
    outcome_on = forms.DateField(label="结果日期", widget=DateInput, initial=today)
    note = forms.CharField(label="说明（不予受理/立案的须填写理由）", required=False, max_length=2000)


class ReviewRequestForm(StyledForm):
    requested_on = forms.DateField(label="提请复议日期", widget=DateInput, initial=today)


class ReviewResultForm(StyledForm):
    result = forms.CharField(label="复议结果", widget=forms.Textarea(attrs={"rows": 2}))


class JudgmentForm(StyledForm):
    referral = forms.ModelChoiceField(label="对应移送", queryset=None, required=False, empty_label="（无）")
    court = forms.CharField(label="法院", max_length=200)
    document_no = forms.CharField(label="判决书文号", max_length=100, required=False)
    judged_on = forms.DateField(label="判决日期", widget=DateInput)
    verdict = forms.CharField(label="判决结果", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = case.referrals.all()


class AccountableForm(StyledForm):
    judgment = forms.ModelChoiceField(label="对应判决", queryset=None, required=False, empty_label="（无）")
    name = forms.CharField(label="姓名", max_length=50)
    liability = forms.ChoiceField(label="责任类型", choices=LiabilityKind.choices)
    outcome = forms.CharField(label="处理结果", max_length=300)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judgment"].queryset = case.judgments.all()


def _case_by_number(user, number):
    """A case number typed by the officer, looked up in the officer's jurisdiction only."""
    if not number:
        return None
    found = Case.objects.visible_to(user).filter(number=number.strip()).first()
    if found is None:
        raise forms.ValidationError("未找到该编号的案件（须为本辖区已立案的案件）")
    return found


class RecheckCompleteForm(StyledForm):
    result = forms.ChoiceField(
        label="检查结果", choices=[(k, v) for k, v in RecheckResult.choices if k != RecheckResult.PENDING]
    )
    done_on = forms.DateField(label="检查日期", widget=DateInput, required=False)
    new_case = forms.CharField(
        label="再次违法案件编号", required=False, help_text="已就再次违法立案的，填写新案件编号以关联前案"
    )

    def __init__(self, *args, user, recheck, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        from .rechecks import _has_inspection_field

        if _has_inspection_field():
            from qingyuan.inspections.models import Inspection

            self.fields["inspection"] = forms.ModelChoiceField(
                label="检查记录",
                queryset=Inspection.objects.visible_to(user).filter(subject=recheck.subject_id),
                empty_label="请选择该对象的检查记录",
                help_text="复查须有现场检查记录；尚未登记的，请先登记监督检查",
            )
            self.fields["inspection"].widget.attrs["class"] = "form-select"
            del self.fields["done_on"]

    def clean_new_case(self):
        return _case_by_number(self.user, self.cleaned_data.get("new_case"))

    def clean_done_on(self):
        day = self.cleaned_data.get("done_on")
        if "inspection" not in self.fields and day is None:
            raise forms.ValidationError("请填写检查日期")
        return day


class LinkCaseForm(StyledForm):
    new_case = forms.CharField(label="再次违法案件编号")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_case(self):
        return _case_by_number(self.user, self.cleaned_data.get("new_case"))


class LookBackForm(StyledForm):
    name = forms.CharField(label="名称", max_length=200, help_text="如：2024年取缔黑诊所回头看")
    region = forms.ModelChoiceField(label="范围", queryset=None, empty_label="请选择区划")
    banned_from = forms.DateField(label="取缔日期自", widget=DateInput)
    banned_to = forms.DateField(label="取缔日期至", widget=DateInput)
    due_on = forms.DateField(
        label="完成期限", widget=DateInput, required=False, help_text="留空按系统默认天数"
    )

    def __init__(self, *args, user, **kwargs):
        from qingyuan.regions.models import Level, Region

        super().__init__(*args, **kwargs)
        prefix = jurisdiction_prefix(user) or ""
        # Counties and above: a look-back is organised for a whole county at the least.
        self.fields["region"].queryset = Region.objects.filter(
            code__startswith=prefix, level__lte=Level.COUNTY, is_active=True
        ).order_by("code")
        if user.unit_id:
            self.fields["region"].initial = user.unit.region_id

    def clean(self):
        data = super().clean()
        start, end = data.get("banned_from"), data.get("banned_to")
        if start and end and start > end:
            self.add_error("banned_to", "取缔日期“至”不能早于“自”")
        due = data.get("due_on")
        if due and due < timezone.localdate():
            self.add_error("due_on", "完成期限不能早于今天")
        return data


class CrimeFactsForm(VersionedFormMixin, forms.ModelForm):
    """解释 第1条 and 第2条 facts; (4), the earlier penalties, is counted by the platform."""

    class Meta:
        model = Case
        fields = [
            "no_qualification",
            "certificate_revoked",
            "village_without_certificate",
            "birth_attendant_beyond",
            "harm_disability",
            "infectious_disease",
            "bad_drugs",
            "serious_harm",
            "patient_death",
            "other_serious",
        ]
        widgets = {"other_serious": forms.TextInput(attrs={"class": "form-control form-control-sm"})}
