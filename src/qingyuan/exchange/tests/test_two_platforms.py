"""Two platforms: region A (上海市浦东新区) is a second Qingyuan server in its own process on its own
SQLite file and its own keys; region B (江苏, this test's database) pulls A's signed feed over HTTP.
A person penalised twice in A commits a third offence in B: B's crime criteria flag the case."""

import base64
import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from qingyuan.cases import crime
from qingyuan.core.models import AuditEvent
from qingyuan.exchange import importing, services
from qingyuan.exchange.models import ExternalPenalty, RecordStatus

from . import factories

MANAGE = Path(settings.BASE_DIR) / "manage.py"
HOST = "127.0.0.2"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _env(var_dir: Path, db: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QINGYUAN_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        QINGYUAN_DEV_KEYS="1",
        QINGYUAN_VAR_DIR=str(var_dir),  # A's own field, index, audit keys and secret key
        DATABASE_URL=f"sqlite:///{db}",
        ALLOWED_HOSTS=HOST,
        # A's own signing key; the exchange index key is the one the regions agreed on.
        QINGYUAN_EXCHANGE_SIGNING_KEY=base64.b64encode(os.urandom(32)).decode(),
        QINGYUAN_EXCHANGE_INDEX_KEY=settings.QINGYUAN_EXCHANGE_INDEX_KEY,
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env, *args, timeout=120) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _region_a_database(db: Path, env: dict) -> None:
    """A's database: a copy of the freshly migrated, still empty test database (migrating a new file
    takes a minute); on PostgreSQL runs, migrate a new SQLite file."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(db)
        connection.connection.backup(target)
        target.close()
    else:
        _manage(env, "migrate", "-v0", timeout=600)


@pytest.fixture(scope="module")
def region_a(tmp_path_factory, django_db_setup, django_db_blocker):
    base = tmp_path_factory.mktemp("region_a")
    db = base / "a.sqlite3"
    env = _env(base, db)
    with django_db_blocker.unblock():
        _region_a_database(db, env)
    code = "from qingyuan.exchange.tests import region_a; region_a.{}()"
    told = json.loads(_manage(env, "shell", "-c", code.format("setup")).strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, str(MANAGE), "runserver", f"{HOST}:{port}", "--noreload", "--skip-checks"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://{HOST}:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "health/", timeout=2)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break  # answering, even if not healthy in every respect
        except OSError:
            assert server.poll() is None, "region A's server did not start"
            assert time.monotonic() < deadline, "region A's server did not answer within 60 s"
            time.sleep(0.3)
    yield {**told, "url": url, "revoke": lambda: _manage(env, "shell", "-c", code.format("revoke_first"))}
    server.terminate()
    server.wait(timeout=10)


def test_region_b_flags_a_third_offence_of_a_person_penalised_twice_in_region_a(region_a, regions, personas):
    peer = services.peer_save(
        name="上海市清源平台",
        base_url=region_a["url"],
        partner_key=region_a["partner_key"],
        public_key=region_a["public_key"],
    )

    first = importing.pull(peer)

    assert first["error"] == "" and first["created"] == 2
    stored = list(ExternalPenalty.objects.order_by("decided_on"))
    assert [r.decided_on for r in stored] == [dt.date(2024, 5, 10), dt.date(2025, 3, 1)]
    assert {r.source_region_name for r in stored} == {"上海市浦东新区"}
    assert factories.ID_ZHANG not in json.dumps([r.measures for r in stored])
    # A third offence in region B by the same person (same ID number).
    third = factories.case(
        county=regions["wuzhong"],
        proposer=personas["alice"],
        offence_date=dt.date(2026, 6, 1),
        no_qualification=True,
    )
    result = crime.evaluate(third)
    assert result.suspected
    assert result.prior_penalties == 2
    assert any("违法行为发生日前因非法行医受行政处罚2次（上海市浦东新区）" in r for r in result.reasons)
    crime.crime_refresh(case=third)
    third.refresh_from_db()
    assert third.crime_suspected

    # A second pull stores nothing new.
    peer.refresh_from_db()
    again = importing.pull(peer)
    assert again == {"pages": 1, "created": 0, "updated": 0, "error": ""}
    assert ExternalPenalty.objects.count() == 2

    # A page tampered with on the way is refused and nothing of it is stored.
    region_a["revoke"]()
    peer.refresh_from_db()

    def tampered(p, since, limit):
        body, header = importing.fetch(p, since, limit)
        return body.replace(b"revoked", b"effective"), header

    refused = importing.pull(peer, fetcher=tampered)
    assert refused["created"] == refused["updated"] == 0
    assert "签名" in refused["error"]
    peer.refresh_from_db()
    assert "签名" in peer.last_error
    assert AuditEvent.objects.filter(target_type__icontains="exchangepeer", result="failed").exists()
    assert not ExternalPenalty.objects.filter(status=RecordStatus.REVOKED).exists()

    # Read honestly, the revocation updates the stored record, and the person is below the threshold.
    revoked = importing.pull(peer)
    assert revoked["error"] == "" and revoked["updated"] == 1 and revoked["created"] == 0
    first_record = ExternalPenalty.objects.get(decided_on=dt.date(2024, 5, 10))
    assert first_record.status == RecordStatus.REVOKED and first_record.status_on == dt.date(2025, 6, 1)
    assert ExternalPenalty.objects.count() == 2
    after = crime.evaluate(third)
    assert after.prior_penalties == 1 and not after.suspected
