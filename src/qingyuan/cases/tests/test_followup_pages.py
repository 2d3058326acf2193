import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from qingyuan.cases import rechecks, referrals
from qingyuan.cases.models import CaseStatus, LookBack, Referral, ReferralTarget

from .test_followup_data import decide, earlier_penalty, make_case, make_subject

D = dt.date


@pytest.fixture
def case(regions, personas):
    return make_case(region=regions["village"], proposer=personas["alice"], no_qualification=True)


@pytest.fixture
def referral(case, personas):
    return referrals.referral_propose(
        actor=personas["alice"],
        case=case,
        target=ReferralTarget.POLICE,
        target_unit="吴中公安分局",
        reason="涉嫌犯罪",
    )


@pytest.fixture
def recheck(regions, personas):
    banned = make_case(
        region=regions["village"],
        proposer=personas["alice"],
        subject=make_subject(regions["village"], "甲诊所"),
    )
    decision = decide(banned, timezone.localdate() - dt.timedelta(days=40), by=personas["chief"])
    return rechecks.schedule_after_decision(actor=personas["chief"], decision=decision)


@pytest.fixture
def lookback(recheck, regions, personas):
    today = timezone.localdate()
    return rechecks.lookback_start(
        actor=personas["chief"],
        name="本年度回头看",
        region=regions["wuzhong"],
        banned_from=today - dt.timedelta(days=100),
        banned_to=today,
    )


def _gets(case, referral, recheck, lookback):
    return [
        f"/cases/{case.pk}/followup/",
        "/cases/rechecks/",
        "/cases/lookbacks/",
        "/cases/lookbacks/new/",
        f"/cases/lookbacks/{lookback.pk}/",
    ]


def _posts(case, referral, recheck):
    return [
        f"/cases/{case.pk}/followup/crime_refresh/",
        f"/cases/{case.pk}/followup/crime_override/",
        f"/cases/{case.pk}/followup/referral_propose/",
        f"/cases/{case.pk}/followup/judgment/",
        f"/cases/{case.pk}/followup/accountable/",
        f"/cases/referrals/{referral.pk}/approve/",
        f"/cases/referrals/{referral.pk}/transfer/",
        f"/cases/rechecks/{recheck.pk}/complete/",
        f"/cases/rechecks/{recheck.pk}/link/",
    ]


def test_anonymous_users_are_sent_to_login(case, referral, recheck, lookback):
    client = Client()
    for url in _gets(case, referral, recheck, lookback):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"], url
    for url in _posts(case, referral, recheck):
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"], url
    assert Referral.objects.get(pk=referral.pk).approved_on is None


def test_neighbouring_county_gets_404_for_every_record(login, case, referral, recheck, lookback):
    client = login("carol")
    assert client.get(f"/cases/{case.pk}/followup/").status_code == 404
    assert client.get(f"/cases/lookbacks/{lookback.pk}/").status_code == 404
    for url in _posts(case, referral, recheck):
        assert client.post(url).status_code == 404, url
    listing = client.get("/cases/rechecks/").content.decode()
    assert "甲诊所" not in listing
    assert "本年度回头看" not in client.get("/cases/lookbacks/").content.decode()


def test_system_administrator_is_refused(login, case, referral, recheck, lookback):
    client = login("sam")
    for url in _gets(case, referral, recheck, lookback):
        assert client.get(url).status_code == 403, url
    for url in _posts(case, referral, recheck):
        assert client.post(url).status_code == 403, url


def test_inspector_cannot_approve_a_referral_or_override(login, case, referral):
    client = login("alice")
    assert client.post(f"/cases/referrals/{referral.pk}/approve/").status_code == 403
    assert client.post(f"/cases/{case.pk}/followup/crime_override/", {"reason": "不移送"}).status_code == 403
    assert client.get("/cases/lookbacks/new/").status_code == 403
    referral.refresh_from_db()
    case.refresh_from_db()
    assert referral.approved_on is None and not case.crime_override_reason


def test_panel_shows_the_assessment_and_prior_penalties_outside_the_jurisdiction_without_details(
    login, case, regions, personas
):
    prior = [
        earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=day)
        for day in (D(2024, 5, 10), D(2025, 3, 1))
    ]
    page = login("alice").get(f"/cases/{case.pk}/followup/").content.decode()
    assert "涉嫌非法行医罪，应移送公安机关" in page
    assert 'data-figure="prior-penalties">2<' in page
    assert "2024-05-10" in page and "相城区" in page
    assert prior[0].number not in page  # another county's case: region and date only
    assert "重新评估" in page
    assert "决定不移送公安机关（领导）" not in page
    leader_page = login("dave").get(f"/cases/{case.pk}/followup/").content.decode()
    assert "决定不移送公安机关（领导）" in leader_page
    assert prior[0].number in leader_page  # the city leader's jurisdiction covers 相城区


