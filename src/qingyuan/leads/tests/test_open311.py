"""Open311 GeoReport v2 as a 12345 hotline platform uses it: discover the services, post a ticket,
read its status back; and what it must never see or do."""

import pytest
from django.core.cache import cache
from django.test import Client
from lxml import etree

from qingyuan.api.models import PartnerSystem
from qingyuan.leads import services
from qingyuan.leads.models import Lead

BASE = "/open311/v2"
REPORTER = {"first_name": "举报", "last_name": "欧阳", "phone": "13912345678", "email": "oy@example.cn"}
HOSTILE = "& < > = 𠮷 <script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Request counts live in the cache, keyed by partner id and address; ids repeat between tests.
    cache.clear()


@pytest.fixture
def hotline(units):
    partner, key = PartnerSystem.issue(name="苏州12345热线", unit=units["city"])
    client = Client()
    client.partner, client.key = partner, key
    return client


@pytest.fixture
def other_hotline(units):
    partner, key = PartnerSystem.issue(name="相城区12345分中心", unit=units["xiangcheng"])
    client = Client()
    client.partner, client.key = partner, key
    return client


def _ticket(client, **extra):
    body = {
        "api_key": client.key,
        "service_code": "unlicensed",
        "description": "金星村12号有人在家中给村民输液",
        "address_string": "苏州市吴中区木渎镇金星村12号",
        "attribute[practice_content]": "internal",
        "attribute[reported_person]": "张某",
        "external_id": "12345-0001",
        **REPORTER,
    }
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


def _post(client, fmt="json", **extra):
    return client.post(f"{BASE}/requests.{fmt}", _ticket(client, **extra))


def _get(client, path, **params):
    return client.get(f"{BASE}/{path}", {"api_key": client.key, **params})


def _no_reporter(response):
    text = response.content.decode()
    for value in ("欧阳", "13912345678", "oy@example.cn", "tracking_code"):
        assert value not in text, value


def _error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status
    return body[0]["description"]


def _answered(lead, personas, text="经核查属实，已立案查处。"):
    chief, alice, bob = personas["chief"], personas["alice"], personas["bob"]
    services.lead_accept(actor=chief, lead=lead)
    services.lead_assign(actor=chief, lead=lead, officers=[alice, bob])
    services.lead_start_verification(actor=alice, lead=lead)
    services.lead_conclude(actor=alice, lead=lead, conclusion="true", note="内部核查记录：现场查获输液器材")
    services.lead_answer(actor=alice, lead=lead, text=text, release=False)
    return Lead.objects.get(pk=lead.pk)


def test_anyone_discovers_the_services_with_chinese_names_and_attributes(client, db):
    services_list = client.get(f"{BASE}/services.json").json()
    unlicensed = next(s for s in services_list if s["service_code"] == "unlicensed")
    assert unlicensed["service_name"] == "无证行医（黑诊所）" and unlicensed["type"] == "realtime"
    assert unlicensed["metadata"] is True and "黑诊所" in unlicensed["keywords"] and unlicensed["group"]
    assert {s["service_code"] for s in services_list} >= {"itinerant", "aesthetic", "other"}
    definition = client.get(f"{BASE}/services/unlicensed.json").json()
    practice = next(a for a in definition["attributes"] if a["code"] == "practice_content")
    assert practice["datatype"] == "singlevaluelist" and {"key": "tcm", "name": "中医"} in practice["values"]
    assert "没有服务类别" in _error(client.get(f"{BASE}/services/ufo.json"), 404)


