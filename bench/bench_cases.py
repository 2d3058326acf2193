"""The case pages at scale: the case list (filtered by county and status, pages 1–3), the case page
and its followup panel, read by county users under concurrent clients over 1,000,000 cases.

    .venv/bin/python bench/bench_cases.py                          # 1 M cases, 20 clients x 10 rounds
    .venv/bin/python bench/bench_cases.py --cases 20000 --subjects 6000 --rounds 3    # quick check

--db: a PostgreSQL DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qy_bench_cases; created
if missing, dropped at the end unless --keep). A database that already holds at least --cases cases
is measured as it is (no generation), so `--keep` once and then rerun to measure without waiting.
--sql "CREATE INDEX ...": statements run (then ANALYZE) before measuring, to try an index on the
bench database only. The server is bench_portal's: Django's threaded WSGI server pre-forked into
--workers processes, settings bench/portal_settings.py. Logs: bench/out/cases-*.log.
"""

import argparse
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_portal import Client, child, percentile, pg_database, serve, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/qy_bench_cases"
GOAL_P95_MS = 150
ENDPOINTS = ("list", "list_p2", "list_p3", "detail", "followup")
# The states a county user filters the list by; every one is present in every county.
FILTER_STATUSES = ("investigating", "enforcing", "proposed", "review", "closed")
SAMPLE_PER_COUNTY = 500


# --- steps run in a child process (Django set up there, on the bench DATABASE_URL) -------------


def step_generate(args):
    import django

    django.setup()
    from generate_cases import generate

    from qingyuan.cases.models import Case

    existing = Case.objects.count()
    if existing >= args.cases:
        print(json.dumps({"existing_cases": existing, "generated": None}))
        return
    result = generate(cases=args.cases - existing, subjects=args.subjects, progress=_stderr)
    print(json.dumps({"existing_cases": existing, "generated": result}))


def step_sample(args):
    """Bench users per county and a seeded sample of each county's case ids."""
    import django

    django.setup()
    from django.db import connection
    from generate_cases import ensure_users

    from qingyuan.accounts.models import User

    users = ensure_users()
    rng = random.Random(args.seed)
    found = {}
    with connection.cursor() as cursor:
        for county in sorted(users):
            # TABLESAMPLE reads a few pages, not the county's 100,000 rows.
            cursor.execute(
                "SELECT id FROM cases_case TABLESAMPLE SYSTEM (2) REPEATABLE (%s) WHERE region_id LIKE %s",
                [args.seed, county + "%"],
            )
            ids = sorted(r[0] for r in cursor.fetchall())
            found[county] = {
                "users": list(
                    User.objects.filter(pk__in=users[county])
                    .order_by("pk")
                    .values_list("username", flat=True)
                ),
                "cases": rng.sample(ids, min(SAMPLE_PER_COUNTY, len(ids))),
            }
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT status, COUNT(*) FROM cases_case GROUP BY status ORDER BY 2 DESC")
        statuses = dict(cursor.fetchall())
        cursor.execute("SELECT COUNT(*) FROM cases_penaltydecision")
        decisions = cursor.fetchone()[0]
    print(json.dumps({"counties": found, "cases": total, "statuses": statuses, "decisions": decisions}))


def step_sql(args):
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in args.sql:
            started = time.perf_counter()
            cursor.execute(statement)
            _stderr(f"{statement}: {time.perf_counter() - started:.1f} s")
        cursor.execute("ANALYZE cases_case")


