"""The demo loader and the adjacency command work on the shared region tree."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qingyuan.operations.demo import load_demo_operations
from qingyuan.operations.models import RegionAdjacency

from .conftest import make_site


def test_demo_operation_is_created_once(city, personas, regions):
    personas["dave"].username = "city_leader"
    personas["dave"].save()
    make_site(regions["village"], "金星村黑诊所")
    operation = load_demo_operations()
    assert operation.targets.count() == 1 and operation.groups.exists()
    assert RegionAdjacency.objects.filter(a_id="320506", b_id="320507").exists()
    assert load_demo_operations() == operation


def test_demo_nominates_the_chiefs_inspectors(personas, regions):
    personas["dave"].username = "city_leader"
    personas["dave"].save()
    personas["chief"].username = "wz_chief"
    personas["chief"].save()
    operation = load_demo_operations()
    assert set(operation.nominations.values_list("user__username", flat=True)) == {"alice", "bob"}


def test_adjacency_command_records_and_lists(personas, regions):
    call_command("county_adjacency", "320507", "320506", by="dave", stdout=StringIO())
    out = StringIO()
    call_command("county_adjacency", list="3205", stdout=out)
    assert "320506 吴中区 — 320507 相城区" in out.getvalue()
    with pytest.raises(CommandError, match="无权"):
        call_command("county_adjacency", "320506", "320507", by="alice", remove=True, stdout=StringIO())
    assert RegionAdjacency.objects.count() == 1
