"""The dashboard page (工作看板): the figures of dashboard.py with a table under every chart, and
links from the numbers to the lists that show the same records (where a list has the filters)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from qingyuan.campaigns.models import Campaign
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.regions.models import Level, Region

from . import dashboard as figures
from .params import error_text, region_in_jurisdiction, year_to_date


class DashboardForm(forms.Form):
    region = forms.CharField(label="区划", max_length=12, required=False)
    start = forms.DateField(label="统计期起", required=False)
    end = forms.DateField(label="统计期止", required=False)
    campaign = forms.ModelChoiceField(
        label="专项行动",
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="不限专项行动",
        error_messages={"invalid_choice": "所选专项行动不存在或不在您的辖区内"},
    )

    def __init__(self, data, *, user):
        self.user = user
        super().__init__(data)
        self.fields["campaign"].queryset = (
            Campaign.objects.visible_to(user).select_related("region").order_by("-starts_on", "pk")
        )

    def clean_region(self):
        own = self.user.unit.region
        code = (self.cleaned_data.get("region") or "").strip()
        if not code or code == own.code:
            return own
        return region_in_jurisdiction(code, self.user)

    def clean(self):
        data = super().clean()
        default_start, default_end = year_to_date()
        if "start" in data and data["start"] is None:
            data["start"] = default_start
        if "end" in data and data["end"] is None:
            data["end"] = default_end
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "统计期止不能早于统计期起")
        return data

    def error_text(self) -> str:
        return error_text(self)


def region_options(user, chosen: Region) -> list[tuple[str, str]]:
    """The user's region and the levels below it worth a page of their own (counties for a city,
    townships for a county), plus the region being shown if it was reached by a link deeper down."""
    own = user.unit.region
    deepest = max(Level.COUNTY, min(own.level + 1, Level.TOWNSHIP))
    regions = Region.objects.filter(code__startswith=own.prefix, level__gte=own.level, level__lte=deepest)
    options = [(r.code, r.full_name) for r in regions.order_by("code")[:500]]
    if chosen.code not in {code for code, _ in options}:
        options.append((chosen.code, chosen.full_name))
    return options


class Links:
    """URLs of the lists behind the numbers, with the filters each list really has; None where the
    user may not open the list or no list can show exactly the records counted."""

    def __init__(self, user, scope: figures.DashboardScope):
        self.user, self.scope = user, scope
        self.region = {} if scope.own else {"region": scope.prefix}
        self.campaign = {"campaign": scope.campaign.pk} if scope.campaign else {}

    @staticmethod
    def _url(name, params):
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return f"{reverse(name)}?{query}" if query else reverse(name)

    def leads(self, *, start=None, end=None, region=None, period=True, **extra):
        if not self.user.can("leads.view"):
            return None
        params = {**(region if region is not None else self.region), **extra}
        if period:  # the current overdue items are counted for every period and campaign
            params.update(
                received_from=start or self.scope.start, received_to=end or self.scope.end, **self.campaign
            )
        return self._url("leads:list", params)

    def cases(self, *, start=None, end=None, region=None, period=True, **extra):
        if not self.user.can("cases.view"):
            return None
        params = {**(region if region is not None else self.region), **extra}
        if period:  # 立案日期 within the period, as period_cases counts them
            params.update(
                opened_from=start or self.scope.start, opened_to=end or self.scope.end, **self.campaign
            )
        return self._url("cases:list", params)

    def inspections(self, *, start=None, end=None, region=None):
        if not self.user.can("inspections.view"):
            return None
        params = {
            **(region if region is not None else self.region),
            **self.campaign,
            "started_from": start or self.scope.start,
            "started_to": end or self.scope.end,
        }
        return self._url("inspections:list", params)

    def rechecks_overdue(self):
        if not self.user.can("cases.view"):
            return None
        return self._url("cases:rechecks", {**self.region, "state": "overdue"})

    def to_review(self):
        """The submission list's 待我审核: the forms the user's own unit reviews. Below the user's own
        region the forms counted are reviewed by another unit, which that filter does not show."""
        if not self.scope.own or not self.user.can("reports.review"):
            return None
        return self._url("reports:submission_list", {"to_review": "on"})

    def dashboard(self, region: Region):
        params = {"region": region.code, "start": self.scope.start, "end": self.scope.end, **self.campaign}
        return self._url("reports:dashboard", params)

    def for_campaign(self, campaign: Campaign | None):
        """This dashboard narrowed to one campaign (the picker's choice), or widened to all."""
        params = {
            **self.region,
            "start": self.scope.start,
            "end": self.scope.end,
            "campaign": campaign.pk if campaign else None,
        }
        return self._url("reports:dashboard", params)


def _month_rows(data, links):
    rows = []
    for m in data.months:
        start, end = max(m.first_day, data.scope.start), min(m.last_day, data.scope.end)
        rows.append(
            {
                "label": m.month.strftime("%Y-%m"),
                "leads": (m.leads, m.leads and links.leads(start=start, end=end)),
                "cases": (m.cases, m.cases and links.cases(start=start, end=end)),
                "inspections": (m.inspections, m.inspections and links.inspections(start=start, end=end)),
            }
        )
    return rows


def _region_rows(data, links):
    rows = []
    for r in data.regions:
        region = {"region": r.key} if r.region else None
        rows.append(
            {
                "row": r,
                "url": r.region and links.dashboard(r.region),
                "leads": (r.leads, region and r.leads and links.leads(region=region)),
                "cases": (r.cases, region and r.cases and links.cases(region=region)),
                "inspections": (r.inspections, region and r.inspections and links.inspections(region=region)),
            }
        )
    return rows


def chart_data(data, links, months, regions, institutions) -> dict:
    """What dashboard.js draws (read from a json_script block: no inline script)."""
    children = [r for r in regions if r["row"].region is not None]
    return {
        "monthly": {
            "labels": [m["label"] for m in months],
            "series": [
                {"name": name, "data": [m[key][0] for m in months], "urls": [m[key][1] or "" for m in months]}
                for key, name in (("leads", "线索"), ("cases", "案件"), ("inspections", "检查"))
            ],
        },
        "categories": {
            "labels": [label for _, label, _ in data.categories],
            "data": [n for _, _, n in data.categories],
            "urls": [(n and links.leads(category=code)) or "" for code, _, n in data.categories],
        },
        "institutions": {
            "labels": [label for label, _, _ in institutions],
            "data": [n for _, n, _ in institutions],
            "urls": [url or "" for _, _, url in institutions],
        },
        "regions": {
            "labels": [r["row"].name for r in children],
            "series": [
                {
                    "name": name,
                    "data": [r[key][0] for r in children],
                    "urls": [r[key][1] or "" for r in children],
                }
                for key, name in (("cases", "案件"), ("leads", "线索"), ("inspections", "检查"))
            ],
        },
    }


@require_perm("reports.view")
def dashboard(request):
    if jurisdiction_prefix(request.user) is None:
        raise Http404
    form = DashboardForm(request.GET, user=request.user)
    context = {
        "title": "工作看板",
        "form": form,
        "rules": figures.RULE_TEXT,
        "campaigns": form.fields["campaign"].queryset[:200],
    }
    if not form.is_valid():
        context["regions"] = region_options(request.user, request.user.unit.region)
        context["error"] = form.error_text()
        return render(request, "reports/dashboard.html", context, status=400)
    d = form.cleaned_data
    data = figures.dashboard_figures(
        user=request.user,
        region=d["region"],
        start=d["start"],
        end=d["end"],
        campaign=d["campaign"],
        today=timezone.localdate(),
    )
    links = Links(request.user, data.scope)
    months = _month_rows(data, links)
    regions = _region_rows(data, links)
    institutions = [
        (label, n, n and links.cases(institution_type=code)) for code, label, n in data.institution_types
    ]
    context.update(
        data=data,
        regions=region_options(request.user, d["region"]),
        chosen=d,
        months=months,
        region_rows=regions,
        categories=[(label, n, n and links.leads(category=code)) for code, label, n in data.categories],
        institutions=institutions,
        links={
            "leads": links.leads(),
            "cases": links.cases(),
            "inspections": links.inspections(),
            "overdue_cases": links.cases(period=False, overdue="true"),
            "overdue_leads": links.leads(period=False, overdue="true"),
            "overdue_rechecks": links.rechecks_overdue(),
            "real_name": links.leads(is_anonymous="false"),
            "to_review": links.to_review(),
            "campaign": data.campaign and reverse("campaigns:detail", args=[data.campaign.campaign.pk]),
            "up": None if data.scope.own else links.dashboard(request.user.unit.region),
            "all_campaigns": data.scope.campaign and links.for_campaign(None),
        },
        campaign_sections=[
            (
                c,
                reverse("campaigns:detail", args=[c.campaign.pk]),
                None if c.chosen else links.for_campaign(c.campaign),
            )
            for c in data.campaigns
        ],
        charts=chart_data(data, links, months, regions, institutions),
    )
    return render(request, "reports/dashboard.html", context)
