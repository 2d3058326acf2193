"""Reads of publication beyond a filter: the home page's work items (core.worklist) and the clocks of an
entry (the publication deadline, and after a revocation the withdrawal deadline)."""

import datetime as dt
from dataclasses import dataclass

from .models import EntryStatus, PublicationEntry
from .services import withdraw_due

LIMIT = 30


@dataclass(frozen=True)
class WorkRow:
    kind: str
    text: str
    url: str
    due: dt.date | None
    label: str


def revoked_withdraw_due(entry) -> dt.date | None:
    """A revoked decision's entry is withdrawn within three working days of the revocation (第48条第2款);
    the case's 撤销 step records that day as its closing date."""
    from qingyuan.cases.models import CaseStatus

    case = entry.decision.case
    if case.status != CaseStatus.REVOKED or entry.status == EntryStatus.WITHDRAWN or case.closed_on is None:
        return None
    return withdraw_due(case.closed_on)


def work_items(user, today) -> list[WorkRow]:
    """For those who publish (cases.approve), their unit's entries to publish and to withdraw: one query."""
    from django.db.models import Q

    from qingyuan.cases.models import CaseStatus

    if not user.can("cases.approve"):
        return []
    revoked = Q(decision__case__status=CaseStatus.REVOKED)
    wanted = (Q(status=EntryStatus.PENDING) & ~revoked) | (
        Q(status__in=[EntryStatus.PENDING, EntryStatus.PUBLISHED]) & revoked
    )
    entries = (
        PublicationEntry.objects.visible_to(user)
        .filter(wanted, decision__case__unit_id=user.unit_id)
        .select_related("decision__case")
        .order_by("due_on", "pk")[:LIMIT]
    )
    rows = []
    for entry in entries:
        withdraw_by = revoked_withdraw_due(entry)
        if withdraw_by is None:
            text, due, label = f"处罚决定待公示：{entry.number} {entry.party}", entry.due_on, "公示期限"
        elif entry.status == EntryStatus.PUBLISHED:
            text, due, label = f"已公示的处罚决定已撤销，待撤回公示：{entry.number}", withdraw_by, "撤回期限"
        else:
            text, due, label = f"处罚决定已撤销，待撤销公示条目：{entry.number}", withdraw_by, "撤回期限"
        rows.append(WorkRow("处罚公示", text, entry.get_absolute_url(), due, label))
    return rows
