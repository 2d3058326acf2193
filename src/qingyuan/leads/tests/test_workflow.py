"""The lead workflow on the one workflow mechanism: steps refused from the wrong state or without the
permission write nothing, rerouting is a recorded step, and the tip deadlines follow the time limits
an administrator keeps in the rules."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.core.models import AuditEvent
from qingyuan.leads import services
from qingyuan.leads.models import Lead, LeadEvent, Status
from qingyuan.leads.workflow import LEAD_WORKFLOW, NotPermitted, TransitionNotAllowed, available
from qingyuan.rules.models import LimitUnit
from qingyuan.rules.services import time_limit_add_version

TZ = timezone.get_current_timezone()


def _tip(personas, **extra):
    return services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在家中开设诊所给村民输液",
        place="苏州市吴中区木渎镇金星村12号",
        category="unlicensed",
        **extra,
    )


def _assigned(personas, **extra):
    chief = personas["chief"]
    lead = services.lead_accept(actor=chief, lead=_tip(personas, **extra))
    return services.lead_assign(actor=chief, lead=lead, officers=[personas["alice"], personas["bob"]])


def _written(lead) -> tuple[int, int]:
    return (
        LeadEvent.objects.filter(lead=lead).count(),
        AuditEvent.objects.filter(target_type="leads.lead", target_id=str(lead.pk)).count(),
    )


def _steps(personas):
    """(description, lead in the wrong state, the step taken on it as a permitted actor)."""
    chief, alice = personas["chief"], personas["alice"]
    return {
        "accept twice": (
            lambda: services.lead_accept(actor=chief, lead=_tip(personas)),
            lambda lead: services.lead_accept(actor=chief, lead=lead),
        ),
        "verify before assigning": (
            lambda: services.lead_accept(actor=chief, lead=_tip(personas)),
            lambda lead: services.lead_start_verification(actor=chief, lead=lead),
        ),
        "conclude before verifying": (
            lambda: _assigned(personas),
            lambda lead: services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="属实"),
        ),
        "answer before concluding": (
            lambda: _assigned(personas),
            lambda lead: services.lead_answer(actor=alice, lead=lead, text="已核查"),
        ),
        "close a registered lead": (
            lambda: _tip(personas),
            lambda lead: services.lead_close(actor=chief, lead=lead),
        ),
        "reject an accepted lead": (
            lambda: services.lead_accept(actor=chief, lead=_tip(personas)),
            lambda lead: services.lead_reject(actor=chief, lead=lead, reason="不属于本部门职责"),
        ),
        "extend a rejected lead": (
            lambda: services.lead_reject(actor=chief, lead=_tip(personas), reason="不属于本部门职责"),
            lambda lead: services.lead_extend(actor=chief, lead=lead, reason="案情复杂"),
        ),
    }


@pytest.mark.parametrize(
    "step",
    [
        "accept twice",
        "verify before assigning",
        "conclude before verifying",
        "answer before concluding",
        "close a registered lead",
        "reject an accepted lead",
        "extend a rejected lead",
    ],
)
def test_a_step_from_the_wrong_state_is_refused_and_writes_nothing(personas, step):
    make, take = _steps(personas)[step]
    lead = make()
    status, written = Lead.objects.get(pk=lead.pk).status, _written(lead)
    with pytest.raises(TransitionNotAllowed, match="不能执行"):
        take(lead)
    assert Lead.objects.get(pk=lead.pk).status == status
    assert _written(lead) == written


@pytest.mark.parametrize(
    "who, step",
    [
        ("clerk", lambda p, lead: services.lead_accept(actor=p["clerk"], lead=lead)),
        ("alice", lambda p, lead: services.lead_reject(actor=p["alice"], lead=lead, reason="不属于本部门")),
        ("alice", lambda p, lead: services.lead_extend(actor=p["alice"], lead=lead, reason="案情复杂")),
        (
            "alice",
            lambda p, lead: services.lead_reroute(
                actor=p["alice"], lead=lead, unit=lead.handling_unit, reason="x"
            ),
        ),
        # Another county's inspector: outside the jurisdiction, whatever the step.
        ("carol", lambda p, lead: services.lead_accept(actor=p["carol"], lead=lead)),
    ],
)
def test_a_step_without_the_permission_is_refused_and_writes_nothing(personas, who, step):
    lead = _tip(personas)
    written = _written(lead)
    with pytest.raises(NotPermitted):
        step(personas, lead)
    assert Lead.objects.get(pk=lead.pk).status == Status.REGISTERED
    assert _written(lead) == written


def test_assigned_officers_verify_without_the_permission_others_may_not(personas):
    lead = _assigned(personas)
    with pytest.raises(NotPermitted, match="开始核查"):
        services.lead_start_verification(actor=personas["clerk"], lead=lead)
    assert "verify" not in dict(available(lead, personas["clerk"]))
    assert "verify" in dict(available(lead, personas["alice"]))
    lead = services.lead_start_verification(actor=personas["alice"], lead=lead)
    assert lead.status == Status.VERIFYING


def test_a_refused_condition_writes_nothing(personas):
    chief = personas["chief"]
    lead = _tip(personas)
    services.lead_accept(actor=chief, lead=lead)
    lead = services.lead_extend(actor=chief, lead=lead, reason="案情复杂")
    written = _written(lead)
    with pytest.raises(TransitionNotAllowed, match="已延期一次"):
        services.lead_extend(actor=chief, lead=lead, reason="仍需核查")
    assert _written(lead) == written


def test_reroute_of_an_assigned_lead_is_a_recorded_step(personas, units, django_capture_on_commit_callbacks):
    from qingyuan.conftest import make_user

    xc_chief = make_user("xcchief", units["xiangcheng"], "chief", "相城科长")
    lead = _assigned(personas)
    events, audits = _written(lead)
    with django_capture_on_commit_callbacks(execute=True):
        lead = services.lead_reroute(
            actor=personas["dave"], lead=lead, unit=units["xiangcheng"], reason="地点实属相城区"
        )
    lead = Lead.objects.get(pk=lead.pk)
    # The new unit assigns its own officers: back to 受理, the old officers released.
    assert lead.handling_unit == units["xiangcheng"] and lead.status == Status.ACCEPTED
    assert not lead.officers.exists()
    event = lead.events.last()
    assert (event.action, event.from_status, event.to_status) == ("改派", Status.ASSIGNED, Status.ACCEPTED)
    assert "地点实属相城区" in event.note and event.actor == personas["dave"]
    row = AuditEvent.objects.filter(target_type="leads.lead", target_id=str(lead.pk)).order_by("id").last()
    assert row.action == "transition" and row.after["action"] == "reroute"
    assert row.region_code == units["xiangcheng"].region_id
    assert _written(lead) == (events + 1, audits + 1)
    assert xc_chief.notifications.filter(text__contains="改派").exists()
    # The old unit no longer reaches it; the new unit's chief takes it from here.
    with pytest.raises(NotPermitted, match="管辖"):
        services.lead_assign(
            actor=personas["chief"], lead=lead, officers=[personas["alice"], personas["bob"]]
        )
    assert "assign" in dict(available(lead, xc_chief))


def test_reroute_of_a_registered_lead_keeps_its_state_and_needs_a_reason(personas, units):
    lead = _tip(personas)
    written = _written(lead)
    with pytest.raises(ValidationError) as refused:
        services.lead_reroute(actor=personas["chief"], lead=lead, unit=units["xiangcheng"], reason=" ")
    assert refused.value.message_dict == {"reason": ["请填写改派理由"]}
    assert _written(lead) == written
    lead = services.lead_reroute(
        actor=personas["chief"], lead=lead, unit=units["xiangcheng"], reason="相城区"
    )
    assert lead.status == Status.REGISTERED
    event = lead.events.last()
    assert event.action == "改派" and (event.from_status, event.to_status) == ("", "")


def test_reroute_of_a_closed_lead_is_refused(personas, units):
    chief = personas["chief"]
    lead = services.lead_reject(actor=chief, lead=_tip(personas), reason="不属于本部门职责")
    lead = services.lead_close(actor=chief, lead=lead)
    written = _written(lead)
    with pytest.raises(TransitionNotAllowed, match="不能执行“改派”"):
        services.lead_reroute(actor=chief, lead=lead, unit=units["xiangcheng"], reason="相城区")
    assert Lead.objects.get(pk=lead.pk).handling_unit == units["wuzhong"]
    assert _written(lead) == written
    assert "reroute" not in dict(available(lead, chief))


def _new_version(personas, code, amount, unit=LimitUnit.DAYS, effective_from=None):
    return time_limit_add_version(
        actor=personas["sam"],
        code=code,
        data={
            "name": "举报时限（修订）",
            "amount": amount,
            "unit": unit,
            "effective_from": effective_from or timezone.localdate(),
        },
    )


def test_a_new_version_of_the_conclude_limit_sets_new_leads_deadline(personas):
    _new_version(personas, "TIP_CONCLUDE", 45)
    lead = _tip(personas)
    received = timezone.localtime(lead.received_at).date()
    assert lead.conclude_due == received + dt.timedelta(days=45)
    # The other limits are unchanged.
    assert lead.accept_due == received + dt.timedelta(days=15)


def test_a_lead_received_before_the_new_version_keeps_the_old_limit(personas):
    _new_version(personas, "TIP_ASSIGN", 10, effective_from=dt.date(2026, 10, 1))
    old = _tip(personas, received_at=dt.datetime(2026, 9, 25, 10, 0, tzinfo=TZ))
    new = _tip(personas, received_at=dt.datetime(2026, 10, 2, 10, 0, tzinfo=TZ))
    assert old.accept_due == dt.date(2026, 10, 10)
    assert new.accept_due == dt.date(2026, 10, 12)


def test_the_extension_and_the_reporter_notice_follow_the_rules(personas, monkeypatch):
    _new_version(personas, "TIP_CONCLUDE_EXTENSION", 20, effective_from=dt.date(2026, 1, 1))
    _new_version(
        personas, "TIP_CASE_NOTICE", 3, unit=LimitUnit.WORKING_DAYS, effective_from=dt.date(2026, 1, 1)
    )
    chief, alice = personas["chief"], personas["alice"]
    lead = _assigned(personas, reporter={"name": "王举报", "phone": "13912345678"})
    due = lead.conclude_due
    lead = services.lead_extend(actor=chief, lead=lead, reason="案情复杂")
    assert lead.conclude_due == due + dt.timedelta(days=20) and lead.extended
    # Concluded on 2026-09-30: 国庆 (10-1 to 10-7) is skipped, so the third working day is 10-10 (调休).
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 9, 30, 9, 0, tzinfo=TZ))
    services.lead_start_verification(actor=alice, lead=lead)
    lead = services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="属实")
    assert lead.feedback_due == dt.date(2026, 10, 10)


def test_an_old_lead_is_held_to_the_first_version_of_the_rules(personas):
    lead = _tip(personas, received_at=dt.datetime(2020, 3, 2, 10, 0, tzinfo=TZ))
    assert lead.accept_due == dt.date(2020, 3, 17)
    assert lead.conclude_due == dt.date(2020, 5, 1)


def test_the_lead_page_states_the_extension_the_rules_allow(personas, login):
    _new_version(personas, "TIP_CONCLUDE_EXTENSION", 20, effective_from=dt.date(2026, 1, 1))
    lead = services.lead_accept(actor=personas["chief"], lead=_tip(personas))
    page = login("chief").get(lead.get_absolute_url()).content.decode()
    assert "延期20日（须批准）" in page and "延期30日" not in page
    # An inspector, who may not extend or reroute, is offered neither.
    page = login("alice").get(lead.get_absolute_url()).content.decode()
    assert 'id="action-extend"' not in page and 'id="action-reroute"' not in page


def test_the_workflow_table_lists_every_step_of_a_lead():
    from qingyuan.core.workflow import table

    rows = {row["action"]: row for row in table(LEAD_WORKFLOW)}
    assert set(rows) == {
        "accept",
        "reject",
        "assign",
        "verify",
        "conclude",
        "answer",
        "close",
        "extend",
        "reroute",
    }
    assert rows["reroute"]["perm"] == "leads.route"
    assert Status.CLOSED not in rows["reroute"]["sources"]
