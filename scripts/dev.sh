#!/bin/sh
# Developer commands behind the Makefile (POSIX sh, so they also work without make):
#
#   scripts/dev.sh setup    virtualenv + pinned dependencies, database, region tree, assets, demo data
#   scripts/dev.sh run      setup, then serve http://127.0.0.1:8000 (ADDRPORT=host:port to change)
#   scripts/dev.sh test     ruff check, manage.py check, migration check, pytest [extra pytest args]
#                           (in one process per core, at most 4; QINGYUAN_TEST_WORKERS=1 runs it in one)
#   scripts/dev.sh lint     ruff check + ruff format --check
#   scripts/dev.sh format   ruff check --fix + ruff format
#
# Needs only Python 3.11 with its venv module (Debian: apt-get install python3-venv). SQLite under var/
# unless DATABASE_URL is set. Dependencies are reinstalled only when requirements-dev.lock changed since
# the last install (a copy of it is kept as the stamp var/.requirements-dev.lock.installed).
set -eu

cd "$(dirname "$0")/.."
# The embedded development setup makes its own keys under var/ (settings.DEV_KEYS); a production
# server started any other way refuses to run without them.
export QINGYUAN_DEV_KEYS=1

VENV=${VENV:-.venv}
PY=$VENV/bin/python
LOCK=requirements-dev.lock
STAMP=var/.requirements-dev.lock.installed

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

is_py311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; }

find_python() {
    if [ -n "${PYTHON:-}" ]; then
        is_py311 "$PYTHON" || die "PYTHON=$PYTHON is not Python 3.11"
        echo "$PYTHON"
        return
    fi
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && is_py311 "$candidate"; then
            command -v "$candidate"
            return
        fi
    done
    die "Python 3.11 is needed (looked for python3.11 and python3; set PYTHON=/path/to/python3.11)"
}

ensure_venv() {
    if [ -x "$PY" ] && "$PY" -m pip --version >/dev/null 2>&1; then
        is_py311 "$PY" || die "$VENV is not a Python 3.11 virtualenv; remove it (rm -rf $VENV) and run again"
        return
    fi
    base=$(find_python)
    say "creating $VENV with $base ($("$base" --version 2>&1))"
    if ! "$base" -m venv --clear "$VENV"; then
        rm -rf "$VENV"
        die "could not create $VENV; on Debian/Ubuntu install the venv module: apt-get install python3-venv"
    fi
    rm -f "$STAMP"
}

ensure_deps() {
    ensure_venv
    if [ -f "$STAMP" ] && cmp -s "$LOCK" "$STAMP"; then
        return
    fi
    say "installing $LOCK into $VENV"
    "$PY" -m pip install --disable-pip-version-check --no-input --quiet -r "$LOCK"
    mkdir -p var
    cp "$LOCK" "$STAMP"
}

manage() { "$PY" manage.py "$@"; }

describe_database() {
    if [ -n "${DATABASE_URL:-}" ]; then
        # never print a password
        echo "$DATABASE_URL" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'
    else
        echo "SQLite (var/qingyuan.sqlite3; set DATABASE_URL for PostgreSQL)"
    fi
}

setup() {
    ensure_deps
    say "database: $(describe_database)"
    say "manage.py migrate"
    manage migrate --noinput
    say "manage.py load_regions (national region tree)"
    manage load_regions
    say "manage.py fetch_assets (Bootstrap, htmx from the npm registry into var/vendor)"
    manage fetch_assets
    say "manage.py load_demo (demo data and logins)"
    manage load_demo
    say "manage.py collectstatic"
    manage collectstatic --noinput --verbosity 0
}

run() {
    setup
    addrport=${ADDRPORT:-127.0.0.1:8000}
    say "task worker and scheduler (manage.py run_huey, queue in var/tasks.sqlite3)"
    "$PY" manage.py run_huey --workers 2 >var/tasks.log 2>&1 &
    worker=$!
    trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
    say "serving http://$addrport/ (Ctrl+C stops; the demo logins are printed above; task log: var/tasks.log)"
    DEBUG=${DEBUG:-1} "$PY" manage.py runserver "$addrport"
}

# How many processes pytest runs the suite in (pytest-xdist): QINGYUAN_TEST_WORKERS, else one per core,
# at most 4 (each process builds its own test database and, for the browser tests, starts its own
# Chromium, so more processes than that cost more in start-up and memory than they save).
test_workers() {
    workers=${QINGYUAN_TEST_WORKERS:-}
    if [ -z "$workers" ]; then
        workers=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
        [ "$workers" -le 4 ] || workers=4
    fi
    case $workers in
        '' | *[!0-9]* | 0*) die "QINGYUAN_TEST_WORKERS must be a whole number from 1 up, got '$workers'" ;;
    esac
    echo "$workers"
}

test_all() {
    ensure_deps
    workers=$(test_workers)
    # Pytest arguments that choose the processes themselves (-n 4, -p no:xdist) win over ours.
    for arg in "$@"; do
        case $arg in
            -n* | --numprocesses* | no:xdist) workers=1 ;;
        esac
    done
    say "database: $(describe_database)"
    say "ruff check"
    "$VENV/bin/ruff" check .
    say "manage.py check"
    manage check
    say "manage.py makemigrations --check --dry-run"
    manage makemigrations --check --dry-run
    if [ "$workers" -gt 1 ]; then
        # --dist load hands the tests out in pytest-django's order (database tests, then those that
        # flush the database, such as the browser tests), so each process keeps that order; per-file
        # or work-stealing schedules would let a flush run before another file's database tests.
        say "pytest in $workers processes (QINGYUAN_TEST_WORKERS=1 for one)"
        "$PY" -m pytest -rfEs -n "$workers" --dist load "$@"
    else
        say "pytest"
        "$PY" -m pytest -rfEs "$@"
    fi
}

lint() {
    ensure_deps
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
}

format() {
    ensure_deps
    "$VENV/bin/ruff" check --fix .
    "$VENV/bin/ruff" format .
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
    setup) setup ;;
    run) run ;;
    test) test_all "$@" ;;
    lint) lint ;;
    format) format ;;
    deps) ensure_deps ;;
    *) die "usage: $0 setup|run|test [pytest args]|lint|format|deps" ;;
esac
