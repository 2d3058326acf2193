from django import forms

from qingyuan.core.forms import DateInput, StyledForm, StyledModelForm

from .models import Offence, TimeLimit
from .services import LIMIT_FIELDS, OFFENCE_FIELDS


class OffenceVersionForm(StyledModelForm):
    class Meta:
        model = Offence
        fields = OFFENCE_FIELDS
        widgets = {
            "effective_from": DateInput(),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].help_text = "新版本自该日起适用；现行版本于前一日失效"


class TimeLimitVersionForm(StyledModelForm):
    class Meta:
        model = TimeLimit
        fields = LIMIT_FIELDS
        widgets = {"effective_from": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].help_text = "新版本自该日起适用；现行版本于前一日失效"


class FineCalculatorForm(StyledForm):
    income = forms.DecimalField(
        label="违法所得（元）",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        help_text="没有违法所得填0",
        error_messages={
            "required": "请填写违法所得，没有违法所得填0",
            "invalid": "违法所得须为数字",
            "min_value": "违法所得不能为负数",
            "max_digits": "违法所得数额过大",
            "max_decimal_places": "违法所得最多保留两位小数（分）",
        },
    )
    on = forms.DateField(
        label="违法行为发生日期",
        required=False,
        widget=DateInput(),
        help_text="按该日有效的条款计算，不填为今天",
        error_messages={"invalid": "日期格式应为 2026-01-31"},
    )


def _measure_choices():
    # The penalty kinds are the cases app's; imported here so rules loads without it at startup.
    from qingyuan.cases.models import MeasureKind

    return MeasureKind.choices


class ThresholdVersionForm(StyledForm):
    """A new version of a threshold: an amount or count, or the penalty kinds it names (as the
    version it replaces)."""

    name = forms.CharField(label="事项", max_length=200)
    amount = forms.DecimalField(
        label="数额或次数",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        error_messages={"invalid": "请填写数字", "min_value": "不能为负数"},
    )
    kinds = forms.MultipleChoiceField(
        label="处罚种类", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    basis = forms.CharField(label="法律依据", max_length=300, required=False)
    unverified = forms.BooleanField(label="条文未核实", required=False)
    effective_from = forms.DateField(
        label="生效日期",
        widget=DateInput(),
        help_text="新版本自该日起适用；现行版本于前一日失效",
        error_messages={"required": "请填写生效日期", "invalid": "日期格式应为 2026-01-31"},
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, listed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.listed = listed
        if listed:
            del self.fields["amount"]
            self.fields["kinds"].choices = _measure_choices()
        else:
            del self.fields["kinds"]
            self.fields["amount"].required = True
            self.fields["amount"].error_messages["required"] = "请填写数额或次数"

    def clean(self):
        data = super().clean()
        if self.listed:
            data["value"] = list(data.pop("kinds", []) or [])
        else:
            amount = data.pop("amount", None)
            if amount is not None:
                # JSON keeps a whole number as an integer and a fraction as text, never a float.
                data["value"] = int(amount) if amount == amount.to_integral_value() else str(amount)
        return data
