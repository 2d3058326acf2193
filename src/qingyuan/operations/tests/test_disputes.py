"""Jurisdiction disputes: raised for border sites only; the city decides within 7 working days."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from qingyuan.core.models import AuditEvent
from qingyuan.operations import access, services
from qingyuan.operations.models import DisputeStatus, GrantReason

from .conftest import make_site

MONDAY = dt.date(2024, 3, 4)


@pytest.fixture
def dispute(regions, units, personas):
    site = make_site(regions["village"], "木渎黄埭交界黑诊所", border=True)
    return services.dispute_raise(
        actor=personas["chief"],
        subject=site,
        counties=[regions["wuzhong"], regions["xiangcheng"]],
        reason="两区均认为不属本辖区",
        raised_on=MONDAY,
    )


def test_dispute_is_due_seven_working_days_later(dispute):
    assert dispute.due_on == dt.date(2024, 3, 13)


def test_designation_within_the_limit_grants_the_designated_unit(dispute, units, personas):
    services.dispute_resolve(
        actor=personas["dave"],
        dispute=dispute,
        unit=units["xiangcheng"],
        decision="指定相城区管辖",
        designated=True,
        decided_on=dt.date(2024, 3, 12),
    )
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DESIGNATED and not dispute.late
    grant = dispute.grants.get()
    assert (
        grant.unit == units["xiangcheng"]
        and grant.reason == GrantReason.DESIGNATION
        and grant.ends_at is None
    )
    assert access.granted(personas["carol"], dispute.subject)
    assert AuditEvent.objects.filter(target_type="operations.jurisdictiondispute").count() == 2


def test_designation_after_the_limit_is_shown_late(dispute, units, personas):
    services.dispute_resolve(
        actor=personas["dave"],
        dispute=dispute,
        unit=units["xiangcheng"],
        decision="指定相城区管辖",
        designated=True,
        decided_on=dt.date(2024, 3, 14),
    )
    dispute.refresh_from_db()
    assert dispute.late


def test_competent_county_found_needs_no_grant_for_its_own_site(dispute, units, personas):
    services.dispute_resolve(
        actor=personas["dave"],
        dispute=dispute,
        unit=units["wuzhong"],
        decision="经核查属吴中区",
        designated=False,
    )
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.ASSIGNED
    assert not dispute.grants.exists()


def test_dispute_on_a_site_outside_border_areas_is_refused(regions, personas):
    site = make_site(regions["village"], "村中诊所", border=False)
    with pytest.raises(ValidationError, match="未标记为区县交界地区"):
        services.dispute_raise(
            actor=personas["chief"],
            subject=site,
            counties=[regions["wuzhong"], regions["xiangcheng"]],
            reason="x",
        )


def test_dispute_needs_two_counties(regions, personas):
    site = make_site(regions["village"], "交界诊所", border=True)
    with pytest.raises(ValidationError, match="至少两个"):
        services.dispute_raise(
            actor=personas["chief"], subject=site, counties=[regions["wuzhong"]], reason="x"
        )


def test_due_date_falls_back_to_seven_working_days_when_no_rule_is_in_force(regions, personas):
    from qingyuan.rules.models import TimeLimit

    TimeLimit.objects.filter(code="JURISDICTION_DESIGNATE").delete()
    assert services.dispute_due_on(MONDAY) == dt.date(2024, 3, 13)