def step_explain(args):
    """Requests each named page once in-process, captures its SQL and prints EXPLAIN ANALYZE of the
    slowest statements."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from qingyuan.accounts.models import User

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=args.user))
    report = {}
    for name, path in json.loads(args.paths).items():
        client.get(path)  # warm caches and the connection
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status = client.get(path).status_code
            seconds = time.perf_counter() - started
        queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        entry = {
            "path": path,
            "status": status,
            "ms": round(seconds * 1000, 1),
            "queries": len(queries),
            "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),
            "slowest": [],
        }
        with connection.cursor() as cursor:
            # Session and transaction statements (SAVEPOINT, COMMIT, UPDATE of the session) are not
            # what the page reads.
            selects = [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
            for query in selects[: args.explain_top]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(r[0] for r in cursor.fetchall())
                entry["slowest"].append(
                    {"ms": round(float(query["time"]) * 1000, 1), "sql": query["sql"], "plan": plan}
                )
        report[name] = entry
    print(json.dumps(report, ensure_ascii=False))


def _stderr(text):
    print(text, file=sys.stderr, flush=True)


# --- clients -------------------------------------------------------------------------------------


def login(client, username, password):
    _, _, page, _ = client.request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    status, location, _, _ = client.request(
        "POST", "/accounts/login/", form, "application/x-www-form-urlencoded"
    )
    if status != 302 or "login" in location:
        raise RuntimeError(f"login of {username} failed ({status} {location})")


def paths_for(county, status, case_id):
    query = {"region": county, "status": status}
    return {
        "list": "/cases/?" + urlencode(query),
        "list_p2": "/cases/?" + urlencode(query | {"page": 2}),
        "list_p3": "/cases/?" + urlencode(query | {"page": 3}),
        "detail": f"/cases/{case_id}/",
        "followup": f"/cases/{case_id}/followup/",
    }


def run_clients(port, sample, clients, rounds, warmup, seed, password):
    """Each client logs in as a user of its county, then per round reads the five pages; a page
    answered other than 200 (or failing) is an error. Returns latencies, errors and seconds."""
    counties = sorted(sample)
    latencies = {name: [] for name in ENDPOINTS}
    errors, lock, span = [], threading.Lock(), {}
    barrier = threading.Barrier(clients, action=lambda: span.setdefault("start", time.perf_counter()))

    def client_loop(index):
        county = counties[index % len(counties)]
        users = sample[county]["users"]
        username = users[(index // len(counties)) % len(users)]
        rng = random.Random(seed * 1000 + index)
        client = Client(port)
        try:
            login(client, username, password)
        except Exception as exc:  # noqa: BLE001 (the client counts as failed; the others go on)
            with lock:
                errors.append(f"client {index}: {type(exc).__name__}: {exc}")
            barrier.abort()
            return
        for i in range(warmup + rounds):
            if i == warmup:
                barrier.wait()
            status = FILTER_STATUSES[(index + i) % len(FILTER_STATUSES)]
            paths = paths_for(county, status, rng.choice(sample[county]["cases"]))
            for name, path in paths.items():
                try:
                    code, _, _, seconds = client.request("GET", path)
                    if code != 200:
                        raise RuntimeError(f"GET {path}: HTTP {code}")
                except Exception as exc:  # noqa: BLE001 (counted; the next page goes on)
                    client.conn.close()
                    with lock:
                        errors.append(f"{username} {name}: {type(exc).__name__}: {exc}")
                    continue
                if i >= warmup:
                    with lock:
                        latencies[name].append(seconds)
        client.conn.close()

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - span.get("start", time.perf_counter())


def summary(latencies, errors, seconds):
    measured = sum(len(v) for v in latencies.values())
    return {
        "seconds": round(seconds, 2),
        "requests": measured,
        "requests_per_s": round(measured / seconds, 1) if seconds else None,
        "latency_ms": {
            name: {
                p: round(percentile(values, q) * 1000, 1) for p, q in (("p50", 50), ("p95", 95), ("max", 100))
            }
            for name, values in latencies.items()
            if values
        },
        "errors": len(errors),
        "error_examples": errors[:10],
    }


# --- main ----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_PG)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=300_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10, help="measured rounds (5 pages each) per client")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds per client first")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--sql", action="append", default=[], help="run before measuring (bench DB only)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE even when the goal is met")
    parser.add_argument("--explain-top", type=int, default=3)
    parser.add_argument("--json", default="")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--step", choices=["serve", "generate", "sample", "sql", "explain"], help=argparse.SUPPRESS
    )
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--user", default="", help=argparse.SUPPRESS)
    parser.add_argument("--paths", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    steps = {"generate": step_generate, "sample": step_sample, "sql": step_sql, "explain": step_explain}
    if args.step == "serve":
        return serve(args.port, args.workers)
    if args.step:
        return steps[args.step](args)

    from generate_cases import BENCH_PASSWORD

    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    env = dict(
        os.environ, DATABASE_URL=args.db, DJANGO_SETTINGS_MODULE="portal_settings", PYTHONUNBUFFERED="1"
    )
    env |= {
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT / 'src'}",
        # Field-encryption keys live here too: the generator's ciphertext must decrypt in the server.
        "QINGYUAN_VAR_DIR": str(OUT / "cases-var"),
        "QINGYUAN_EVIDENCE_DIR": str(OUT / "cases-var" / "evidence"),
    }
    log = (OUT / f"cases-{stamp}.log").open("w")
    pg_database("create", args.db)
    server = None
    result = {"database": args.db, "nproc": os.cpu_count(), "workers": args.workers, "clients": args.clients}
    result |= {"rounds": args.rounds, "warmup": args.warmup, "sql": args.sql, "code": code_hashes()}
    try:
        started = time.perf_counter()
        for command in (["migrate", "--noinput"], ["load_regions"], ["load_demo"]):
            child(env, "manage.py", *command, log=log)
        result["setup_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        extra = ["--cases", str(args.cases), "--subjects", str(args.subjects)]
        result["generate"] = json.loads(child(env, __file__, "--step", "generate", *extra, log=log))
        result["generate_s"] = round(time.perf_counter() - started, 1)
        print(f"database ready: setup {result['setup_s']} s, generation {result['generate_s']} s", flush=True)
        if args.sql:
            child(env, __file__, "--step", "sql", *[f"--sql={s}" for s in args.sql], log=log)
        sample = json.loads(child(env, __file__, "--step", "sample", "--seed", str(args.seed), log=log))
        result |= {"cases": sample["cases"], "statuses": sample["statuses"], "decisions": sample["decisions"]}
        counties = sample["counties"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [
            sys.executable,
            __file__,
            "--step",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ]
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
        wait_for(port)
        for label, clients in (("concurrent", args.clients), ("single", 1)):
            latencies, errors, seconds = run_clients(
                port, counties, clients, args.rounds, args.warmup, args.seed, BENCH_PASSWORD
            )
            result[label] = summary(latencies, errors, seconds) | {"clients": clients}
            print(json.dumps({label: result[label]}, ensure_ascii=False), flush=True)
        missed = [name for name, p in result["concurrent"]["latency_ms"].items() if p["p95"] >= GOAL_P95_MS]
        result["goal_p95_ms"] = GOAL_P95_MS
        result["missed"] = missed
        if missed or args.explain:
            county = sorted(counties)[1]
            case_id = counties[county]["cases"][0]
            paths = paths_for(county, "investigating", case_id)
            names = missed if missed and not args.explain else list(ENDPOINTS)
            explain_args = ["--user", counties[county]["users"][1], "--explain-top", str(args.explain_top)]
            explain_args += ["--paths", json.dumps({n: paths[n] for n in names})]
            try:
                result["explain"] = json.loads(
                    child(env, __file__, "--step", "explain", *explain_args, log=log)
                )
            except subprocess.CalledProcessError as exc:  # the latencies are still worth writing down
                result["explain_error"] = f"{exc}; see {log.name}"
    finally:
        if server:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            pg_database("drop", args.db)
    report(args, result, stamp)


def code_hashes():
    """Short sha256 of the modules the pages run: the numbers belong to this code."""
    src = ROOT / "src" / "qingyuan"
    names = ["cases/views.py", "cases/selectors.py", "cases/followup_views.py", "cases/deadlines.py"]
    names += ["cases/crime.py", "cases/history.py", "cases/models.py", "core/lists.py", "core/workdays.py"]
    names += ["templates/cases/case_list.html", "templates/cases/case_detail.html"]
    found = {}
    for name in names:
        path = ROOT / name if name.startswith("templates/") else src / name
        if path.exists():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return found


def report(args, result, stamp):
    for name, entry in result.get("explain", {}).items():
        print(
            f"\n=== {name} {entry['path']}: {entry['ms']} ms, {entry['queries']} queries, SQL {entry['sql_ms']} ms"
        )
        for query in entry["slowest"]:
            print(f"--- {query['ms']} ms\n{query['sql']}\n{query['plan']}")
    short = {k: v for k, v in result.items() if k != "explain"}
    print(json.dumps(short, ensure_ascii=False, indent=1))
    path = Path(args.json) if args.json else OUT / f"cases-{stamp}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
