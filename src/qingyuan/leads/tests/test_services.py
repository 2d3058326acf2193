import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyuan.core.models import AuditEvent, Notification
from qingyuan.leads import services
from qingyuan.leads.matching import match_lead
from qingyuan.leads.models import Lead, Status
from qingyuan.leads.workflow import TransitionNotAllowed
from qingyuan.subjects import services as subject_services

TZ = timezone.get_current_timezone()


@pytest.fixture
def city_office(units):
    return units["city"]


def _tip(actor, place="苏州市吴中区木渎镇金星村12号", reporter=None, **extra):
    return services.lead_register(
        actor=actor,
        channel="phone",
        content="有人在家中开设诊所给村民输液",
        place=place,
        category="unlicensed",
        reporter=reporter,
        **extra,
    )


def test_tip_is_routed_to_the_county_of_the_place(personas, units):
    lead = _tip(personas["clerk"])
    assert lead.handling_unit == units["wuzhong"]
    assert lead.region.code == "320506100201"
    assert lead.number.startswith(f"XS{timezone.localdate().year}")
    assert "金星村委会" in lead.routing_note


def test_tip_about_the_neighbouring_county_goes_there(personas, units):
    lead = _tip(personas["clerk"], place="相城区黄埭镇三埂村东头")
    assert lead.handling_unit == units["xiangcheng"]


def test_border_address_goes_to_the_city_office(personas, units, city_office):
    lead = _tip(personas["clerk"], place="木渎镇和黄埭镇交界处")
    assert lead.handling_unit == city_office
    assert lead.region is None


def test_unresolvable_place_goes_to_the_city_office(personas, city_office):
    lead = _tip(personas["clerk"], place="火星基地")
    assert lead.handling_unit == city_office


def test_deadlines_follow_the_rules(personas):
    received = dt.datetime(2026, 9, 25, 10, 0, tzinfo=TZ)
    lead = _tip(personas["clerk"], received_at=received)
    assert lead.accept_due == dt.date(2026, 10, 10)
    assert lead.conclude_due == dt.date(2026, 11, 24)


def test_reporter_identity_is_encrypted_and_the_lead_is_real_name(personas):
    lead = _tip(personas["clerk"], reporter={"name": "王举报", "phone": "139 1234 5678"})
    assert not lead.is_anonymous
    assert lead.reporter.phone == "13912345678"
    audit_text = str(list(AuditEvent.objects.filter(target_id=str(lead.pk)).values()))
    assert "王举报" not in audit_text and "13912345678" not in audit_text


def test_full_workflow_to_closing_with_feedback_due_in_working_days(
    personas, monkeypatch, django_capture_on_commit_callbacks
):
    lead = _tip(personas["clerk"], reporter={"name": "王举报", "phone": "13912345678"})
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    assert Notification.objects.filter(user=alice, text__contains=lead.number).exists()
    services.lead_start_verification(actor=alice, lead=lead)
    # Concluded on 2026-09-30: 国庆 (10-1 to 10-7) is skipped, the 调休 Saturday 10-10 counts, so the five
    # working days are 10-8, 10-9, 10-10, 10-12 and 10-13.
    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 9, 30))
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 9, 30, 9, 0, tzinfo=TZ))
    lead = services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="现场确认无证行医")
    assert lead.feedback_due == dt.date(2026, 10, 13)
    assert "经核查属实" in lead.feedback
    with pytest.raises(TransitionNotAllowed, match="先答复"):
        services.lead_close(actor=chief, lead=lead)
    services.lead_answer(actor=alice, lead=lead, text="经核查属实，已依法立案查处。")
    lead = services.lead_close(actor=chief, lead=lead)
    assert lead.status == Status.CLOSED
    steps = list(lead.events.values_list("action", flat=True))
    assert steps == ["登记", "受理", "分派", "开始核查", "核查结论", "答复举报人", "办结"]
    assert AuditEvent.objects.filter(target_id=str(lead.pk), action="transition").count() == 6


@pytest.mark.parametrize("action", ["verify", "conclude", "answer", "close"])
def test_steps_out_of_order_are_refused(personas, action):
    from qingyuan.leads import workflow

    lead = _tip(personas["clerk"])
    with pytest.raises(TransitionNotAllowed, match="不能执行"):
        workflow.check(lead, action, personas["chief"])


