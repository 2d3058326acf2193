import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from qingyuan.api.models import PartnerSystem
from qingyuan.cases.models import (
    Case,
    CaseSource,
    CaseStatus,
    MeasureKind,
    PartyKind,
    PenaltyDecision,
    PenaltyMeasure,
    Referral,
)
from qingyuan.rules.models import Offence
from qingyuan.subjects.models import Subject, SubjectKind, SubjectPerson


@pytest.fixture(autouse=True)
def _throttle_counts_per_test(settings):
    # Request counts live in the cache; a test starts with none, and sync pages are not held back.
    settings.QINGYUAN_API_SYNC_SETTLE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def partner_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Partner {key}")
    return client


@pytest.fixture
def hotline(units):
    """A partner system of 吴中区's unit, with its key."""
    partner, key = PartnerSystem.issue(name="吴中区12345分中心", unit=units["wuzhong"])
    return partner, key


@pytest.fixture
def api(personas):
    """api("alice") -> an APIClient authenticated with that persona's token."""
    from rest_framework.authtoken.models import Token

    def _api(name):
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=personas[name])[0].key}"
        )
        return client

    return _api


ID_NUMBER = "320506198001011234"
PHONE = "13912345678"


def make_case(*, region, unit, proposer, name="金星村黑诊所", party="张三"):
    subject = Subject.objects.create(
        name=name, kind=SubjectKind.UNLICENSED_CLINIC, address="金星村12号", region=region
    )
    SubjectPerson.objects.create(subject=subject, name=party, id_number=ID_NUMBER, phone=PHONE)
    return Case.objects.create(
        number=f"卫医罚〔2026〕{Case.objects.count() + 1}号",
        unit=unit,
        region=region,
        subject=subject,
        source=CaseSource.DIRECT,
        title="非医师行医",
        facts=f"当事人{party}（身份证号{ID_NUMBER}，电话{PHONE}）在家中为村民输液。",
        party_kind=PartyKind.CITIZEN,
        party_name=party,
        party_id_number=ID_NUMBER,
        party_address="金星村12号",
        offence_date=dt.date(2026, 6, 1),
        status=CaseStatus.INVESTIGATING,
        proposed_by=proposer,
        opened_on=dt.date(2026, 6, 1),
    )


def decide(case, by):
    offence = Offence.objects.filter(code="YS-01").order_by("-version").first() or Offence.objects.first()
    decision = PenaltyDecision.objects.create(
        case=case, offence=offence, decided_on=dt.date(2026, 7, 1), decided_by=by
    )
    PenaltyMeasure.objects.create(decision=decision, kind=MeasureKind.FINE, amount=20000)
    PenaltyMeasure.objects.create(decision=decision, kind=MeasureKind.BAN)
    return decision


def refer(case, by):
    return Referral.objects.create(
        case=case,
        target="police",
        target_unit="苏州市公安局吴中分局",
        reason=f"涉嫌非法行医罪，当事人电话{PHONE}",
        proposed_on=dt.date(2026, 7, 2),
        created_by=by,
    )


@pytest.fixture
def casefile(regions, units, personas):
    """A case of 吴中区 with its decision and a referral to the police; one of 相城区 beside it."""
    case = make_case(region=regions["village"], unit=units["wuzhong"], proposer=personas["alice"])
    other = make_case(
        region=regions["xc_village"],
        unit=units["xiangcheng"],
        proposer=personas["carol"],
        name="三埂村游医",
        party="李四",
    )
    return {
        "case": case,
        "decision": decide(case, personas["chief"]),
        "referral": refer(case, personas["alice"]),
        "other": other,
        "other_decision": decide(other, personas["carol"]),
    }
