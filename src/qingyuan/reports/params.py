"""Which region, period, operation or campaign a form is asked for: checked once for the web pages,
the command line and submissions, with messages naming the field."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from qingyuan.campaigns.models import Campaign
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.operations.models import JointOperation
from qingyuan.regions.models import Region

from .forms.base import Scope

# The query parameters that name a form's scope, carried from page to page (drill-down, export, panel).
SCOPE_KEYS = ("region", "start", "end", "operation", "campaign")


def scope_query(data, keys=SCOPE_KEYS, **extra) -> str:
    """The non-empty scope parameters of `data` (request.GET) as a query string, plus `extra`."""
    keep = {k: data[k] for k in keys if data.get(k)}
    keep.update(extra)
    return urlencode(keep)


def region_in_jurisdiction(code: str, user) -> Region:
    """The region `code` if `user` may ask for it (no user: the command line, every region)."""
    region = Region.objects.filter(code=code).first()
    prefix = "" if user is None else jurisdiction_prefix(user)
    if region is None or prefix is None or not region.code.startswith(prefix):
        raise forms.ValidationError(f"区划代码“{code}”不存在或不在您的辖区内")
    return region


def error_text(form) -> str:
    """A form's errors on one line, each after its field's label."""
    return "；".join(
        f"{form.fields[f].label if f in form.fields else ''}：{'，'.join(e)}".lstrip("：")
        for f, e in form.errors.items()
    )


def year_to_date(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return dt.date(today.year, 1, 1), today


class ScopeForm(forms.Form):
    region = forms.CharField(label="区划代码", max_length=12)
    start = forms.DateField(label="统计期起")
    end = forms.DateField(label="统计期止")
    operation = forms.IntegerField(label="联动执法行动", required=False)
    campaign = forms.IntegerField(label="专项行动", required=False)

    def __init__(self, data=None, *, user=None, **kwargs):
        self.user = user
        super().__init__(data, **kwargs)

    def clean_region(self):
        region = region_in_jurisdiction(self.cleaned_data["region"].strip(), self.user)
        if region.level > 3:
            raise forms.ValidationError("报表按省、市、县（区）统计，请选择县（区）或以上区划")
        return region

    def clean_operation(self):
        pk = self.cleaned_data.get("operation")
        if pk is None:
            return None
        operation = JointOperation.objects.filter(pk=pk).first()
        if operation is None or (
            self.user is not None and not JointOperation.objects.visible_to(self.user).filter(pk=pk).exists()
        ):
            raise forms.ValidationError(f"联动执法行动（编号{pk}）不存在或不在您的辖区内")
        return operation

    def clean_campaign(self):
        pk = self.cleaned_data.get("campaign")
        if pk is None:
            return None
        campaigns = Campaign.objects.all() if self.user is None else Campaign.objects.visible_to(self.user)
        campaign = campaigns.filter(pk=pk).first()
        if campaign is None:
            raise forms.ValidationError(f"专项行动（编号{pk}）不存在或不在您的辖区内")
        return campaign

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "统计期止不能早于统计期起")
        return data

    def scope(self) -> Scope:
        d = self.cleaned_data
        return Scope(
            d["region"], d["start"], d["end"], operation=d.get("operation"), campaign=d.get("campaign")
        )

    def error_text(self) -> str:
        return error_text(self)


def initial_for(user) -> dict:
    start, end = year_to_date()
    region = user.unit.region.code if getattr(user, "unit", None) else ""
    return {"region": region, "start": start, "end": end}
