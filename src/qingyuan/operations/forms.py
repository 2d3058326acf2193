from django import forms

from qingyuan.core.forms import DateInput, StyledForm
from qingyuan.regions.models import Level, Region, Unit, UnitKind

from .models import Population


def _campaign_field():
    return forms.ModelChoiceField(
        label="所属专项行动", queryset=None, required=False, empty_label="（不属于专项行动）"
    )


class OperationForm(StyledForm):
    name = forms.CharField(label="行动名称", max_length=200)
    campaign = _campaign_field()
    nomination_deadline = forms.DateField(label="提名截止日期", widget=DateInput)
    nominations_per_county = forms.IntegerField(label="每区县提名人数", min_value=1, max_value=20, initial=2)
    first_starts_on = forms.DateField(label="第一次行动开始日期", widget=DateInput)
    first_ends_on = forms.DateField(label="第一次行动结束日期", widget=DateInput)
    first_extended_reason = forms.CharField(
        label="第一次行动延长原因",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每次行动为期一周；超过规定天数时必填",
    )
    second_starts_on = forms.DateField(label="第二次行动开始日期", widget=DateInput, required=False)
    second_ends_on = forms.DateField(label="第二次行动结束日期", widget=DateInput, required=False)
    second_extended_reason = forms.CharField(
        label="第二次行动延长原因",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每次行动为期一周；超过规定天数时必填",
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean(self):
        data = super().clean()
        periods = []
        for prefix, label in (("first", "第一次"), ("second", "第二次")):
            start, end = data.get(f"{prefix}_starts_on"), data.get(f"{prefix}_ends_on")
            if start is None and end is None:
                continue
            if start is None or end is None:
                self.add_error(f"{prefix}_ends_on", f"{label}行动须同时填写开始和结束日期")
            elif end < start:
                self.add_error(f"{prefix}_ends_on", f"{label}行动结束日期不能早于开始日期")
            else:
                periods.append((start, end, data.get(f"{prefix}_extended_reason", "")))
        data["periods"] = periods
        return data


class ReopenForm(StyledForm):
    deadline = forms.DateField(label="新的提名截止日期", widget=DateInput)


class EvaluationForm(StyledForm):
    text = forms.CharField(label="评价意见", widget=forms.Textarea(attrs={"rows": 3}))


class GroupForm(StyledForm):
    name = forms.CharField(label="组名", max_length=50)
    counties = forms.ModelMultipleChoiceField(
        label="区县", queryset=Region.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counties"].queryset = counties if counties is not None else Region.objects.none()


class NominationForm(StyledForm):
    users = forms.ModelMultipleChoiceField(
        label="参加行动的监督员", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = eligible
        self.fields["users"].label_from_instance = lambda u: f"{u.full_name}（执法证号 {u.credential_no}）"


class ResultForm(StyledForm):
    notes = forms.CharField(
        label="查处情况说明",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="数字由检查、案件、复查记录自动统计，此处只写情况说明",
    )


class TeamForm(StyledForm):
    members = forms.ModelMultipleChoiceField(
        label="队员（本组区县提名的监督员）",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leader = forms.ModelChoiceField(label="带队人", queryset=None, required=False, empty_label="（请选择）")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("members", "leader"):
            self.fields[name].queryset = candidates
            self.fields[name].label_from_instance = lambda u: f"{u.full_name}（{u.unit.name}）"


class ConfirmForm(StyledForm):
    grouping_reason = forms.CharField(
        label="分组不符合要求的原因",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每个区县编入且只编入一个分组、每组4-6个区县；不符合时必填",
    )


class AdjacencyForm(StyledForm):
    a = forms.ModelChoiceField(label="区县甲", queryset=Region.objects.none())
    b = forms.ModelChoiceField(label="区县乙", queryset=Region.objects.none())

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["a"].queryset = counties
        self.fields["b"].queryset = counties


class DisputeForm(StyledForm):
    subject = forms.ModelChoiceField(label="监管对象（区县交界地区）", queryset=None)
    counties = forms.ModelMultipleChoiceField(
        label="涉及区县", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label="争议情况", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, subjects, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects
        self.fields["counties"].queryset = counties


class ResolveForm(StyledForm):
    designated = forms.TypedChoiceField(
        label="处理方式",
        choices=[("0", "明确管辖（能划清管辖权）"), ("1", "指定管辖（管辖权不明确）")],
        coerce=lambda v: v == "1",
    )
    unit = forms.ModelChoiceField(label="管辖单位", queryset=None)
    decision = forms.CharField(label="决定内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, city_prefix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            region__code__startswith=city_prefix,
            region__level=Level.COUNTY,
            kind=UnitKind.SUPERVISION_INSTITUTE,
        ).select_related("region")


class SpotCheckForm(StyledForm):
    name = forms.CharField(label="抽查名称", max_length=200)
    region = forms.ModelChoiceField(label="被抽查区划", queryset=None)
    population = forms.ChoiceField(label="抽查范围", choices=Population.choices)
    ratio = forms.DecimalField(
        label="抽查比例", max_digits=3, decimal_places=2, initial="0.30", help_text="不低于0.30（30%）"
    )
    inspectors_count = forms.IntegerField(label="抽取督查人员数", min_value=2, initial=2)
    campaign = _campaign_field()
    seed = forms.IntegerField(
        label="随机种子", required=False, min_value=0, max_value=2**62, help_text="留空则自动生成并记录"
    )

    def __init__(self, *args, regions, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["campaign"].queryset = campaigns


class SpotResultForm(StyledForm):
    result = forms.CharField(label="检查结果", widget=forms.Textarea(attrs={"rows": 2}))
    compliant = forms.TypedChoiceField(
        label="结论", choices=[("1", "合格"), ("0", "不合格")], coerce=lambda v: v == "1"
    )
