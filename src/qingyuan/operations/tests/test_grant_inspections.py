"""During a joint operation officers of a neighbouring county may record inspections and evidence for
the target site; before the period starts and after it ends they may not (the grant is the only key)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.inspections import services
from qingyuan.operations.models import AccessGrant, GrantReason
from qingyuan.subjects.models import Subject, SubjectKind

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def target(regions):
    return Subject.objects.create(
        name="木渎交界黑诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="吴中区木渎镇金星村边",
        region=regions["village"],
        border_area=True,
        needs_joint_action=True,
    )


@pytest.fixture
def neighbours(personas, units):
    second = make_user("carol2", units["xiangcheng"], Role.INSPECTOR, "蒋宁", "32050701002")
    return [personas["carol"], second]


def _grant(officers, subject, by, starts_at, ends_at):
    for officer in officers:
        AccessGrant.objects.create(
            user=officer,
            subject=subject,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=GrantReason.JOINT_OPERATION,
            granted_by=by,
        )


def _record(officers, subject):
    return services.inspection_record(
        actor=officers[0],
        subject=subject,
        kind="special",
        started_at=timezone.now() - dt.timedelta(minutes=30),
        officers=officers,
        findings="联动执法现场检查",
        outcome="violation",
    )


def test_neighbouring_officers_record_during_the_operation(personas, target, neighbours, settings, tmp_path):
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path
    now = timezone.now()
    _grant(neighbours, target, personas["dave"], now - dt.timedelta(days=1), now + dt.timedelta(days=6))

    inspection = _record(neighbours, target)
    evidence = services.evidence_add(
        actor=neighbours[0],
        subject=target,
        inspection=inspection,
        kind="photo",
        uploaded_file=SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
    )

    # The result belongs to the county with jurisdiction, whatever county recorded it.
    assert inspection.region_id == target.region_id
    assert evidence.sha256 and evidence.inspection_id == inspection.pk


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(dt.timedelta(days=1), dt.timedelta(days=8)), (-dt.timedelta(days=8), -dt.timedelta(minutes=1))],
    ids=["before the operation", "after the operation"],
)
def test_neighbouring_officers_cannot_record_outside_the_period(personas, target, neighbours, starts, ends):
    now = timezone.now()
    _grant(neighbours, target, personas["dave"], now + starts, now + ends)

    with pytest.raises((PermissionDenied, ValidationError)):
        _record(neighbours, target)
    assert not target.inspections.exists()


def test_a_revoked_grant_no_longer_opens_the_site(personas, target, neighbours):
    now = timezone.now()
    _grant(neighbours, target, personas["dave"], now - dt.timedelta(days=1), now + dt.timedelta(days=6))
    AccessGrant.objects.update(revoked_at=now - dt.timedelta(minutes=5), revoked_by=personas["dave"])

    with pytest.raises((PermissionDenied, ValidationError)):
        _record(neighbours, target)
