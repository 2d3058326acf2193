"""The access rule other apps call: only an unrevoked grant covering the instant says yes."""

import datetime as dt

import pytest

from qingyuan.operations import access, services
from qingyuan.operations.models import AccessGrant, GrantReason

from .conftest import make_site

START = dt.datetime(2024, 6, 10, tzinfo=services.LOCAL_TZ)
END = dt.datetime(2024, 6, 17, tzinfo=services.LOCAL_TZ)


@pytest.fixture
def grant(regions, personas):
    site = make_site(regions["village"], "金星村黑诊所")
    return AccessGrant.objects.create(
        user=personas["carol"],
        subject=site,
        starts_at=START,
        ends_at=END,
        reason=GrantReason.JOINT_OPERATION,
        granted_by=personas["dave"],
    )


def test_grant_covers_its_period_and_nothing_else(grant, personas):
    carol, site = personas["carol"], grant.subject
    one = dt.timedelta(microseconds=1)
    assert not access.granted(carol, site, START - one)
    assert access.granted(carol, site, START)
    assert access.granted(carol, site.pk, END - one)
    assert not access.granted(carol, site, END)
    assert access.granted_subject_ids(carol, START) == {site.pk}
    assert access.granted_subject_ids(carol, END) == set()


def test_grant_is_personal(grant, personas):
    assert not access.granted(personas["alice"], grant.subject, START)
    assert access.granted_subject_ids(personas["alice"], START) == set()


def test_revoked_grant_no_longer_counts(grant, personas):
    services.grant_revoke(actor=personas["dave"], grant=grant)
    assert not access.granted(personas["carol"], grant.subject, START)


def test_unit_grant_covers_every_user_of_the_unit_until_revoked(regions, units, personas):
    site = make_site(regions["village"], "交界处诊所", border=True)
    AccessGrant.objects.create(
        unit=units["xiangcheng"],
        subject=site,
        starts_at=START,
        reason=GrantReason.DESIGNATION,
        granted_by=personas["dave"],
    )
    assert access.granted(personas["carol"], site, START + dt.timedelta(days=3650))
    assert not access.granted(personas["carol"], site, START - dt.timedelta(seconds=1))
    assert not access.granted(personas["alice"], site, START)


def test_anonymous_has_no_grants(grant):
    from django.contrib.auth.models import AnonymousUser

    assert not access.granted(AnonymousUser(), grant.subject, START)
    assert access.granted_subject_ids(None) == set()


def test_subjects_for_adds_granted_sites_to_the_own_jurisdiction(grant, regions, personas):
    own = make_site(regions["xc_village"], "相城诊所")
    carol = personas["carol"]
    assert set(access.subjects_for(carol, START)) == {own, grant.subject}
    assert set(access.subjects_for(carol, END)) == {own}
