"""Checks of the production stack, run by .ci/stack once nginx, gunicorn, a task worker, the scheduler,
PostgreSQL and Redis are up. Every request goes through nginx over HTTPS (the certificate is checked
against the stack's own CA), from loopback source addresses of its own (127.0.0.2, 127.0.0.3, …) so
that nginx sees a different client for each persona, as it would on a network.

Prints one line per check and closes with "N passed, M failed"; exits non-zero if any failed.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import io
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import traceback
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg

REPO = Path(os.environ["REPO"])
STACK = Path(os.environ["STACK"])
HTTPS_PORT = int(os.environ["HTTPS_PORT"])
HTTP_PORT = int(os.environ["HTTP_PORT"])
BASE = f"https://localhost:{HTTPS_PORT}"
PY = str(REPO / ".venv" / "bin" / "python")
TLS = ssl.create_default_context(cafile=str(STACK / "tls" / "fullchain.pem"))
IMPORT_ROWS = int(os.environ.get("STACK_IMPORT_ROWS", "60000"))

sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "src"))


# --- a small browser over http.client ----------------------------------------------------------
class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class Browser:
    """Keeps cookies, sends CSRF tokens, and connects from `source` so nginx sees that address."""

    def __init__(self, source: str):
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, body=b"", headers=None, https=True) -> Response:
        if https:
            conn = http.client.HTTPSConnection(
                "localhost", HTTPS_PORT, context=TLS, source_address=(self.source, 0), timeout=60
            )
        else:
            conn = http.client.HTTPConnection(
                "localhost", HTTP_PORT, source_address=(self.source, 0), timeout=60
            )
        all_headers = {"Host": f"localhost:{HTTPS_PORT if https else HTTP_PORT}", "Connection": "close"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path, **kw) -> Response:
        return self.request("GET", path, **kw)

    def csrf(self) -> str:
        return next(v for k, v in self.cookies.items() if k.endswith("csrftoken"))

    def post(self, path, data: dict, *, headers=None, forwarded_for=None) -> Response:
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        h = {"Content-Type": "application/x-www-form-urlencoded", "Referer": BASE + path, "Origin": BASE}
        if forwarded_for:
            h["X-Forwarded-For"] = forwarded_for
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h)

    def post_file(self, path, data: dict, field: str, filename: str, content: bytes, ctype: str) -> Response:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {**data, "csrfmiddlewaretoken": self.csrf()}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": BASE + path,
            "Origin": BASE,
        }
        return self.request("POST", path, body=b"".join(parts), headers=headers)

    def login(self, username: str, password: str, *, forwarded_for=None) -> Response:
        self.get("/accounts/login/")
        return self.post(
            "/accounts/login/", {"username": username, "password": password}, forwarded_for=forwarded_for
        )


# --- helpers -------------------------------------------------------------------------------------
def db():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)


def scalar(sql: str, *params):
    with db() as conn:
        row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def manage(*args, env=None, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 - manage.py with the stack's own arguments
        [PY, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def demo_password() -> str:
    text = (STACK / "log" / "demo.log").read_text()
    return re.search(r"密码：(\S+)", text).group(1)


def wait_for(what: str, predicate, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def pidfile(name: str) -> int:
    return int((STACK / "run" / f"{name}.pid").read_text())


def restart(name: str) -> None:
    """Start the service NAME again (worker or scheduler) with .ci/stack's command line for it."""
    proc = subprocess.Popen(  # noqa: S603 - our own command line from .ci/stack
        os.environ[f"{name.upper()}_CMD"].split(),
        cwd=REPO,
        stdout=open(STACK / "log" / f"{name}.log", "ab"),  # noqa: SIM115 - the child keeps it
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (STACK / "run" / f"{name}.pid").write_text(str(proc.pid))


def job_id_from(response: Response) -> int:
    location = response.headers.get("Location", "")
    match = re.search(r"/jobs/(\d+)/", location)
    assert response.status == 302 and match, (
        f"expected a redirect to a job page, got {response.status} {location}"
    )
    return int(match.group(1))


def job_row(pk: int) -> dict:
    with db() as conn:
        cur = conn.execute("SELECT * FROM core_job WHERE id = %s", (pk,))
        names = [c.name for c in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


# --- the checks ----------------------------------------------------------------------------------
RESULTS: list[tuple[str, bool, str]] = []
TIMINGS: list[tuple[str, float]] = []


def check(name):
    """Runs the decorated check at once, in the order of definition, and records its outcome."""

    def decorator(function):
        started = time.monotonic()
        try:
            detail = function() or ""
            RESULTS.append((name, True, detail))
            print(f"PASS {name}  {detail}", flush=True)
        except Exception as exc:  # noqa: BLE001 - report every check, then fail the run
            RESULTS.append((name, False, str(exc)))
            print(f"FAIL {name}: {exc}", flush=True)
            traceback.print_exc()
        TIMINGS.append((name, time.monotonic() - started))
        return function

    return decorator


def main() -> int:
    password = demo_password()

    @check("health answers 200 JSON with every component ok, through nginx over HTTPS")
    def _health():
        def healthy():
            response = Browser("127.0.0.2").get("/health/")
            return response if response.status == 200 else None

        response = wait_for("/health/ to report healthy (the scheduler's first heartbeat)", healthy, 120, 2)
        body = response.json()
        assert response.headers.get("Content-Type", "").startswith("application/json")
        assert "Strict-Transport-Security" in response.headers, "no HSTS header over HTTPS"
        return json.dumps(body, ensure_ascii=False)[:200]

    @check("plain http is redirected to https")
    def _redirect():
        response = Browser("127.0.0.2").get("/accounts/login/", https=False)
        assert response.status == 301, response.status
        assert response.headers["Location"] == f"{BASE}/accounts/login/", response.headers["Location"]

    chief = Browser("127.0.0.2")

    @check("login through the proxy passes CSRF; the audit row has the client's address, not a forged one")
    def _login():
        response = chief.login("wz_chief", password, forwarded_for="198.51.100.9")
        assert response.status == 302, f"login answered {response.status}: {response.text[:300]}"
        home = chief.get("/")
        assert home.status == 200 and "孙志强" in home.text, home.status
        with db() as conn:
            ip, request_id = conn.execute(
                "SELECT ip, request_id FROM core_auditevent WHERE action = 'login' AND actor_name = 'wz_chief' "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
        assert ip == "127.0.0.2", f"audit recorded {ip!r}"
        assert re.fullmatch(r"[0-9a-f]{32}", request_id), f"request id {request_id!r} is not nginx's"
        return f"audit ip={ip} request_id={request_id}"

    @check("5 failures lock out one client address while another address logs in fine")
    def _lockout():
        attacker = Browser("127.0.0.3")
        for n in range(5):
            response = attacker.login(f"nobody{n}", "wrong-password-1A!")
            assert response.status != 302, "a wrong password logged in"
        locked = attacker.login("wz_inspector1", password)
        assert locked.status != 302, "the locked-out address still logged in"
        assert "锁定" in locked.text, locked.status
        other = Browser("127.0.0.4").login("wz_inspector1", password)
        assert other.status == 302, f"another address was refused: {other.status}"
        return f"locked address answered {locked.status}; the other logged in"

    @check("a public rate limit holds across the app server's processes (shared Redis counter)")
    def _rate_limit():
        visitor = Browser("127.0.0.5")
        visitor.get("/public/track/")

        def track(_):
            return visitor.post("/public/track/", {"code": "ABCDEFGH"}).status

        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(track, range(24)))
        ok, limited = statuses.count(200), statuses.count(429)
        assert ok == 10 and limited == 14, f"limit 10/600: {ok} answered 200 and {limited} 429 ({statuses})"
        return f"24 posts from one address over 6 connections: {ok} × 200, {limited} × 429"

    import_job = {}

    @check(
        f"a registry import of {IMPORT_ROWS} rows runs as a job; worker and scheduler killed mid-import, it is retried"
    )
    def _import_and_kill():
        import generate  # bench/generate.py: deterministic registry rows in the import template

        counties = [c for c in generate.load_counties() if c[0] == "320506"]
        path = STACK / "institutions.csv"
        generate.write_institutions(path, IMPORT_ROWS, counties, 11, keep_names=False)
        before = scalar("SELECT count(*) FROM registry_institution")
        chief.get("/registry/import/")
        response = chief.post_file(
            "/registry/import/", {"kind": "institutions"}, "file", "机构.csv", path.read_bytes(), "text/csv"
        )
        pk = job_id_from(response)
        import_job["pk"] = pk
        wait_for("the worker to start the import", lambda: job_row(pk)["status"] == "running", 60, 0.02)
        # A web reload in the middle of work (what an upgrade does) changes nothing for the job.
        os.kill(pidfile("web"), signal.SIGHUP)
        # The scheduler is a consumer of the same queue too (its one worker thread runs what it
        # schedules, and may take the import): both die, as on a machine that loses power.
        os.killpg(pidfile("worker"), signal.SIGKILL)
        os.killpg(pidfile("scheduler"), signal.SIGKILL)
        at_kill = job_row(pk)
        assert at_kill["status"] == "running", (
            f"the import ended ({at_kill['status']}) before the kill landed"
        )
        killed_at = time.monotonic()
        time.sleep(1.0)
        restart("worker")
        restart("scheduler")
        row = wait_for(
            "the scheduler's jobs_reap to retry the job and the new worker to finish it",
            lambda: (r := job_row(pk))["status"] in {"done", "failed", "refused"} and r,
            300,
            2,
        )
        assert row["status"] == "done", f"job ended {row['status']}: {row['errors']}"
        assert row["attempts"] == 2, f"attempts {row['attempts']}"
        after = scalar("SELECT count(*) FROM registry_institution")
        assert after - before == IMPORT_ROWS, f"{after - before} institutions written, expected {IMPORT_ROWS}"
        page = chief.get(f"/jobs/{pk}/")
        assert page.status == 200 and "已完成" in page.text, page.status
        return f"killed while running; retried and done {time.monotonic() - killed_at:.0f}s later, {after - before} rows"

    @check("another county's chief gets 404 on that job page")
    def _job_scoped():
        other = Browser("127.0.0.6")
        assert other.login("xc_chief", password).status == 302
        assert other.get(f"/jobs/{import_job['pk']}/").status == 404

    @check("exporting a large list runs as a job whose file has every row")
    def _export():
        from openpyxl import load_workbook

        response = chief.get("/registry/institutions/?export=xlsx")
        pk = job_id_from(response)
        row = wait_for(
            "the export job", lambda: (r := job_row(pk))["status"] in {"done", "failed"} and r, 300, 1
        )
        assert row["status"] == "done", row["errors"]
        download = chief.get(f"/jobs/{pk}/download/")
        assert download.status == 200, download.status
        sheet = load_workbook(io.BytesIO(download.body), read_only=True).active
        rows = sum(1 for _ in sheet.iter_rows()) - 1
        listed = scalar("SELECT count(*) FROM registry_institution WHERE region_id LIKE '320506%%'")
        assert rows >= IMPORT_ROWS and rows == listed, (
            f"{rows} rows in the file, {listed} institutions listed"
        )
        return f"{rows} rows, {len(download.body) / 1e6:.1f} MB"

    @check("every scheduled job runs twice; the second run notifies nobody and changes nothing")
    def _schedule_twice():
        listing = manage("schedule", "list").stdout
        first = manage("schedule", "run", "--all")
        notes = scalar("SELECT count(*) FROM core_notification")
        audits = scalar("SELECT count(*) FROM core_auditevent")
        second = manage("schedule", "run", "--all")
        assert scalar("SELECT count(*) FROM core_notification") == notes, "the second run notified again"
        changed = scalar("SELECT count(*) FROM core_auditevent") - audits
        assert changed == 0, f"the second run wrote {changed} audit rows"
        jobs = len([line for line in listing.splitlines() if line.strip()])
        return (
            f"{jobs} lines listed; first run:\n{first.stdout.strip()}\nsecond run:\n{second.stdout.strip()}"
        )

    @check(
        "backup, then restore into a fresh database and storage: audit chain, evidence and encryption hold"
    )
    def _backup_restore():
        archive = STACK / "backup.tar"
        manage("backup", "-o", str(archive))
        with psycopg.connect(
            os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{os.environ["RESTORE_DB"]}"')
        restored = {
            "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + os.environ["RESTORE_DB"],
            "QINGYUAN_STORAGE_DIR": str(STACK / "restore" / "storage"),
            "QINGYUAN_EVIDENCE_DIR": str(STACK / "restore" / "evidence"),
            "QINGYUAN_VAR_DIR": str(STACK / "restore" / "var"),
        }
        result = manage("restore", str(archive), env=restored)
        manage("audit_verify", env=restored)
        manage("evidence_verify", env=restored)
        probe = (
            "from qingyuan.leads.models import Reporter;"
            "r = Reporter.objects.order_by('pk').first();"
            "print(r.pk, r.name)"
        )
        original = manage("shell", "-c", probe).stdout.strip()
        copy = manage("shell", "-c", probe, env=restored).stdout.strip()
        assert original and original == copy, f"reporter decrypts as {copy!r}, expected {original!r}"
        counts = {}
        for table in ("core_auditevent", "leads_lead", "registry_institution", "inspections_evidence"):
            here = scalar(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            with psycopg.connect(restored["DATABASE_URL"]) as conn:
                there = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            # The audit log grows on both sides after the backup (the scheduler runs on; the restore
            # audits itself), and restore compares every table with the backup's manifest itself.
            if table == "core_auditevent":
                assert there > 0, f"{table}: nothing restored"
            else:
                assert there == here, f"{table}: {there} rows restored of {here}"
            counts[table] = there
        evidence_files = sum(1 for p in (STACK / "restore" / "evidence").rglob("*") if p.is_file())
        assert evidence_files >= 1, "no evidence file restored"
        size = archive.stat().st_size / 1e6
        return f"{size:.1f} MB archive; restored {counts}; {evidence_files} evidence files\n{result.stdout.strip()[-600:]}"

    passed = sum(1 for _, ok, _ in RESULTS if ok)
    failed = len(RESULTS) - passed
    print("\ntimings:")
    for name, seconds in TIMINGS:
        print(f"  {seconds:6.1f}s  {name}")
    print(f"\n{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
