"""The public tip form under concurrent clients: each client fills in the two-step form at
/public/tip/ (captcha in test mode), reads its tracking code off the done page and looks it up at
/public/track/; afterwards the database must hold exactly one routed lead per tip.

    .venv/bin/python bench/bench_portal.py                      # PostgreSQL, 20 clients x 25 tips
    .venv/bin/python bench/bench_portal.py --db sqlite          # the same on a scratch SQLite file

--db: a DATABASE_URL (default $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/qy_bench_portal;
created if missing, dropped at the end unless --keep) or `sqlite` (bench/out/portal-<time>.sqlite3).
The server is Django's own threaded WSGI server (the one behind runserver), pre-forked into
--workers processes on one listening socket; settings are bench/portal_settings.py (captcha test
mode, rate limits out of reach). Logs: bench/out/portal-*.log.
"""

import argparse
import html
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/qy_bench_portal"
STEPS = ("form", "check", "confirm", "done", "track")
# Places as a resident writes them, over the demo's 苏州市 counties, and the county each must reach.
PLACES = [
    ("吴中区木渎镇人民路{n}号", "320506"),
    ("吴中区甪直镇长浜村{n}号", "320506"),
    ("相城区黄埭镇太湖路{n}号", "320507"),
    ("相城区渭塘镇凤凰街{n}号", "320507"),
    ("常熟市梅李镇中山路{n}号", "320581"),
    ("昆山市周庄镇胜利街{n}号", "320583"),
    ("姑苏区干将路{n}号", "320508"),
    ("吴江区长江路{n}号", "320509"),
    ("张家港市金山路{n}号", "320582"),
    ("太仓市东环路{n}号", "320585"),
]
CATEGORIES = ["unlicensed", "itinerant", "aesthetic", "tcm_wellness", "non_physician"]


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def serve(port: int, workers: int) -> None:
    import django

    django.setup()
    from django.core.servers.basehttp import (
        ThreadedWSGIServer,
        WSGIRequestHandler,
        get_internal_wsgi_application,
    )

    class Server(ThreadedWSGIServer):
        request_queue_size = 128  # runserver's 10 makes clients connecting together wait for SYN retries

        def get_request(self):
            # wsgiref writes headers and body separately; with Nagle on, the body waits for the
            # client's delayed ACK (~40 ms a response). Production servers and proxies disable it too.
            conn, address = super().get_request()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return conn, address

    server = Server(("127.0.0.1", port), WSGIRequestHandler)
    server.set_app(get_internal_wsgi_application())
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # every worker accepts on the same socket; no database connection exists yet
            server.serve_forever()
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)


def verify(codes_file: Path) -> None:
    import django

    django.setup()
    from qingyuan.leads.models import Lead

    expected = dict(json.loads(codes_file.read_text())) if codes_file.name else {}
    found = Lead.objects.filter(tracking_code__in=expected).values_list(
        "tracking_code", "handling_unit__region__code"
    )
    routed = sum(1 for code, county in found if county == expected[code])
    print(json.dumps({"leads": Lead.objects.count(), "found": len(found), "routed": routed}))


