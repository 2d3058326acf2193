"""The case workflow, declared once on core.workflow: every step of the penalty procedure from 立案 to
结案, the state it starts from and leads to, the permission it needs and the conditions the law
sets (the proposal before the notice, 法制审核 and 集体讨论 before the decision, the time bar at
立案, the demand notice before the court). Steps that record something without moving the case
(a review, a hearing notice, a payment plan) have no target state.

The conditions live with the rules they apply (cases.penalty, cases.enforcement, cases.crime);
they are looked up when a step is taken, so this table imports nothing but the models."""

from importlib import import_module

from qingyuan.core.workflow import NEW, NotPermitted, Transition, TransitionNotAllowed, Workflow

from .models import Case, CaseEvent
from .models import CaseStatus as S

__all__ = ["CASE_WORKFLOW", "NEW", "NotPermitted", "TransitionNotAllowed", "available", "check"]

OPEN_STATES = frozenset(
    {
        S.PROPOSED,
        S.INVESTIGATING,
        S.REVIEW,
        S.NOTIFIED,
        S.HEARING,
        S.DECIDED,
        S.SERVED,
        S.ENFORCING,
        S.DEMANDED,
        S.COURT,
    }
)
FINAL_STATES = frozenset({S.CLOSED, S.NOT_OPENED, S.REVOKED, S.TRANSFERRED})
# Opened cases whose 90-day clock runs (立案 to 决定).
DECIDING_STATES = frozenset({S.INVESTIGATING, S.REVIEW, S.NOTIFIED, S.HEARING})
# A decision served and not yet closed: paying, or being enforced.
ENFORCING_STATES = frozenset({S.SERVED, S.ENFORCING, S.DEMANDED, S.COURT})
# Before the decision, after the case went to 合议: the proposal, review and discussion steps.
PRE_DECISION = frozenset({S.REVIEW, S.NOTIFIED})


def _condition(module: str, name: str):
    """A condition function of cases.<module>, imported when first used (those modules import this
    one to take their steps)."""

    def condition(case, inputs):
        return getattr(import_module(f"qingyuan.cases.{module}"), name)(case, inputs)

    condition.__name__ = f"{module}.{name}"
    return condition


def _actor_rule(module: str, name: str):
    """A rule on who acts (`actor_problem`) of cases.<module>, imported when first used."""

    def rule(case, user):
        return getattr(import_module(f"qingyuan.cases.{module}"), name)(case, user)

    rule.__name__ = f"{module}.{name}"
    return rule


def _in_scope(user, case) -> bool:
    return Case.objects.in_jurisdiction_of(user).filter(pk=case.pk).exists()


