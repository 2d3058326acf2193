"""Forms of the enforcement steps (延期/分期, 催告, 申请法院强制执行, 法院裁定和执行结果). They parse
input; the rules live in cases.enforcement."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms

from qingyuan.core.forms import DateInput, StyledForm, today

from .models import CourtOutcome, CourtRuling, PlanKind


class PlanForm(StyledForm):
    kind = forms.ChoiceField(label="方式", choices=PlanKind.choices, widget=forms.RadioSelect)
    requested_on = forms.DateField(label="当事人申请日期", widget=DateInput)
    approved_on = forms.DateField(label="批准日期", widget=DateInput, initial=today)
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    defer_to = forms.DateField(
        label="延期缴纳至", widget=DateInput, required=False, help_text="延期缴纳时填写"
    )
    instalments = forms.CharField(
        label="分期",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="分期缴纳时填写，每行一期：缴纳期限 金额，如“2026-10-01 20000”",
    )

    def clean_instalments(self) -> list[tuple[dt.date, Decimal]]:
        rows = []
        lines = [line.strip() for line in (self.cleaned_data.get("instalments") or "").splitlines()]
        for n, line in enumerate((line for line in lines if line), start=1):
            parts = line.replace("，", " ").replace(",", " ").split()
            if len(parts) != 2:
                raise forms.ValidationError(f"第{n}行：请按“缴纳期限 金额”填写")
            try:
                due_on = dt.date.fromisoformat(parts[0])
            except ValueError:
                raise forms.ValidationError(
                    f"第{n}行：缴纳期限“{parts[0]}”不是有效日期（如 2026-10-01）"
                ) from None
            try:
                amount = Decimal(parts[1].removesuffix("元"))
            except InvalidOperation:
                raise forms.ValidationError(f"第{n}行：金额“{parts[1]}”不是有效数字") from None
            if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
                raise forms.ValidationError(f"第{n}行：金额须大于0，最多两位小数")
            rows.append((due_on, amount))
        return rows

    def clean(self):
        data = super().clean()
        if data.get("kind") == PlanKind.DEFER and not data.get("defer_to") and "defer_to" not in self.errors:
            self.add_error("defer_to", "请填写延期缴纳的期限")
        if (
            data.get("kind") == PlanKind.INSTALMENTS
            and not data.get("instalments")
            and "instalments" not in self.errors
        ):
            self.add_error("instalments", "请填写各期的缴纳期限和金额")
        return data


class DemandForm(StyledForm):
    issued_on = forms.DateField(label="催告日期", widget=DateInput, initial=today)
    number = forms.CharField(label="催告书文号", max_length=60, required=False)


class ServeDemandForm(StyledForm):
    served_on = forms.DateField(label="催告书送达日期", widget=DateInput, initial=today)


class CourtApplyForm(StyledForm):
    court = forms.CharField(label="人民法院", max_length=200)
    applied_on = forms.DateField(label="申请日期", widget=DateInput, initial=today)
    number = forms.CharField(label="申请书文号", max_length=60, required=False)
    other_measures = forms.CharField(
        label="申请执行的其他事项", max_length=300, required=False, help_text="如：没收的药品器械"
    )


class CourtResultForm(StyledForm):
    accepted_on = forms.DateField(label="法院受理日期", widget=DateInput, required=False)
    ruling = forms.ChoiceField(label="裁定", choices=CourtRuling.choices)
    ruling_no = forms.CharField(label="裁定书文号", max_length=100, required=False)
    ruled_on = forms.DateField(label="裁定日期", widget=DateInput, required=False)
    outcome = forms.ChoiceField(label="执行结果", choices=CourtOutcome.choices)
    outcome_on = forms.DateField(label="执行结果日期", widget=DateInput, required=False)
    outcome_note = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    collected = forms.DecimalField(
        label="法院执行到位金额（元）",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        help_text="登记为缴款：先罚款，后没收违法所得，再加处罚款",
    )
    receipt_no = forms.CharField(label="票据号", max_length=60, required=False)
