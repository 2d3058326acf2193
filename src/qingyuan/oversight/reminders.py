"""The daily reminder of supervision past its deadline (oversight.tasks): a 挂牌督办 item with no
result by its deadline, a 督导 rectification item still open after its due date. Each deadline is
announced once (core.schedule.notify_once, keyed by the record and the deadline), so a new deadline is
announced again and a second run the same day tells nobody."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qingyuan.core.schedule import notify_once

from .models import RectificationItem, RectificationStatus, SupervisedItem
from .selectors import unit_people


def overdue_notify(today: dt.date | None = None) -> int:
    """Returns how many overdue records were announced this run."""
    today = today or timezone.localdate()
    announced = 0
    items = SupervisedItem.objects.overdue(today).select_related("supervised_unit", "leader")
    for item in items:
        told = notify_once(
            f"oversight.item.{item.pk}.{item.deadline:%Y%m%d}",
            [*unit_people(item.supervised_unit, "oversight.report"), item.leader],
            f"挂牌督办已逾期：{item.title}（办结期限{item.deadline:%Y-%m-%d}），尚未报送办理结果",
            item.get_absolute_url(),
        )
        announced += bool(told)
    fixes = RectificationItem.objects.filter(
        status=RectificationStatus.OPEN, due_on__lt=today
    ).select_related("responsible_unit", "finding__visit__leader")
    for fix in fixes:
        told = notify_once(
            f"oversight.rectification.{fix.pk}.{fix.due_on:%Y%m%d}",
            [*unit_people(fix.responsible_unit, "oversight.report"), fix.finding.visit.leader],
            f"督导整改事项已逾期：{fix.text[:40]}（整改期限{fix.due_on:%Y-%m-%d}）",
            fix.get_absolute_url(),
        )
        announced += bool(told)
    return announced