def test_re_evaluate_button_stores_the_flag(login, case, regions, personas):
    for day in (D(2024, 5, 10), D(2025, 3, 1)):
        earlier_penalty(region=regions["xc_village"], proposer=personas["carol"], decided_on=day)
    response = login("alice").post(f"/cases/{case.pk}/followup/crime_refresh/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.crime_suspected


def test_leader_overrides_on_the_page_and_an_empty_reason_is_refused(login, case):
    case.bad_drugs = True
    case.save()
    client = login("dave")
    response = client.post(f"/cases/{case.pk}/followup/crime_override/", {"reason": ""}, follow=True)
    assert "理由" in response.content.decode()
    case.refresh_from_db()
    assert not case.crime_override_reason
    client.post(f"/cases/{case.pk}/followup/crime_override/", {"reason": "药品经检验合格"})
    case.refresh_from_db()
    assert case.crime_override_reason == "药品经检验合格"


def test_referral_is_proposed_approved_and_transferred_on_the_page(login, case):
    alice, chief = login("alice"), login("chief")
    alice.post(
        f"/cases/{case.pk}/followup/referral_propose/",
        {"target": "police", "target_unit": "吴中公安分局", "reason": "无医师资格，使用劣药"},
    )
    referral = Referral.objects.get(case=case)
    panel = alice.get(f"/cases/{case.pk}/followup/").content.decode()
    assert "负责人决定是否移送" in panel and "还剩" in panel
    chief.post(f"/cases/referrals/{referral.pk}/approve/", {})
    referral.refresh_from_db()
    assert referral.approved_on == timezone.localdate()
    bad = alice.post(f"/cases/referrals/{referral.pk}/transfer/", {"transferred_at": ""}, follow=True)
    assert "移送时间" in bad.content.decode()
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    alice.post(f"/cases/referrals/{referral.pk}/transfer/", {"transferred_at": now})
    referral.refresh_from_db()
    assert referral.transferred_at is not None


def test_region_referral_offers_handing_the_whole_case_over(login, case, personas):
    referral = referrals.referral_propose(
        actor=personas["alice"],
        case=case,
        target=ReferralTarget.REGION,
        target_unit="相城区卫生监督所",
        reason="管辖",
    )
    referrals.referral_approve(actor=personas["chief"], referral=referral)
    chief = login("chief")
    assert "将案件整体移送" in chief.get(f"/cases/{case.pk}/followup/").content.decode()
    chief.post(f"/cases/referrals/{referral.pk}/case_transfer/")
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSFERRED


def test_recheck_list_counts_and_exports(login, recheck):
    client = login("alice")
    page = client.get("/cases/rechecks/").content.decode()
    assert "甲诊所" in page and 'data-figure="overdue">1<' in page
    assert "甲诊所" not in client.get("/cases/rechecks/", {"state": "done"}).content.decode()
    export = client.get("/cases/rechecks/", {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_lookback_is_started_on_the_page_and_shows_progress(login, recheck, regions):
    client = login("chief")
    today = timezone.localdate()
    bad = client.post(
        "/cases/lookbacks/new/",
        {
            "name": "回头看",
            "region": regions["wuzhong"].pk,
            "banned_from": today,
            "banned_to": today - dt.timedelta(days=1),
        },
    )
    assert "不能早于" in bad.content.decode()
    response = client.post(
        "/cases/lookbacks/new/",
        {
            "name": "本年度回头看",
            "region": regions["wuzhong"].pk,
            "banned_from": today - dt.timedelta(days=100),
            "banned_to": today,
        },
    )
    lookback = LookBack.objects.get()
    assert response["Location"] == f"/cases/lookbacks/{lookback.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-figure="done">0<' in page and 'data-figure="total">1<' in page and "甲诊所" in page
    assert "本年度回头看" in client.get("/cases/lookbacks/").content.decode()


def test_recheck_result_is_recorded_on_the_case_page_and_the_new_case_linked(
    login, recheck, regions, personas
):
    from .test_rechecks import inspection_of

    client = login("alice")
    today = timezone.localdate()
    inspection = inspection_of(recheck.subject, today, personas)
    data = {f"r{recheck.pk}-result": "reoffended"}
    if inspection is not None:
        data[f"r{recheck.pk}-inspection"] = inspection.pk
    else:
        data[f"r{recheck.pk}-done_on"] = today
    client.post(f"/cases/rechecks/{recheck.pk}/complete/", data)
    recheck.refresh_from_db()
    assert recheck.result == "reoffended" and recheck.done_on == today
    panel = client.get(f"/cases/{recheck.case_id}/followup/").content.decode()
    assert "提请立案" in panel and "关联" in panel

    outsider = make_case(region=regions["xc_village"], proposer=personas["carol"])
    refused = client.post(
        f"/cases/rechecks/{recheck.pk}/link/", {f"l{recheck.pk}-new_case": outsider.number}, follow=True
    )
    assert "未找到该编号的案件" in refused.content.decode()
    new_case = make_case(region=regions["village"], proposer=personas["alice"], subject=recheck.subject)
    client.post(f"/cases/rechecks/{recheck.pk}/link/", {f"l{recheck.pk}-new_case": new_case.number})
    new_case.refresh_from_db()
    assert new_case.earlier_case_id == recheck.case_id