T = Transition
TRANSITIONS: dict[str, Transition] = {
    "propose": T("提请立案", frozenset({NEW}), S.PROPOSED, "cases.edit"),
    "approve_open": T(
        "批准立案",
        frozenset({S.PROPOSED}),
        S.INVESTIGATING,
        "cases.approve",
        conditions=(_condition("penalty", "open_problem"),),
    ),
    "not_open": T(
        "不予立案", frozenset({S.PROPOSED}), S.NOT_OPENED, "cases.approve", needs_note="请填写不予立案理由"
    ),
    "to_review": T("提交合议审理", frozenset({S.INVESTIGATING}), S.REVIEW, "cases.edit"),
    "reinvestigate": T(
        "退回补充调查", PRE_DECISION, S.INVESTIGATING, "cases.approve", needs_note="请填写补充调查的事项"
    ),
    # 拟处罚: recorded (again) before the notice; a new version after the notice needs a new notice.
    "propose_penalty": T(
        "拟定处罚意见", frozenset({S.INVESTIGATING, S.REVIEW, S.NOTIFIED}), None, "cases.edit"
    ),
    "notify": T(
        "告知当事人",
        frozenset({S.REVIEW}),
        S.NOTIFIED,
        "cases.edit",
        conditions=(_condition("penalty", "notify_problem"),),
    ),
    "renotify": T(
        "重新告知",
        frozenset({S.NOTIFIED}),
        None,
        "cases.edit",
        conditions=(_condition("penalty", "notify_problem"),),
    ),
    "record_statement": T("记录陈述申辩", frozenset({S.NOTIFIED, S.HEARING}), None, "cases.edit"),
    "request_hearing": T(
        "当事人要求听证",
        frozenset({S.NOTIFIED}),
        S.HEARING,
        "cases.edit",
        conditions=(_condition("penalty", "hearing_problem"),),
    ),
    "schedule_hearing": T("通知听证", frozenset({S.HEARING}), None, "cases.edit"),
    "end_hearing": T("听证结束", frozenset({S.HEARING}), S.NOTIFIED, "cases.edit"),
    "submit_legal_review": T("提交法制审核", PRE_DECISION, None, "cases.edit"),
    "legal_review": T(
        "法制审核",
        PRE_DECISION,
        None,
        "cases.legal_review",
        conditions=(_condition("penalty", "legal_review_problem"),),
        actor_problem=_actor_rule("penalty", "legal_reviewer_problem"),
    ),
    "discuss": T(
        "集体讨论",
        PRE_DECISION,
        None,
        "cases.approve",
        conditions=(_condition("penalty", "discussion_problem"),),
    ),
    # From REVIEW only by 简易程序 or a 不予处罚 decision (no notice is owed): the condition checks.
    "decide": T(
        "作出处罚决定",
        PRE_DECISION,
        S.DECIDED,
        "cases.approve",
        conditions=(_condition("penalty", "decide_problem"),),
    ),
    "serve": T("送达决定书", frozenset({S.DECIDED}), S.SERVED, "cases.edit"),
    "enforce": T("执行", frozenset({S.SERVED}), S.ENFORCING, "cases.edit"),
    "plan_payment": T(
        "批准延期/分期缴纳",
        frozenset({S.SERVED, S.ENFORCING, S.DEMANDED}),
        None,
        "cases.approve",
        conditions=(_condition("enforcement", "plan_problem"),),
    ),
    "demand": T(
        "催告",
        frozenset({S.SERVED, S.ENFORCING}),
        S.DEMANDED,
        "cases.edit",
        conditions=(_condition("enforcement", "demand_problem"),),
    ),
    "serve_demand": T("送达催告书", frozenset({S.DEMANDED}), None, "cases.edit"),
    "apply_court": T(
        "申请法院强制执行",
        frozenset({S.DEMANDED}),
        S.COURT,
        "cases.approve",
        conditions=(_condition("enforcement", "court_problem"),),
    ),
    "court_result": T("记录法院裁定和执行结果", frozenset({S.COURT}), None, "cases.edit"),
    "close": T(
        "结案",
        ENFORCING_STATES,
        S.CLOSED,
        "cases.approve",
        conditions=(_condition("crime", "close_problem"), _condition("enforcement", "close_problem")),
    ),
    "revoke": T("撤销立案", OPEN_STATES, S.REVOKED, "cases.approve", needs_note="请填写撤销理由"),
    "transfer": T("移送", OPEN_STATES, S.TRANSFERRED, "cases.approve", needs_note="请填写移送理由"),
    # A historical case from a unit's ledger enters in the state the ledger shows; the import service
    # checks the ledger itself (reports.import), and the case gets its timeline, audit and crime check.
    "import": T("台账导入", frozenset({NEW}), frozenset(S.values), "reports.import"),
    # A later ledger brings the decision of a case entered before the decision was made.
    "import_decision": T(
        "台账导入处罚决定", frozenset({S.PROPOSED, *DECIDING_STATES}), S.DECIDED, "reports.import"
    ),
}

CASE_WORKFLOW = Workflow(
    noun="案件",
    model=Case,
    transitions=TRANSITIONS,
    event=CaseEvent.add,
    in_scope=_in_scope,
    region_code=lambda case: case.region_id or "",
)


def check(case, action: str, user, inputs: dict | None = None) -> Transition:
    """State and permission (not the conditions) of `action` on `case` for `user`."""
    return CASE_WORKFLOW.check(case, action, user, inputs, conditions=False)


def available(case, user) -> list[tuple[str, Transition]]:
    return CASE_WORKFLOW.available(case, user)
