"""Reward payments and duplicate marks are refused in the service itself, whoever calls it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.leads import services
from qingyuan.leads.models import Lead, Reward


def _tip(personas, place="苏州市吴中区木渎镇金星村12号"):
    return services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在家中开设诊所给村民输液",
        place=place,
        reporter={"name": "王举报", "phone": "13912345678"},
    )


@pytest.fixture
def granted(personas):
    from qingyuan.leads.demo import load_demo_reward_standard

    load_demo_reward_standard()  # 苏州市's standard: 200–5000 yuan, a leader above 2000
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    lead = services.lead_accept(actor=chief, lead=_tip(personas))
    services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=lead)
    lead = services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="属实")
    return services.reward_decide(actor=chief, lead=lead, decision="granted", amount=Decimal("500"))


@pytest.fixture
def supervisor(units):
    return make_user("sup", units["city"], Role.SUPERVISOR, "督查员甲")


def test_clerk_cannot_record_a_reward_payment(personas, granted):
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.reward_pay(
            actor=personas["clerk"],
            reward=granted,
            paid_amount=Decimal("500"),
            paid_at=dt.date(2026, 10, 1),
            reference="ZF001",
        )
    assert Reward.objects.get(pk=granted.pk).paid_at is None
    assert AuditEvent.objects.count() == events


def test_clerk_payment_page_is_refused_with_nothing_written(login, granted):
    response = login("clerk").post(
        f"/leads/{granted.lead_id}/payment/",
        {"paid_amount": "500", "paid_at": "2026-10-01", "reference": "ZF001"},
    )
    assert response.status_code == 403
    assert Reward.objects.get(pk=granted.pk).paid_at is None


def test_payment_on_a_lead_without_reward_is_a_chinese_form_error(login, personas):
    lead = _tip(personas)
    response = login("chief").post(
        f"/leads/{lead.pk}/payment/",
        {"paid_amount": "500", "paid_at": "2026-10-01", "reference": "ZF001"},
    )
    assert response.status_code == 400  # the page again, the error next to the amount, input kept
    page = response.content.decode()
    assert "尚未作出奖励决定" in page and 'value="ZF001"' in page
    assert not Reward.objects.exists()


def test_inspector_and_supervisor_cannot_mark_duplicates(personas, supervisor):
    original, duplicate = _tip(personas), _tip(personas)
    for actor in [personas["alice"], supervisor]:
        with pytest.raises(PermissionDenied):
            services.lead_mark_duplicate(actor=actor, lead=duplicate, original=original)
    assert Lead.objects.get(pk=duplicate.pk).duplicate_of is None


def test_supervisor_duplicate_page_is_refused(client, personas, supervisor):
    original, duplicate = _tip(personas), _tip(personas)
    client.force_login(supervisor)
    response = client.post(f"/leads/{duplicate.pk}/duplicate/", {"original_number": original.number})
    assert response.status_code == 403
    assert Lead.objects.get(pk=duplicate.pk).duplicate_of is None


def test_neighbouring_chief_cannot_mark_a_lead_of_another_county(personas, units):
    xc_chief = make_user("xcchief", units["xiangcheng"], Role.CHIEF, "相城科长")
    original = _tip(personas, place="苏州市相城区黄埭镇三埂村5号")
    duplicate = _tip(personas)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.lead_mark_duplicate(actor=xc_chief, lead=duplicate, original=original)
    assert Lead.objects.get(pk=duplicate.pk).duplicate_of is None


def test_chief_still_marks_duplicates_and_records_payments(personas, granted):
    original, duplicate = _tip(personas), _tip(personas)
    services.lead_mark_duplicate(actor=personas["chief"], lead=duplicate, original=original)
    assert Lead.objects.get(pk=duplicate.pk).duplicate_of == original
    reward = services.reward_pay(
        actor=personas["chief"],
        reward=granted,
        paid_amount=Decimal("500"),
        paid_at=dt.date(2026, 10, 1),
        reference="ZF001",
    )
    assert reward.paid_amount == Decimal("500")
