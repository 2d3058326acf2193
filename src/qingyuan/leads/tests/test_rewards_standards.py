"""举报奖励 within a region's standard: the range and cap refuse what they must, a leader approves
above the threshold, an anonymous tip's reward only after its reporter claims it with the 查询码 (the
claimant's identity then encrypted and shown only to leads.reporter, audited), another county sees
none of it, and the list's figures add up.

苏州市's standard (leads.demo): 200–5000 yuan a tip, capped at 20000, a leader above 2000."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditAction, AuditEvent, Notification
from qingyuan.leads import rewards, services
from qingyuan.leads.demo import load_demo_reward_standard
from qingyuan.leads.models import RewardClaim, RewardStandard, RewardStatus

PAY = {"paid_at": dt.date(2026, 10, 1), "reference": "ZF001"}


@pytest.fixture
def standard(regions):
    return load_demo_reward_standard()


def concluded(personas, *, reporter=None, place="苏州市吴中区木渎镇金星村12号", category="unlicensed"):
    chief, alice = personas["chief"], personas["alice"]
    lead = services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在家中开设诊所给村民输液",
        place=place,
        category=category,
        reporter=reporter,
    )
    services.lead_accept(actor=chief, lead=lead)
    services.lead_assign(actor=chief, lead=lead, officers=[alice, personas["bob"]])
    services.lead_start_verification(actor=alice, lead=lead)
    return services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="属实")


@pytest.fixture
def real_name(personas, standard):
    return concluded(personas, reporter={"name": "王举报", "phone": "13912345678"})


@pytest.fixture
def anonymous(personas, standard):
    return concluded(personas)


def decide(actor, lead, amount, reason=""):
    return services.reward_decide(
        actor=actor, lead=lead, decision="granted", amount=Decimal(amount), reason=reason
    )


CLAIMANT = {"name": "匿名者张三", "id_number": "11010519491231002X", "phone": "13800001111"}


# --- range and cap --------------------------------------------------------------------------------


def test_over_the_cap_is_refused_naming_the_amount_and_the_cap(personas, real_name):
    with pytest.raises(ValidationError) as refused:
        decide(personas["chief"], real_name, "100000", reason="重大线索")
    assert refused.value.message_dict["amount"] == [
        "奖励金额：不能超过苏州市通用标准第1版的单件封顶金额 20000.00 元"
    ]
    with pytest.raises(ValidationError, match="每件最低金额 200.00 元"):
        decide(personas["chief"], real_name, "50")


def test_over_the_cap_on_the_page_keeps_the_input(personas, real_name, login):
    response = login("chief").post(
        f"/leads/{real_name.pk}/reward/", {"decision": "granted", "amount": "100000", "reason": "重大线索"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "单件封顶金额 20000.00 元" in page and 'value="100000"' in page
    assert not rewards.Reward.objects.exists()


def test_without_a_standard_no_reward_can_be_granted(personas, regions):
    lead = concluded(personas, reporter={"name": "王举报", "phone": "13912345678"})
    with pytest.raises(ValidationError, match="尚未制定举报奖励标准"):
        decide(personas["chief"], lead, "500")


def test_above_the_scale_needs_a_reason(personas, real_name):
    with pytest.raises(ValidationError) as refused:
        decide(personas["chief"], real_name, "8000")
    assert "标准最高金额 5000.00 元，须写明理由" in refused.value.message_dict["reason"][0]


# --- a leader above the threshold -------------------------------------------------------------------


def test_above_the_threshold_waits_for_a_leader(personas, real_name, django_capture_on_commit_callbacks):
    chief, dave = personas["chief"], personas["dave"]
    with django_capture_on_commit_callbacks(execute=True):
        reward = decide(chief, real_name, "3000")
    assert reward.status == RewardStatus.PROPOSED
    assert Notification.objects.filter(user=dave, text__contains="待您审批").exists()
    with pytest.raises(ValidationError, match="尚待领导审批"):
        services.reward_pay(actor=chief, reward=reward, paid_amount=Decimal("3000"), **PAY)
    with pytest.raises(PermissionDenied):  # a chief proposes; only a leader approves
        rewards.reward_review(actor=chief, reward=reward, approve=True)
    reward = rewards.reward_review(actor=dave, reward=reward, approve=True, note="同意")
    assert (reward.status, reward.reviewed_by) == (RewardStatus.APPROVED, dave)
    reward = services.reward_pay(actor=chief, reward=reward, paid_amount=Decimal("3000"), **PAY)
    assert reward.status == RewardStatus.PAID


def test_up_to_the_threshold_is_granted_at_once(personas, real_name):
    assert decide(personas["chief"], real_name, "2000").status == RewardStatus.APPROVED


def test_a_leader_refuses_with_a_reason_and_nothing_is_paid(personas, real_name):
    reward = decide(personas["chief"], real_name, "3000")
    with pytest.raises(ValidationError, match="不同意的理由"):
        rewards.reward_review(actor=personas["dave"], reward=reward, approve=False)
    reward = rewards.reward_review(actor=personas["dave"], reward=reward, approve=False, note="贡献一般")
    assert reward.status == RewardStatus.REFUSED
    with pytest.raises(ValidationError):
        services.reward_pay(actor=personas["chief"], reward=reward, paid_amount=Decimal("3000"), **PAY)


def test_leader_approves_from_the_lead_page(personas, real_name, login):
    decide(personas["chief"], real_name, "3000")
    client = login("dave")
    page = client.get(real_name.get_absolute_url()).content.decode()
    assert "审批举报奖励" in page and "待领导审批" in page
    response = client.post(
        reverse("leads:reward_review", args=[real_name.pk]), {"decision": "approve", "note": "同意"}
    )
    assert response.status_code == 302
    assert rewards.Reward.objects.get(lead=real_name).status == RewardStatus.APPROVED


# --- the anonymous tip ---------------------------------------------------------------------------


def test_anonymous_tip_is_refused_without_a_claim(personas, anonymous):
    with pytest.raises(ValidationError, match="凭查询码申领"):
        decide(personas["chief"], anonymous, "1000")
    assert not rewards.Reward.objects.exists()


def test_a_wrong_tracking_code_is_refused(personas, anonymous):
    with pytest.raises(ValidationError) as refused:
        rewards.reward_claim(actor=personas["chief"], lead=anonymous, code="AAAAAAAAAAAA", **CLAIMANT)
    assert refused.value.message_dict["code"] == ["查询码：与该线索的查询码不符，不能申领"]
    assert not RewardClaim.objects.exists()


def test_claim_by_tracking_code_then_granted_and_paid(personas, anonymous, login):
    client = login("chief")
    detail = client.get(anonymous.get_absolute_url()).content.decode()
    claim_url = reverse("leads:reward_claim", args=[anonymous.pk])
    assert claim_url in detail  # reached from the lead page
    response = client.post(claim_url, {"code": anonymous.tracking_code.lower(), **CLAIMANT})
    assert response.status_code == 302
    reward = decide(personas["chief"], anonymous, "1000")
    assert reward.status == RewardStatus.APPROVED
    reward = services.reward_pay(actor=personas["chief"], reward=reward, paid_amount=Decimal("1000"), **PAY)
    assert reward.status == RewardStatus.PAID


def test_claim_form_names_the_field_and_keeps_the_input(personas, anonymous, login):
    response = login("chief").post(
        reverse("leads:reward_claim", args=[anonymous.pk]),
        {"code": "AAAAAAAAAAAA", **CLAIMANT, "id_number": "123"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "身份证号码应为18位" in page and 'value="匿名者张三"' in page


def test_claimant_identity_is_encrypted_and_shown_only_to_leads_reporter(personas, anonymous, login):
    rewards.reward_claim(actor=personas["chief"], lead=anonymous, code=anonymous.tracking_code, **CLAIMANT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number, phone FROM leads_rewardclaim")
        raw = cursor.fetchone()
    assert all(value and value != plain for value, plain in zip(raw, CLAIMANT.values(), strict=True))
    assert not AuditEvent.objects.filter(after__icontains="张三").exists()
    url = reverse("leads:reward_claimant", args=[anonymous.pk])
    assert login("alice").post(url).status_code == 403  # an inspector lacks leads.reporter
    reveals = AuditEvent.objects.filter(action=AuditAction.REVEAL).count()
    response = login("chief").post(url)
    assert response.status_code == 200 and "匿名者张三" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL).count() == reveals + 1


# --- another county --------------------------------------------------------------------------------


def test_another_county_gets_404(personas, units, anonymous, login, client):
    xc_chief = make_user("xcchief", units["xiangcheng"], Role.CHIEF, "相城科长")
    client.force_login(xc_chief)
    assert client.get(reverse("leads:reward_claim", args=[anonymous.pk])).status_code == 404
    assert client.post(reverse("leads:reward_claimant", args=[anonymous.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        rewards.reward_claim(actor=xc_chief, lead=anonymous, code=anonymous.tracking_code, **CLAIMANT)
    assert not RewardClaim.objects.exists()


def test_another_county_does_not_see_the_rewards_in_its_list(personas, units, real_name, client):
    decide(personas["chief"], real_name, "500")
    xc_chief = make_user("xcchief", units["xiangcheng"], Role.CHIEF, "相城科长")
    client.force_login(xc_chief)
    response = client.get(reverse("leads:rewards"))
    assert response.status_code == 200
    assert response.context["figures"].granted == 0 and real_name.number not in response.content.decode()


def test_an_inspector_has_no_reward_pages(real_name, login):
    assert login("alice").get(reverse("leads:rewards")).status_code == 404


# --- the list and its figures ------------------------------------------------------------------------


def test_statistics_count_and_sum_by_month_and_region(personas, standard, login):
    chief, dave = personas["chief"], personas["dave"]
    paid = decide(chief, concluded(personas, reporter={"name": "甲", "phone": "13900000001"}), "500")
    services.reward_pay(actor=chief, reward=paid, paid_amount=Decimal("400"), **PAY)
    decide(chief, concluded(personas, reporter={"name": "乙", "phone": "13900000002"}), "1500")
    decide(chief, concluded(personas, reporter={"name": "丙", "phone": "13900000003"}), "4000")  # pending
    lead = concluded(personas, reporter={"name": "丁", "phone": "13900000004"})
    services.reward_decide(actor=chief, lead=lead, decision="refused", amount=Decimal("0"))
    client = login("dave")
    lead_list = client.get(reverse("leads:list")).content.decode()
    assert reverse("leads:rewards") in lead_list  # reached from the leads area
    stats = client.get(reverse("leads:reward_stats")).context["figures"]
    assert (stats.granted, stats.granted_amount) == (2, Decimal("2000"))
    assert (stats.paid, stats.paid_amount) == (1, Decimal("400"))
    assert (stats.pending, stats.pending_amount) == (1, Decimal("4000"))
    assert [(n, amount) for _, n, amount, _ in stats.by_month] == [(2, Decimal("2000"))]
    assert stats.by_region == [("吴中区", 2, Decimal("2000"), Decimal("400"))]
    pending = client.get(reverse("leads:rewards"), {"status": "proposed"})
    assert pending.context["page"].paginator.count == 1
    assert dave.can("leads.reward_approve")


def test_filter_end_before_start_names_the_field(personas, standard, login):
    response = login("chief").get(
        reverse("leads:rewards"), {"decided_from": "2026-06-01", "decided_to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "决定日期止不能早于决定日期起" in response.content.decode()


# --- the standards as versioned data -------------------------------------------------------------


def test_administrator_adds_a_version_that_ends_the_previous(personas, regions, standard, login):
    client = login("sam")
    assert reverse("leads:reward_standards") in client.get(reverse("rules:list")).content.decode()
    data = {
        "region": regions["city"].code,
        "category": "",
        "amount_min": "300",
        "amount_max": "6000",
        "cap": "30000",
        "approval_threshold": "3000",
        "effective_from": "2026-01-01",
        "basis": "修订",
    }
    response = client.post(reverse("leads:reward_standard_add"), data)
    assert response.status_code == 302
    versions = list(RewardStandard.objects.filter(code="320500:general").order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].effective_to == dt.date(2025, 12, 31)
    bad = client.post(
        reverse("leads:reward_standard_add"), {**data, "cap": "100", "effective_from": "2027-01-01"}
    )
    assert bad.status_code == 400 and "封顶金额不能低于标准最高金额" in bad.content.decode()
    assert login("chief").post(reverse("leads:reward_standard_add"), data).status_code == 403


def test_the_nearest_region_with_a_standard_applies(personas, regions, standard):
    county = RewardStandard.objects.create(
        code="320506:unlicensed",
        region=regions["wuzhong"],
        category="unlicensed",
        amount_min=Decimal("100"),
        amount_max=Decimal("1000"),
        cap=Decimal("3000"),
        approval_threshold=Decimal("800"),
        effective_from=dt.date(2024, 1, 1),
    )
    lead = concluded(personas, reporter={"name": "王举报", "phone": "13912345678"})
    assert rewards.standard_for(lead) == county
    with pytest.raises(ValidationError, match="吴中区无证行医（黑诊所）标准第1版的单件封顶金额 3000.00 元"):
        decide(personas["chief"], lead, "5000", reason="重大")
    # The county has a scale for 无证行医 only: a tip of another category takes the city's general one.
    other = concluded(personas, reporter={"name": "李", "phone": "13912345679"}, category="aesthetic")
    assert rewards.standard_for(other) == standard
