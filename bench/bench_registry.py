"""Registry benchmarks: import throughput (SQLite and PostgreSQL), the COPY baseline, verification latency.

    .venv/bin/python bench/bench_registry.py                      # 1M institutions, 3M practitioners
    .venv/bin/python bench/bench_registry.py --institutions 20000 --practitioners 60000   # quick

One run measures:
  (a) importing N institutions from institutions.csv through
      qingyuan.registry.importing.import_institutions (full validation), on a fresh SQLite file
      and on a fresh PostgreSQL database (both migrated, national regions loaded first);
  (b) PostgreSQL's own COPY ... FROM STDIN (FORMAT csv, HEADER) of the same file into a bare
      table of text columns (and, for reference, into one with the same indexes as the
      institution table), and the ratio import time / COPY time (goal <= 3x);
  (c) on PostgreSQL, after importing the N institutions and M practitioners (import_practitioners),
      the latency of qingyuan.registry.selectors.verify_licence over a deterministic mix of
      ~1,000 queries: p50/p95/p99 in ms (goal p95 < 20 ms).

Settings read DATABASE_URL at import time, so every database step runs in its own child process
(this script started again with --step); each child reports JSON and its own peak RSS
(resource.getrusage), so the RSS of each import is that import's process alone.

The CSV files come from bench/generate.py. With --data pointing at files of the right size they
are used as they are; otherwise the generator writes a matching set under bench/out/gen-N-M/.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

PG_ADMIN_URL = os.environ.get("QY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
GOAL_COPY_RATIO = 3.0
GOAL_P95_MS = 20.0


# --- small helpers ---------------------------------------------------------------------------------


def count_rows(path: Path) -> int:
    """Data rows of a CSV (lines minus the header); the generator never puts newlines inside fields."""
    n = 0
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            n += block.count(b"\n")
    return n - 1


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{dbname}"


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


# --- child steps (each runs with DATABASE_URL set, in its own process) ----------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyuan.settings")
    import django

    django.setup()


def _profiled(fn, profile_to: str | None):
    if not profile_to:
        return fn()
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(fn)
    prof.dump_stats(profile_to)
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(45)
    Path(profile_to).with_suffix(".txt").write_text(text.getvalue())
    return result


def step_setup(args) -> dict:
    """migrate + load the national regions; check every county the generator uses exists."""
    _django()
    from django.core.management import call_command
    from generate import load_counties

    from qingyuan.regions.models import Region

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    t1 = time.perf_counter()
    call_command("load_regions", verbosity=0)
    t2 = time.perf_counter()
    codes = set(Region.objects.values_list("code", flat=True))
    missing = [c for c, _n, _f in load_counties() if c not in codes]
    if missing:
        raise RuntimeError(
            f"{len(missing)} generator counties are not in the loaded region tree: {missing[:5]}"
        )
    return {"migrate_s": round(t1 - t0, 2), "load_regions_s": round(t2 - t1, 2), "regions": len(codes)}


def _progress_printer(label):
    state = {"last": 0.0}

    def progress(*args, **kwargs):
        now = time.monotonic()
        if now - state["last"] >= 30:
            state["last"] = now
            print(f"    [{label}] progress {args} {kwargs}", file=sys.stderr, flush=True)

    return progress


def step_import(args) -> dict:
    """Time one import (institutions or practitioners) of the whole file, with full validation."""
    _django()
    from qingyuan.core.models import AuditEvent
    from qingyuan.registry import importing
    from qingyuan.registry.models import Institution, Practitioner

    what = args.what
    fn = getattr(importing, f"import_{what}")
    model = Institution if what == "institutions" else Practitioner
    before = model.objects.count()
    audit_before = AuditEvent.objects.count()
    rss0 = peak_rss_mb()
    progress = _progress_printer(what) if args.progress else None
    t0 = time.perf_counter()
    result = _profiled(lambda: fn(actor=None, path=args.path, fmt=None, progress=progress), args.profile_to)
    elapsed = time.perf_counter() - t0
    rss1 = peak_rss_mb()
    after = model.objects.count()
    return {
        "rows": args.rows,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(args.rows / elapsed),
        "result": {k: getattr(result, k, None) for k in ("created", "updated", "total")},
        "table_rows_after": after,
        "table_rows_before": before,
        "audit_rows_written": AuditEvent.objects.count() - audit_before,
        "peak_rss_mb": round(rss1, 1),
        "rss_before_import_mb": round(rss0, 1),
    }


COPY_COLUMNS = [
    "name",
    "category",
    "licence_kind",
    "licence_no",
    "valid_until",
    "address",
    "region_code",
    "legal_representative",
    "departments",
    "status",
]


def _copy_file(conn, table: str, columns: list[str], path: str, options: str = "") -> dict:
    t0 = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv, HEADER{options})"
        with cur.copy(sql) as copy, open(path, "rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
        loaded = cur.rowcount
    elapsed = time.perf_counter() - t0
    return {"rows": loaded, "seconds": round(elapsed, 2), "rows_per_s": round(loaded / elapsed)}


def step_copy(args) -> dict:
    """PostgreSQL COPY of the same CSV (a) into a bare table of text columns — the baseline the goal
    is measured against — and (b) into a copy of registry_institution's shape (typed columns and
    every index it has, no foreign key), the floor for any importer writing that table."""
    import psycopg

    results = {}
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy_bare")
        conn.execute(f"CREATE TABLE bench_copy_bare ({', '.join(f'{c} text' for c in COPY_COLUMNS)})")
        results["bare"] = _copy_file(conn, "bench_copy_bare", COPY_COLUMNS, args.path)
        conn.execute("DROP TABLE bench_copy_bare")
        columns = [
            "name",
            "category",
            "licence_kind",
            "licence_no",
            "valid_until",
            "address",
            "region_id",
            "legal_representative",
            "departments",
            "status",
        ]
        not_null = [c for c in columns if c != "valid_until"]  # empty CSV fields are '' there, not NULL
        for variant in ("shaped", "shaped_btree_only"):
            try:
                conn.execute("DROP TABLE IF EXISTS bench_copy_shaped")
                conn.execute("CREATE TABLE bench_copy_shaped (LIKE registry_institution INCLUDING ALL)")
                # Columns the CSV does not carry (updated_at, anything added later) get a default or lose NOT NULL.
                extra = conn.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = "
                    "'bench_copy_shaped' AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'"
                ).fetchall()
                for column, data_type in extra:
                    if column in columns:
                        continue
                    if data_type.startswith("timestamp"):
                        conn.execute(f"ALTER TABLE bench_copy_shaped ALTER {column} SET DEFAULT now()")
                    else:
                        conn.execute(f"ALTER TABLE bench_copy_shaped ALTER {column} DROP NOT NULL")
                if variant == "shaped_btree_only":  # what the non-btree (trigram GIN) indexes cost
                    for (name,) in conn.execute(
                        "SELECT indexname FROM pg_indexes WHERE tablename = 'bench_copy_shaped' "
                        "AND indexdef NOT LIKE '%USING btree%'"
                    ).fetchall():
                        conn.execute(f'DROP INDEX "{name}"')
                indexes = [
                    r[0]
                    for r in conn.execute(
                        "SELECT indexdef FROM pg_indexes WHERE tablename = 'bench_copy_shaped' ORDER BY indexname"
                    )
                ]
                results[variant] = _copy_file(
                    conn, "bench_copy_shaped", columns, args.path, f", FORCE_NOT_NULL ({', '.join(not_null)})"
                )
                results[variant]["indexes"] = indexes
            except psycopg.Error as exc:
                results[variant] = {"error": str(exc).strip()}
            conn.execute("DROP TABLE IF EXISTS bench_copy_shaped")
    return results


def _consume(value):
    """Force evaluation of whatever verify_licence returns (a list, a dict of querysets, a queryset...)."""
    if value is None or isinstance(value, (str, bytes, int, float, bool)):
        return 0
    if isinstance(value, dict):
        return sum(_consume(v) for v in value.values())
    if hasattr(value, "_fetch_all") or isinstance(value, (list, tuple)):
        return len(list(value))
    if hasattr(value, "__dict__"):
        return sum(
            _consume(v) for v in vars(value).values() if not str(type(v)).startswith("<class 'django.db")
        )
    return 0


def step_latency(args) -> dict:
    """verify_licence over the query mix, one call at a time, after ANALYZE."""
    _django()
    from django.db import connection

    from qingyuan.registry import selectors

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    queries = json.loads(Path(args.queries).read_text())
    # Warm-up: load code paths and the connection, on queries that are not measured.
    for q in queries["warmup"]:
        _consume(selectors.verify_licence(q["q"]))
    by_kind: dict[str, list[float]] = {}
    found: dict[str, int] = {}
    all_ms = []
    for q in queries["measured"]:
        t0 = time.perf_counter()
        res = selectors.verify_licence(q["q"])
        n = _consume(res)
        ms = (time.perf_counter() - t0) * 1000
        all_ms.append(ms)
        by_kind.setdefault(q["kind"], []).append(ms)
        found[q["kind"]] = found.get(q["kind"], 0) + (1 if n else 0)

    def summary(values):
        s = sorted(values)
        return {
            "n": len(s),
            "p50_ms": round(percentile(s, 50), 2),
            "p95_ms": round(percentile(s, 95), 2),
            "p99_ms": round(percentile(s, 99), 2),
            "max_ms": round(s[-1], 2),
            "mean_ms": round(statistics.fmean(s), 2),
        }

    kinds = {k: {**summary(v), "with_result": found.get(k, 0)} for k, v in by_kind.items()}
    slowest = sorted(
        zip(
            all_ms,
            (q["q"] for q in queries["measured"]),
            (q["kind"] for q in queries["measured"]),
            strict=True,
        ),
        reverse=True,
    )[:10]
    return {
        "overall": summary(all_ms),
        "by_kind": kinds,
        "slowest": [{"ms": round(ms, 1), "q": q, "kind": k} for ms, q, k in slowest],
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


STEPS = {"setup": step_setup, "import": step_import, "copy": step_copy, "latency": step_latency}


def code_versions() -> dict:
    """Short hashes of the registry modules this step ran with (they change while people work)."""
    names = [
        "importing.py",
        "import_pg.py",
        "import_columns.py",
        "import_files.py",
        "selectors.py",
        "models.py",
    ]
    folder = ROOT / "src" / "qingyuan" / "registry"
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()[:12]
        for name in names
        if (folder / name).exists()
    }


def child_main(args):
    versions = code_versions()  # before the step: the modules are imported at its start
    try:
        payload = {"ok": True, **STEPS[args.step](args), "code": versions}
    except Exception as exc:  # reported to the parent, which carries on with the other steps
        payload = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    Path(args.result_file).write_text(json.dumps(payload, ensure_ascii=False, indent=1))


# --- the query mix ----------------------------------------------------------------------------------


def _sample_rows(path: Path, total: int, k: int, rng: random.Random) -> list[list[str]]:
    import csv

    wanted = set(rng.sample(range(total), min(k, total)))
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for i, row in enumerate(reader):
            if i in wanted:
                out.append(row)
    rng.shuffle(out)
    return out


def _after_county(text: str) -> str:
    """What follows the 省市区县 part of a generated name or address (word pools never contain 区县市旗)."""
    cut = max(text.rfind(ch, 0, 24) for ch in "区县市旗")
    return text[cut + 1 :] if cut >= 0 else text


def build_queries(
    inst_csv: Path, n_inst: int, prac_csv: Path | None, n_prac: int, seed: int, size: int
) -> dict:
    """A deterministic mix: exact licence and certificate numbers, institution names and name fragments,
    person names, address fragments, and misses. Returns {"warmup": [...], "measured": [...]}."""
    rng = random.Random(seed)
    shares = {
        "licence_no": 0.2,
        "certificate_no": 0.2,
        "institution_name": 0.1,
        "name_fragment": 0.15,
        "person_name": 0.15,
        "address_fragment": 0.1,
        "miss": 0.1,
    }
    if not prac_csv or not n_prac:
        shares["licence_no"] += shares.pop("certificate_no")
        shares["name_fragment"] += shares.pop("person_name")
    counts = {k: round(v * size) for k, v in shares.items()}
    inst = _sample_rows(inst_csv, n_inst, 2 * size, rng)
    prac = _sample_rows(prac_csv, n_prac, 2 * size, rng) if prac_csv and n_prac else []
    it, pt = iter(inst), iter(prac)
    queries = []
    for kind, n in counts.items():
        for _ in range(n):
            if kind == "licence_no":
                q = next(it)[3]
            elif kind == "certificate_no":
                q = next(pt)[3]
            elif kind == "institution_name":
                q = next(it)[0]
            elif kind == "name_fragment":
                name = next(it)[0]
                if rng.random() < 0.5:  # the name without its county prefix, e.g. 民安口腔诊所
                    q = _after_county(name)
                else:  # any 3-6 characters of it
                    start = rng.randrange(0, max(1, len(name) - 4))
                    q = name[start : start + rng.choice((3, 4, 5, 6))]
            elif kind == "person_name":
                q = next(pt)[0]
            elif kind == "address_fragment":
                street = _after_county(next(it)[5])  # e.g. 金桥街356号, 石桥镇王家村3组12号
                q = street if rng.random() < 0.6 else street.rstrip("0123456789号")
            else:
                q = rng.choice(
                    [
                        f"PDY999999{rng.randrange(10**7):07d}",
                        f"9{rng.randrange(10**14):014d}",
                        f"欧阳某{rng.choice('甲乙丙丁')}{rng.choice('子丑寅卯')}",
                        f"无名{rng.randrange(1000)}号诊所",
                        f"无此路{rng.randrange(1000)}号",
                    ]
                )
            queries.append({"kind": kind, "q": q})
    rng.shuffle(queries)
    warm = [{"kind": "warmup", "q": r[3]} for r in inst[-10:]] + [
        {"kind": "warmup", "q": r[0][-5:]} for r in inst[-20:-10]
    ]
    return {"warmup": warm, "measured": queries}


# --- the parent -------------------------------------------------------------------------------------


def child_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "qingyuan.settings",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "QINGYUAN_VAR_DIR": str(OUT / "var"),
            # A fixed bench-only field key, so encrypted columns behave as in production without touching var/.
            "QINGYUAN_FIELD_KEYS": "bench:"
            + base64.b64encode(hashlib.sha256(b"qingyuan-bench-only").digest()).decode(),
            "PYTHONPATH": str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    return env


def run_step(step: str, db_url: str, label: str, extra: list[str]) -> dict:
    result_file = OUT / f".step-{os.getpid()}-{label}.json"
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--step", step, "--result-file", str(result_file), *extra]
    print(f"  -> {label} ...", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=child_env(db_url), cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    if result_file.exists():
        payload = json.loads(result_file.read_text())
        result_file.unlink()
    else:
        payload = {"ok": False, "error": f"child exited with {proc.returncode} and wrote no result"}
    payload["wall_s"] = round(wall, 2)
    status = "ok" if payload.get("ok") else f"FAILED: {payload.get('error')}"
    print(f"     {label}: {status} ({wall:.1f}s)", flush=True)
    if not payload.get("ok") and payload.get("traceback"):
        print(payload["traceback"], file=sys.stderr)
    return payload


def ensure_data(args) -> tuple[Path, Path]:
    inst, prac = args.data / "institutions.csv", args.data / "practitioners.csv"
    if (
        inst.exists()
        and prac.exists()
        and count_rows(inst) == args.institutions
        and count_rows(prac) == args.practitioners
    ):
        return inst, prac
    target = OUT / f"gen-{args.institutions}-{args.practitioners}"
    inst, prac = target / "institutions.csv", target / "practitioners.csv"
    if not (inst.exists() and prac.exists()):
        print(f"generating data into {target} ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "generate.py"),
                "--institutions",
                str(args.institutions),
                "--practitioners",
                str(args.practitioners),
                "--subjects",
                "0",
                "--out",
                str(target),
            ],
            check=True,
        )
    return inst, prac


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        pass
    info = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "free_h": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        import django
        import psycopg

        info["django"] = django.get_version()
        with psycopg.connect(PG_ADMIN_URL) as conn:
            info["postgresql"] = conn.execute("SELECT version()").fetchone()[0]
            info["pg_settings"] = {
                name: conn.execute(f"SHOW {name}").fetchone()[0]
                for name in (
                    "shared_buffers",
                    "work_mem",
                    "maintenance_work_mem",
                    "synchronous_commit",
                    "fsync",
                    "wal_level",
                    "max_wal_size",
                )
            }
        import sqlite3

        info["sqlite"] = sqlite3.sqlite_version
    except Exception as exc:  # informational only
        info["info_error"] = str(exc)
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=1_000_000, help="institutions to import (N)")
    parser.add_argument(
        "--practitioners",
        type=int,
        default=3_000_000,
        help="practitioners imported on PostgreSQL before the latency test (M)",
    )
    parser.add_argument(
        "--data", type=Path, default=OUT, help="directory with institutions.csv/practitioners.csv"
    )
    parser.add_argument("--dbs", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--queries", type=int, default=1000, help="verification queries measured")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skip-latency", action="store_true", help="no practitioners import, no latency test"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the imports under cProfile (slower); stats in bench/out/profile-*.txt",
    )
    parser.add_argument(
        "--progress", action="store_true", help="pass a progress callback that prints every 30s"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="leave the PostgreSQL database and SQLite file"
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="results file (default bench/out/results-<time>.json)"
    )
    # child mode
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--what", choices=["institutions", "practitioners"], help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    parser.add_argument("--query-file", dest="queries_path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        if args.step == "latency":
            args.queries = args.queries_path
        return child_main(args)

    OUT.mkdir(parents=True, exist_ok=True)
    args.data = args.data.resolve()
    dbs = [d.strip() for d in args.dbs.split(",") if d.strip()]
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    inst_csv, prac_csv = ensure_data(args)
    results = {
        "command": " ".join([".venv/bin/python", "bench/bench_registry.py", *(argv or sys.argv[1:])]),
        "machine": machine_info(),
        "institutions": args.institutions,
        "practitioners": args.practitioners,
        "files": {
            "institutions": str(inst_csv.relative_to(ROOT)),
            "practitioners": str(prac_csv.relative_to(ROOT)),
        },
        "sqlite": {},
        "postgres": {},
    }
    n = str(args.institutions)

    def import_args(what, path, rows, label):
        extra = ["--what", what, "--path", str(path), "--rows", str(rows)]
        if args.profile:
            extra += ["--profile-to", str(OUT / f"profile-{label}-{rows}.prof")]
        if args.progress:
            extra.append("--progress")
        return extra

    if "sqlite" in dbs:
        print("SQLite", flush=True)
        db_file = OUT / f"bench-{stamp}.sqlite3"
        url = f"sqlite:///{db_file}"
        r = results["sqlite"]
        r["setup"] = run_step("setup", url, "sqlite-setup", [])
        if r["setup"].get("ok"):
            r["import_institutions"] = run_step(
                "import",
                url,
                "sqlite-import-institutions",
                import_args("institutions", inst_csv, n, "sqlite-institutions"),
            )
        if not args.keep_db:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        else:
            r["database"] = str(db_file)

    if "postgres" in dbs:
        import psycopg

        dbname = f"qy_bench_{stamp.replace('-', '_')}"
        url = pg_url(dbname)
        print(f"PostgreSQL ({dbname})", flush=True)
        r = results["postgres"]
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        try:
            r["setup"] = run_step("setup", url, "pg-setup", [])
            r["copy"] = run_step("copy", url, "pg-copy", ["--path", str(inst_csv)])
            if r["setup"].get("ok"):
                r["import_institutions"] = run_step(
                    "import",
                    url,
                    "pg-import-institutions",
                    import_args("institutions", inst_csv, n, "pg-institutions"),
                )
            imp, cp = r.get("import_institutions", {}), r["copy"]
            if imp.get("ok") and cp.get("ok"):
                r["import_vs_copy"] = round(imp["seconds"] / cp["bare"]["seconds"], 2)
            if not args.skip_latency and imp.get("ok"):
                r["import_practitioners"] = run_step(
                    "import",
                    url,
                    "pg-import-practitioners",
                    import_args("practitioners", prac_csv, str(args.practitioners), "pg-practitioners"),
                )
                qfile = (
                    OUT / f"queries-{args.institutions}-{args.practitioners}-{args.seed}-{args.queries}.json"
                )
                if not qfile.exists():
                    qfile.write_text(
                        json.dumps(
                            build_queries(
                                inst_csv,
                                args.institutions,
                                prac_csv,
                                args.practitioners,
                                args.seed,
                                args.queries,
                            ),
                            ensure_ascii=False,
                        )
                    )
                r["latency"] = run_step("latency", url, "pg-latency", ["--query-file", str(qfile)])
                r["latency"]["queries_file"] = str(qfile.relative_to(ROOT))
        finally:
            if args.keep_db:
                r["database"] = dbname
            else:
                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    out = args.json or OUT / f"results-{stamp}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print_summary(results)
    print(f"\nresults: {out}")


def print_summary(res: dict):
    print("\n=== summary ===")
    for db in ("sqlite", "postgres"):
        imp = res.get(db, {}).get("import_institutions")
        if imp:
            if imp.get("ok"):
                print(
                    f"{db:9} import institutions: {imp['rows']:>9} rows {imp['seconds']:>8.1f}s "
                    f"{imp['rows_per_s']:>8} rows/s  peak RSS {imp['peak_rss_mb']:.0f} MB"
                )
            else:
                print(f"{db:9} import institutions: FAILED {imp.get('error')}")
    pg = res.get("postgres", {})
    cp = pg.get("copy", {})
    if cp.get("ok"):
        for variant in ("bare", "shaped", "shaped_btree_only"):
            c = cp.get(variant, {"error": "not run"})
            if "error" in c:
                print(f"postgres  COPY ({variant}): FAILED {c['error']}")
                continue
            print(
                f"postgres  COPY ({variant:17}):{c['rows']:>9} rows {c['seconds']:>8.1f}s {c['rows_per_s']:>8} rows/s"
            )
    if "import_vs_copy" in pg:
        verdict = "meets" if pg["import_vs_copy"] <= GOAL_COPY_RATIO else "MISSES"
        print(
            f"postgres  import / COPY(bare) = {pg['import_vs_copy']}x ({verdict} the <= {GOAL_COPY_RATIO}x goal)"
        )
    pi = pg.get("import_practitioners")
    if pi:
        if pi.get("ok"):
            print(
                f"postgres  import practitioners:{pi['rows']:>9} rows {pi['seconds']:>8.1f}s "
                f"{pi['rows_per_s']:>8} rows/s  peak RSS {pi['peak_rss_mb']:.0f} MB"
            )
        else:
            print(f"postgres  import practitioners: FAILED {pi.get('error')}")
    lat = pg.get("latency")
    if lat:
        if lat.get("ok"):
            o = lat["overall"]
            verdict = "meets" if o["p95_ms"] < GOAL_P95_MS else "MISSES"
            print(
                f"postgres  verify_licence x{o['n']}: p50 {o['p50_ms']} ms, p95 {o['p95_ms']} ms, "
                f"p99 {o['p99_ms']} ms, max {o['max_ms']} ms ({verdict} the p95 < {GOAL_P95_MS} ms goal)"
            )
            for kind, s in sorted(lat["by_kind"].items()):
                print(
                    f"          {kind:17} n={s['n']:>4} found={s['with_result']:>4} p50 {s['p50_ms']:>7} "
                    f"p95 {s['p95_ms']:>7} p99 {s['p99_ms']:>7} ms"
                )
        else:
            print(f"postgres  latency: FAILED {lat.get('error')}")


if __name__ == "__main__":
    main()
