"""What a resident reads with the tracking code: status, received date, the answer. Nothing else."""

import pytest
from django.test import Client

from qingyuan.leads import services


@pytest.fixture
def lead(personas):
    return services.lead_register(
        actor=None,
        channel="web",
        content="金星村有人开黑诊所，挂水打针",
        place="吴中区木渎镇金星村",
        reported_person="张某",
        reporter={"name": "王举报", "phone": "13912345678"},
    )


def _track(code):
    return Client().post("/public/track/", {"code": code})


def _work_through(lead, personas):
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=lead)
    services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=lead)
    services.lead_conclude(
        actor=alice, lead=lead, conclusion="true", note="内部记录：现场查获输液器械，当事人张某"
    )
    return lead


def test_new_tip_reads_received(lead):
    page = _track(lead.tracking_code).content.decode()
    assert "已收到" in page and "收到日期" in page and "答复" not in page.split("track-result")[-1]


def test_code_is_case_insensitive_and_ignores_spaces(lead):
    code = lead.tracking_code
    messy = f" {code[:4].lower()} {code[4:8]}-{code[8:].lower()} "
    assert "已收到" in _track(messy).content.decode()


def test_concluded_but_unanswered_shows_no_answer_yet(lead, personas):
    _work_through(lead, personas)
    page = _track(lead.tracking_code).content.decode()
    assert "核查中" in page and "经核查" not in page


def test_answer_is_shown_after_lead_answer_and_nothing_confidential(lead, personas):
    _work_through(lead, personas)
    lead.refresh_from_db()
    services.lead_answer(actor=personas["alice"], lead=lead, text="经核查，您反映的问题属实，已依法查处。")
    page = _track(lead.tracking_code).content.decode()
    assert "已答复" in page and "经核查，您反映的问题属实，已依法查处。" in page
    for secret in (
        "王举报",
        "13912345678",
        "内部记录",
        "李爱丽",
        "王博",
        "孙志强",
        "吴中区卫生监督所",
        "张某",
    ):
        assert secret not in page
    lead.refresh_from_db()
    services.lead_close(actor=personas["chief"], lead=lead)
    page = _track(lead.tracking_code).content.decode()
    assert "已办结" in page and "已依法查处" in page


def test_rejection_shows_its_reason(lead, personas):
    services.lead_reject(actor=personas["chief"], lead=lead, reason="不属于卫生健康部门职责")
    page = _track(lead.tracking_code).content.decode()
    assert "不予受理" in page and "不属于卫生健康部门职责" in page


def test_wrong_code_reveals_nothing(lead):
    page = _track("ZZZZZZZZZZZZ").content.decode()
    assert "未找到" in page and "收到日期" not in page and "已收到" not in page


def test_tracking_is_rate_limited(lead, settings):
    settings.QINGYUAN_PORTAL_RATES = {**settings.QINGYUAN_PORTAL_RATES, "track": (3, 600)}
    for _ in range(3):
        _track("ZZZZZZZZZZZZ")
    response = _track(lead.tracking_code)
    assert response.status_code == 429 and "已收到" not in response.content.decode()
