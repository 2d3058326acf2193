"""The registry service itself refuses writes without the permission or outside the jurisdiction, so
pages, the API and scripts are held alike."""

import pytest
from django.core.exceptions import PermissionDenied

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.registry import services
from qingyuan.registry.models import Institution


def test_inspector_cannot_change_an_institution(personas, places):
    clinic = places["clinic"]
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied, match="没有维护执业登记信息的权限"):
        services.institution_save(actor=personas["alice"], institution=clinic, data={"status": "revoked"})
    assert Institution.objects.get(pk=clinic.pk).status == clinic.status
    assert AuditEvent.objects.count() == events


def test_neighbouring_clerk_cannot_move_an_institution_into_their_county(personas, units, regions, places):
    # Before, only the saved record was checked: moving it into one's own county passed.
    xc_clerk = make_user("xcclerk", units["xiangcheng"], Role.CLERK, "相城录入员")
    clinic = places["clinic"]
    with pytest.raises(PermissionDenied, match="辖区"):
        services.institution_save(actor=xc_clerk, institution=clinic, data={"region": regions["xc_village"]})
    assert Institution.objects.get(pk=clinic.pk).region_id == clinic.region_id


@pytest.mark.parametrize("username", ["aud", "alice", "dave"])
def test_import_command_refuses_an_account_without_the_import_permission(
    regions, personas, tmp_path, username
):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "机构.csv"
    path.write_text("机构名称\n", encoding="utf-8")
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="没有导入执业登记信息的权限"):
        call_command("import_registry", "institutions", str(path), "--user", username)
    assert not Institution.objects.exists() and AuditEvent.objects.count() == events
