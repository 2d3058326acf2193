"""Reading supervision for the other pages: who is told, the home work list, the dashboard panel and
the case page's badge. Every read goes through the records' jurisdiction scoping."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, F, Q, Value
from django.urls import reverse
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import PERMISSIONS
from qingyuan.regions.models import Level

from .models import (
    OPEN_STATES,
    RectificationItem,
    RectificationStatus,
    SupervisedItem,
    SupervisionStatus,
)
from .workflow import supervisor_problem

# The dashboard lists this many of the nearest deadlines.
NEAREST = 5


def unit_people(unit, perm: str) -> list:
    """The active users of `unit` whose role holds `perm` (the unit's chiefs and leaders)."""
    roles = [role for role, perms in PERMISSIONS.items() if perm in perms]
    return list(User.objects.filter(unit=unit, is_active=True, role__in=roles))


def _short(text: str, n: int = 30) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass(frozen=True)
class WorkRow:
    kind: str
    text: str
    url: str
    due: dt.date | None
    label: str
    note: str = ""
    # The lower unit met its deadline by reporting: the deadline is shown, without a red badge.
    met: bool = False


def work_items(user, today: dt.date) -> list[WorkRow]:
    """The home page's 挂牌督办 and 督导整改 items: the lower unit's reports due, the upper level's
    results and rectifications to accept. One query for both (a UNION), so the home page's cost
    stays bounded whatever the number of sources."""
    if not user.unit_id or not user.can("oversight.view"):
        return []
    unit_id, region_id = user.unit_id, user.unit.region_id
    report, manage = user.can("oversight.report"), user.can("oversight.manage")
    wanted = Q(pk__in=[])
    if report:
        wanted |= Q(status=SupervisionStatus.ACTIVE) & (
            Q(supervised_unit_id=unit_id) | Q(region_id=region_id)
        )
    if manage:
        wanted |= Q(status=SupervisionStatus.REPORTED) & (Q(supervising_unit_id=unit_id) | Q(leader=user))
    items = (
        SupervisedItem.objects.visible_to(user)
        .filter(wanted)
        .annotate(
            src=Value("item", output_field=CharField()),
            txt=F("title"),
            due=F("deadline"),
            other=F("supervised_unit__name"),
        )
        .order_by()  # the models' default ordering is not allowed inside a UNION
        .values_list("src", "pk", "status", "txt", "due", "other", "pk")
    )
    wanted = Q(pk__in=[])
    if report:
        wanted |= Q(status=RectificationStatus.OPEN, responsible_unit_id=unit_id)
    if manage:
        wanted |= Q(status=RectificationStatus.RECTIFIED) & (
            Q(finding__visit__unit_id=unit_id) | Q(finding__visit__leader=user)
        )
    fixes = (
        RectificationItem.objects.visible_to(user)
        .filter(wanted)
        .annotate(
            src=Value("fix", output_field=CharField()),
            txt=F("text"),
            due=F("due_on"),
            other=F("finding__visit__region__name"),
        )
        .order_by()
        .values_list("src", "pk", "status", "txt", "due", "other", "finding__visit_id")
    )
    rows: list[WorkRow] = []
    for src, pk, status, text, due, other, visit_id in items.union(fixes, all=True).order_by("due")[:120]:
        if src == "item":
            url = reverse("oversight:detail", args=[pk])
            if status == SupervisionStatus.ACTIVE:
                rows.append(
                    WorkRow("挂牌督办", f"挂牌督办 待报送办理结果：{_short(text)}", url, due, "办结期限")
                )
            else:
                text = f"挂牌督办 待验收：{_short(text)}（{other}已报结果）"
                rows.append(WorkRow("挂牌督办", text, url, due, "办结期限", met=True))
        else:
            url = reverse("oversight:visit_detail", args=[visit_id]) + f"#item-{pk}"
            if status == RectificationStatus.OPEN:
                rows.append(WorkRow("督导整改", f"督导整改：{_short(text)}", url, due, "整改期限"))
            else:
                text = f"督导整改待验收：{_short(text)}（{other}）"
                rows.append(WorkRow("督导整改", text, url, due, "整改期限", met=True))
    return rows


@dataclass(frozen=True)
class Summary:
    open_count: int
    overdue_count: int
    to_accept: int
    nearest: list
    rectifications_open: int
    rectifications_overdue: int


def dashboard_summary(user, region, today: dt.date | None = None) -> Summary | None:
    """The dashboard's supervision panel for `region` (inside the user's jurisdiction)."""
    if not user.can("oversight.view"):
        return None
    today = today or timezone.localdate()
    items = SupervisedItem.objects.visible_to(user).filter(region__code__startswith=region.prefix)
    running = items.filter(status__in=OPEN_STATES)
    fixes = RectificationItem.objects.visible_to(user).filter(
        finding__visit__region__code__startswith=region.prefix
    )
    open_fixes = fixes.filter(status=RectificationStatus.OPEN)
    return Summary(
        open_count=running.count(),
        overdue_count=items.overdue(today).count(),
        to_accept=running.filter(status=SupervisionStatus.REPORTED).count(),
        nearest=list(running.select_related("supervised_unit").order_by("deadline", "pk")[:NEAREST]),
        rectifications_open=open_fixes.count(),
        rectifications_overdue=open_fixes.filter(due_on__lt=today).count(),
    )


def case_supervision(case, user) -> dict:
    """The case page's 挂牌督办 badge (a running supervision, with its deadline) and button."""
    if not user.can("oversight.view"):
        return {}
    running = (
        SupervisedItem.objects.visible_to(user)
        .filter(case=case, status__in=OPEN_STATES)
        .order_by("deadline")
        .first()
    )
    can_supervise = (
        running is None
        and user.can("oversight.manage")
        and supervisor_problem(user, case.unit.region) is None
    )
    return {
        "supervision": running,
        "supervise_url": reverse("oversight:create") + f"?case={case.pk}" if can_supervise else "",
    }


def region_supervision(region, user) -> dict:
    """The region page's running 挂牌督办 count and, for a level above it, the buttons to supervise."""
    if not user.can("oversight.view"):
        return {"show": False}
    running = (
        SupervisedItem.objects.visible_to(user)
        .filter(region__code__startswith=region.prefix, status__in=OPEN_STATES)
        .count()
    )
    can = (
        user.can("oversight.manage")
        and region.level <= Level.COUNTY
        and supervisor_problem(user, region) is None
    )
    return {"show": bool(running or can), "running": running, "can_supervise": can}
