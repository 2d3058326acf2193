"""Forms of the reward pages: the claim of an anonymous reporter, a leader's review, a standard's new
version and the reward list's filters."""

from django import forms
from django.core.exceptions import ValidationError

from qingyuan.core.forms import StyledForm, today
from qingyuan.core.idcard import validate_id_number
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.regions.models import Level, Region
from qingyuan.subjects.services import normalize_phone

from .models import Category, RewardStatus


class RewardClaimForm(StyledForm):
    code = forms.CharField(label="查询码", max_length=16, help_text="举报人提交举报时取得的查询码")
    name = forms.CharField(label="申领人姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, validators=[validate_id_number])
    phone = forms.CharField(label="联系电话", max_length=20)
    bank_account = forms.CharField(label="收款银行账号", max_length=40, required=False)

    def clean_phone(self):
        phone = normalize_phone(self.cleaned_data["phone"])
        if not 7 <= len(phone) <= 12:
            raise ValidationError("联系电话应为7至12位数字")
        return phone

    def clean_bank_account(self):
        account = "".join(self.cleaned_data.get("bank_account", "").split())
        if account and not (account.isdigit() and 12 <= len(account) <= 30):
            raise ValidationError("收款银行账号应为12至30位数字")
        return account


class RewardReviewForm(StyledForm):
    decision = forms.ChoiceField(label="审批意见", choices=[("approve", "同意"), ("refuse", "不同意")])
    note = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="不同意的须写明理由"
    )


class RewardStandardForm(StyledForm):
    region = forms.ModelChoiceField(label="区划", queryset=Region.objects.none(), empty_label="请选择")
    category = forms.ChoiceField(
        label="问题类别", choices=[("", "通用标准（各类别）")] + list(Category.choices), required=False
    )
    amount_min = forms.DecimalField(label="每件最低金额（元）", max_digits=10, decimal_places=2, min_value=0)
    amount_max = forms.DecimalField(
        label="每件标准最高金额（元）", max_digits=10, decimal_places=2, min_value=0
    )
    cap = forms.DecimalField(
        label="单件封顶金额（元）",
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text="超过标准最高金额、不超过封顶金额的，须写明理由并经领导审批",
    )
    approval_threshold = forms.DecimalField(
        label="须领导审批的金额（元）",
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text="奖励金额超过此数的，由领导审批后方可支付",
    )
    basis = forms.CharField(label="依据", max_length=300, required=False)
    effective_from = forms.DateField(
        label="生效日期", initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = jurisdiction_prefix(user) or "-"
        self.fields["region"].queryset = Region.objects.filter(
            code__startswith=prefix, level__lte=Level.COUNTY, is_active=True
        ).order_by("code")


class RewardFilterForm(StyledForm):
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部")] + list(RewardStatus.choices), required=False
    )
    decided_from = forms.DateField(
        label="决定日期起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_to = forms.DateField(
        label="决定日期止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ChoiceField(label="区划", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = jurisdiction_prefix(user) or "-"
        regions = Region.objects.filter(code__startswith=prefix, level__lte=Level.COUNTY, is_active=True)
        self.fields["region"].choices = [("", "全部")] + [
            (r.code, r.full_name) for r in regions.order_by("code")[:200]
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("decided_from"), data.get("decided_to")
        if start and end and start > end:
            self.add_error("decided_to", "决定日期止不能早于决定日期起")
        return data
