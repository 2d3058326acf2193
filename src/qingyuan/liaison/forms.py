"""Forms of the liaison pages. They only parse input; the rules live in the services."""

from django import forms

from qingyuan.cases.models import InvestigationResult, ReferralOutcome
from qingyuan.core.forms import DateInput, StyledForm, today
from qingyuan.leads.forms import MultipleFileField
from qingyuan.leads.models import Category
from qingyuan.subjects.models import PracticeContent

from . import services


class ReceiptForm(StyledForm):
    received_on = forms.DateField(label="接收日期", widget=DateInput, initial=today)
    receipt_no = forms.CharField(label="回执编号", max_length=60)


class DecisionForm(StyledForm):
    outcome = forms.ChoiceField(
        label="受理决定",
        choices=[
            (k, v)
            for k, v in ReferralOutcome.choices
            if k in (ReferralOutcome.ACCEPTED, ReferralOutcome.REFUSED)
        ],
        widget=forms.RadioSelect,
    )
    outcome_on = forms.DateField(label="决定日期", widget=DateInput, initial=today)
    note = forms.CharField(
        label="说明（不予受理/不予立案的须填写理由）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProgressForm(StyledForm):
    on = forms.DateField(label="日期", widget=DateInput, initial=today)
    note = forms.CharField(label="办理进展", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ResultForm(StyledForm):
    result = forms.ChoiceField(label="办理结果", choices=InvestigationResult.choices)
    on = forms.DateField(label="结果日期", widget=DateInput, initial=today)
    note = forms.CharField(
        label="说明（不立案的须填写理由）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewResultForm(StyledForm):
    result = forms.CharField(label="复议结果", widget=forms.Textarea(attrs={"rows": 2}))


class LeadTransferForm(StyledForm):
    place = forms.CharField(label="地点", max_length=300, help_text="平台按地点确定承办的卫生健康部门")
    content = forms.CharField(label="线索内容", widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label="问题类别", choices=Category.choices)
    practice_content = forms.ChoiceField(label="行医内容", choices=PracticeContent.choices)
    reported_person = forms.CharField(label="被反映人", max_length=100, required=False)
    transfer_document = forms.CharField(
        label="移送文书/案件编号",
        max_length=200,
        required=False,
        help_text="如：吴公移〔2026〕3号；留空记为本单位移送",
    )


class NoticeForm(StyledForm):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 6}))
    units = forms.ModelMultipleChoiceField(
        label="接收单位",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择至少一个接收单位"},
    )
    attachments = MultipleFileField(
        label="附件", required=False, help_text="图片、PDF、Word/Excel文档，每个不超过10MB，最多5个"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        field.queryset = services.notice_units(user)
        field.label_from_instance = lambda unit: f"{unit.name}（{unit.region.name}）"


class DrugSourceForm(StyledForm):
    receiving_unit = forms.ModelChoiceField(
        label="接收单位（平台内）",
        queryset=None,
        required=False,
        empty_label="（不在平台内，下面填写名称）",
    )
    target_unit = forms.CharField(label="接收单位名称", max_length=200, required=False)
    supplier = forms.CharField(
        label="药品供货来源",
        max_length=300,
        required=False,
        help_text="供货单位或个人、进货渠道；不明的写明“不明”",
    )
    drugs = forms.CharField(label="药品名称", widget=forms.Textarea(attrs={"rows": 2}))
    quantities = forms.CharField(label="药品数量", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="移送理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        from qingyuan.cases.models import ReferralTarget
        from qingyuan.cases.referrals import receiving_units

        super().__init__(*args, **kwargs)
        field = self.fields["receiving_unit"]
        field.queryset = receiving_units(user, ReferralTarget.DRUG)
        field.label_from_instance = lambda unit: f"{unit.name}（{unit.get_kind_display()}）"
        field.widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        if not data.get("receiving_unit") and not (data.get("target_unit") or "").strip():
            self.add_error("target_unit", "请选择平台内的接收单位或填写接收单位名称")
        return data
