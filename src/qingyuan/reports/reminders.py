"""Reminders about the official forms, sent by the daily jobs of reports.tasks.

- A form a campaign requires (campaigns.FormRequirement) is owed by the regions one level below the
  campaign's (a city campaign: its counties; a province campaign: its cities) or, for a county's own
  plan, by the county itself; after a joint operation, by the counties of the operation's groups.
  Each owing region's units are reminded QINGYUAN_FORM_REMIND_WORKING_DAYS working days before the
  deadline (core.workdays) and again once it has passed, each once, unless a live (submitted or
  accepted) submission covers that deadline.
- A submission still waiting for review that many working days after it came in is brought to its
  reviewers (the unit one level up) once.

Forms drafted as Word documents (S003-WS) are sent as official papers, not through the platform, and
are not chased. A deadline that passed more than LATE_WINDOW_DAYS ago is not announced any more: the
roll-up page shows it as 逾期, and a first run on old data does not flood anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.campaigns.models import Campaign, FormRequirement, Schedule, due_after_operation, due_dates
from qingyuan.core import workdays
from qingyuan.core.schedule import notify_once
from qingyuan.operations.models import JointOperation
from qingyuan.regions.models import Level, Region

from .forms import get_form
from .models import Submission, SubmissionStatus
from .submissions import reviewers_of

LATE_WINDOW_DAYS = 30


def remind_working_days() -> int:
    return settings.QINGYUAN_FORM_REMIND_WORKING_DAYS


@dataclass(frozen=True)
class Owed:
    """A form that `region` must have submitted by `due_on`, for a period from `since`."""

    code: str
    region: Region
    due_on: dt.date
    since: dt.date
    campaign: Campaign
    operation: JointOperation | None = None

    @property
    def key(self) -> tuple:
        return (self.code, self.region.code, self.due_on, self.operation.pk if self.operation else 0)

    def submitted(self) -> bool:
        """A live submission covers this deadline: for the operation, or with this deadline, or for a
        period ending within it (form_due_on gives a period the first deadline on or after its end)."""
        live = Submission.objects.filter(form_code=self.code, region=self.region).exclude(
            status=SubmissionStatus.RETURNED
        )
        if self.operation is not None:
            return live.filter(operation=self.operation).exists()
        return live.filter(
            Q(due_on=self.due_on) | Q(period_end__gte=self.since, period_end__lte=self.due_on)
        ).exists()

    def url(self) -> str:
        query = {"region": self.region.code, "start": self.since.isoformat(), "end": self.due_on.isoformat()}
        if self.operation is not None:
            first = min((p.starts_on for p in self.operation.periods.all()), default=self.since)
            query.update(
                operation=self.operation.pk, start=first.isoformat(), end=self.operation.last_day.isoformat()
            )
        else:
            query["campaign"] = self.campaign.pk
        return f"{reverse('reports:form', args=[self.code])}?{urlencode(query)}"


def owing_regions(region: Region) -> list[Region]:
    """Who sends up the forms a campaign of `region` requires."""
    if region.level < Level.COUNTY:
        return list(
            Region.objects.filter(parent=region, level=region.level + 1, is_active=True).order_by("code")
        )
    if region.level == Level.COUNTY and region.parent_id:
        return [region]
    return []


def _operation_regions(operation: JointOperation) -> list[Region]:
    counties = Region.objects.filter(pk__in=operation.groups.values("counties")).order_by("code")
    return list(counties) or owing_regions(operation.region)


def owed_forms(today: dt.date, horizon: dt.date) -> list[Owed]:
    """Every form owed with a deadline from LATE_WINDOW_DAYS ago up to `horizon`, once per region,
    form and deadline (a county plan repeats its city's requirements)."""
    earliest = today - dt.timedelta(days=LATE_WINDOW_DAYS)
    found: dict[tuple, Owed] = {}
    requirements = FormRequirement.objects.select_related("campaign__region").filter(
        campaign__ends_on__gte=earliest - dt.timedelta(days=366), campaign__starts_on__lte=horizon
    )
    for requirement in requirements:
        if get_form(requirement.form_code).mode == "document":
            continue
        campaign = requirement.campaign
        if requirement.schedule == Schedule.AFTER_OPERATION:
            operations = JointOperation.objects.filter(campaign=campaign).select_related("region")
            for operation in operations.prefetch_related("periods"):
                last = operation.last_day
                if last is None:
                    continue
                due = due_after_operation(requirement, last)
                if earliest <= due <= horizon:
                    for region in _operation_regions(operation):
                        owed = Owed(requirement.form_code, region, due, last, campaign, operation)
                        found.setdefault(owed.key, owed)
            continue
        previous = campaign.starts_on - dt.timedelta(days=1)
        for due in due_dates(requirement, until=horizon):
            if due >= earliest:
                for region in owing_regions(campaign.region):
                    owed = Owed(requirement.form_code, region, due, previous + dt.timedelta(days=1), campaign)
                    found.setdefault(owed.key, owed)
            previous = due
    return sorted(found.values(), key=lambda o: o.key)


def submitters_of(region: Region) -> list:
    """The users of the region's units who may submit its forms."""
    users = User.objects.filter(is_active=True, unit__region=region).select_related("unit")
    return [u for u in users if u.can("reports.submit")]


def _form_name(code: str) -> str:
    return f"{code} {get_form(code).title}"


def forms_due_remind(*, today: dt.date | None = None) -> int:
    """Remind the units that owe a form, N working days before its deadline and once it has passed;
    each reminder once. Returns the number of users told (0 on a second run the same day)."""
    today = today or timezone.localdate()
    days = remind_working_days()
    sent = 0
    for owed in owed_forms(today, workdays.add_working_days(today, days)):
        if owed.submitted():
            continue
        deadline = f"{owed.due_on:%Y年%m月%d日}"
        if owed.due_on >= today:
            left = workdays.working_days_between(today, owed.due_on)
            state = "soon"
            when = "今日到期" if owed.due_on == today else f"还剩{left}个工作日"
            text = f"请上报{_form_name(owed.code)}（{owed.region.full_name}），报送期限{deadline}，{when}"
        else:
            state = "late"
            text = f"{_form_name(owed.code)}（{owed.region.full_name}）报送期限{deadline}已过，尚未上报，请尽快上报"
        if owed.operation is not None:
            text += f"（联动执法行动：{owed.operation.name}）"
        key = f"reports.form_due:{':'.join(str(k) for k in owed.key)}:{state}"
        sent += notify_once(key, submitters_of(owed.region), text, owed.url())
    return sent


def reviews_waiting_remind(*, today: dt.date | None = None) -> int:
    """Bring each submission that has waited N working days or more for review to its reviewers, once.
    Returns the number of users told."""
    today = today or timezone.localdate()
    days = remind_working_days()
    sent = 0
    waiting = Submission.objects.filter(status=SubmissionStatus.SUBMITTED).select_related("region")
    for submission in waiting.order_by("submitted_at", "pk"):
        received = timezone.localdate(submission.submitted_at)
        if workdays.working_days_between(received, today) < days:
            continue
        text = (
            f"{submission.region.full_name}于{received:%Y年%m月%d日}上报的{_form_name(submission.form_code)}"
            f"（第{submission.version}版）已等待审核{workdays.working_days_between(received, today)}个工作日，请审核"
        )
        key = f"reports.review_waiting:{submission.pk}"
        sent += notify_once(key, reviewers_of(submission), text, submission.get_absolute_url())
    return sent
