from django import forms

from qingyuan.core.forms import DateInput, StyledForm
from qingyuan.regions.models import Level, Region, Unit, UnitKind

# The units that can answer for a region's work against illegal practice.
HEALTH_UNITS = [UnitKind.HEALTH_COMMISSION, UnitKind.SUPERVISION_INSTITUTE]


def lower_units(user):
    """Health units strictly below the user's region, at city or county level."""
    own = user.unit.region
    return (
        Unit.objects.filter(
            is_active=True,
            kind__in=HEALTH_UNITS,
            region__code__startswith=own.prefix,
            region__level__gt=own.level,
            region__level__lte=Level.COUNTY,
        )
        .select_related("region")
        .order_by("region_id", "name")
    )


def lower_regions(user):
    own = user.unit.region
    return Region.objects.filter(
        code__startswith=own.prefix, level__gt=own.level, level__lte=Level.COUNTY, is_active=True
    ).order_by("code")


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.region.name}）"


class CaseSupervisionForm(StyledForm):
    requirements = forms.CharField(label="督办要求", widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label="办结期限", widget=DateInput)


class RegionSupervisionForm(StyledForm):
    unit = UnitChoice(label="被督办单位", queryset=Unit.objects.none())
    title = forms.CharField(label="督办事项", max_length=200, help_text="如：××区打击非法行医工作进展滞后")
    requirements = forms.CharField(label="督办要求", widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label="办结期限", widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = lower_units(user)


class ReportForm(StyledForm):
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(StyledForm):
    note = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReasonForm(StyledForm):
    note = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(StyledForm):
    region = forms.ModelChoiceField(label="被督导地区", queryset=Region.objects.none())
    visited_on = forms.DateField(label="督导日期", widget=DateInput)
    summary = forms.CharField(label="督导情况", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = lower_regions(user)


class FindingForm(StyledForm):
    text = forms.CharField(label="发现的问题", widget=forms.Textarea(attrs={"rows": 2}))


class RectificationForm(StyledForm):
    finding = forms.ModelChoiceField(label="所属问题", queryset=None)
    text = forms.CharField(label="整改事项", widget=forms.Textarea(attrs={"rows": 2}))
    unit = UnitChoice(label="责任单位", queryset=Unit.objects.none())
    due_on = forms.DateField(label="整改期限", widget=DateInput)

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = visit.findings.all()
        self.fields["unit"].queryset = (
            Unit.objects.filter(is_active=True, region__code__startswith=visit.region.prefix)
            .select_related("region")
            .order_by("region_id", "name")
        )
