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
