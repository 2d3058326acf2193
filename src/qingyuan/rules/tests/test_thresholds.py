"""Thresholds the procedure depends on are data an administrator corrects by adding a version."""

import datetime as dt
from decimal import Decimal

import pytest

from qingyuan.core.models import AuditEvent
from qingyuan.rules import selectors
from qingyuan.rules.models import Threshold

pytestmark = pytest.mark.django_db


def test_the_shipped_thresholds_are_in_force():
    assert selectors.threshold("SIMPLIFIED_FINE_CITIZEN") == Decimal("200")
    assert selectors.threshold("SIMPLIFIED_FINE_ORG") == Decimal("3000")
    assert selectors.threshold("CRIME_PRIOR_PENALTIES") == Decimal("2")
    assert selectors.threshold("LATE_PAYMENT_PERCENT") == Decimal("3")
    assert "revoke" in selectors.threshold("HEARING_MEASURES")
    # The 较大数额 amounts are left to each province: shipped marked unverified so a reviewer sees it.
    assert Threshold.objects.get(code="LARGE_FINE_CITIZEN", version=1).unverified


def test_an_administrator_changes_a_threshold_from_the_rules_page(personas, login):
    admin = login("sam")
    page = admin.get("/rules/")
    assert "处罚程序标准" in page.content.decode()
    assert "/rules/thresholds/LARGE_FINE_CITIZEN/" in page.content.decode()
    detail = admin.get("/rules/thresholds/LARGE_FINE_CITIZEN/")
    assert "新增版本" in detail.content.decode()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    response = admin.post(
        "/rules/thresholds/LARGE_FINE_CITIZEN/new-version/",
        {
            "name": "较大数额罚款（公民，元以上）",
            "amount": "5000",
            "basis": "某省规定",
            "effective_from": tomorrow,
        },
    )
    assert response.status_code == 302
    assert selectors.threshold("LARGE_FINE_CITIZEN", tomorrow) == Decimal("5000")
    assert selectors.threshold("LARGE_FINE_CITIZEN", dt.date.today()) == Decimal("10000")
    assert AuditEvent.objects.filter(target_type__icontains="threshold").count() >= 2


def test_a_list_threshold_keeps_its_kind_and_a_bad_amount_is_named(personas, login):
    admin = login("sam")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    response = admin.post(
        "/rules/thresholds/COLLECTIVE_MEASURES/new-version/",
        {"name": "应当集体讨论决定的处罚种类", "kinds": ["revoke", "suspend"], "effective_from": tomorrow},
    )
    assert response.status_code == 302
    assert selectors.threshold("COLLECTIVE_MEASURES", tomorrow) == ["revoke", "suspend"]
    bad = admin.post(
        "/rules/thresholds/LARGE_FINE_ORG/new-version/",
        {"name": "较大数额罚款", "amount": "很多", "effective_from": tomorrow},
    )
    assert bad.status_code == 200
    assert "请填写数字" in bad.content.decode()
    assert "很多" in bad.content.decode()


def test_officers_cannot_change_thresholds(personas, login):
    response = login("alice").post(
        "/rules/thresholds/LARGE_FINE_CITIZEN/new-version/",
        {"name": "x", "amount": "1", "effective_from": dt.date.today() + dt.timedelta(days=1)},
    )
    assert response.status_code == 403
    assert selectors.threshold("LARGE_FINE_CITIZEN") == Decimal("10000")