class Client:
    """One resident's browser: its own connection (kept alive) and its own cookies."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies = {}

    def request(self, method, path, body=None, content_type=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        self.conn.request(method, path, body, headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        if not 200 <= response.status < 400:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}")
        return response.status, response.getheader("Location", ""), text, elapsed


def multipart(fields, files):
    boundary = "----qybench" + os.urandom(8).hex()
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields
    ]
    for name, filename, data in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(f"{head}Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def one_tip(client, n, place, photo):
    """The five requests of one tip; returns ({step: seconds}, tracking code). Raises on any failure."""
    times = {}
    _, _, page, times["form"] = client.request("GET", "/public/tip/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    fields = {"csrfmiddlewaretoken": token, "category": CATEGORIES[n % len(CATEGORIES)], "place": place}
    fields |= {"content": f"{place}有人无证开诊所给村民输液（第{n}条）", "practice_content": "internal"}
    fields |= {"anonymous": "1", "reported_person": "", "reporter_name": "", "reporter_phone": ""}
    form = urlencode(fields | {"reporter_id_number": ""})
    _, _, page, times["check"] = client.request(
        "POST", "/public/tip/", form, "application/x-www-form-urlencoded"
    )
    if "将由" not in page or 'name="captcha_0"' not in page:
        raise RuntimeError(f"step 1 did not reach the confirmation page for {place}")
    hidden = [
        (k, html.unescape(v))
        for k, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
    ]
    hashkey = re.search(r'value="(\w+)"[^>]*name="captcha_0"|name="captcha_0"[^>]*value="(\w+)"', page)
    fields = [*hidden, ("captcha_0", hashkey.group(1) or hashkey.group(2)), ("captcha_1", "PASSED")]
    files = [("attachments", f"photo{n}.jpg", b"\xff\xd8\xff\xe0" + random.Random(n).randbytes(50_000))]
    body, content_type = multipart([*fields, ("step", "confirm")], files if photo else [])
    status, location, page, times["confirm"] = client.request("POST", "/public/tip/", body, content_type)
    if status != 302:
        raise RuntimeError(f"confirmation not accepted ({status}) for {place}")
    _, _, page, times["done"] = client.request("GET", urlsplit(location).path)
    match = re.search(r'id="tracking-code">\s*(\w+)\s*<', page)
    if not match:
        raise RuntimeError("no tracking code on the done page")
    code = match.group(1)
    form = urlencode({"csrfmiddlewaretoken": client.cookies["csrftoken"], "code": code})
    _, _, page, times["track"] = client.request(
        "POST", "/public/track/", form, "application/x-www-form-urlencoded"
    )
    if 'id="track-result"' not in page:
        raise RuntimeError(f"tracking code {code} not found")
    return times, code


def run_clients(port, clients, tips, warmup, photo_every):
    latencies = {step: [] for step in STEPS}
    codes, errors, lock = [], [], threading.Lock()
    span = {}
    barrier = threading.Barrier(clients, action=lambda: span.setdefault("start", time.perf_counter()))

    def client_loop(index):
        client = Client(port)
        for i in range(warmup + tips):
            if i == warmup:
                barrier.wait()
            n = index * (warmup + tips) + i
            template, county = PLACES[n % len(PLACES)]
            try:
                times, code = one_tip(
                    client, n, template.format(n=n % 200 + 1), photo_every and n % photo_every == 0
                )
            except Exception as exc:  # noqa: BLE001 (any failure of a tip is counted and the next one goes on)
                client.conn.close()
                with lock:
                    errors.append(f"tip {n}: {type(exc).__name__}: {exc}")
                continue
            with lock:
                codes.append((code, county))
                for step, seconds in times.items():
                    if i >= warmup:
                        latencies[step].append(seconds)
        client.conn.close()

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, codes, errors, time.perf_counter() - span["start"]


def child(env, *args, log=None):
    result = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, stderr=log
    )
    return result.stdout.decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL") or DEFAULT_PG)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--tips", type=int, default=25, help="measured tips per client")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured tips per client first")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--photo-every", type=int, default=5, help="every N-th tip carries a 50 KB photo")
    parser.add_argument("--json", default="")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--step", choices=["serve", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--codes", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "serve":
        return serve(args.port, args.workers)
    if args.step == "verify":
        return verify(Path(args.codes))

    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    sqlite = OUT / f"portal-{stamp}.sqlite3" if args.db == "sqlite" else None
    url = f"sqlite:///{sqlite}" if sqlite else args.db
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="portal_settings", PYTHONUNBUFFERED="1")
    env |= {
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT / 'src'}",
        "QINGYUAN_VAR_DIR": str(OUT / "portal-var"),
        # Explicit, beside the media root rather than inside it (the inspections system check).
        "QINGYUAN_EVIDENCE_DIR": str(OUT / "portal-var" / "evidence"),
    }
    log = (OUT / f"portal-{stamp}.log").open("w")
    if not sqlite:
        pg_database("create", url)
    server = None
    try:
        started = time.perf_counter()
        for command in (["migrate", "--noinput"], ["load_regions"], ["load_demo"]):
            child(env, "manage.py", *command, log=log)
        print(f"database ready in {time.perf_counter() - started:.0f} s: {url}")
        before = json.loads(child(env, __file__, "--step", "verify"))
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
        latencies, codes, errors, seconds = run_clients(
            port, args.clients, args.tips, args.warmup, args.photo_every
        )
        codes_file = OUT / f"portal-{stamp}-codes.json"
        codes_file.write_text(json.dumps(codes))
        after = json.loads(child(env, __file__, "--step", "verify", "--codes", str(codes_file)))
    finally:
        if server:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:  # the database, its attachment files and the tracking codes go together
            if sqlite:
                for path in OUT.glob(f"{sqlite.name}*"):  # with its -wal and -shm files
                    path.unlink(missing_ok=True)
            else:
                pg_database("drop", url)
            shutil.rmtree(OUT / "portal-var" / "storage", ignore_errors=True)
            (OUT / f"portal-{stamp}-codes.json").unlink(missing_ok=True)
    report(args, url, latencies, codes, errors, seconds, after, after["leads"] - before["leads"])


def pg_database(action, url):
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if action == "create" and not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
        elif action == "drop" and exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def wait_for(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not listen on port {port} within {seconds} s")


def report(args, url, latencies, codes, errors, seconds, after, new_leads):
    attempted = args.clients * (args.warmup + args.tips)
    measured = len(latencies["track"])
    result = {
        "database": url.split("?")[0],
        "clients": args.clients,
        "workers": args.workers,
        "tips_measured": measured,
        "seconds": round(seconds, 2),
        "requests_per_s": round(measured * len(STEPS) / seconds, 1),
        "tips_per_s": round(measured / seconds, 2),
        "latency_ms": {
            step: {
                p: round(percentile(values, q) * 1000, 1) for p, q in (("p50", 50), ("p95", 95), ("max", 100))
            }
            for step, values in latencies.items()
            if values
        },
        "errors": len(errors),
        "error_examples": errors[:10],
        "tips_attempted": attempted,
        "tracking_codes": len(codes),
        "new_leads": new_leads,
        "leads_with_codes_found": after["found"],
        "routed_to_expected_county": after["routed"],
    }
    result["ok"] = not errors and new_leads == attempted == after["found"] == after["routed"]
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
