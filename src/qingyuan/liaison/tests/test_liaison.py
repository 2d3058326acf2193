"""The departments' side, as the people in it use it: the police liaison answers the referral addressed
to their unit, the health side sees the answer on the case, notices carry read receipts, drug sources
go to the drug regulator and a department hands a lead to the health side."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.cases import referrals
from qingyuan.cases.models import Referral, ReferralStatus, ReferralTarget
from qingyuan.cases.tests.test_followup_data import make_case
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent, Notification
from qingyuan.leads.models import Channel, Lead, TransferSource
from qingyuan.liaison.models import Notice, NoticeReceipt
from qingyuan.regions.models import Unit, UnitKind


@pytest.fixture
def depts(regions, units):
    return {
        "wz_police": Unit.objects.create(
            name="苏州市公安局吴中分局", kind=UnitKind.POLICE, region=regions["wuzhong"]
        ),
        "xc_police": Unit.objects.create(
            name="苏州市公安局相城分局", kind=UnitKind.POLICE, region=regions["xiangcheng"]
        ),
        "wz_market": Unit.objects.create(
            name="吴中区市场监督管理局", kind=UnitKind.MARKET_REGULATION, region=regions["wuzhong"]
        ),
    }


@pytest.fixture
def liaisons(depts):
    return {
        "wz": make_user("wz_police", depts["wz_police"], Role.LIAISON, "韩警"),
        "xc": make_user("xc_police", depts["xc_police"], Role.LIAISON, "相警"),
        "market": make_user("wz_market", depts["wz_market"], Role.LIAISON, "吴市监"),
    }


@pytest.fixture
def case(regions, personas):
    return make_case(region=regions["village"], proposer=personas["alice"], no_qualification=True)


def _sent(case, personas, unit, target=ReferralTarget.POLICE, **extra):
    referral = referrals.referral_propose(
        actor=personas["alice"],
        case=case,
        target=target,
        receiving_unit=unit,
        reason="当事人无医师资格，涉嫌非法行医罪",
        proposed_on=timezone.localdate() - dt.timedelta(days=2),
        **extra,
    )
    referrals.referral_approve(
        actor=personas["chief"], referral=referral, approved_on=timezone.localdate() - dt.timedelta(days=1)
    )
    referrals.referral_transfer(actor=personas["alice"], referral=referral, transferred_at=timezone.now())
    return referral


def _client(client, user):
    client.force_login(user)
    return client


def test_liaison_sees_the_referral_addressed_to_their_unit_only(
    client, case, personas, liaisons, depts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _sent(case, personas, depts["wz_police"])
    # The liaison was told, with a link to their own page.
    note = Notification.objects.get(user=liaisons["wz"])
    assert note.url == reverse("liaison:referral", args=[referral.pk])

    page = _client(client, liaisons["wz"]).get(reverse("liaison:index"))
    assert page.status_code == 200
    assert "非医师行医" in page.content.decode()
    detail = client.get(reverse("liaison:referral", args=[referral.pk])).content.decode()
    assert "当事人无医师资格" in detail and "登记接收" in detail
    # The home page's work list points the liaison at it.
    assert reverse("liaison:referral", args=[referral.pk]) in client.get("/").content.decode()

    # Another county's police and another department of the same county: 404, and not in their list.
    for other in (liaisons["xc"], liaisons["market"]):
        client.force_login(other)
        assert client.get(reverse("liaison:referral", args=[referral.pk])).status_code == 404
        assert "非医师行医" not in client.get(reverse("liaison:index")).content.decode()
        response = client.post(
            reverse("liaison:referral_step", args=[referral.pk, "receipt"]),
            {"receipt-received_on": timezone.localdate().isoformat(), "receipt-receipt_no": "X1"},
        )
        assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED


def test_referral_not_yet_sent_is_not_shown_to_the_liaison(client, case, personas, liaisons, depts):
    referral = referrals.referral_propose(
        actor=personas["alice"],
        case=case,
        target=ReferralTarget.POLICE,
        receiving_unit=depts["wz_police"],
        reason="涉嫌犯罪",
    )
    assert (
        _client(client, liaisons["wz"]).get(reverse("liaison:referral", args=[referral.pk])).status_code
        == 404
    )


def test_liaison_records_receipt_acceptance_progress_and_outcome_and_the_case_shows_it(
    client, case, personas, liaisons, depts, django_capture_on_commit_callbacks
):
    referral = _sent(case, personas, depts["wz_police"])
    today = timezone.localdate().isoformat()
    _client(client, liaisons["wz"])
    steps = [
        ("receipt", {"receipt-received_on": today, "receipt-receipt_no": "吴公受〔2026〕8号"}),
        ("outcome", {"outcome-outcome": "accepted", "outcome-outcome_on": today}),
        ("progress", {"progress-on": today, "progress-note": "已传唤当事人"}),
        ("result", {"result-result": "filed", "result-on": today, "result-note": "吴公刑立〔2026〕5号"}),
    ]
    for action, data in steps:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("liaison:referral_step", args=[referral.pk, action]), data)
        assert response.status_code == 302, action

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.receipt_no == "吴公受〔2026〕8号"
    assert referral.investigation_result == "filed"
    assert [u.note for u in referral.updates.all()] == ["已传唤当事人", "吴公刑立〔2026〕5号"]
    # Each step is audited under the liaison, and the case's officers and head are told.
    actions = set(
        AuditEvent.objects.filter(actor=liaisons["wz"], target_type__contains="referral").values_list(
            "after__action", flat=True
        )
    )
    assert {"receipt", "outcome", "progress", "result"} <= actions
    told = Notification.objects.filter(user=personas["chief"]).values_list("text", flat=True)
    assert any("办理结果：立案" in t for t in told)
    assert any("已受理/立案" in t for t in told)

    # The health side sees the same status on the case page.
    client.force_login(personas["chief"])
    panel = client.get(reverse("cases:followup_panel", args=[case.pk])).content.decode()
    assert 'data-referral-status="accepted"' in panel
    assert 'data-referral-result="filed"' in panel and "已传唤当事人" in panel
    # Once the result is in, the liaison's work list no longer carries it.
    client.force_login(liaisons["wz"])
    assert reverse("liaison:referral", args=[referral.pk]) not in client.get("/").content.decode()


def test_refusal_without_reason_is_refused_with_the_input_kept(client, case, personas, liaisons, depts):
    referral = _sent(case, personas, depts["wz_police"])
    _client(client, liaisons["wz"])
    page = client.post(
        reverse("liaison:referral_step", args=[referral.pk, "outcome"]),
        {
            "outcome-outcome": "refused",
            "outcome-outcome_on": timezone.localdate().isoformat(),
            "outcome-note": "",
        },
    )
    assert page.status_code == 200
    assert "请填写不予受理/不予立案的理由" in page.content.decode()
    assert re.search(r'value="refused"[^>]*checked', page.content.decode())
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED


def test_liaison_cannot_take_the_health_sides_steps_nor_open_the_case(
    client, case, personas, liaisons, depts
):
    referral = referrals.referral_propose(
        actor=personas["alice"],
        case=case,
        target=ReferralTarget.POLICE,
        receiving_unit=depts["wz_police"],
        reason="涉嫌犯罪",
    )
    with pytest.raises(PermissionDenied):
        referrals.referral_approve(actor=liaisons["wz"], referral=referral)
    _client(client, liaisons["wz"])
    assert client.get(case.get_absolute_url()).status_code in (403, 404)
    # A health inspector has no 部门协作 page.
    client.force_login(personas["alice"])
    assert client.get(reverse("liaison:index")).status_code == 403


def test_referral_form_offers_platform_units_of_the_right_kind(case, personas, depts):
    units = referrals.receiving_units(personas["chief"], ReferralTarget.POLICE)
    assert depts["wz_police"] in units and depts["xc_police"] not in units
    with pytest.raises(Exception, match="不是公安机关"):
        referrals.referral_propose(
            actor=personas["alice"],
            case=case,
            target=ReferralTarget.POLICE,
            receiving_unit=depts["wz_market"],
            reason="x",
        )
    with pytest.raises(Exception, match="不在本辖区"):
        referrals.referral_propose(
            actor=personas["alice"],
            case=case,
            target=ReferralTarget.POLICE,
            receiving_unit=depts["xc_police"],
            reason="x",
        )


def test_drug_source_is_referred_to_the_drug_regulator_from_the_case(client, case, personas, liaisons, depts):
    _client(client, personas["alice"])
    url = reverse("liaison:drug_source", args=[case.pk])
    assert client.get(url).status_code == 200
    refused = client.post(
        url, {"receiving_unit": depts["wz_police"].pk, "drugs": "头孢", "reason": "来源不明"}
    )
    # A police unit is not offered for the drug regulator: refused, nothing recorded.
    assert refused.status_code == 200 and "头孢" in refused.content.decode()
    assert not Referral.objects.filter(case=case).exists()
    response = client.post(
        url,
        {
            "receiving_unit": depts["wz_market"].pk,
            "supplier": "无名药贩（微信联系）",
            "drugs": "头孢克肟、地塞米松注射液",
            "quantities": "头孢克肟3盒；地塞米松20支",
            "reason": "当事人使用来源不明药品，移送查处药品来源",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get(case=case, target=ReferralTarget.DRUG)
    assert referral.receiving_unit == depts["wz_market"]
    assert referral.drug_supplier == "无名药贩（微信联系）" and "地塞米松" in referral.drug_names
    assert referral.status == ReferralStatus.PROPOSED
    panel = client.get(reverse("cases:followup_panel", args=[case.pk])).content.decode()
    assert "药品来源：无名药贩（微信联系）" in panel
    # The same referral steps follow, and the market regulation liaison then sees the drug facts.
    referrals.referral_approve(actor=personas["chief"], referral=referral)
    referrals.referral_transfer(actor=personas["alice"], referral=referral, transferred_at=timezone.now())
    client.force_login(liaisons["market"])
    assert "头孢克肟3盒" in client.get(reverse("liaison:referral", args=[referral.pk])).content.decode()
    # Another county's officer cannot start one on this case.
    client.force_login(personas["carol"])
    assert client.get(url).status_code == 404


def test_notice_with_read_receipts(
    client, personas, liaisons, units, depts, django_capture_on_commit_callbacks
):
    _client(client, liaisons["wz"])
    form = client.get(reverse("liaison:notice_new")).content.decode()
    assert "吴中区卫生监督所" in form and "相城区卫生监督所" not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("liaison:notice_new"),
            {
                "title": "联合行动情况通报",
                "body": "本月查处窝点2处",
                "units": [units["wuzhong"].pk, units["city"].pk],
            },
        )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert NoticeReceipt.objects.filter(notice=notice, read_at__isnull=True).count() == 2
    assert Notification.objects.filter(user=personas["chief"], text__contains="联合行动情况通报").exists()

    client.force_login(personas["chief"])
    assert "未读" in client.get(reverse("liaison:notices")).content.decode()
    assert "本月查处窝点2处" in client.get(notice.get_absolute_url()).content.decode()
    receipt = NoticeReceipt.objects.get(notice=notice, unit=units["wuzhong"])
    assert receipt.read_by == personas["chief"] and receipt.read_at is not None
    # A second reader of the same unit does not overwrite who read it first.
    client.force_login(personas["dave"])
    client.get(notice.get_absolute_url())
    client.force_login(make_user("chief2", units["wuzhong"], Role.CHIEF, "钱二"))
    client.get(notice.get_absolute_url())
    receipt.refresh_from_db()
    assert receipt.read_by == personas["chief"]

    client.force_login(liaisons["wz"])
    sent = client.get(notice.get_absolute_url()).content.decode()
    assert "孙志强" in sent and "2/2" in client.get(reverse("liaison:notices")).content.decode()
    # Not addressed: 404; no notices area: 403.
    client.force_login(liaisons["xc"])
    assert client.get(notice.get_absolute_url()).status_code == 404
    client.force_login(personas["alice"])
    assert client.get(notice.get_absolute_url()).status_code == 403


def test_notice_needs_a_recipient_and_keeps_the_input(client, liaisons):
    _client(client, liaisons["wz"])
    page = client.post(reverse("liaison:notice_new"), {"title": "通报", "body": "正文内容"})
    assert page.status_code == 200
    assert "请选择至少一个接收单位" in page.content.decode() and "正文内容" in page.content.decode()


def test_liaison_hands_a_lead_to_the_health_side_and_sees_its_status(client, liaisons, units):
    _client(client, liaisons["wz"])
    response = client.post(
        reverse("liaison:lead_transfer"),
        {
            "place": "吴中区木渎镇金星村",
            "content": "群众报警称该处有人无证开诊所输液",
            "category": "unlicensed",
            "practice_content": "other",
            "transfer_document": "吴公移〔2026〕3号",
        },
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.channel == Channel.TRANSFER and lead.transfer_source == TransferSource.POLICE
    assert lead.handling_unit == units["wuzhong"]
    assert lead.transfer_document == "吴公移〔2026〕3号"
    index = client.get(reverse("liaison:index")).content.decode()
    assert lead.number in index and lead.get_status_display() in index
    # A place is needed to route it; nothing is registered without one.
    page = client.post(
        reverse("liaison:lead_transfer"),
        {"place": "", "content": "只有内容", "category": "other", "practice_content": "other"},
    )
    assert page.status_code == 200 and "只有内容" in page.content.decode()
    assert Lead.objects.count() == 1
