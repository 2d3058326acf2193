import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from qingyuan.api.models import PartnerSystem
from qingyuan.cases import crime
from qingyuan.cases.models import PenaltyMeasure
from qingyuan.exchange import export, importing, services, signing
from qingyuan.exchange.models import ExchangePeer, ExportEntry, ExternalPenalty, RecordStatus

from . import factories

D = dt.date
FEED = "/api/v1/exchange/penalties/"


@pytest.fixture
def shanghai(db):
    return factories.shanghai_pudong()


@pytest.fixture
def twice(regions, personas):
    """张三 penalised twice for illegal practice in 相城区 of this platform."""
    return [
        factories.penalised(county=regions["xiangcheng"], proposer=personas["carol"], decided_on=day)
        for day in (D(2024, 5, 10), D(2025, 3, 1))
    ]


@pytest.fixture
def subscriber(units):
    partner, key = PartnerSystem.issue(name="上海市清源平台", unit=units["city"])
    services.subscription_set(partner=partner)
    return key


def _get(key, **params):
    client = Client()
    return client.get(FEED, params, HTTP_AUTHORIZATION=f"Partner {key}")


def test_feed_is_signed_and_never_carries_the_id_number(twice, subscriber):
    assert export.refresh_log() == 2

    response = _get(subscriber, limit=1)

    assert response.status_code == 200
    signing.verify(response.content, response[signing.HEADER], signing.public_key_b64())
    page = json.loads(response.content)
    assert page["has_more"] and page["subscriber"] == "上海市清源平台"
    record = page["records"][0]
    assert record["source"]["region_name"].endswith("相城区")
    assert record["party"]["identity_hash"] == signing.identity_hash(factories.ID_ZHANG)
    assert factories.ID_ZHANG not in response.content.decode()
    assert {m["kind"] for m in record["measures"]} == {"fine", "ban"}
    nxt = _get(subscriber, since=page["next"], limit=5)
    second = json.loads(nxt.content)
    assert [r["record_id"] for r in second["records"]] == [str(twice[1].pk)] and not second["has_more"]


def test_refreshing_the_log_twice_adds_nothing_and_a_changed_decision_is_marked_changed(twice):
    assert export.refresh_log() == 2
    assert export.refresh_log() == 0 and export.refresh_log(full=True) == 0
    PenaltyMeasure.objects.filter(decision__case=twice[0], kind="fine").update(amount=30000)

    assert export.refresh_log(full=True) == 1

    latest = ExportEntry.objects.order_by("-id").first()
    assert latest.record["status"] == RecordStatus.CHANGED
    assert latest.record["measures"][1]["amount"] == "30000.00"


def test_the_ten_minute_refresh_picks_up_a_decision_served_since_the_last_one(twice):
    export.refresh_log()
    decision = twice[0].decision
    decision.served_on = D(2024, 5, 12)
    decision.save()
    twice[0].save()  # the serve step saves the case too

    assert export.refresh_log() == 1

    latest = ExportEntry.objects.order_by("-id").first()
    assert latest.record["served_on"] == "2024-05-12" and latest.record["status"] == RecordStatus.EFFECTIVE


def test_feed_refuses_bad_keys_and_partners_without_subscription(twice, units, subscriber, login):
    assert _get("qy_wrong").status_code == 401
    _partner, other = PartnerSystem.issue(name="12345热线", unit=units["city"])
    response = _get(other)
    assert response.status_code == 403
    assert "未获准" in response.content.decode()
    # An officer's session is no platform.
    assert login("alice").get(FEED).status_code in (401, 403)
    assert Client().get(FEED).status_code in (401, 403)


@pytest.mark.parametrize(
    "params", [{"since": "abc"}, {"since": "-1"}, {"limit": "0"}, {"limit": "99999"}, {"since": "& < > = 𠮷"}]
)
def test_hostile_parameters_are_a_400_in_chinese(subscriber, params):
    response = _get(subscriber, **params)
    assert response.status_code == 400
    assert "应为" in response.content.decode()


