"""Two officers answering one reporter from pages opened at the same time: the answer written from the
earlier page is refused and shows both answers, instead of replacing the colleague's unseen."""

import pytest

from qingyuan.core.models import AuditEvent
from qingyuan.core.tests.pages import form_data
from qingyuan.leads import services
from qingyuan.leads.models import Lead


@pytest.fixture
def concluded(personas):
    lead = services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="村里有人无证看病",
        place="吴中区木渎镇金星村",
        reporter={"name": "王举报", "phone": "13912345678"},
    )
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=lead)
    services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=lead)
    return services.lead_conclude(actor=alice, lead=lead, conclusion="untrue", note="未发现")


def test_stale_answer_is_refused_and_shows_both_answers(concluded, login):
    lead = concluded
    url = f"/leads/{lead.pk}/answer/"
    alice, bob = login("alice"), login("bob")
    alices_form = form_data(alice.get(lead.get_absolute_url()).content.decode(), url)
    bobs_form = form_data(bob.get(lead.get_absolute_url()).content.decode(), url)
    assert alices_form["version"]
    assert bob.post(url, {**bobs_form, "text": "经核查，所反映问题不属实。"}).status_code == 302
    events = AuditEvent.objects.filter(target_type="leads.lead", target_id=str(lead.pk)).count()

    response = alice.post(url, {**alices_form, "text": "经现场核查未发现非法行医。"})
    page = response.content.decode()
    assert response.status_code == 409 and "该记录已被他人修改（王博，" in page
    assert "经核查，所反映问题不属实。" in page and "经现场核查未发现非法行医。" in page
    assert Lead.objects.get(pk=lead.pk).feedback == "经核查，所反映问题不属实。"
    assert AuditEvent.objects.filter(target_type="leads.lead", target_id=str(lead.pk)).count() == events

    assert alice.post(url, form_data(page)).status_code == 302
    assert Lead.objects.get(pk=lead.pk).feedback == "经现场核查未发现非法行医。"
