"""The lead workflow, declared once on core.workflow: which step moves a lead from which states to
which, who may take it and what must hold. Services take every step through LEAD_WORKFLOW.apply
(lock, check, change, timeline, audit, notices); pages and the API offer only what `available`
returns. Steps that record something without moving the lead (an extension) have no target state."""

from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.core.workflow import NotPermitted, Transition, TransitionNotAllowed, Workflow

from .models import Lead, LeadEvent, Status

__all__ = [
    "LEAD_WORKFLOW",
    "OPEN_STATES",
    "REROUTE_TO",
    "TRANSITIONS",
    "NotPermitted",
    "TransitionNotAllowed",
    "available",
    "check",
]

OPEN_STATES = frozenset(
    {
        Status.REGISTERED,
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.VERIFYING,
        Status.CONCLUDED,
        Status.ANSWERED,
    }
)

# Rerouting keeps the lead's state, except that a lead already given to officers goes back to
# 受理: the new unit assigns its own officers.
REROUTE_TO = {Status.ASSIGNED: Status.ACCEPTED, Status.VERIFYING: Status.ACCEPTED}
REROUTE_TARGETS = frozenset(OPEN_STATES - set(REROUTE_TO))


def lead_event(lead, actor, action, note="", from_status="", to_status=""):
    """One row of the lead's timeline. A step that leaves the state as it was records no move, so the
    page does not show one."""
    if from_status == to_status:
        from_status = to_status = ""
    LeadEvent.objects.create(
        lead=lead,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        note=note,
        from_status=from_status,
        to_status=to_status,
    )


def responsible(lead) -> list:
    """Who hears about a lead: its officers, else the handling unit's section chiefs."""
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role

    officers = list(lead.officers.all())
    if officers:
        return officers
    return list(User.objects.filter(unit=lead.handling_unit, role=Role.CHIEF, is_active=True))


def is_assigned(lead, user) -> bool:
    """The officers assigned to a lead verify, conclude and answer it even without the permission."""
    return getattr(user, "pk", None) is not None and lead.officers.filter(pk=user.pk).exists()


def in_jurisdiction(user, lead) -> bool:
    """The lead's handling unit lies in the user's jurisdiction (the prefix Lead.objects.visible_to
    filters by, read here without a query per offered step), or the user is one of its officers, who
    act on it wherever it is. A lead rerouted to another unit leaves the old unit's reach."""
    prefix = jurisdiction_prefix(user)
    if prefix is not None and lead.handling_unit.region_id.startswith(prefix):
        return True
    return is_assigned(lead, user)


def _answered_if_real_name(lead, inputs) -> str | None:
    if lead.status == Status.CONCLUDED and not lead.is_anonymous:
        return "实名举报须先答复举报人，才能办结"
    return None


def _not_extended(lead, inputs) -> str | None:
    # RULES.md: the concluding period is extended once, with approval.
    return "该线索已延期一次，不能再次延期" if lead.extended else None


def _notices(lead, action, transition) -> list:
    """Who is told of a step. Computed once the step's own rows are written, so that the officers just
    assigned, or the new unit's chiefs after a reroute, are the ones told."""
    if action == "assign":
        return [(list(lead.officers.all()), f"线索 {lead.number} 已分派给您核查")]
    if action == "reroute":
        return [(responsible(lead), f"线索 {lead.number} 已改派至本单位")]
    return []


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition("受理", frozenset({Status.REGISTERED}), Status.ACCEPTED, "leads.accept"),
    "reject": Transition(
        "不予受理",
        frozenset({Status.REGISTERED}),
        Status.REJECTED,
        "leads.accept",
        needs_note="请填写不予受理的理由",
    ),
    "assign": Transition(
        "分派",
        frozenset({Status.ACCEPTED, Status.ASSIGNED, Status.VERIFYING}),
        Status.ASSIGNED,
        "leads.assign",
    ),
    "verify": Transition(
        "开始核查", frozenset({Status.ASSIGNED}), Status.VERIFYING, "leads.assign", also_may=is_assigned
    ),
    "conclude": Transition(
        "核查结论",
        frozenset({Status.VERIFYING}),
        Status.CONCLUDED,
        "leads.assign",
        also_may=is_assigned,
        needs_note="请填写核查情况",
    ),
    "answer": Transition(
        "答复举报人",
        frozenset({Status.CONCLUDED, Status.ANSWERED}),
        Status.ANSWERED,
        "leads.answer",
        also_may=is_assigned,
    ),
    "close": Transition(
        "办结",
        frozenset({Status.CONCLUDED, Status.ANSWERED, Status.REJECTED}),
        Status.CLOSED,
        "leads.accept",
        conditions=(_answered_if_real_name,),
    ),
    # The concluding period +TIP_CONCLUDE_EXTENSION, approved by a section chief or leader.
    "extend": Transition(
        "延期",
        OPEN_STATES,
        None,
        "leads.accept",
        conditions=(_not_extended,),
        needs_note="请填写延期理由",
    ),
    # 改派/转办 to another handling unit; the target is REROUTE_TO of the state the lead is in.
    "reroute": Transition("改派", OPEN_STATES, REROUTE_TARGETS, "leads.route", needs_note="请填写改派理由"),
}

LEAD_WORKFLOW = Workflow(
    noun="线索",
    model=Lead,
    transitions=TRANSITIONS,
    event=lead_event,
    in_scope=in_jurisdiction,
    region_code=lambda lead: lead.handling_unit.region_id,
    notices=_notices,
)


def check(lead, action: str, user, inputs: dict | None = None) -> Transition:
    """The transition if `user` may take `action` on `lead` now; raises with the reason if not."""
    return LEAD_WORKFLOW.check(lead, action, user, inputs)


def available(lead, user) -> list[tuple[str, Transition]]:
    """The steps a page may offer on `lead` to `user`."""
    return LEAD_WORKFLOW.available(lead, user)