def _peer_reading_this_platform(key):
    """A peer whose feed is this very platform, read through the test client."""
    peer = services.peer_save(
        name="本地回环", base_url="http://localhost/", partner_key=key, public_key=signing.public_key_b64()
    )

    def fetcher(p, since, limit):
        response = _get(p.partner_key, since=since, limit=limit)
        assert response.status_code == 200, response.content
        return response.content, response[signing.HEADER]

    return peer, fetcher


def test_import_is_idempotent_across_pages_and_a_bad_signature_stores_nothing(twice, subscriber):
    export.refresh_log()
    peer, fetcher = _peer_reading_this_platform(subscriber)

    def forged(p, since, limit):
        body, header = fetcher(p, since, limit)
        return body.replace("相城区".encode(), "吴中区".encode()), header

    assert "签名" in importing.pull(peer, page_size=1, fetcher=forged)["error"]
    assert ExternalPenalty.objects.count() == 0
    assert ExchangePeer.objects.get(pk=peer.pk).cursor == ""

    first = importing.pull(peer, page_size=1, fetcher=fetcher)
    assert (first["pages"], first["created"], first["error"]) == (2, 2, "")
    peer.refresh_from_db()
    assert peer.last_error == "" and peer.cursor
    again = importing.pull(peer, page_size=1, fetcher=fetcher)
    assert again["created"] == again["updated"] == 0
    assert ExternalPenalty.objects.count() == 2


def test_a_replayed_older_page_is_refused(twice, subscriber):
    export.refresh_log()
    peer, fetcher = _peer_reading_this_platform(subscriber)
    importing.pull(peer, page_size=1, fetcher=fetcher)
    peer.refresh_from_db()

    def replay(p, since, limit):
        return fetcher(p, "", limit)  # validly signed, but the first page again

    assert "重放" in importing.pull(peer, fetcher=replay)["error"]


def test_external_penalties_count_by_identity_and_name_only_matches_are_information(
    regions, personas, shanghai, login
):
    peer = ExchangePeer.objects.create(
        name="上海", base_url="http://x/", partner_key="k", public_key=signing.public_key_b64()
    )
    common = {
        "peer": peer,
        "source_region_code": "310115",
        "source_region_name": "上海市浦东新区",
        "authority": "浦东新区卫生健康监督所",
        "status": RecordStatus.EFFECTIVE,
        "party_kind": "person",
        "party_name": "张三",
        "source_entry": "1",
    }
    same = signing.identity_hash(factories.ID_ZHANG)
    ExternalPenalty.objects.create(
        source_record_id="1", decided_on=D(2024, 1, 5), identity_hash=same, **common
    )
    ExternalPenalty.objects.create(source_record_id="2", decided_on=D(2024, 9, 5), identity_hash="", **common)
    ExternalPenalty.objects.create(
        source_record_id="3", decided_on=D(2025, 2, 5), identity_hash=signing.identity_hash("x"), **common
    )
    factories.penalised(county=regions["xiangcheng"], proposer=personas["carol"], decided_on=D(2025, 3, 1))
    case = factories.case(
        county=regions["wuzhong"],
        proposer=personas["alice"],
        offence_date=D(2026, 6, 1),
        no_qualification=True,
    )

    result = crime.evaluate(case)

    assert result.prior_penalties == 2 and result.suspected
    assert any("上海市浦东新区" in r and "相城区" in r for r in result.reasons)
    # The record without an identity hash matches by name only: shown, never counted.
    assert [p.source_record_id for p in result.external.by_name] == ["2"]
    assert any("仅姓名一致" in r and "未计入" in r for r in result.reasons)
    # The case page shows the external records with their source, never an ID number.
    page = login("alice").get(reverse("cases:followup_panel", args=[case.pk])).content.decode()
    assert 'data-external="id"' in page and 'data-external="name"' in page
    assert "浦东新区卫生健康监督所" in page and factories.ID_ZHANG not in page
    ExternalPenalty.objects.filter(source_record_id="1").update(status=RecordStatus.REVOKED)
    assert crime.evaluate(case).prior_penalties == 1


