"""Input of the submission pages: the note with a submission, the reason of a return, the roll-up's
form and scope, and the submission list's filters."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from qingyuan.campaigns.models import Campaign
from qingyuan.core.forms import StyledFilterSet, StyledForm
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.regions.models import Level, Region

from .forms import all_forms
from .models import Submission, SubmissionStatus
from .params import ScopeForm


class SubmitForm(StyledForm):
    note = forms.CharField(
        label="填报说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="校验有提示时必须说明原因，如“同一场所本期两次被取缔”",
    )


class ReturnForm(StyledForm):
    reason = forms.CharField(
        label="退回理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写退回理由"},
    )


def summable_choices() -> list[tuple[str, str]]:
    return [(d.code, f"{d.code} {d.title}") for d in all_forms() if d.summable and d.mode != "document"]


class RollupForm(ScopeForm):
    """Which form to roll up, for which upper region (a city or a province) and period."""

    form = forms.ChoiceField(label="报表")

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["form"].choices = summable_choices()
        self.order_fields(["form", "region", "start", "end", "campaign", "operation"])

    def clean_region(self):
        region = super().clean_region()
        if region.level not in (Level.PROVINCE, Level.CITY):
            raise forms.ValidationError("只有市、省可以汇总下级报表，请选择市或省")
        return region


def _regions(request):
    prefix = jurisdiction_prefix(request.user) if request else None
    if prefix is None:
        return Region.objects.none()
    return Region.objects.filter(code__startswith=prefix, level__lte=Level.COUNTY).order_by("code")


def _campaigns(request):
    if request is None:
        return Campaign.objects.none()
    return Campaign.objects.visible_to(request.user)


class SubmissionFilter(StyledFilterSet):
    form_code = django_filters.ChoiceFilter(
        label="报表", choices=lambda: [(d.code, d.code) for d in all_forms()]
    )
    status = django_filters.ChoiceFilter(label="状态", choices=SubmissionStatus.choices)
    region = django_filters.ModelChoiceFilter(label="区划（含下级）", queryset=_regions, method="in_region")
    campaign = django_filters.ModelChoiceFilter(label="专项行动", queryset=_campaigns)
    period_from = django_filters.DateFilter(
        label="统计期止不早于",
        field_name="period_end",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_to = django_filters.DateFilter(
        label="统计期止不晚于",
        field_name="period_end",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    to_review = django_filters.BooleanFilter(label="待我审核", method="awaiting", widget=forms.CheckboxInput)

    class Meta:
        model = Submission
        fields = []

    def in_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.prefix) if value else queryset

    def awaiting(self, queryset, name, value):
        """Submitted by the regions one level below the viewer's unit, not yet reviewed."""
        if not value:
            return queryset
        unit = getattr(self.request.user, "unit", None)
        if unit is None or not self.request.user.can("reports.review"):
            return queryset.none()
        return queryset.filter(Q(region__parent_id=unit.region_id), status=SubmissionStatus.SUBMITTED)
