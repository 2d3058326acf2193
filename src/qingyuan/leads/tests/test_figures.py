import datetime as dt

import pytest
from django.utils import timezone

from qingyuan.leads import selectors, services
from qingyuan.leads.models import FeedbackDelivery, Lead, Status

WZ = "苏州市吴中区木渎镇金星村12号"
XC = "相城区黄埭镇三埂村东头"
REAL = {"name": "钱实名", "phone": "13911112222"}


def _lead(clerk, place, *, real=True, delivered=False, **state):
    lead = services.lead_register(
        actor=clerk, channel="phone", content="有人无证行医", place=place, reporter=REAL if real else None
    )
    Lead.objects.filter(pk=lead.pk).update(**state)  # a fixture state, not a workflow under test
    if delivered:  # the answer reached the reporter: what the feedback rate counts
        FeedbackDelivery.objects.create(
            lead=lead,
            method="phone",
            delivered_at=state["answered_at"],
            answered_at=state["answered_at"],
            answer="答复",
        )
    return lead


@pytest.fixture
def leads(personas):
    clerk, now = personas["clerk"], timezone.now()
    late = timezone.localdate() - dt.timedelta(days=1)  # the reporter should have been answered yesterday
    return [
        # 吴中区
        _lead(clerk, WZ, status=Status.ANSWERED, conclusion="true", answered_at=now, delivered=True),
        _lead(
            clerk, WZ, status=Status.CONCLUDED, conclusion="untrue", feedback_due=late
        ),  # concluded, not answered, overdue
        _lead(clerk, WZ, status=Status.REJECTED, answered_at=now, delivered=True),  # rejected: concluded
        _lead(clerk, WZ),  # registered: not concluded
        _lead(clerk, WZ, real=False, status=Status.ANSWERED, conclusion="true", answered_at=now),  # anonymous
        _lead(clerk, WZ, answered_at=now),  # duplicate given its original's answer: not concluded itself
        # 相城区
        _lead(clerk, XC, status=Status.CONCLUDED, conclusion="true", feedback_due=late),  # overdue
    ]


def test_feedback_rate_and_counts_for_a_county(leads, personas):
    figures = selectors.lead_figures(Lead.objects.visible_to(personas["alice"]))
    assert (figures.total, figures.overdue) == (6, 1)
    assert (figures.real_name_concluded, figures.real_name_answered) == (3, 2)
    assert figures.feedback_rate == 66.7
    counts = {code: n for code, _label, n in figures.by_status}
    assert counts == {
        "registered": 2,
        "accepted": 0,
        "rejected": 1,
        "assigned": 0,
        "verifying": 0,
        "concluded": 1,
        "answered": 2,
        "closed": 0,
    }


def test_city_leader_sees_both_counties(leads, personas):
    figures = selectors.lead_figures(Lead.objects.visible_to(personas["dave"]))
    assert (figures.total, figures.overdue, figures.real_name_concluded, figures.real_name_answered) == (
        7,
        2,
        4,
        2,
    )
    assert figures.feedback_rate == 50.0


def test_rate_is_empty_without_concluded_real_name_leads(personas):
    figures = selectors.lead_figures(Lead.objects.visible_to(personas["carol"]))
    assert figures.total == 0 and figures.feedback_rate is None


def test_list_page_shows_figures_for_the_jurisdiction_and_filters(leads, login):
    alice = login("alice")
    page = alice.get("/leads/").content.decode()
    assert 'data-figure="feedback-rate">66.7%' in page and 'data-figure="overdue">1<' in page
    assert "已送达 2 / 已出结论或不予受理 3" in page
    filtered = alice.get("/leads/", {"overdue": "true"}).content.decode()
    assert 'data-figure="feedback-rate">0.0%' in filtered and "已送达 0 / 已出结论或不予受理 1" in filtered
    carol = login("carol").get("/leads/").content.decode()
    assert 'data-figure="feedback-rate">0.0%' in carol and 'data-figure="overdue">1<' in carol
    assert "钱实名" not in page
