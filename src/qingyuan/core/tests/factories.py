"""Jobs for tests, written straight to the database in the state a test names (running half-way,
finished with a file, …), as a worker would have left them."""

from __future__ import annotations

from django.utils import timezone

from qingyuan.core.models import Job, JobStatus


def make_job(actor, *, kind: str = "registry_import", status: str = JobStatus.PENDING, **fields) -> Job:
    """A job submitted by `actor` from their unit; any Job field may be given."""
    unit = actor.unit
    now = timezone.now()
    values = {
        "kind": kind,
        "status": status,
        "actor": actor,
        "unit": unit,
        "region_id": unit.region_id if unit is not None else None,
        "heartbeat_at": now,
        "created_at": now,
    }
    if status != JobStatus.PENDING:
        values.update(attempts=1, started_at=now)
    values.update(fields)
    return Job.objects.create(**values)


def load_demo_world(regions, monkeypatch) -> None:
    """The demo data (core.demo) on top of the conftest region tree: its personas, and records of
    every kind in 吴中区, for tests that need one of each."""
    from qingyuan.conftest import make_region
    from qingyuan.core.demo import load_demo
    from qingyuan.regions.models import Level

    monkeypatch.setattr("qingyuan.core.demo.demo_password", lambda: "Demo#2024pass")
    make_region("320581", "常熟市", Level.COUNTY, regions["city"])
    make_region("320583", "昆山市", Level.COUNTY, regions["city"])
    load_demo()
