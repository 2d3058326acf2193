"""The lead workflow, written once: which action moves a lead from which states to which state,
and who may take it. Services enforce it; pages and the API only offer what it allows."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from .models import Status

OPEN_STATES = {
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.VERIFYING,
    Status.CONCLUDED,
    Status.ANSWERED,
}


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset
    target: str
    perm: str
    # The officers assigned to the lead may take the step even without the permission.
    assigned_may: bool = False


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition("受理", frozenset({Status.REGISTERED}), Status.ACCEPTED, "leads.accept"),
    "reject": Transition("不予受理", frozenset({Status.REGISTERED}), Status.REJECTED, "leads.accept"),
    "assign": Transition(
        "分派",
        frozenset({Status.ACCEPTED, Status.ASSIGNED, Status.VERIFYING}),
        Status.ASSIGNED,
        "leads.assign",
    ),
    "verify": Transition(
        "开始核查", frozenset({Status.ASSIGNED}), Status.VERIFYING, "leads.assign", assigned_may=True
    ),
    "conclude": Transition(
        "核查结论", frozenset({Status.VERIFYING}), Status.CONCLUDED, "leads.assign", assigned_may=True
    ),
    "answer": Transition(
        "答复举报人",
        frozenset({Status.CONCLUDED, Status.ANSWERED}),
        Status.ANSWERED,
        "leads.answer",
        assigned_may=True,
    ),
    "close": Transition(
        "办结", frozenset({Status.CONCLUDED, Status.ANSWERED, Status.REJECTED}), Status.CLOSED, "leads.accept"
    ),
}


class TransitionNotAllowed(Exception):
    """Raised with a Chinese message the page shows as it is."""


class NotPermitted(PermissionDenied, TransitionNotAllowed):
    """The actor lacks the permission or the lead is outside their jurisdiction: a 403 on every page
    and in the API, and still a refused step for callers that only know TransitionNotAllowed."""


def check(lead, action: str, user) -> Transition:
    transition = TRANSITIONS[action]
    if lead.status not in transition.sources:
        raise TransitionNotAllowed(f"线索当前为“{lead.get_status_display()}”，不能执行“{transition.label}”")
    if user is not None:
        assigned = transition.assigned_may and lead.officers.filter(pk=user.pk).exists()
        if not (assigned or user.can(transition.perm)):
            raise NotPermitted(f"您没有“{transition.label}”的权限")
    return transition


def available(lead, user) -> list[tuple[str, Transition]]:
    result = []
    for action, transition in TRANSITIONS.items():
        try:
            check(lead, action, user)
        except TransitionNotAllowed:
            continue
        result.append((action, transition))
    return result
