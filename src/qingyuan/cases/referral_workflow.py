"""The referral workflow (移送), declared once on core.workflow: 提请移送 → 负责人批准 (or 决定不移送) →
移送 → 接收回执 → 接收结果 (受理/立案 or 不予受理/不予立案) → 提请复议 → 复议结果; after acceptance,
办理进展 and 办理结果 are recorded without changing the state.

A referral's state is its `status`, moved only by these steps; the dates the steps record (approved_on,
transferred_at, …) stay for the clocks of 行政执法机关移送涉嫌犯罪案件的规定 and for the forms, which
count by period. The receipt is not required before the outcome: a body may answer without one."""

from qingyuan.core.workflow import NEW, NotPermitted, Transition, TransitionNotAllowed, Workflow

from .models import Case, CaseEvent, Referral, ReferralTarget
from .models import ReferralStatus as RS

__all__ = [
    "ACTIVE",
    "DELIVERED",
    "NEW",
    "NotPermitted",
    "REFERRAL_WORKFLOW",
    "SENT",
    "TransitionNotAllowed",
    "receiving_liaison",
]

# Not yet answered: a second referral of the case to the same body waits for this one.
ACTIVE = frozenset({RS.PROPOSED, RS.APPROVED, RS.TRANSFERRED, RS.RECEIVED})
# Approved by the head, whatever followed: what a suspected crime needs before the case closes.
SENT = frozenset(
    {RS.APPROVED, RS.TRANSFERRED, RS.RECEIVED, RS.ACCEPTED, RS.REFUSED, RS.REVIEW_REQUESTED, RS.REVIEWED}
)

# Handed over: what the receiving unit sees (nothing before the health side has sent it).
DELIVERED = frozenset(
    {RS.TRANSFERRED, RS.RECEIVED, RS.ACCEPTED, RS.REFUSED, RS.REVIEW_REQUESTED, RS.REVIEWED}
)


def _police_only(referral, inputs):
    if referral.target != ReferralTarget.POLICE:
        return "只有公安机关不予立案的移送才能提请复议"
    return None


def _event(referral, actor, label, note, from_status, to_status):
    # The case's timeline tells the referral's story; from/to there are the case's own states.
    CaseEvent.add(referral.case, actor, label, note)


def receiving_liaison(referral, user) -> bool:
    """A 联络员 of the unit the referral is addressed to (Referral.receiving_unit): they take the
    receiving side's steps themselves; the health side keeps its own steps and may still record an
    answer that came on paper."""
    return bool(
        referral is not None
        and referral.receiving_unit_id
        and user.unit_id == referral.receiving_unit_id
        and user.can("liaison.receive")
    )


def _in_scope(user, referral) -> bool:
    # The receiving unit reaches the referral by the address on it, not by region: the county's
    # police liaison has no jurisdiction over the health side's cases.
    if receiving_liaison(referral, user):
        return True
    return (
        user.can("cases.view") and Case.objects.in_jurisdiction_of(user).filter(pk=referral.case_id).exists()
    )


T = Transition
REFERRAL_WORKFLOW = Workflow(
    noun="移送",
    model=Referral,
    transitions={
        "propose": T("提请移送", frozenset({NEW}), RS.PROPOSED, "cases.edit"),
        "approve": T("批准移送", frozenset({RS.PROPOSED}), RS.APPROVED, "cases.approve"),
        "decline": T(
            "决定不移送",
            frozenset({RS.PROPOSED}),
            RS.DECLINED,
            "cases.approve",
            needs_note="请填写不移送的理由",
        ),
        "transfer": T("移送", frozenset({RS.APPROVED}), RS.TRANSFERRED, "cases.edit"),
        "receipt": T(
            "移送回执", frozenset({RS.TRANSFERRED}), RS.RECEIVED, "cases.edit", also_may=receiving_liaison
        ),
        "outcome": T(
            "移送结果",
            frozenset({RS.TRANSFERRED, RS.RECEIVED}),
            frozenset({RS.ACCEPTED, RS.REFUSED}),
            "cases.edit",
            also_may=receiving_liaison,
        ),
        # After acceptance the receiving body reports how its investigation goes and what came of it
        # (立案/不立案/移送起诉/判决); neither changes the referral's state.
        "progress": T(
            "办理进展",
            frozenset({RS.RECEIVED, RS.ACCEPTED, RS.REVIEW_REQUESTED, RS.REVIEWED}),
            None,
            "cases.edit",
            also_may=receiving_liaison,
            needs_note="请填写办理进展",
        ),
        "result": T(
            "办理结果",
            frozenset({RS.ACCEPTED, RS.REVIEWED}),
            None,
            "cases.edit",
            also_may=receiving_liaison,
        ),
        "review_request": T(
            "提请复议",
            frozenset({RS.REFUSED}),
            RS.REVIEW_REQUESTED,
            "cases.approve",
            conditions=(_police_only,),
        ),
        "review_result": T(
            "复议结果",
            frozenset({RS.REVIEW_REQUESTED}),
            RS.REVIEWED,
            "cases.edit",
            also_may=receiving_liaison,
        ),
    },
    event=_event,
    in_scope=_in_scope,
    region_code=lambda referral: referral.case.region_id,
    related=("case",),
)
