"""The case workflow, written once: which action moves a case from which states to which state, and
who may take it. Services enforce it; pages only offer what it allows. Conditions that depend on
dates or money (the hearing window, fines owed, a suspected crime) are checked by the services on
top of this table."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from .models import CaseStatus as S

# A case not yet in the database: only `propose` starts from here.
NEW = ""

OPEN_STATES = frozenset(
    {S.PROPOSED, S.INVESTIGATING, S.REVIEW, S.NOTIFIED, S.HEARING, S.DECIDED, S.SERVED, S.ENFORCING}
)
FINAL_STATES = frozenset({S.CLOSED, S.NOT_OPENED, S.REVOKED, S.TRANSFERRED})
# Opened cases whose 90-day clock runs (立案 to 决定).
DECIDING_STATES = frozenset({S.INVESTIGATING, S.REVIEW, S.NOTIFIED, S.HEARING})


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset
    target: str
    perm: str


TRANSITIONS: dict[str, Transition] = {
    "propose": Transition("提请立案", frozenset({NEW}), S.PROPOSED, "cases.edit"),
    "approve_open": Transition("批准立案", frozenset({S.PROPOSED}), S.INVESTIGATING, "cases.approve"),
    "not_open": Transition("不予立案", frozenset({S.PROPOSED}), S.NOT_OPENED, "cases.approve"),
    "to_review": Transition("提交合议审理", frozenset({S.INVESTIGATING}), S.REVIEW, "cases.edit"),
    "notify": Transition("告知当事人", frozenset({S.REVIEW}), S.NOTIFIED, "cases.edit"),
    "request_hearing": Transition("当事人要求听证", frozenset({S.NOTIFIED}), S.HEARING, "cases.edit"),
    "end_hearing": Transition("听证结束", frozenset({S.HEARING}), S.NOTIFIED, "cases.edit"),
    # From REVIEW only by 简易程序 (the party is told on the spot); services check that.
    "decide": Transition("作出处罚决定", frozenset({S.NOTIFIED, S.REVIEW}), S.DECIDED, "cases.approve"),
    "serve": Transition("送达决定书", frozenset({S.DECIDED}), S.SERVED, "cases.edit"),
    "enforce": Transition("执行", frozenset({S.SERVED}), S.ENFORCING, "cases.edit"),
    "close": Transition("结案", frozenset({S.SERVED, S.ENFORCING}), S.CLOSED, "cases.approve"),
    "revoke": Transition("撤销立案", OPEN_STATES, S.REVOKED, "cases.approve"),
    "transfer": Transition("移送", OPEN_STATES, S.TRANSFERRED, "cases.approve"),
}


class TransitionNotAllowed(Exception):
    """Raised with a Chinese message the page shows as it is."""


class NotPermitted(PermissionDenied, TransitionNotAllowed):
    """The actor lacks the permission or the case is outside their jurisdiction: a 403 on the pages,
    and still a refused step for callers that only know TransitionNotAllowed."""


def check(case, action: str, user) -> Transition:
    transition = TRANSITIONS[action]
    status = case.status if case is not None and case.pk else NEW
    if status not in transition.sources:
        label = case.get_status_display() if status else "未登记"
        raise TransitionNotAllowed(f"案件当前为“{label}”，不能执行“{transition.label}”")
    if user is not None and not user.can(transition.perm):
        raise NotPermitted(f"您没有“{transition.label}”的权限")
    return transition


def available(case, user) -> list[tuple[str, Transition]]:
    result = []
    for action, transition in TRANSITIONS.items():
        try:
            check(case, action, user)
        except TransitionNotAllowed:
            continue
        result.append((action, transition))
    return result
