"""The penalty procedure pages as an officer uses them: from the case page to the proposal page and
back, a refused proposal keeping what was typed, 403 for a role without the step, 404 outside the
jurisdiction, the leader's time-bar form."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from qingyuan.cases import services
from qingyuan.cases.models import Case
from qingyuan.cases.models_procedure import PenaltyProposal

from .test_case_data import notified, opened, propose

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def _in_review(personas, regions, **kwargs):
    return services.case_to_review(actor=personas["alice"], case=opened(personas, regions, **kwargs))


def _step_url(case, action):
    return reverse("cases:penalty_step", args=[case.pk, action])


def _value(page, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


def test_officer_clicks_from_the_case_page_to_the_proposal_page_and_back(personas, regions, login):
    case = _in_review(personas, regions)
    client = login("alice")
    page = client.get(case.get_absolute_url()).content.decode()
    url = _step_url(case, "propose_penalty")
    assert f'href="{url}"' in page and "尚未拟定处罚意见" in page
    form = client.get(url).content.decode()
    assert f'href="{case.get_absolute_url()}#penalty"' in form and "拟定处罚意见" in form
    # The confiscation starts as the illegal income found in the case.
    assert _value(form, "confiscate_income") == "3000.00"
    response = client.post(
        url,
        {
            "offence_code": "ZY-01",
            "facts": "当事人在家中开设诊所",
            "discretion": "normal",
            "fine": "50000",
            "confiscate_income": "3000",
            "ban": "on",
        },
    )
    assert response.status_code == 302 and response.url == f"{case.get_absolute_url()}#penalty"
    page = client.get(response.url).content.decode()
    assert "拟处罚意见第1版" in page and "尚未告知" in page and "应告知听证权利" in page
    assert 'data-requirement="notice" data-done="0"' in page
    assert f'href="{_step_url(case, "notify")}"' in page
    # The proposal page shows the version now, and leads back again.
    again = client.get(_step_url(case, "propose_penalty")).content.decode()
    assert 'data-version="1"' in again and "返回案件" in again


def test_a_refused_proposal_keeps_what_was_typed_and_says_why(personas, regions, login):
    case = _in_review(personas, regions, codes=["YS-01"])
    response = login("alice").post(
        _step_url(case, "propose_penalty"),
        {"offence_code": "YS-01", "facts": "非医师行医", "discretion": "mitigated", "fine": "5000"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "减轻处罚须填写依据" in page or "减轻处罚须填写理由" in page
    assert _value(page, "fine") == "5000"
    assert not PenaltyProposal.objects.exists()


def test_notice_page_serves_the_proposal(personas, regions, login):
    case = _in_review(personas, regions)
    client = login("alice")
    # Without a proposal the page says why the notice cannot be served yet.
    assert "尚未拟定处罚意见" in client.get(_step_url(case, "notify")).content.decode()
    client.post(
        _step_url(case, "propose_penalty"),
        {
            "offence_code": "ZY-01",
            "facts": "事实",
            "discretion": "normal",
            "fine": "50000",
            "confiscate_income": "3000",
        },
    )
    response = client.post(
        _step_url(case, "notify"), {"notified_on": "2026-08-03", "notice_number": "吴卫告〔2026〕1号"}
    )
    assert response.status_code == 302
    assert PenaltyProposal.objects.get().notice_number == "吴卫告〔2026〕1号"
    assert Case.objects.get(pk=case.pk).status == "notified"


def test_inspector_may_not_open_the_legal_review_page(personas, regions, login):
    case = notified(personas, regions, clear=False)
    assert login("alice").get(_step_url(case, "legal_review")).status_code == 403
    assert login("dave").get(_step_url(case, "legal_review")).status_code == 200


def test_neighbouring_county_cannot_see_the_step_pages(personas, regions, login):
    case = _in_review(personas, regions)
    assert login("carol").get(_step_url(case, "propose_penalty")).status_code == 404
    assert login("carol").post(reverse("cases:penalty_submit_review", args=[case.pk])).status_code == 404


def test_a_step_the_state_does_not_allow_goes_back_to_the_case(personas, regions, login):
    case = _in_review(personas, regions)
    response = login("alice").get(_step_url(case, "schedule_hearing"))
    assert response.status_code == 302 and response.url.startswith(case.get_absolute_url())


def test_leader_records_the_reason_for_a_time_barred_opening(personas, regions, login):
    case = propose(personas, regions, offence_date=dt.date(2023, 6, 1), checked_on=dt.date(2026, 6, 1))
    url = reverse("cases:penalty_time_bar", args=[case.pk])
    page = login("dave").get(case.get_absolute_url()).content.decode()
    assert "追责期限" in page and f'href="{url}"' in page
    assert login("alice").get(url).status_code == 403
    response = login("dave").post(url, {"time_bar_reason": ""})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    response = login("dave").post(url, {"time_bar_reason": "违法行为持续至今"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.time_bar_by == personas["dave"] and case.time_bar_reason == "违法行为持续至今"


def test_every_step_page_opens_in_its_state_and_the_statement_is_saved(personas, regions, login):
    case = notified(personas, regions, clear=False)
    alice, chief = login("alice"), login("chief")
    for action in ("record_statement", "request_hearing", "renotify", "propose_penalty"):
        assert alice.get(_step_url(case, action)).status_code == 200, action
    assert chief.get(_step_url(case, "discuss")).status_code == 200
    response = alice.post(
        _step_url(case, "record_statement"),
        {
            "taken_at": "2026-08-05T10:00",
            "place": "吴中区卫生监督所",
            "speaker": "张三",
            "content": "没有收费",
            "officers": [personas["alice"].pk, personas["bob"].pk],
            "adoption": "rejected",
            "adoption_reason": "有收费票据为证",
        },
    )
    assert response.status_code == 302
    page = alice.get(case.get_absolute_url()).content.decode()
    assert 'id="statements"' in page and "不予采纳" in page
    services.case_request_hearing(actor=personas["alice"], case=case, requested_on=dt.date(2026, 8, 5))
    for action in ("schedule_hearing", "end_hearing"):
        assert alice.get(_step_url(case, action)).status_code == 200, action
    response = alice.post(
        _step_url(case, "schedule_hearing"),
        {
            "notice_served_on": "2026-08-06",
            "scheduled_at": "2026-08-10T09:30",
            "place": "第一会议室",
            "host": personas["chief"].pk,
            "public": "on",
        },
    )
    assert response.status_code == 200 and "2026年08月17日" in response.content.decode()
    assert _value(response.content.decode(), "place") == "第一会议室"


def test_discussion_page_records_the_conclusion(personas, regions, login):
    case = notified(personas, regions, clear=False)
    response = login("chief").post(
        _step_url(case, "discuss"),
        {
            "held_on": "2026-08-04",
            "chair": personas["chief"].pk,
            "participants": [personas["alice"].pk, personas["bob"].pk],
            "opinions": "同意拟处罚意见",
            "conclusion": "as_proposed",
        },
    )
    assert response.status_code == 302
    page = login("chief").get(case.get_absolute_url()).content.decode()
    assert 'data-requirement="discussion" data-done="1"' in page
    assert 'data-requirement="legal_review" data-done="0"' in page


def test_case_proposal_form_asks_for_the_end_of_the_act_and_harm(personas, regions, login):
    from .test_case_data import make_subject

    subject = make_subject(regions["village"])
    page = login("alice").get(reverse("cases:create") + f"?subject={subject.pk}").content.decode()
    assert 'name="act_ended_on"' in page and 'name="endangers_health"' in page
