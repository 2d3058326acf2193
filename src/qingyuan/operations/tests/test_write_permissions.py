"""A county sees the city's joint operation but does not run it: its leader, holding
operations.manage, is refused by the services themselves, with nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.operations import services
from qingyuan.operations.models import JointOperation, OperationGroup


@pytest.fixture
def operation(city, personas):
    return services.operation_create(
        actor=personas["dave"],
        name="2024年打击无证行医联动执法",
        nomination_deadline=dt.date(2024, 5, 31),
        periods=[(dt.date(2024, 6, 10), dt.date(2024, 6, 16))],
    )


def test_county_leader_cannot_change_or_close_the_citys_operation(operation, units):
    county_leader = make_user("wzleader", units["wuzhong"], Role.LEADER, "吴中区领导")
    groups, events = OperationGroup.objects.count(), AuditEvent.objects.count()
    for write in [
        lambda: services.groups_propose(actor=county_leader, operation=operation),
        lambda: services.nominations_reopen(
            actor=county_leader, operation=operation, deadline=dt.date(2024, 6, 5)
        ),
        lambda: services.operation_close(actor=county_leader, operation=operation),
        lambda: services.evaluation_add(actor=county_leader, operation=operation, text="很好"),
    ]:
        with pytest.raises(PermissionDenied, match="不由本单位组织"):
            write()
    assert OperationGroup.objects.count() == groups and AuditEvent.objects.count() == events
    assert JointOperation.objects.get(pk=operation.pk).status == operation.status


def test_the_city_still_proposes_groups(operation, personas):
    assert services.groups_propose(actor=personas["dave"], operation=operation) is not None
