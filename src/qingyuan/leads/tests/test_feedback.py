"""The lead page's follow-up: refused steps keep what was typed, a subject made from the lead, the
tracking code and receipt, how the answer reached the reporter, the public tracking page and the
reporter's rating (满意度) with its dashboard figure."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from qingyuan.core.concurrency import version_token
from qingyuan.core.models import AuditEvent
from qingyuan.leads import feedback, selectors, services
from qingyuan.leads.models import FeedbackDelivery, Lead, LeadEvent, Satisfaction, Status
from qingyuan.subjects.models import Subject

PLACE = "吴中区木渎镇金星村"


@pytest.fixture
def lead(personas):
    """A real-name hotline tip, concluded and answered, the answer not yet delivered nor released."""
    lead = services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="村里有人无证看病挂水",
        place=PLACE,
        practice_content="internal",
        reported_person="张某",
        reported_phone="13800001111",
        reporter={"name": "王举报", "phone": "13912345678"},
    )
    return lead


def _answered(lead, personas, text="经核查，您反映的问题属实，已依法查处。"):
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=lead)
    services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=lead)
    services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="现场查获输液器械")
    services.lead_answer(actor=alice, lead=lead, text=text)
    return Lead.objects.get(pk=lead.pk)


def _track(code, **extra):
    return Client().post("/public/track/", {"code": code, **extra})


# --- refused steps keep what was typed ---------------------------------------------------------


def test_refused_assignment_shows_the_error_by_the_field_and_keeps_the_choice(lead, personas, login):
    services.lead_accept(actor=personas["chief"], lead=lead)
    events = LeadEvent.objects.filter(lead=lead).count()
    alice = personas["alice"]
    response = login("chief").post(f"/leads/{lead.pk}/assign/", {"officers": [alice.pk]})
    assert response.status_code == 400
    page = response.content.decode()
    section = page.split('id="action-assign"')[1].split("</form>")[0]
    assert "核查须分派至少2名执法人员" in section
    assert f'value="{alice.pk}"' in section and "checked" in section
    lead.refresh_from_db()
    assert lead.status == Status.ACCEPTED and not lead.officers.exists()
    assert LeadEvent.objects.filter(lead=lead).count() == events


def test_refused_duplicate_and_reroute_keep_the_input(lead, personas, login):
    chief = login("chief")
    response = chief.post(f"/leads/{lead.pk}/duplicate/", {"original_number": "XS2099999999"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "未找到该编号的线索" in page and 'value="XS2099999999"' in page
    response = chief.post(f"/leads/{lead.pk}/reroute/", {"unit": "", "reason": "地址在相城区"})
    page = response.content.decode()
    assert response.status_code == 400 and "地址在相城区" in page
    lead.refresh_from_db()
    assert lead.duplicate_of is None and lead.handling_unit.name == "吴中区卫生监督所"


def test_a_step_the_state_refuses_is_shown_on_the_page(lead, login):
    response = login("chief").post(f"/leads/{lead.pk}/close/")
    assert response.status_code == 400
    assert "不能执行“办结”" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == Status.REGISTERED


def test_practice_content_has_no_preset_value(login, units):
    page = login("clerk").get("/leads/new/").content.decode()
    select = page.split('name="practice_content"')[1].split("</select>")[0]
    assert '<option value="" selected>请选择</option>' in select
    assert "selected" not in select.replace('<option value="" selected>', "")
    response = login("clerk").post(
        "/leads/new/",
        {
            "channel": "phone",
            "received_at": "2026-11-20T09:30",
            "category": "unlicensed",
            "content": "金星村有人开黑诊所",
            "place": "苏州市吴中区木渎镇金星村12号",
            "anonymous": "on",
        },
    )
    assert response.status_code == 200 and not Lead.objects.exists()
    assert "金星村有人开黑诊所" in response.content.decode()


# --- a subject made from the lead ---------------------------------------------------------------


def test_subject_form_is_prefilled_from_the_lead(lead, login):
    page = login("alice").get(f"/leads/{lead.pk}/subject/").content.decode()
    assert 'value="张某"' in page and f'value="{PLACE}"' in page and 'value="13800001111"' in page
    assert '<option value="internal" selected>' in page
    assert f'<option value="{lead.region_id}" selected>' in page


def test_subject_created_from_the_lead_is_linked_with_audit(lead, personas, regions, login):
    client = login("alice")
    page = client.get(f"/leads/{lead.pk}/subject/").content.decode()
    version = page.split('name="link-version" value="')[1].split('"')[0]
    response = client.post(
        f"/leads/{lead.pk}/subject/",
        {
            "name": "张某诊所",
            "kind": "unlicensed_clinic",
            "address": PLACE,
            "region": lead.region_id,
            "location_type": "",
            "practice_content": "internal",
            "institution_type": "other",
            "status": "active",
            "found_on": "",
            "notes": "",
            "institution_licence": "",
            "person-name": "张某",
            "person-role": "operator",
            "person-id_number": "",
            "person-phone": "13800001111",
            "link-version": version,
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/leads/{lead.pk}/"
    subject = Subject.objects.get()
    lead.refresh_from_db()
    assert lead.subject == subject and subject.persons.get().name == "张某"
    assert AuditEvent.objects.filter(target_type="subjects.subject", action="create").exists()
    assert AuditEvent.objects.filter(
        target_type="leads.lead", target_id=str(lead.pk), action="update"
    ).exists()
    assert lead.events.filter(action="关联监管对象").exists()


def test_refused_subject_form_keeps_input_and_saves_nothing(lead, login):
    response = login("alice").post(
        f"/leads/{lead.pk}/subject/", {"name": "张某诊所", "person-name": "", "person-phone": "13800001111"}
    )
    assert response.status_code == 400
    page = response.content.decode()

    assert 'value="张某诊所"' in page and "填写了电话或身份证号，请同时填写姓名" in page
    assert not Subject.objects.exists() and Lead.objects.get(pk=lead.pk).subject is None


def test_link_with_a_stale_page_is_refused(lead, personas, regions, login):
    first = Subject.objects.create(name="甲诊所", kind="unlicensed_clinic", address=PLACE, region=lead.region)
    second = Subject.objects.create(
        name="乙诊所", kind="unlicensed_clinic", address=PLACE, region=lead.region
    )
    client = login("alice")
    version = version_token(lead, services.LINK_FIELDS)  # what the page opened now carries
    services.lead_link_subject(actor=personas["bob"], lead=lead, subject=first)
    response = client.post(f"/leads/{lead.pk}/link/", {"subject": second.pk, "version": version})
    assert response.status_code == 409 and "该记录已被他人修改" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).subject == first


# --- tracking code, receipt, delivery -----------------------------------------------------------


def test_officer_sees_the_tracking_code_and_prints_the_receipt(lead, login):
    client = login("alice")
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert lead.tracking_code in page and "打印回执" in page
    receipt = client.get(f"/leads/{lead.pk}/receipt/").content.decode()
    for text in (lead.number, lead.tracking_code, "/public/track/", "12320", "举报受理回执"):
        assert text in receipt
    assert "王举报" not in receipt


def test_delivery_is_recorded_with_method_time_and_officer(lead, personas, login):
    Lead.objects.filter(pk=lead.pk).update(received_at=timezone.now() - dt.timedelta(days=2))
    lead = _answered(lead, personas)
    when = timezone.localtime() - dt.timedelta(hours=1)
    response = login("alice").post(
        f"/leads/{lead.pk}/deliver/",
        {"method": "phone", "delivered_at": when.strftime("%Y-%m-%dT%H:%M"), "note": "本人接听"},
    )

    assert response.status_code == 302
    delivery = FeedbackDelivery.objects.get()
    assert (delivery.method, delivery.recorded_by, delivery.answered_at) == (
        "phone",
        personas["alice"],
        lead.answered_at,
    )
    assert timezone.localtime(delivery.delivered_at).strftime("%H:%M") == when.strftime("%H:%M")
    assert AuditEvent.objects.filter(target_type="leads.feedbackdelivery", action="create").exists()
    page = login("alice").get(f"/leads/{lead.pk}/").content.decode()
    assert "已送达" in page and "李爱丽登记" in page


def test_delivery_in_the_future_is_refused_with_input_kept(lead, personas, login):
    lead = _answered(lead, personas)
    later = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = login("alice").post(
        f"/leads/{lead.pk}/deliver/", {"method": "letter", "delivered_at": later, "note": "挂号信"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "送达时间不能晚于现在" in page and "挂号信" in page and later in page
    assert not FeedbackDelivery.objects.exists()


def test_delivery_needs_the_answering_permission(lead, personas, login):
    lead = _answered(lead, personas)
    response = login("carol").post(f"/leads/{lead.pk}/deliver/", {"method": "phone"})
    assert response.status_code in (403, 404) and not FeedbackDelivery.objects.exists()


def test_feedback_rate_counts_delivered_answers_only(lead, personas):
    lead = _answered(lead, personas)
    figures = selectors.lead_figures(Lead.objects.all())
    assert (figures.real_name_concluded, figures.real_name_answered, figures.real_name_delivered) == (1, 1, 0)
    assert figures.feedback_rate == 0.0
    feedback.delivery_record(actor=personas["alice"], lead=lead, method="sms", delivered_at=timezone.now())
    assert selectors.lead_figures(Lead.objects.all()).feedback_rate == 100.0
    # A corrected answer has to reach the reporter again.
    services.lead_answer(actor=personas["alice"], lead=lead, text="更正后的答复")
    assert selectors.lead_figures(Lead.objects.all()).feedback_rate == 0.0


# --- the public tracking page -------------------------------------------------------------------


def test_tracking_page_hides_an_undelivered_answer_and_shows_a_delivered_one(lead, personas):
    lead = _answered(lead, personas)
    page = _track(lead.tracking_code).content.decode()
    assert "已答复" in page and "已依法查处" not in page and "rate-form" not in page
    feedback.delivery_record(actor=personas["alice"], lead=lead, method="phone", delivered_at=timezone.now())
    page = _track(lead.tracking_code).content.decode()
    assert "已依法查处" in page and "您对本次办理是否满意" in page


def test_released_answer_is_shown_and_its_reading_recorded_as_online_delivery(lead, personas, login):
    lead = _answered(lead, personas)
    assert login("alice").post(f"/leads/{lead.pk}/release/").status_code == 302
    assert not FeedbackDelivery.objects.exists()  # released, not yet read
    assert "已依法查处" in _track(lead.tracking_code).content.decode()
    _track(lead.tracking_code)
    online = FeedbackDelivery.objects.get()  # read twice, recorded once
    assert online.method == "online" and online.recorded_by is None
    assert selectors.lead_figures(Lead.objects.all()).feedback_rate == 100.0


def test_reporter_rates_once(lead, personas):
    lead = _answered(lead, personas)
    feedback.lead_release(actor=personas["alice"], lead=lead)
    page = _track(lead.tracking_code, step="rate", rating="satisfied", comment="处理及时").content.decode()
    assert "感谢您的评价" in page and "您的评价" in page and "rate-form" not in page
    again = _track(lead.tracking_code, step="rate", rating="unsatisfied").content.decode()
    assert "rate-form" not in again
    rated = Satisfaction.objects.get()
    assert (rated.rating, rated.comment, rated.source, rated.recorded_by) == (
        "satisfied",
        "处理及时",
        "online",
        None,
    )


def test_rating_before_the_answer_is_visible_is_refused(lead, personas):
    lead = _answered(lead, personas)
    _track(lead.tracking_code, step="rate", rating="unsatisfied")
    assert not Satisfaction.objects.exists()


def test_rating_needs_csrf(lead, personas):
    lead = _answered(lead, personas)
    feedback.lead_release(actor=personas["alice"], lead=lead)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/public/track/", {"code": lead.tracking_code, "step": "rate", "rating": "satisfied"}
    )
    assert response.status_code == 403 and not Satisfaction.objects.exists()


def test_officer_records_a_rating_given_on_the_phone(lead, personas, login):
    lead = _answered(lead, personas)
    client = login("alice")
    response = client.post(f"/leads/{lead.pk}/rate/", {"rating": "basically"})
    assert response.status_code == 400 and "答复送达举报人后才能记录满意度" in response.content.decode()
    feedback.delivery_record(actor=personas["alice"], lead=lead, method="phone", delivered_at=timezone.now())
    assert (
        client.post(f"/leads/{lead.pk}/rate/", {"rating": "basically", "comment": "希望更快"}).status_code
        == 302
    )
    rated = Satisfaction.objects.get()
    assert (rated.rating, rated.source, rated.recorded_by) == ("basically", "phone", personas["alice"])
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "基本满意（电话回访，李爱丽记录" in page
    assert "已评价过" in client.post(f"/leads/{lead.pk}/rate/", {"rating": "satisfied"}).content.decode()


# --- dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_satisfaction_rate_with_counts(personas, regions, login):
    ratings = ["satisfied"] * 5 + ["basically", "unsatisfied"]
    for rating in ratings:
        lead = services.lead_register(
            actor=personas["clerk"],
            channel="web",
            content="有人无证行医",
            place=PLACE,
            practice_content="other",
            reporter={"name": "王举报", "phone": "13912345678"},
        )
        Lead.objects.filter(pk=lead.pk).update(
            feedback="答复", answered_at=timezone.now(), feedback_released_at=timezone.now()
        )
        feedback.satisfaction_record(actor=None, lead=Lead.objects.get(pk=lead.pk), rating=rating)
    figures = feedback.satisfaction_figures(Lead.objects.all())
    assert (figures.satisfied, figures.basically, figures.unsatisfied, figures.rate) == (5, 1, 1, 85.7)
    page = login("chief").get("/reports/dashboard/").content.decode()
    section = page.split('data-figure="satisfaction">')[1].split("</div>")[0]
    text = section.replace('<strong class="fs-5">', "").replace("</strong>", "")
    assert text == "满意度 85.7%（满意 5、基本满意 1、不满意 1）"


def test_dashboard_pie_is_labelled_with_the_institution_types(login, personas):
    import json

    page = login("chief").get("/reports/dashboard/").content.decode()
    data = json.loads(page.split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    assert data["institutions"]["labels"][0] == "西医"