def test_inspector_cannot_accept_a_lead(personas):
    lead = _tip(personas["clerk"])
    with pytest.raises(TransitionNotAllowed, match="权限"):
        services.lead_accept(actor=personas["alice"], lead=lead)
    assert Lead.objects.get(pk=lead.pk).status == Status.REGISTERED


def test_verification_needs_two_officers_with_credentials(personas):
    lead = services.lead_accept(actor=personas["chief"], lead=_tip(personas["clerk"]))
    with pytest.raises(ValidationError, match="至少2名"):
        services.lead_assign(actor=personas["chief"], lead=lead, officers=[personas["alice"]])
    with pytest.raises(ValidationError, match="没有执法证号"):
        services.lead_assign(
            actor=personas["chief"], lead=lead, officers=[personas["alice"], personas["clerk"]]
        )
    assert Lead.objects.get(pk=lead.pk).status == Status.ACCEPTED


def test_rejection_needs_a_reason_and_gives_the_reporter_an_answer(personas):
    lead = _tip(personas["clerk"])
    with pytest.raises(ValidationError):
        services.lead_reject(actor=personas["chief"], lead=lead, reason=" ")
    lead = services.lead_reject(actor=personas["chief"], lead=lead, reason="不属于卫生健康部门职责")
    assert lead.status == Status.REJECTED and "不属于卫生健康部门职责" in lead.feedback


def test_duplicates_get_the_originals_answer(personas):
    original = _tip(personas["clerk"], reporter={"name": "甲", "phone": "13900000001"})
    duplicate = _tip(personas["clerk"], reporter={"name": "乙", "phone": "13900000002"})
    services.lead_mark_duplicate(actor=personas["chief"], lead=duplicate, original=original)
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=original)
    services.lead_assign(actor=chief, lead=original, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=original)
    services.lead_conclude(actor=alice, lead=original, conclusion="untrue", note="未发现行医")
    services.lead_answer(actor=alice, lead=original, text="经核查未发现非法行医行为。")
    duplicate.refresh_from_db()
    assert duplicate.feedback == "经核查未发现非法行医行为。" and duplicate.answered_at is not None
    assert Lead.objects.filter(pk=duplicate.pk).exists()  # linked, never deleted


