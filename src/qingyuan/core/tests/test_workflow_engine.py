"""The one workflow mechanism (core.workflow), tried on a small process of its own: what a step does
and, as much, what a refused step leaves behind (nothing)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from qingyuan.accounts import services as accounts
from qingyuan.accounts.models import ChangeStatus, UserChangeRequest
from qingyuan.core.models import AuditEvent, Notification
from qingyuan.core.workflow import NEW, NotPermitted, Transition, TransitionNotAllowed, Workflow, table

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = []


def _problem_if_asked(change, inputs):
    return "理由不能写“拒绝”" if inputs.get("decided_at") == "refuse" else None


FLOW = Workflow(
    noun="申请",
    model=UserChangeRequest,
    transitions={
        "approve": Transition(
            "批准",
            frozenset({ChangeStatus.PENDING}),
            ChangeStatus.APPROVED,
            "rules.manage",
            conditions=(_problem_if_asked,),
        ),
        "reject": Transition(
            "驳回",
            frozenset({ChangeStatus.PENDING}),
            ChangeStatus.REJECTED,
            None,
            needs_note="请填写驳回理由",
        ),
        "note": Transition("备注", frozenset({ChangeStatus.PENDING}), None, None),
        "restore": Transition(
            "恢复", frozenset({ChangeStatus.REJECTED}), frozenset({ChangeStatus.PENDING}), None
        ),
    },
    event=lambda obj, actor, label, note, old, new: EVENTS.append((label, note, old, new)),
    notices=lambda obj, action, t: [([obj.requested_by], f"申请已{t.label}")],
    full_clean=False,
)


@pytest.fixture
def change(personas):
    EVENTS.clear()
    return accounts.user_update(actor=personas["sec"], user=personas["aud"], data={"role": "leader"})


def _audits(change):
    return AuditEvent.objects.filter(action="transition", target_id=str(change.pk)).count()


def test_a_step_changes_state_writes_event_audit_and_notifies_after_commit(personas, change):
    FLOW.apply(change, "approve", actor=personas["sam"])
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert EVENTS == [("批准", "", ChangeStatus.PENDING, ChangeStatus.APPROVED)]
    assert _audits(change) == 1
    assert Notification.objects.filter(user=personas["sec"], text="申请已批准").count() == 1


def test_a_refused_step_leaves_nothing_behind(personas, change):
    with pytest.raises(NotPermitted, match="没有“批准”的权限"):
        FLOW.apply(change, "approve", actor=personas["alice"])
    with pytest.raises(TransitionNotAllowed, match="理由不能写"):
        FLOW.apply(change, "approve", actor=personas["sam"], changes={"decided_at": "refuse"})
    with pytest.raises(ValidationError, match="请填写驳回理由"):
        FLOW.apply(change, "reject", actor=personas["sam"], note="  ")
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    assert EVENTS == [] and _audits(change) == 0
    assert not Notification.objects.filter(user=personas["sec"]).exists()


def test_a_step_from_the_wrong_state_names_the_state(personas, change):
    FLOW.apply(change, "reject", actor=personas["sam"], note="不同意")
    with pytest.raises(TransitionNotAllowed, match="申请当前为“已驳回”，不能执行“批准”"):
        FLOW.apply(change, "approve", actor=personas["sam"])
    assert FLOW.state(UserChangeRequest()) == NEW


def test_a_rolled_back_step_sends_no_notice(personas, change):
    with pytest.raises(RuntimeError), transaction.atomic():
        FLOW.apply(change, "approve", actor=personas["sam"])
        raise RuntimeError("the caller's later work failed")
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    assert _audits(change) == 0
    assert not Notification.objects.filter(user=personas["sec"]).exists()


def test_a_recorded_step_keeps_the_state_and_a_chosen_target_must_be_allowed(personas, change):
    FLOW.apply(change, "note", actor=personas["sam"], note="已电话核实")
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    assert EVENTS[-1] == ("备注", "已电话核实", ChangeStatus.PENDING, ChangeStatus.PENDING)
    FLOW.apply(change, "reject", actor=personas["sam"], note="不同意")
    with pytest.raises(TransitionNotAllowed, match="不能进入该状态"):
        FLOW.apply(change, "restore", actor=personas["sam"], to=ChangeStatus.APPROVED)
    FLOW.apply(change, "restore", actor=personas["sam"], to=ChangeStatus.PENDING)
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_available_offers_only_steps_of_the_state_and_permission(personas, change):
    offered = {action for action, _t in FLOW.available(change, personas["alice"])}
    assert offered == {"reject", "note"}
    assert {row["action"] for row in table(FLOW)} == {"approve", "reject", "note", "restore"}
