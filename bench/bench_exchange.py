"""Penalty-record exchange throughput: export (log build, then signed pages served through the API)
and import (verify every page's Ed25519 signature, store ExternalPenalty rows, advance the cursor).

    .venv/bin/python bench/bench_exchange.py                      # 20,000 records, SQLite under bench/out
    .venv/bin/python bench/bench_exchange.py --records 2000       # quick check
    .venv/bin/python bench/bench_exchange.py --db postgres://postgres@127.0.0.1:5432/qy_bench_exchange

One database plays both platforms: the exporting side's cases and log, and the importing side's
external penalties (separate tables; the import never reads the export's tables). Pages are fetched
through Django's test client with a partner key, kept, and then handed to the importer, so the
import time holds verification and storage only, not the export.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def setup(db_url: str):
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("QINGYUAN_DEV_KEYS", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyuan.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def id_number(rng: random.Random) -> str:
    from qingyuan.core.idcard import check_digit

    first = f"320506{rng.randint(1950, 1999)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first + check_digit(first)


def generate(n: int):
    """n closed illegal-practice cases with a penalty decision (fine and ban), in one county."""
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role
    from qingyuan.cases.models import (
        Case,
        CaseOffence,
        CaseSource,
        CaseStatus,
        MeasureKind,
        PartyKind,
        PenaltyDecision,
        PenaltyMeasure,
    )
    from qingyuan.core.crypto import blind_index
    from qingyuan.regions.models import Level, Region, Unit, UnitKind
    from qingyuan.rules.models import Offence
    from qingyuan.subjects.models import Subject, SubjectKind

    if Case.objects.filter(number__startswith="BX").count() >= n:
        return
    province, _ = Region.objects.get_or_create(
        code="310000",
        defaults={"name": "上海市", "level": Level.PROVINCE, "full_name": "上海市", "prefix": "31"},
    )
    county, _ = Region.objects.get_or_create(
        code="310115",
        defaults={
            "name": "浦东新区",
            "level": Level.COUNTY,
            "parent": province,
            "full_name": "上海市浦东新区",
            "prefix": "310115",
        },
    )
    unit, _ = Unit.objects.get_or_create(
        region=county, name="上海市浦东新区卫生健康监督所", defaults={"kind": UnitKind.SUPERVISION_INSTITUTE}
    )
    user, _ = User.objects.get_or_create(
        username="bench_pd",
        defaults={"unit": unit, "role": Role.INSPECTOR, "full_name": "压测", "credential_no": "31011500001"},
    )
    offence = Offence.objects.filter(code="YS-01").order_by("-version").first()
    subject = Subject.objects.create(
        name="压测诊所", kind=SubjectKind.UNLICENSED_CLINIC, address="浦东新区1号", region=county
    )
    rng = random.Random(20260101)
    batch = 2000
    for start in range(0, n, batch):
        cases = []
        for i in range(start, min(n, start + batch)):
            number = id_number(rng)
            day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
            cases.append(
                Case(
                    number=f"BX{i:07d}",
                    unit=unit,
                    region=county,
                    subject=subject,
                    source=CaseSource.DIRECT,
                    title="非医师行医",
                    party_kind=PartyKind.CITIZEN,
                    party_name=f"当事人{i}",
                    party_id_number=number,
                    party_id_index=blind_index(number),
                    offence_date=day - dt.timedelta(days=30),
                    status=CaseStatus.CLOSED,
                    proposed_by=user,
                    opened_on=day - dt.timedelta(days=30),
                    decided_on=day,
                )
            )
        cases = Case.objects.bulk_create(cases)
        CaseOffence.objects.bulk_create([CaseOffence(case=c, offence=offence) for c in cases])
        decisions = PenaltyDecision.objects.bulk_create(
            [
                PenaltyDecision(case=c, offence=offence, decided_on=c.decided_on, decided_by=user)
                for c in cases
            ]
        )
        PenaltyMeasure.objects.bulk_create(
            [PenaltyMeasure(decision=d, kind=MeasureKind.FINE, amount=20000) for d in decisions]
            + [PenaltyMeasure(decision=d, kind=MeasureKind.BAN) for d in decisions]
        )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--page", type=int, default=2000, help="records per page (the feed's maximum)")
    parser.add_argument("--db", default="", help="DATABASE_URL (default: SQLite bench/out/exchange.sqlite3)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = args.db or f"sqlite:///{OUT / 'exchange.sqlite3'}"
    t0 = time.perf_counter()
    setup(db)
    generate(args.records)
    print(f"data ready in {time.perf_counter() - t0:.1f} s ({args.records} penalised cases)")

    from django.test import Client

    from qingyuan.api.models import PartnerSystem
    from qingyuan.exchange import export, importing, services, signing
    from qingyuan.exchange.models import ExchangePeer, ExportEntry, ExportLogState, ExternalPenalty
    from qingyuan.regions.models import Unit

    # Start each run from an empty log and an empty import.
    ExternalPenalty.objects.all().delete()
    ExchangePeer.objects.all().delete()
    ExportEntry.objects.all().delete()
    ExportLogState.objects.all().delete()
    PartnerSystem.objects.filter(name="bench").delete()
    partner, key = PartnerSystem.issue(name="bench", unit=Unit.objects.get(region_id="310115"))
    services.subscription_set(partner=partner)

    t = time.perf_counter()
    logged = export.refresh_log(full=True)
    log_s = time.perf_counter() - t

    client = Client()
    pages, since = [], ""
    t = time.perf_counter()
    while True:
        response = client.get(
            "/api/v1/exchange/penalties/",
            {"since": since, "limit": args.page},
            HTTP_AUTHORIZATION=f"Partner {key}",
        )
        assert response.status_code == 200, response.content[:300]
        pages.append((since, response.content, response[signing.HEADER]))
        body = response.json()
        since = body["next"]
        if not body["has_more"]:
            break
    serve_s = time.perf_counter() - t
    # The empty page a reader gets once it has everything (the second pull below reads it).
    last = client.get("/api/v1/exchange/penalties/", {"since": since}, HTTP_AUTHORIZATION=f"Partner {key}")
    pages.append((since, last.content, last[signing.HEADER]))
    size = sum(len(b) for _s, b, _h in pages)

    peer = services.peer_save(
        name="bench-peer", base_url="http://localhost/", partner_key="k", public_key=signing.public_key_b64()
    )
    served = {s: (b, h) for s, b, h in pages}
    t = time.perf_counter()
    result = importing.pull(peer, page_size=args.page, fetcher=lambda p, s, limit: served[s])
    import_s = time.perf_counter() - t
    assert result["error"] == "" and result["created"] == logged, result

    t = time.perf_counter()
    again = importing.pull(
        ExchangePeer.objects.get(pk=peer.pk), page_size=args.page, fetcher=lambda p, s, limit: served[s]
    )
    rerun_s = time.perf_counter() - t

    vendor = "PostgreSQL" if db.startswith("postgres") else "SQLite"
    print(
        f"database: {vendor}; records: {logged}; pages: {len(pages)} x {args.page}; body {size / 1e6:.1f} MB"
    )
    print(f"export log build : {log_s:6.2f} s  {logged / log_s:8.0f} records/s")
    print(f"export serve+sign: {serve_s:6.2f} s  {logged / serve_s:8.0f} records/s")
    print(f"verify + import  : {import_s:6.2f} s  {logged / import_s:8.0f} records/s")
    print(f"second pull (no change, {again['pages']} page): {rerun_s:.3f} s, created {again['created']}")


if __name__ == "__main__":
    main()