def test_reroute_is_recorded_and_tells_the_new_unit(personas, units, django_capture_on_commit_callbacks):
    from qingyuan.conftest import make_user

    xc_chief = make_user("xcchief", units["xiangcheng"], "chief", "相城科长")
    lead = _tip(personas["clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_reroute(
            actor=personas["dave"], lead=lead, unit=units["xiangcheng"], reason="地点实属相城区"
        )
    lead.refresh_from_db()
    assert lead.handling_unit == units["xiangcheng"]
    assert Notification.objects.filter(user=xc_chief, text__contains="改派").exists()
    assert lead.events.filter(action="改派").exists()


def test_reporter_is_revealed_only_to_assigned_officers_and_chiefs(personas):
    lead = _tip(personas["clerk"], reporter={"name": "王举报", "phone": "13912345678"})
    assert services.reporter_reveal(actor=personas["chief"], lead=lead)["name"] == "王举报"
    assert AuditEvent.objects.filter(action="reveal", actor_name="chief", target_id=str(lead.pk)).exists()
    for outsider in ["alice", "clerk", "carol", "sam"]:
        with pytest.raises(TransitionNotAllowed):
            services.reporter_reveal(actor=personas[outsider], lead=lead)
    services.lead_accept(actor=personas["chief"], lead=lead)
    services.lead_assign(actor=personas["chief"], lead=lead, officers=[personas["alice"], personas["bob"]])
    assert services.reporter_reveal(actor=personas["alice"], lead=lead)["phone"] == "13912345678"


def test_overdue_is_computed_from_the_deadline_with_no_job_run(personas):
    late = _tip(personas["clerk"], received_at=timezone.now() - dt.timedelta(days=20))  # accept within 15
    on_time = _tip(personas["clerk"], received_at=timezone.now() - dt.timedelta(days=3))
    assert list(Lead.objects.overdue()) == [late]
    assert list(Lead.objects.not_overdue()) == [on_time]
    # Accepting moves it to the 60-day clock: no longer overdue, without anything being stored.
    services.lead_accept(actor=personas["chief"], lead=late)
    assert not Lead.objects.overdue().exists()


def test_overdue_job_run_twice_notifies_once_and_changes_nothing_the_second_time(
    personas, django_capture_on_commit_callbacks
):
    lead = _tip(personas["clerk"], received_at=timezone.now() - dt.timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.leads_overdue_notify() == 1
    lead.refresh_from_db()
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.leads_overdue_notify() == 0
    assert AuditEvent.objects.count() == events
    assert Lead.objects.get(pk=lead.pk).updated_at == lead.updated_at
    assert lead.overdue_notified_for == lead.accept_due
    assert Notification.objects.filter(user=personas["chief"], text__contains="超期").count() == 1
    assert lead.events.filter(action="超期").count() == 1


def test_a_new_deadline_that_passes_is_announced_again(personas, django_capture_on_commit_callbacks):
    chief = personas["chief"]
    lead = _tip(personas["clerk"], received_at=timezone.now() - dt.timedelta(days=100))
    services.lead_accept(actor=chief, lead=lead)  # conclude within 60 days: passed 40 days ago
    with django_capture_on_commit_callbacks(execute=True):
        assert services.leads_overdue_notify() == 1
    services.lead_extend(actor=chief, lead=lead, reason="案情复杂")  # +30 days: still passed
    with django_capture_on_commit_callbacks(execute=True):
        assert services.leads_overdue_notify() == 1
        assert services.leads_overdue_notify() == 0
    texts = list(
        Notification.objects.filter(user=chief, text__contains="超期").values_list("text", flat=True)
    )
    assert len(texts) == 2 and texts[0] != texts[1]  # each names its own deadline


def test_reward_decision_and_payment(personas):
    from qingyuan.leads.demo import load_demo_reward_standard

    load_demo_reward_standard()  # 苏州市's standard: 200–5000 yuan, a leader above 2000
    lead = _tip(personas["clerk"], reporter={"name": "王举报", "phone": "13912345678"})
    with pytest.raises(ValidationError, match="属实"):
        services.reward_decide(actor=personas["chief"], lead=lead, decision="granted", amount=Decimal("500"))
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=lead)
    services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=lead)
    lead = services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="属实")
    reward = services.reward_decide(actor=chief, lead=lead, decision="granted", amount=Decimal("500"))
    with pytest.raises(ValidationError, match="不超过"):
        services.reward_pay(
            actor=chief,
            reward=reward,
            paid_amount=Decimal("600"),
            paid_at=dt.date(2026, 10, 1),
            reference="ZF001",
        )
    reward = services.reward_pay(
        actor=chief,
        reward=reward,
        paid_amount=Decimal("500"),
        paid_at=dt.date(2026, 10, 1),
        reference="ZF001",
    )
    assert reward.paid_amount == Decimal("500")


def test_matching_finds_the_known_subject_by_phone_and_address(personas, regions):
    subject = subject_services.subject_save(
        actor=personas["alice"],
        subject=None,
        data={
            "name": "金星村无名诊所",
            "kind": "unlicensed_clinic",
            "address": "吴中区木渎镇金星村12号",
            "region": regions["village"],
            "practice_content": "internal",
            "institution_type": "western",
        },
    )
    subject_services.person_add(
        actor=personas["alice"],
        subject=subject,
        data={"name": "张医生", "role": "practitioner", "phone": "13955556666"},
    )
    lead = _tip(personas["clerk"], reported_person="张医生", reported_phone="13955556666")
    candidates = match_lead(lead)
    assert candidates and candidates[0].obj == subject
    reasons = "；".join(candidates[0].reasons)
    assert "电话" in reasons and "地址相近" in reasons


def test_overdue_job_is_scheduled_and_reports_what_it_announced(personas):
    from qingyuan.core import schedule

    _tip(personas["clerk"], received_at=timezone.now() - dt.timedelta(days=30))
    first, second = schedule.run("leads.overdue_notify"), schedule.run("leads.overdue_notify")
    assert (first.count, second.count) == (1, 0)
    assert first.summary == "新提醒超期线索 1 条" and second.outcome == "ok"
