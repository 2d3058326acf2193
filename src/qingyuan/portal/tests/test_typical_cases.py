"""Typical cases (典型案例): a decided case is marked typical, its text redacted, reviewed by someone
other than the proposer, published on the public site and withdrawn from it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qingyuan.cases.models import PartyKind
from qingyuan.cases.tests.test_case_data import decided, propose
from qingyuan.core.models import AuditEvent
from qingyuan.leads import services as lead_services
from qingyuan.portal import services
from qingyuan.portal.models import PublishedCase, PublishedStatus
from qingyuan.portal.redaction import find_phones, mask_name, redact_case

ID_NUMBER = "320506198001011234"
MOBILE = "13912345678"
LANDLINE = "0512-65123456"
FACTS = (
    f"经查，当事人李小明（身份证号{ID_NUMBER}，电话{MOBILE}）在苏州市吴中区木渎镇金星村12号家中开设诊所，"
    f"为村民输液。举报人王举报反映情况属实。诊所另留座机{LANDLINE}。"
)


@pytest.fixture
def case(personas, regions):
    lead = lead_services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="金星村有人开黑诊所",
        place="苏州市吴中区木渎镇金星村12号",
        reporter={"name": "王举报", "phone": "13800001111"},
    )
    return decided(
        personas,
        regions,
        source="lead",
        lead=lead,
        party_name="李小明",
        party_id_number=ID_NUMBER,
        party_address="苏州市吴中区木渎镇金星村12号",
        facts=FACTS,
    )


def _publish(login, case):
    alice, chief = login("alice"), login("chief")
    response = alice.post(f"/public/typical/propose/{case.pk}/")
    published = PublishedCase.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == published.get_absolute_url()
    response = chief.post(
        f"/public/typical/{published.pk}/review/", {"title": published.title, "body": published.body}
    )
    assert response.status_code == 302
    chief.post(f"/public/typical/{published.pk}/publish/")
    published.refresh_from_db()
    assert published.status == PublishedStatus.PUBLISHED
    return published


def test_published_page_and_its_source_contain_no_personal_data(client, login, case):
    published = _publish(login, case)
    listing = client.get("/public/cases/").content.decode()
    page = client.get(f"/public/cases/{published.pk}/")
    assert page.status_code == 200
    html = page.content.decode()  # the page's source, not only what a browser renders
    assert published.title in listing
    for secret in (ID_NUMBER, MOBILE, "65123456", "李小明", "王举报", "金星村", "12号"):
        assert secret not in html, secret
        assert secret not in listing, secret
    for shown in (
        "李某某",
        "江苏省苏州市吴中区木渎镇",
        "罚款50,000元",
        "没收违法所得3,000元",
        "取缔",
        "2026年8月",
    ):
        assert shown in html, shown
    assert "未取得《医疗机构执业许可证》擅自执业" in html or "擅自执业" in html
    assert "第99条" in html or "条例" in html  # the legal basis


def test_home_page_links_to_the_typical_cases(client, db):
    assert "/public/cases/" in client.get("/public/").content.decode()


def test_redacted_text_masks_names_and_keeps_measures(case):
    text = redact_case(case)
    body = text["body"]
    assert "李某某" in text["title"] and "李小明" not in text["title"]
    assert ID_NUMBER not in body and MOBILE not in body and "65123456" not in body
    assert "（略）" in body and "举报人反映情况属实" in body and "举报人举报人" not in body
    assert not find_phones(body)


def test_names_are_masked_by_surname(db):
    assert mask_name("张三") == "张某"
    assert mask_name("李小明") == "李某某"
    assert mask_name("欧阳娜娜") == "欧阳某某"


def test_person_name_inside_an_organisation_name_is_masked(personas, regions):
    from qingyuan.cases.models import Case

    case = decided(
        personas,
        regions,
        party_kind=PartyKind.ORGANISATION,
        party_name="张三诊所",
        facts="张三诊所无证执业。",
    )
    Case.objects.filter(pk=case.pk).update(party_name="苏州张三诊所")
    subject_person = case.subject.persons.create(name="张三")
    assert subject_person.pk
    text = redact_case(Case.objects.get(pk=case.pk))
    assert "张三" not in text["title"] + text["body"] and "苏州张某诊所" in text["body"]


def test_an_edit_that_puts_a_phone_back_is_refused(login, case):
    published = services.typical_propose(actor=case.officers.get(username="alice"), case=case)
    response = login("chief").post(
        f"/public/typical/{published.pk}/review/",
        {"title": published.title, "body": published.body + "\n咨询电话：139 1234 5678"},
    )
    assert response.status_code == 400 and "含有电话号码" in response.content.decode()
    published.refresh_from_db()
    assert published.status == PublishedStatus.DRAFT and "5678" not in published.body


@pytest.mark.parametrize(
    "addition, message",
    [
        (f"身份证{ID_NUMBER}", "含有身份证号码"),
        ("当事人李小明", "全名"),
        ("王举报", "举报人姓名"),
        ("座机0512-65123456", "含有电话号码"),
    ],
)
def test_reviewer_cannot_put_personal_data_back(personas, case, addition, message):
    published = services.typical_propose(actor=personas["alice"], case=case)
    with pytest.raises(ValidationError, match=message):
        services.typical_review(
            actor=personas["chief"],
            published=published,
            title=published.title,
            body=published.body + addition,
        )
    assert PublishedCase.objects.get(pk=published.pk).status == PublishedStatus.DRAFT


def test_the_proposer_cannot_review_their_own(personas, login, case):
    published = services.typical_propose(actor=personas["chief"], case=case)
    with pytest.raises(PermissionDenied, match="审核人不能是提出人"):
        services.typical_review(
            actor=personas["chief"], published=published, title=published.title, body=published.body
        )
    page = login("chief").get(published.get_absolute_url()).content.decode()
    assert "须由其他负责人审核" in page and "审核通过" not in page
    login("chief").post(
        f"/public/typical/{published.pk}/review/", {"title": published.title, "body": published.body}
    )
    assert PublishedCase.objects.get(pk=published.pk).status == PublishedStatus.DRAFT


def test_an_inspector_cannot_review(personas, case):
    published = services.typical_propose(actor=personas["chief"], case=case)
    with pytest.raises(PermissionDenied):
        services.typical_review(
            actor=personas["alice"], published=published, title=published.title, body=published.body
        )


def test_unpublished_typical_cases_are_404_on_the_public_site(client, personas, case):
    published = services.typical_propose(actor=personas["alice"], case=case)
    assert client.get(f"/public/cases/{published.pk}/").status_code == 404
    services.typical_review(
        actor=personas["chief"], published=published, title=published.title, body=published.body
    )
    assert client.get(f"/public/cases/{published.pk}/").status_code == 404
    assert published.title not in client.get("/public/cases/").content.decode()
    assert client.get("/public/cases/99999/").status_code == 404


def test_withdrawn_typical_cases_disappear(client, login, personas, case):
    published = _publish(login, case)
    assert client.get(f"/public/cases/{published.pk}/").status_code == 200
    login("chief").post(f"/public/typical/{published.pk}/withdraw/")
    assert PublishedCase.objects.get(pk=published.pk).status == PublishedStatus.WITHDRAWN
    assert client.get(f"/public/cases/{published.pk}/").status_code == 404
    assert published.title not in client.get("/public/cases/").content.decode()


def test_publishing_needs_a_review(personas, case):
    published = services.typical_propose(actor=personas["alice"], case=case)
    with pytest.raises(ValidationError, match="当前为“待审核”，不能执行“公布”"):
        services.typical_publish(actor=personas["chief"], published=published)


def test_only_a_decided_case_can_be_marked_typical(personas, regions, login):
    case = propose(personas, regions)
    with pytest.raises(ValidationError, match="已作出处罚决定"):
        services.typical_propose(actor=personas["alice"], case=case)
    login("alice").post(f"/public/typical/propose/{case.pk}/")
    assert not PublishedCase.objects.exists()


def test_case_page_offers_the_button_once_decided(login, case):
    page = login("alice").get(case.get_absolute_url()).content.decode()
    assert f"/public/typical/propose/{case.pk}/" in page


def test_each_step_is_audited(login, case):
    published = _publish(login, case)
    rows = AuditEvent.objects.filter(target_type="portal.publishedcase", target_id=str(published.pk))
    assert rows.count() == 3


def test_neighbouring_county_cannot_see_or_propose(personas, login, case, client):
    published = services.typical_propose(actor=personas["alice"], case=case)
    carol = login("carol")
    assert carol.get(published.get_absolute_url()).status_code == 404
    assert carol.post(f"/public/typical/propose/{case.pk}/").status_code == 404
    assert published.title not in carol.get("/public/typical/").content.decode()
    assert published.title in login("dave").get("/public/typical/").content.decode()
    response = client.get("/public/typical/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    with pytest.raises(PermissionDenied):
        services.typical_propose(actor=personas["carol"], case=case)


def test_published_cases_pages_are_rate_limited(db, settings):
    settings.QINGYUAN_PORTAL_RATES = {**settings.QINGYUAN_PORTAL_RATES, "browse": (2, 600)}
    client = Client()
    assert client.get("/public/cases/").status_code == 200
    assert client.get("/public/cases/").status_code == 200
    response = client.get("/public/cases/")
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()


def _audit_rows(published):
    return AuditEvent.objects.filter(target_type="portal.publishedcase", target_id=str(published.pk))


def test_a_withdrawn_case_may_be_proposed_again_and_starts_over(login, personas, case):
    published = _publish(login, case)
    services.typical_withdraw(actor=personas["chief"], published=published)
    again = services.typical_propose(actor=personas["alice"], case=case)
    assert again.pk == published.pk and again.status == PublishedStatus.DRAFT
    assert again.reviewed_by is None and again.published_at is None and again.withdrawn_at is None
    actions = [(row.action, (row.after or {}).get("action")) for row in _audit_rows(again).order_by("id")]
    assert actions == [
        ("create", "propose"),
        ("transition", "review"),
        ("transition", "publish"),
        ("transition", "withdraw"),
        ("transition", "propose"),
    ]


def test_refused_steps_write_nothing(personas, case):
    published = services.typical_propose(actor=personas["alice"], case=case)
    rows = _audit_rows(published).count()
    with pytest.raises(ValidationError, match="不能执行“推荐典型案例”"):
        services.typical_propose(actor=personas["alice"], case=case)
    with pytest.raises(PermissionDenied):
        services.typical_withdraw(actor=personas["alice"], published=published)
    services.typical_withdraw(actor=personas["chief"], published=published)
    with pytest.raises(ValidationError, match="当前为“已撤回”，不能执行“撤回”"):
        services.typical_withdraw(actor=personas["chief"], published=published)
    assert _audit_rows(published).count() == rows + 1
    assert PublishedCase.objects.get(pk=published.pk).status == PublishedStatus.WITHDRAWN


def test_publishing_checks_the_text_once_more(personas, case):
    published = services.typical_propose(actor=personas["alice"], case=case)
    published = services.typical_review(
        actor=personas["chief"], published=published, title=published.title, body=published.body
    )
    # A text changed behind the review (an edit in the database) does not reach the public site.
    PublishedCase.objects.filter(pk=published.pk).update(body=published.body + f"联系电话{MOBILE}")
    rows = _audit_rows(published).count()
    with pytest.raises(ValidationError, match="正文.*电话号码.*不能公布"):
        services.typical_publish(actor=personas["chief"], published=published)
    assert PublishedCase.objects.get(pk=published.pk).status == PublishedStatus.REVIEWED
    assert _audit_rows(published).count() == rows