def test_exchange_pages_are_for_the_system_administrator(login, personas, subscriber):
    peer = ExchangePeer.objects.create(
        name="上海<b>&𠮷",
        base_url="http://x/",
        partner_key="k",
        public_key=signing.public_key_b64(),
        last_error="签名无效",
    )
    page = login("sam").get(reverse("exchange:peers"))
    assert page.status_code == 200
    assert "上海&lt;b&gt;&amp;𠮷" in page.content.decode() and "签名无效" in page.content.decode()
    assert "上海市清源平台" in page.content.decode()
    assert login("sam").get(reverse("exchange:peer_detail", args=[peer.pk])).status_code == 200
    for name in ("alice", "dave", "aud"):
        assert login(name).get(reverse("exchange:peers")).status_code == 404
        assert login(name).get(reverse("exchange:peer_detail", args=[peer.pk])).status_code == 404


def test_peer_setup_is_checked_and_keeps_the_key_out_of_the_audit_log(personas):
    from django.core.exceptions import PermissionDenied, ValidationError

    from qingyuan.core.models import AuditEvent

    with pytest.raises(ValidationError) as bad:
        services.peer_save(
            actor=personas["sam"], name="x", base_url="ftp://x", partner_key="", public_key="nope"
        )
    assert set(bad.value.message_dict) == {"base_url", "partner_key", "public_key"}
    with pytest.raises(PermissionDenied):
        services.peer_save(
            actor=personas["alice"],
            name="x",
            base_url="https://x.example/",
            partner_key="k",
            public_key=signing.public_key_b64(),
        )
    services.peer_save(
        actor=personas["sam"],
        name="x",
        base_url="https://x.example/",
        partner_key="qy_secret",
        public_key=signing.public_key_b64(),
    )
    assert not any("qy_secret" in json.dumps(e.after) for e in AuditEvent.objects.all())
    assert ExchangePeer.objects.get(name="x").partner_key == "qy_secret"


def test_lead_intake_counts_penalties_other_regions_sent_and_names_their_source(login, personas, regions):
    from qingyuan.core.crypto import blind_index
    from qingyuan.leads import services as lead_services
    from qingyuan.subjects.models import Subject, SubjectKind, SubjectPerson

    peer = ExchangePeer.objects.create(
        name="上海", base_url="http://x.example/", partner_key="k", public_key=signing.public_key_b64()
    )
    for n, day in enumerate((D(2024, 3, 1), D(2025, 4, 1))):
        ExternalPenalty.objects.create(
            peer=peer,
            source_record_id=str(n),
            source_region_code="310115",
            source_region_name="上海市浦东新区",
            authority="浦东新区卫生健康监督所",
            decision_number=f"浦卫医罚〔2025〕{n}号",
            decided_on=day,
            status=RecordStatus.EFFECTIVE,
            party_kind="person",
            party_name="张三",
            identity_hash=signing.identity_hash(factories.ID_ZHANG),
            source_entry=str(n),
        )
    site = Subject.objects.create(
        name="金星村张三诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="木渎镇12号",
        region=regions["village"],
    )
    SubjectPerson.objects.create(
        subject=site,
        name="张三",
        id_number=factories.ID_ZHANG,
        id_number_index=blind_index(factories.ID_ZHANG),
    )
    lead = lead_services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="金星村张三诊所又在给人输液",
        place="吴中区木渎镇金星村委会12号",
        reported_person="张三",
    )

    page = login("chief").get(f"/leads/{lead.pk}/").content.decode()

    assert "曾因非法行医受行政处罚2次" in page
    assert "含外地平台共享 2 次：上海市浦东新区" in page
    assert "浦卫医罚" not in page and factories.ID_ZHANG not in page
