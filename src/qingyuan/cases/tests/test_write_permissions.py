"""Case writes check the case's jurisdiction in the service, not only on the pages: the neighbouring
county's section chief holds every case permission and still cannot touch a case of 吴中区."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from qingyuan.accounts.models import User
from qingyuan.cases import rechecks, referrals, services
from qingyuan.cases.models import Case, Recheck, Referral
from qingyuan.core.models import AuditEvent
from qingyuan.core.tests.factories import load_demo_world


@pytest.fixture
def demo(regions, monkeypatch):
    load_demo_world(regions, monkeypatch)
    return {
        "case": Case.objects.filter(region__code__startswith="320506").order_by("pk").first(),
        "xc_chief": User.objects.get(username="xc_chief"),
        "wz_chief": User.objects.get(username="wz_chief"),
    }


def _writes(demo, actor):
    case = demo["case"]
    recheck = Recheck.objects.filter(subject__region__code__startswith="320506").first()
    return {
        "facts": lambda: services.case_edit_facts(actor=actor, case=case, facts="改写", illegal_income=0),
        "payment": lambda: services.payment_record(
            actor=actor, case=case, kind="fine", amount=Decimal("100"), paid_on=dt.date.today()
        ),
        "pause": lambda: services.pause_start(
            actor=actor, case=case, kind="other", started_on=dt.date.today()
        ),
        "revoke": lambda: services.case_revoke(actor=actor, case=case, reason="无"),
        "referral": lambda: referrals.referral_propose(
            actor=actor, case=case, target="police", target_unit="公安", reason="涉嫌犯罪"
        ),
        "recheck": lambda: rechecks.recheck_complete(actor=actor, recheck=recheck, result="clean"),
    }


@pytest.mark.parametrize("write", ["facts", "payment", "pause", "revoke", "referral", "recheck"])
def test_neighbouring_chief_cannot_write_to_a_case_of_another_county(demo, write):
    before = (
        Case.objects.get(pk=demo["case"].pk).status,
        Referral.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(PermissionDenied, match="管辖范围"):
        _writes(demo, demo["xc_chief"])[write]()
    after = (
        Case.objects.get(pk=demo["case"].pk).status,
        Referral.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_the_county_chief_still_proposes_a_referral(demo):
    referral = referrals.referral_propose(
        actor=demo["wz_chief"], case=demo["case"], target="police", target_unit="公安", reason="涉嫌犯罪"
    )
    assert referral.pk and referral.case == demo["case"]
