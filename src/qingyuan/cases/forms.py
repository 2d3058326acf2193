from decimal import Decimal

from django import forms
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.core.forms import DateInput, StyledForm, VersionedFormMixin, today

from .models import (
    CaseSource,
    DocumentKind,
    ExtensionKind,
    PartyKind,
    PauseKind,
    PaymentKind,
    Procedure,
)
from .penalty_forms import MeasuresForm
from .services import FACTS_FIELDS, FILING_FIELDS, NATIONAL_ENTRY_FIELDS


def _officer_field(unit):
    field = forms.ModelMultipleChoiceField(
        label="承办人（至少2名持执法证人员）",
        queryset=User.objects.filter(unit=unit, is_active=True)
        .exclude(credential_no="")
        .order_by("full_name"),
        widget=forms.CheckboxSelectMultiple,
    )
    field.label_from_instance = lambda u: f"{u.full_name}（{u.credential_no}）"
    return field


class ProposeForm(StyledForm):
    source = forms.ChoiceField(label="案件来源", choices=CaseSource.choices)
    title = forms.CharField(label="案由", max_length=200)
    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    party_name = forms.CharField(label="当事人", max_length=200)
    party_id_number = forms.CharField(label="身份证号/统一社会信用代码", max_length=30, required=False)
    party_address = forms.CharField(label="当事人住址", max_length=300, required=False)
    offence_date = forms.DateField(label="违法行为发生日期", widget=DateInput)
    # 时效 (行政处罚法 第36条): from the end of a continuing act; five years where health was harmed.
    act_ended_on = forms.DateField(
        label="违法行为终了日期",
        widget=DateInput,
        required=False,
        help_text="违法行为有连续或者继续状态的填写",
    )
    endangers_health = forms.BooleanField(
        label="涉及公民生命健康安全且有危害后果（追责期限五年）", required=False
    )
    offence_codes = forms.MultipleChoiceField(
        label="涉嫌违法行为（按发生日有效的条款）", choices=(), widget=forms.CheckboxSelectMultiple
    )
    illegal_income = forms.DecimalField(
        label="违法所得（元）", min_value=Decimal("0"), max_digits=14, decimal_places=2, initial=0
    )
    facts = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, unit, region=None, on=None, **kwargs):
        from qingyuan.leads.forms import add_campaign_field
        from qingyuan.rules.selectors import offences_in_force

        super().__init__(*args, **kwargs)
        add_campaign_field(self, region, on or timezone.localdate())
        self.fields["offence_codes"].choices = [
            (o.code, f"{o.code} {o.name}")
            for o in offences_in_force(timezone.localdate())
            if not o.referral_only
        ]
        self.fields["officers"] = _officer_field(unit)
        self.fields["officers"].widget.attrs["class"] = "form-check-input"


class ReasonForm(StyledForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class DateForm(StyledForm):
    on = forms.DateField(label="日期", widget=DateInput, initial=today)


class OptionalDateForm(StyledForm):
    on = forms.DateField(label="日期", widget=DateInput, required=False)


class NotifyForm(StyledForm):
    notified_on = forms.DateField(label="告知书送达日期", widget=DateInput, initial=today)
    waived = forms.BooleanField(label="当事人书面放弃陈述申辩和听证", required=False)


class ExtendForm(StyledForm):
    kind = forms.ChoiceField(label="延期类型", choices=ExtensionKind.choices)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(StyledForm):
    kind = forms.ChoiceField(
        label="中止事由", choices=[c for c in PauseKind.choices if c[0] != PauseKind.HEARING]
    )
    started_on = forms.DateField(label="起始日期", widget=DateInput, initial=today)
    note = forms.CharField(label="说明", max_length=300, required=False)


class FactsForm(VersionedFormMixin, StyledForm):
    facts = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    illegal_income = forms.DecimalField(
        label="违法所得（元）", min_value=Decimal("0"), max_digits=14, decimal_places=2
    )

    version_fields = FACTS_FIELDS


class NationalEntryForm(VersionedFormMixin, OptionalDateForm):
    version_fields = NATIONAL_ENTRY_FIELDS
    version_field_map = {"national_entry_on": "on"}


class FilingForm(VersionedFormMixin, DateForm):
    """简易程序备案: the record is the decision, whose filing date the form sets."""

    version_fields = FILING_FIELDS
    version_field_map = {"filed_on": "on"}


class DecisionForm(MeasuresForm):
    """作出处罚决定: the measures start as those of the current proposal (cases.penalty); the officer
    changes them only where the review or discussion changed them."""

    offence_code = forms.ChoiceField(label="适用条款", choices=())
    procedure = forms.ChoiceField(label="程序", choices=Procedure.choices)
    decided_on = forms.DateField(label="决定日期", widget=DateInput, initial=today)
    discretion_reason = forms.CharField(
        label="自由裁量理由", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    field_order = ["offence_code", "procedure", "decided_on"]

    def __init__(self, *args, case, **kwargs):
        from .penalty import current_proposal

        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        self.fields["offence_code"].choices = [
            (co.offence.code, f"{co.offence.code} {co.offence.name}")
            for co in case.offences.select_related("offence")
        ]
        proposal = current_proposal(case)
        if proposal is not None and not self.is_bound:
            self.initial.update(
                offence_code=proposal.offence.code,
                discretion_reason=proposal.discretion_reason,
                **self.initial_from(proposal.measures.all()),
            )
        elif case.illegal_income:
            self.fields["confiscate_income"].initial = case.illegal_income


class PaymentForm(StyledForm):
    kind = forms.ChoiceField(label="款项", choices=PaymentKind.choices)
    amount = forms.DecimalField(
        label="金额（元）", min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    paid_on = forms.DateField(label="缴款日期", widget=DateInput, initial=today)
    receipt_no = forms.CharField(label="票据号", max_length=60, required=False)


class TemplateUploadForm(StyledForm):
    kind = forms.ChoiceField(label="文书", choices=DocumentKind.choices)
    file = forms.FileField(label="模板文件（.docx）")


class EvidenceForm(StyledForm):
    kind = forms.ChoiceField(label="证据类型", choices=())
    file = forms.FileField(label="文件（照片、录音、录像、书证扫描件）", required=False)
    description = forms.CharField(label="说明", max_length=300, required=False)
    quantity = forms.CharField(label="数量（扣押物品）", max_length=100, required=False)
    storage_place = forms.CharField(label="存放地点（扣押物品）", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from qingyuan.inspections.models import EvidenceKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = EvidenceKind.choices