def test_services_in_the_specs_xml(client, db):
    response = client.get(f"{BASE}/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.tag == "services"
    names = root.xpath("/services/service[service_code='itinerant']/service_name/text()")
    assert names == ["游医"]
    definition = etree.fromstring(client.get(f"{BASE}/services/aesthetic.xml").content)
    assert definition.xpath(
        "/service_definition/attributes/attribute/values/value[key='tcm']/name/text()"
    ) == ["中医"]


def test_posted_ticket_becomes_a_lead_in_the_countys_list(hotline, personas, login):
    response = _post(hotline)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer[0]["account_id"] is None and "吴中区卫生监督所" in answer[0]["service_notice"]
    lead = Lead.objects.get(number=answer[0]["service_request_id"])
    assert lead.channel == "partner" and lead.partner == hotline.partner and lead.external_id == "12345-0001"
    assert lead.category == "unlicensed" and lead.practice_content == "internal"
    assert lead.reported_person == "张某" and not lead.is_anonymous
    assert lead.reporter.name == "欧阳举报" and lead.reporter.phone == "13912345678"
    assert lead.reporter.email == "oy@example.cn"
    _no_reporter(response)
    assert lead.number in login("alice").get("/leads/").content.decode()
    assert lead.number not in login("carol").get("/leads/").content.decode()


def test_json_body_coordinates_and_media_url(hotline):
    body = _ticket(hotline, address_string=None, external_id=None, lat=31.2596, long=120.5101)
    body.update({"attribute": {"practice_content": "tcm"}, "media_url": "https://img.example.cn/a.jpg"})
    for key in [k for k in body if k.startswith("attribute[")]:
        del body[key]
    response = hotline.post(f"{BASE}/requests.json", body, content_type="application/json")
    assert response.status_code == 201, response.content
    lead = Lead.objects.get(number=response.json()[0]["service_request_id"])
    assert lead.practice_content == "tcm" and "31.2596" in lead.place
    assert lead.handling_unit == hotline.partner.unit  # no address to route by: the hotline's city assigns
    note = lead.events.get(action="登记").note
    assert "https://img.example.cn/a.jpg" in note and "120.5101" in note


def test_the_same_ticket_posted_again_gives_the_same_request(hotline):
    first = _post(hotline).json()[0]["service_request_id"]
    again = _post(hotline)
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == first
    assert "未重复登记" in again.json()[0]["service_notice"]
    reused = _post(hotline, description="另一件事")
    assert first in _error(reused, 409) and "external_id" in _error(reused, 409)
    assert Lead.objects.count() == 1


def test_status_notes_show_the_answer_only_once_the_reporter_may_read_it(hotline, personas, client):
    number = _post(hotline).json()[0]["service_request_id"]
    before = _get(hotline, f"requests/{number}.json").json()[0]
    assert before["status"] == "open" and before["status_notes"] == "登记"
    assert (
        before["agency_responsible"] == "吴中区卫生监督所" and before["service_name"] == "无证行医（黑诊所）"
    )
    assert before["requested_datetime"].endswith("+08:00") and before["expected_datetime"]
    lead = _answered(Lead.objects.get(number=number), personas)
    answered = _get(hotline, f"requests/{number}.json")
    assert answered.json()[0]["status_notes"] == "已反馈"  # answered, not yet released to the reporter
    services.feedback.lead_release(actor=personas["alice"], lead=lead)
    released = _get(hotline, f"requests/{number}.json")
    assert released.json()[0]["status_notes"] == "经核查属实，已立案查处。"
    assert not lead.deliveries.exists()  # the hotline reading it is not the reporter reading it
    services.lead_close(actor=personas["chief"], lead=Lead.objects.get(pk=lead.pk))
    closed = _get(hotline, f"requests/{number}.json").json()[0]
    assert closed["status"] == "closed" and closed["expected_datetime"] is None
    assert "内部核查记录" not in released.content.decode() and "李爱丽" not in released.content.decode()
    _no_reporter(released)


def test_list_filters_by_id_status_category_and_dates(hotline, personas):
    first = _post(hotline).json()[0]["service_request_id"]
    second = _post(hotline, external_id="12345-0002", service_code="itinerant").json()[0][
        "service_request_id"
    ]
    ids = lambda response: [r["service_request_id"] for r in response.json()]  # noqa: E731
    assert ids(_get(hotline, "requests.json")) == [second, first]
    assert ids(_get(hotline, "requests.json", service_request_id=f"{first},XS0")) == [first]
    assert ids(_get(hotline, "requests.json", service_code="itinerant")) == [second]
    assert ids(_get(hotline, "requests.json", status="closed")) == []
    assert ids(_get(hotline, "requests.json", status="open", start_date="2020-01-01")) == [second, first]
    assert ids(_get(hotline, "requests.json", end_date="2020-01-01T00:00:00+08:00")) == []
    xml = etree.fromstring(_get(hotline, "requests.xml").content)
    assert xml.xpath("/service_requests/request/service_request_id/text()") == [second, first]


def test_another_partner_sees_nothing_of_it(hotline, other_hotline):
    number = _post(hotline).json()[0]["service_request_id"]
    assert "没有编号" in _error(_get(other_hotline, f"requests/{number}.json"), 404)
    assert _get(other_hotline, "requests.json", service_request_id=number).json() == []
    assert _get(other_hotline, "requests.json").json() == []
    # The same ticket number from another hotline is another ticket.
    assert _post(other_hotline).status_code == 201


def test_bad_missing_or_disabled_key_is_refused_in_the_specs_shape(hotline, client):
    assert "api_key" in _error(client.post(f"{BASE}/requests.json", _ticket(hotline, api_key=None)), 403)
    assert "api_key" in _error(client.post(f"{BASE}/requests.json", _ticket(hotline, api_key="qy_nope")), 403)
    assert "api_key" in _error(client.get(f"{BASE}/requests.json"), 403)
    hotline.partner.is_active = False
    hotline.partner.save()
    _error(_post(hotline), 403)
    assert not Lead.objects.exists()


def test_the_partner_header_works_as_well_as_api_key(hotline):
    header = Client(HTTP_AUTHORIZATION=f"Partner {hotline.key}")
    response = header.post(f"{BASE}/requests.json", _ticket(hotline, api_key=None))
    assert response.status_code == 201
    assert len(header.get(f"{BASE}/requests.json").json()) == 1


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"service_code": None}, "请填写服务类别（service_code）"),
        ({"service_code": "ufo"}, "服务类别“ufo”无效"),
        ({"description": ""}, "请填写反映内容（description）"),
        ({"address_string": None}, "请填写地址，或同时填写经纬度（address_string、lat、long）"),
        ({"address_string": None, "address_id": "77"}, "lat、long（address_id）"),
        ({"address_string": None, "lat": "31.2"}, "纬度和经度须同时填写（long）"),
        ({"lat": "北纬", "long": "120"}, "纬度应为数字（lat）"),
        ({"lat": "91", "long": "120"}, "（lat）"),
        ({"attribute[practice_content]": "ufo"}, "行医内容“ufo”无效"),
        ({"attribute[reported_phone]": "12"}, "attribute[reported_phone]"),
        ({"phone": None}, "举报人电话：请填写联系电话（phone）"),
        ({"first_name": "", "last_name": ""}, "实名举报须填写举报人姓名（last_name、first_name）"),
        ({"email": "not-an-email"}, "电子邮箱格式不正确（email）"),
        ({"media_url": "javascript:alert(1)"}, "（media_url）"),
        ({"description": "x" * 5001}, "不能超过5000个字符（description）"),
        ({"description": "输液\x00"}, "控制字符（description）"),
        ({"jurisdiction_id": "999999"}, "jurisdiction_id"),
    ],
)
def test_bad_fields_are_named_in_chinese_and_nothing_is_registered(hotline, change, fragment):
    assert fragment in _error(_post(hotline, **change), 400)
    assert not Lead.objects.exists()


