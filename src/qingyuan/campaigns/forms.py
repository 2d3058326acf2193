from django import forms

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import Role
from qingyuan.core.forms import DateInput, StyledForm
from qingyuan.regions.models import Level, Region, Unit

from .models import FOCUS_CHOICES, FormCode, GroupRole, Phase, PhaseKind, Schedule


class CampaignForm(StyledForm):
    name = forms.CharField(label="名称", max_length=200)
    doc_number = forms.CharField(
        label="文号", max_length=100, required=False, help_text="如：苏卫办监督〔2024〕1号"
    )
    starts_on = forms.DateField(label="开始日期", widget=DateInput)
    ends_on = forms.DateField(label="结束日期", widget=DateInput)
    focus = forms.MultipleChoiceField(
        label="整治重点", choices=FOCUS_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    hotline = forms.CharField(label="举报电话", max_length=32, required=False)
    email = forms.EmailField(
        label="举报邮箱", required=False, error_messages={"invalid": "请输入正确的电子邮箱"}
    )
    office = forms.ModelChoiceField(label="领导小组办公室", queryset=Unit.objects.none(), required=False)
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    published = forms.BooleanField(label="在公众网站公布举报电话和邮箱", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Unit.objects.filter(
            region__code__startswith=actor.unit.region.prefix if actor.unit_id else "-", is_active=True
        ).order_by("region_id", "name")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结束日期不能早于开始日期")
        return data


class GroupMemberForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    post = forms.CharField(label="职务", max_length=100, required=False)
    role = forms.ChoiceField(label="小组职务", choices=GroupRole.choices, initial=GroupRole.MEMBER)
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(region__code__startswith=campaign.region.prefix)


class PhaseForm(StyledForm):
    kind = forms.ChoiceField(label="阶段", choices=PhaseKind.choices)
    starts_on = forms.DateField(label="开始日期", widget=DateInput)
    ends_on = forms.DateField(label="结束日期", widget=DateInput)
    note = forms.CharField(label="工作要求", max_length=300, required=False)


class RequirementForm(StyledForm):
    form_code = forms.ChoiceField(label="报表", choices=FormCode.choices)
    schedule = forms.ChoiceField(label="报送规则", choices=Schedule.choices)
    due_on = forms.DateField(label="报送期限（限期一次）", required=False, widget=DateInput)
    day_of_month = forms.IntegerField(label="每季度末月截止日", required=False, min_value=1, max_value=28)
    days_after = forms.IntegerField(label="行动结束后天数", required=False, min_value=1, max_value=90)
    note = forms.CharField(label="说明", max_length=200, required=False)


class DutyForm(StyledForm):
    unit = forms.ModelChoiceField(label="成员单位", queryset=Unit.objects.none())
    phase = forms.ModelChoiceField(label="阶段", queryset=Phase.objects.none(), required=False)
    task = forms.CharField(label="任务", widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label="完成期限", widget=DateInput)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            region__code__startswith=campaign.region.prefix, is_active=True
        ).order_by("region_id", "name")
        self.fields["phase"].queryset = campaign.phases.all()


class DutyCompleteForm(StyledForm):
    completed_on = forms.DateField(label="完成日期", widget=DateInput)
    note = forms.CharField(label="完成情况", widget=forms.Textarea(attrs={"rows": 3}))


class SweepForm(StyledForm):
    village = forms.ModelChoiceField(label="村（社区）", queryset=Region.objects.none())
    swept_on = forms.DateField(label="排查日期", widget=DateInput)
    swept_by = forms.ModelMultipleChoiceField(
        label="排查人员", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    sites_found = forms.IntegerField(label="发现场所数", min_value=0, initial=0)
    note = forms.CharField(label="情况说明", max_length=300, required=False)

    def __init__(self, *args, villages, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda r: f"{r.parent.name if r.parent else ''} {r.name}"
        self.fields["swept_by"].queryset = (
            User.objects.visible_to(actor)
            .filter(is_active=True, role__in=[Role.INSPECTOR, Role.CHIEF, Role.CLERK])
            .order_by("username")
        )
        self.fields["swept_by"].label_from_instance = lambda u: u.full_name or u.username


def _regions_for(actor, campaign):
    prefix = actor.unit.region.prefix if actor.unit_id else "-"
    inner = prefix if prefix.startswith(campaign.region.prefix) else campaign.region.prefix
    return Region.objects.filter(code__startswith=inner, level__lte=Level.TOWNSHIP).order_by("code")


class OutreachForm(StyledForm):
    region = forms.ModelChoiceField(label="区划", queryset=Region.objects.none())
    held_on = forms.DateField(label="日期", widget=DateInput)
    title = forms.CharField(label="活动名称", max_length=200)
    people_reached = forms.IntegerField(label="宣教人数", min_value=0)

    def __init__(self, *args, actor, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions_for(actor, campaign)


class MediaForm(StyledForm):
    region = forms.ModelChoiceField(label="区划", queryset=Region.objects.none())
    published_on = forms.DateField(label="报道日期", widget=DateInput)
    outlet = forms.CharField(label="媒体", max_length=100)
    title = forms.CharField(label="标题", max_length=200)
    link = forms.URLField(
        label="链接", required=False, assume_scheme="https", error_messages={"invalid": "请输入正确的网址"}
    )
    count = forms.IntegerField(label="报道次数", min_value=1, initial=1)

    def __init__(self, *args, actor, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions_for(actor, campaign)
