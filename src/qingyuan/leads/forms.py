from django import forms
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.campaigns.models import Campaign
from qingyuan.core.forms import StyledForm, VersionedFormMixin
from qingyuan.core.idcard import validate_id_number
from qingyuan.subjects.models import PracticeContent
from qingyuan.subjects.services import normalize_phone

from .feedback import released_by_default
from .models import (
    Category,
    Channel,
    Conclusion,
    DeliveryMethod,
    Rating,
    RewardDecision,
    TransferSource,
)
from .services import ANSWER_FIELDS, LINK_FIELDS

# An empty first option: a preset value would be saved by whoever does not look (no default).
PRACTICE_CHOICES = [("", "请选择")] + list(PracticeContent.choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def clean_phone_value(value: str, *, required: bool = False) -> str:
    digits = normalize_phone(value)
    if required and not digits:
        raise forms.ValidationError("请填写联系电话")
    if digits and not (7 <= len(digits) <= 12):
        raise forms.ValidationError("电话号码应为7到12位数字")
    return digits


def add_campaign_field(form, region, on) -> None:
    """A 专项行动 select of the campaigns in force for `region` on `on`, preset to the most specific one
    when a single chain of plans applies. The service checks the choice again against the record's
    own region and date."""
    from qingyuan.campaigns.selectors import campaigns_in_force, default_campaign

    queryset = campaigns_in_force(region, on) if region is not None else Campaign.objects.none()
    field = forms.ModelChoiceField(
        label="专项行动",
        queryset=queryset,
        required=False,
        empty_label="（不关联专项行动）",
        help_text="按专项行动统计线索、检查和案件",
    )
    field.label_from_instance = lambda c: f"{c.name}（{c.region.name}）"
    field.widget.attrs.setdefault("class", "form-select")
    form.fields["campaign"] = field
    if not form.is_bound and "campaign" not in form.initial:
        found = default_campaign(queryset)
        if found is not None:
            form.initial["campaign"] = found.pk


class ReporterFieldsMixin:
    """Real-name reporters leave a name and phone; anonymous ones nothing identifying."""

    def clean(self):
        data = super().clean()
        if not data.get("anonymous"):
            if not data.get("reporter_name"):
                self.add_error("reporter_name", "实名举报请填写姓名")
            if not data.get("reporter_phone"):
                self.add_error("reporter_phone", "实名举报请填写联系电话，以便答复")
        return data

    def clean_reporter_phone(self):
        return clean_phone_value(self.cleaned_data.get("reporter_phone", ""))

    def clean_reporter_id_number(self):
        value = self.cleaned_data.get("reporter_id_number", "")
        return validate_id_number(value) if value else ""

    def reporter_data(self) -> dict | None:
        data = self.cleaned_data
        if data.get("anonymous"):
            return None
        return {
            "name": data.get("reporter_name", ""),
            "phone": data.get("reporter_phone", ""),
            "id_number": data.get("reporter_id_number", ""),
            "email": data.get("reporter_email", ""),
            "address": data.get("reporter_address", ""),
        }


class LeadIntakeForm(ReporterFieldsMixin, StyledForm):
    """An officer or clerk registers a lead from any channel."""

    channel = forms.ChoiceField(
        label="来源渠道", choices=[c for c in Channel.choices if c[0] != Channel.PARTNER]
    )
    received_at = forms.DateTimeField(
        label="收到时间",
        initial=timezone.localtime,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    category = forms.ChoiceField(label="问题类别", choices=Category.choices)
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    place = forms.CharField(
        label="反映地点", max_length=300, help_text="尽量写到乡镇、村和门牌，用于确定承办单位"
    )
    reported_person = forms.CharField(label="被反映人", max_length=100, required=False)
    reported_phone = forms.CharField(label="被反映人电话", max_length=32, required=False)
    practice_content = forms.ChoiceField(label="行医内容", choices=PRACTICE_CHOICES)
    transfer_source = forms.ChoiceField(
        label="移送单位类型（部门移送时）", required=False, choices=[("", "—")] + list(TransferSource.choices)
    )
    transfer_document = forms.CharField(label="移送文书/来源说明", max_length=200, required=False)
    anonymous = forms.BooleanField(label="匿名", required=False, initial=True)
    reporter_name = forms.CharField(label="举报人姓名", max_length=50, required=False)
    reporter_phone = forms.CharField(label="举报人电话", max_length=32, required=False)
    reporter_id_number = forms.CharField(label="举报人身份证号", max_length=18, required=False)
    reporter_email = forms.EmailField(label="举报人邮箱", required=False)
    reporter_address = forms.CharField(label="举报人联系地址", max_length=200, required=False)
    attachments = MultipleFileField(
        label="附件", required=False, help_text="照片、录音、视频、文档，每个不超过10MB，最多5个"
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The lead's own region is known only after routing by place: offer the campaigns of the
        # registering unit's region; the service re-checks against the routed region.
        add_campaign_field(self, region, timezone.localdate())

    def clean_reported_phone(self):
        return clean_phone_value(self.cleaned_data.get("reported_phone", ""))

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError("收到时间不能晚于现在")
        return value

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.TRANSFER and not data.get("transfer_source"):
            self.add_error("transfer_source", "部门移送的线索请选择移送单位类型")
        return data


class RejectForm(StyledForm):
    reason = forms.CharField(label="不予受理理由", widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(StyledForm):
    officers = forms.ModelMultipleChoiceField(
        label="核查人员（至少2名）", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = (
            User.objects.filter(unit=lead.handling_unit, is_active=True)
            .exclude(credential_no="")
            .order_by("full_name")
        )
        self.fields["officers"].label_from_instance = lambda u: f"{u.full_name}（{u.credential_no}）"


class ConcludeForm(StyledForm):
    conclusion = forms.ChoiceField(label="核查结论", choices=Conclusion.choices)
    note = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(VersionedFormMixin, StyledForm):
    text = forms.CharField(label="答复内容（举报人凭查询码可见）", widget=forms.Textarea(attrs={"rows": 5}))
    release = forms.BooleanField(
        label="可网上查询",
        required=False,
        help_text="不勾选时，登记送达后举报人才能凭查询码看到答复",
    )

    version_fields = ANSWER_FIELDS
    version_field_map = {"feedback": "text"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lead = self.record
        if lead is not None:
            # Anonymous and online reporters look the answer up themselves (leads.feedback).
            self.fields["release"].initial = lead.feedback_released_at is not None or released_by_default(
                lead
            )


class DeliveryForm(StyledForm):
    method = forms.ChoiceField(
        label="送达方式", choices=[("", "请选择")] + [c for c in DeliveryMethod.choices if c[0] != "online"]
    )
    delivered_at = forms.DateTimeField(
        label="送达时间",
        initial=timezone.localtime,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(label="说明（选填）", max_length=200, required=False)


class SatisfactionForm(StyledForm):
    rating = forms.ChoiceField(
        label="满意度",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意、基本满意或不满意"},
    )
    comment = forms.CharField(
        label="意见（选填）", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LinkForm(VersionedFormMixin, StyledForm):
    """Linking a lead to a subject carries the lead's version token (core.concurrency)."""

    subject = forms.IntegerField(widget=forms.HiddenInput, required=False)

    version_fields = LINK_FIELDS


class ReasonForm(StyledForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class RerouteForm(StyledForm):
    unit = forms.ModelChoiceField(label="改派至单位", queryset=None)
    reason = forms.CharField(label="改派理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actor, **kwargs):
        from qingyuan.regions.models import Unit, UnitKind

        super().__init__(*args, **kwargs)
        prefix = actor.unit.region.prefix if actor.unit_id else "-"
        self.fields["unit"].queryset = Unit.objects.filter(
            region__code__startswith=prefix[:4],
            is_active=True,
            kind__in=[UnitKind.SUPERVISION_INSTITUTE, UnitKind.HEALTH_COMMISSION],
        ).order_by("region_id")


class DuplicateForm(StyledForm):
    original_number = forms.CharField(label="原线索编号", max_length=32)


class RewardForm(StyledForm):
    decision = forms.ChoiceField(label="奖励决定", choices=RewardDecision.choices)
    amount = forms.DecimalField(
        label="奖励金额（元）", max_digits=10, decimal_places=2, min_value=0, initial=0
    )
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RewardPaymentForm(StyledForm):
    paid_amount = forms.DecimalField(label="实付金额（元）", max_digits=10, decimal_places=2, min_value=0)
    paid_at = forms.DateField(label="支付日期", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="支付凭证号", max_length=64)


class FeedbackTemplateForm(StyledForm):
    """One template per outcome; saving an outcome that has one replaces its text."""

    conclusion = forms.ChoiceField(label="核查结论", choices=Conclusion.choices)
    text = forms.CharField(
        label="答复模板",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="可用占位：{number} 线索编号，{received} 收到日期，{conclusion} 结论",
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            text.format(number="X", received="X", conclusion="X")
        except (KeyError, IndexError, ValueError):
            raise forms.ValidationError(
                "模板中只能使用 {number}、{received}、{conclusion} 三个占位"
            ) from None
        return text