def test_hostile_text_round_trips_in_json_and_xml(hotline):
    number = _post(hotline, description=HOSTILE, address_string=f"吴中区木渎镇金星村 {HOSTILE}").json()[0][
        "service_request_id"
    ]
    request = _get(hotline, f"requests/{number}.json").json()[0]
    assert request["description"] == HOSTILE and HOSTILE in request["address"]
    xml = etree.fromstring(_get(hotline, f"requests/{number}.xml").content)
    assert xml.xpath("/service_requests/request/description/text()") == [HOSTILE]


def test_xml_post_answer_and_errors(hotline):
    response = _post(hotline, fmt="xml")
    assert response.status_code == 201
    root = etree.fromstring(response.content)
    assert root.xpath("/service_requests/request/service_request_id/text()") == [Lead.objects.get().number]
    refused = etree.fromstring(_post(hotline, fmt="xml", external_id="2", service_code="ufo").content)
    assert refused.xpath("/errors/error/code/text()") == ["400"]
    assert "service_code" in refused.xpath("/errors/error/description/text()")[0]


@pytest.mark.parametrize(
    "value", ["-1", "1e309", "NaN", "9" * 40, "& < > = 𠮷", "\x00", "", "x" * 5000, "2024-02-30"]
)
@pytest.mark.parametrize(
    "name", ["service_request_id", "service_code", "start_date", "end_date", "status", "jurisdiction_id"]
)
def test_hostile_query_parameters_are_a_400_or_an_answer_never_a_500(hotline, name, value):
    hotline.raise_request_exception = False
    response = _get(hotline, "requests.json", **{name: value})
    assert response.status_code in (200, 400), (name, value, response.status_code)
    if response.status_code == 400 and value == "\x00":
        assert name in response.content.decode()  # refused site-wide before any view (core.inputs)
    elif response.status_code == 400:
        assert name in _error(response, 400)


def test_unknown_addresses_and_methods_answer_in_the_specs_shape(hotline, client):
    assert "没有这个接口" in _error(client.get(f"{BASE}/services.csv"), 404)
    assert "没有这个接口" in _error(client.post(f"{BASE}/tokens/abc.json"), 404)
    assert "DELETE" in _error(hotline.delete(f"{BASE}/requests.json?api_key={hotline.key}"), 405)


def test_a_burst_is_throttled_per_partner(hotline, other_hotline, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner": "3/min", "anon": "3/min"},
    }
    for _ in range(3):
        assert _get(hotline, "requests.json").status_code == 200
    throttled = _get(hotline, "requests.json")
    assert "请求过于频繁" in _error(throttled, 429) and int(throttled["Retry-After"]) > 0
    assert _get(other_hotline, "requests.json").status_code == 200
