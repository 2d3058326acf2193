"""Public licence look-up latency at 1,000,000 institutions (PostgreSQL).

    .venv/bin/python bench/bench_lookup.py --keep --json bench/out/lookup-1m.json
    .venv/bin/python bench/bench_lookup.py --db postgres://postgres@127.0.0.1:5432/qy_h1_bench_small \
        --institutions 20000 --practitioners 20000          # quick check of the harness

One run:
  1. creates the database if missing, `migrate` and `load_regions` (national county codes);
  2. loads N institutions and M practitioners from bench/generate.py's CSV files (generated under
     bench/out/lookup-N-M/ when missing) straight into registry_institution and registry_practitioner
     with COPY (labels mapped to codes; no ID numbers: the look-up never reads them), then ANALYZE.
     A database that already holds N institutions is measured as it is (--keep keeps it);
  3. in a child process (Django set up with DATABASE_URL), sends R requests (default 200) through
     Django's test client, the whole middleware stack included, to the open API
     /api/v1/public/institutions/ and /practitioners/ and, with the same queries, to the page
     /public/verify/: a seeded mix of exact licence numbers, licence-number prefixes, full names, name
     fragments, address fragments, person names (with and without an institution) and misses.
     Rate limits are lifted for the run (QINGYUAN_API_RATE_PUBLIC_LOOKUP, QINGYUAN_PORTAL_VERIFY_RATE).
     20 unmeasured warm-up requests first; p50/p95/max overall and per kind, and the slowest.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

from bench_registry import _after_county, _sample_rows, count_rows, percentile  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/qy_h1_bench"
GOAL_P95_MS = 100.0


def child_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "qingyuan.settings",
            "DEBUG": "0",
            "LOG_LEVEL": "ERROR",
            "QINGYUAN_VAR_DIR": str(OUT / "var"),
            "QINGYUAN_FIELD_KEYS": "bench:"
            + base64.b64encode(hashlib.sha256(b"qingyuan-bench-only").digest()).decode(),
            # The remaining keys generated under QINGYUAN_VAR_DIR, as the development setup does.
            "QINGYUAN_DEV_KEYS": "1",
            "QINGYUAN_API_RATE_PUBLIC_LOOKUP": "100000000/min",
            "QINGYUAN_PORTAL_VERIFY_RATE": "100000000/600",
            "PYTHONPATH": str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    return env


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyuan.settings")
    import django

    django.setup()


# --- loading ----------------------------------------------------------------------------------------


def ensure_data(args) -> tuple[Path, Path]:
    folder = args.data or OUT / f"lookup-{args.institutions}-{args.practitioners}"
    inst, prac = folder / "institutions.csv", folder / "practitioners.csv"
    if not (inst.exists() and prac.exists() and count_rows(inst) == args.institutions):
        cmd = [sys.executable, str(BENCH / "generate.py"), "--institutions", str(args.institutions)]
        cmd += ["--practitioners", str(args.practitioners), "--subjects", "0", "--out", str(folder)]
        subprocess.run(cmd, check=True)
    return inst, prac


def step_load(args) -> dict:
    """migrate, load_regions, then COPY the CSV rows into the registry tables (skipped when loaded)."""
    _django()
    from django.core.management import call_command
    from django.db import connection

    from qingyuan.registry import models as m

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM regions_region")
        if cur.fetchone()[0] < 3000:
            call_command("load_regions", verbosity=0)
        cur.execute("SELECT count(*) FROM registry_institution")
        present = cur.fetchone()[0]
    result = {"migrate_regions_s": round(time.perf_counter() - t0, 1), "institutions_before": present}
    if present >= args.institutions:
        return {**result, "loaded": False}

    def codes(choices):
        return {str(label): value for value, label in choices.choices}

    category, licence_kind = codes(m.InstitutionCategory), codes(m.LicenceKind)
    inst_status, kind, prac_status = (
        codes(m.InstitutionStatus),
        codes(m.PractitionerKind),
        codes(m.PractitionerStatus),
    )
    now = dt.datetime.now(dt.UTC)
    rng = random.Random(args.seed)

    def ended(status: str, valid_until: str):
        # 注销/吊销 carry a date in the public answer; a deterministic one within the licence's life.
        if status in ("cancelled", "revoked", "suspended"):
            return dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1000))
        return None

    raw = connection.connection  # psycopg 3
    t1 = time.perf_counter()
    with raw.cursor() as cur:
        cur.execute("TRUNCATE registry_practitioner, registry_institution RESTART IDENTITY CASCADE")
        columns = "name, category, licence_kind, licence_no, valid_until, address, region_id, "
        columns += "legal_representative, departments, status, status_changed_on, updated_at"
        with (
            cur.copy(f"COPY registry_institution ({columns}) FROM STDIN") as copy,
            open(args.inst_csv, encoding="utf-8", newline="") as f,
        ):
            reader = csv.reader(f)
            next(reader)
            for r in reader:
                status = inst_status[r[9]]
                copy.write_row(
                    [
                        r[0],
                        category[r[1]],
                        licence_kind[r[2]],
                        r[3],
                        r[4] or None,
                        r[5],
                        r[6],
                        r[7],
                        r[8],
                        status,
                        ended(status, r[4]),
                        now,
                    ]
                )
        raw.commit()
        t2 = time.perf_counter()
        cur.execute("SELECT licence_no, id FROM registry_institution")
        ids = dict(cur.fetchall())
        columns = (
            "name, id_number, id_number_index, qualification_no, certificate_no, kind, practice_category, "
        )
        columns += "practice_scope, institution_id, region_id, status, status_changed_on, updated_at"
        with (
            cur.copy(f"COPY registry_practitioner ({columns}) FROM STDIN") as copy,
            open(args.prac_csv, encoding="utf-8", newline="") as f,
        ):
            reader = csv.reader(f)
            next(reader)
            for r in reader:
                status = prac_status[r[9]]
                copy.write_row(
                    [
                        r[0],
                        "",
                        "",
                        r[2],
                        r[3],
                        kind[r[4]],
                        r[5],
                        r[6],
                        ids.get(r[7]),
                        r[8],
                        status,
                        ended(status, ""),
                        now,
                    ]
                )
        raw.commit()
        t3 = time.perf_counter()
        cur.execute("ANALYZE registry_institution")
        cur.execute("ANALYZE registry_practitioner")
        cur.execute("ANALYZE regions_region")
        raw.commit()
        cur.execute("SELECT count(*) FROM registry_institution")
        n_inst = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM registry_practitioner")
        n_prac = cur.fetchone()[0]
    return {
        **result,
        "loaded": True,
        "institutions": n_inst,
        "practitioners": n_prac,
        "copy_institutions_s": round(t2 - t1, 1),
        "copy_practitioners_s": round(t3 - t2, 1),
        "analyze_s": round(time.perf_counter() - t3, 1),
    }


# --- the query mix -----------------------------------------------------------------------------------

SHARES = {
    "licence_no": 0.2,  # q = an exact licence number
    "licence_prefix": 0.05,  # licence_no = its first 10 characters
    "institution_name": 0.1,  # q = a full name
    "name_fragment": 0.2,  # q = 3-6 characters of a name, or the name without its county
    "address_fragment": 0.15,  # q = a street and number, or the street alone
    "person_name": 0.1,  # practitioners: name
    "person_at_institution": 0.1,  # practitioners: name + a fragment of their institution's name
    "miss": 0.1,
}


def build_queries(inst_csv: Path, n_inst: int, prac_csv: Path, n_prac: int, size: int, seed: int) -> list:
    rng = random.Random(seed)
    inst = iter(_sample_rows(inst_csv, n_inst, 2 * size + 40, rng))
    people = _sample_rows(prac_csv, n_prac, 2 * size, rng)
    prac = iter(people)
    # licence number -> institution name, for the person_at_institution kind: one pass over the file.
    wanted = {r[7] for r in people if r[7]}
    names = {}
    with inst_csv.open(encoding="utf-8", newline="") as f:
        for r in csv.reader(f):
            if r[3] in wanted:
                names[r[3]] = r[0]
    queries = []
    for kind, share in SHARES.items():
        for _ in range(round(share * size)):
            if kind == "licence_no":
                params = {"q": next(inst)[3]}
            elif kind == "licence_prefix":
                params = {"licence_no": next(inst)[3][:10]}
            elif kind == "institution_name":
                params = {"q": next(inst)[0]}
            elif kind == "name_fragment":
                name = next(inst)[0]
                if rng.random() < 0.5:
                    params = {"q": _after_county(name)}
                else:
                    start = rng.randrange(0, max(1, len(name) - 4))
                    params = {"q": name[start : start + rng.choice((3, 4, 5, 6))]}
            elif kind == "address_fragment":
                street = _after_county(next(inst)[5])
                params = {"q": street if rng.random() < 0.6 else street.rstrip("0123456789号")}
            elif kind == "person_name":
                params = {"name": next(prac)[0]}
            elif kind == "person_at_institution":
                row = next(prac)
                place = names.get(row[7]) or "诊所"
                params = {"name": row[0], "institution": _after_county(place)[:4]}
            else:
                params = rng.choice(
                    [
                        {"q": f"PDY999999{rng.randrange(10**7):07d}"},
                        {"q": f"无名{rng.randrange(1000)}号诊所"},
                        {"q": f"无此路{rng.randrange(1000)}号"},
                        {"name": f"欧阳某{rng.choice('甲乙丙丁')}"},
                    ]
                )
            queries.append({"kind": kind, "params": params})
    rng.shuffle(queries)
    return queries


# --- measuring ---------------------------------------------------------------------------------------


def summary(values: list[float]) -> dict:
    s = sorted(values)
    return {
        "n": len(s),
        "p50_ms": round(percentile(s, 50), 2),
        "p95_ms": round(percentile(s, 95), 2),
        "max_ms": round(s[-1], 2),
    }


def step_measure(args) -> dict:
    _django()
    from django.test import Client

    queries = json.loads(Path(args.queries_file).read_text())
    client = Client()
    results = {}
    from qingyuan.registry import selectors

    def query_only(params):
        # The selector alone, no request: what the database and the ORM cost, without the HTTP stack.
        if "name" in params:
            rows, _more = selectors.public_practitioners(
                name=params["name"], institution=params.get("institution", "")
            )
        else:
            rows, _more = selectors.public_institutions(
                q=params.get("q", ""), licence_no=params.get("licence_no", "")
            )
        return rows

    for target in ("query", "api", "page"):
        times: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        slowest, errors = [], []

        def request(params, target=target):
            if target == "query":
                return query_only(params)
            if target == "api":
                path = "/api/v1/public/practitioners/" if "name" in params else "/api/v1/public/institutions/"
                return client.get(path, params)
            extra = {"kind": "practitioner"} if "name" in params else {}
            return client.get("/public/verify/", {**params, **extra})

        for q in queries[:20]:  # warm-up: code paths, connection, caches
            request(q["params"])
        for q in queries:
            t0 = time.perf_counter()
            response = request(q["params"])
            ms = (time.perf_counter() - t0) * 1000
            if target != "query" and response.status_code != 200:
                errors.append({"params": q["params"], "status": response.status_code})
                continue
            times.setdefault(q["kind"], []).append(ms)
            if target == "query":
                found[q["kind"]] = found.get(q["kind"], 0) + (1 if response else 0)
            elif target == "api":
                found[q["kind"]] = found.get(q["kind"], 0) + (1 if response.json()["count"] else 0)
            slowest.append((ms, q["kind"], q["params"]))
        all_ms = [ms for values in times.values() for ms in values]
        results[target] = {
            "overall": summary(all_ms) if all_ms else None,
            "by_kind": {k: {**summary(v), "with_result": found.get(k)} for k, v in sorted(times.items())},
            "slowest": [
                {"ms": round(ms, 1), "kind": k, "params": p} for ms, k, p in sorted(slowest, reverse=True)[:8]
            ],
            "errors": errors[:10],
            "error_count": len(errors),
        }
    return results


def run_child(step: str, url: str, extra: list[str]) -> dict:
    result_file = OUT / f"lookup-{step}-{os.getpid()}.json"
    cmd = [sys.executable, __file__, "--step", step, "--result-file", str(result_file), *extra]
    subprocess.run(cmd, env=child_env(url), check=True)
    payload = json.loads(result_file.read_text())
    result_file.unlink()
    return payload


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--institutions", type=int, default=1_000_000)
    parser.add_argument("--practitioners", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--data", type=Path, default=None, help="folder with institutions.csv and practitioners.csv"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--step", choices=["load", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--inst-csv", help=argparse.SUPPRESS)
    parser.add_argument("--prac-csv", help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        payload = {"load": step_load, "measure": step_measure}[args.step](args)
        Path(args.result_file).write_text(json.dumps(payload, ensure_ascii=False, indent=1))
        return

    import psycopg

    OUT.mkdir(parents=True, exist_ok=True)
    base, _, dbname = args.db.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        inst_csv, prac_csv = ensure_data(args)
        print("loading", flush=True)
        extra = ["--inst-csv", str(inst_csv), "--prac-csv", str(prac_csv), "--seed", str(args.seed)]
        extra += ["--institutions", str(args.institutions)]
        load = run_child("load", args.db, extra)
        print(json.dumps(load, ensure_ascii=False), flush=True)
        qfile = (
            OUT / f"lookup-queries-{args.institutions}-{args.practitioners}-{args.seed}-{args.requests}.json"
        )
        qfile.write_text(
            json.dumps(
                build_queries(
                    inst_csv, args.institutions, prac_csv, args.practitioners, args.requests, args.seed
                ),
                ensure_ascii=False,
            )
        )
        print("measuring", flush=True)
        measured = run_child("measure", args.db, ["--queries-file", str(qfile)])
        with psycopg.connect(args.db) as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()[0]
            shared_buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
    finally:
        if not args.keep:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    results = {
        "command": " ".join([".venv/bin/python", "bench/bench_lookup.py", *(argv or sys.argv[1:])]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "postgres": {"version": pg_version, "shared_buffers": shared_buffers},
        "load": load,
        "queries_file": str(qfile.relative_to(ROOT)),
        "load_average_after_measuring": os.getloadavg(),
        **measured,
    }
    out = args.json or OUT / f"lookup-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    for target in ("query", "api", "page"):
        r = results[target]
        o = r["overall"]
        verdict = "meets" if o and o["p95_ms"] < GOAL_P95_MS else "MISSES"
        print(
            f"\n{target}: n={o and o['n']} p50 {o and o['p50_ms']} ms, p95 {o and o['p95_ms']} ms, "
            f"max {o and o['max_ms']} ms ({verdict} p95 < {GOAL_P95_MS:.0f} ms); errors {r['error_count']}"
        )
        for kind, s in r["by_kind"].items():
            print(
                f"  {kind:22} n={s['n']:>3} found={s['with_result']!s:>4} p50 {s['p50_ms']:>7} "
                f"p95 {s['p95_ms']:>7} max {s['max_ms']:>7} ms"
            )
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
