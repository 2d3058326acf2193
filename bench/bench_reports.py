"""S003-A1 for one province at scale: the platform's computation against one hand-written SQL query.

    .venv/bin/python bench/bench_reports.py                                   # 2 M inspections, 200 k cases
    .venv/bin/python bench/bench_reports.py --inspections 50000 --cases 5000  # quick check

Goal (issue "official forms"): S003-A1 for a province with 2,000,000 inspections and 200,000 cases
on PostgreSQL in under 2 s and no slower than 1.5× one hand-written SQL statement computing the
same table. Both are run in the same process on the same warm database, alternately, --runs times;
the medians are compared, and the two tables must be equal cell by cell or the run fails.

--db: a PostgreSQL DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qy_bench_reports; created
if missing and dropped at the end unless --keep). A database that already holds the asked numbers
of rows is measured as it is. The rows are made by INSERT … SELECT over generate_series in the
database (deterministic: the pseudo-random choices are arithmetic on the series number): subjects
spread over every county of 江苏省 (32), inspections over 2024–2025, cases with decisions (about 63 %),
1–3 measures each, police referrals (3 %), judgments with convicted persons (1 %).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/qy_bench_reports"
PROVINCE = "320000"
START, END = dt.date(2024, 1, 1), dt.date(2025, 12, 31)
GOAL_S, GOAL_RATIO = 2.0, 1.5

# The hand-written query: every figure of S003-A1 by institution type, one statement. It follows
# FORMS.md's definitions directly, written as an analyst would, without the ORM.
HAND_SQL = """
WITH
insp AS (
  SELECT s.institution_type t, count(*) inspections
  FROM inspections_inspection i JOIN subjects_subject s ON s.id = i.subject_id
  WHERE i.region_id LIKE %(prefix)s AND i.started_at >= %(lo)s AND i.started_at < %(hi)s
  GROUP BY 1),
dec AS (
  SELECT s.institution_type t, count(DISTINCT c.subject_id) units
  FROM cases_penaltydecision d JOIN cases_case c ON c.id = d.case_id JOIN subjects_subject s ON s.id = c.subject_id
  WHERE c.region_id LIKE %(prefix)s AND d.decided_on BETWEEN %(start)s AND %(end)s
  GROUP BY 1),
mea AS (
  SELECT s.institution_type t,
         count(*) FILTER (WHERE m.kind = 'confiscate_income') conf_n,
         sum(m.amount) FILTER (WHERE m.kind = 'confiscate_income') conf_amount,
         count(*) FILTER (WHERE m.kind = 'fine') fine_n,
         sum(m.amount) FILTER (WHERE m.kind = 'fine') fine_amount,
         count(*) FILTER (WHERE m.kind = 'ban') ban_n
  FROM cases_penaltymeasure m JOIN cases_penaltydecision d ON d.id = m.decision_id
       JOIN cases_case c ON c.id = d.case_id JOIN subjects_subject s ON s.id = c.subject_id
  WHERE c.region_id LIKE %(prefix)s AND d.decided_on BETWEEN %(start)s AND %(end)s
  GROUP BY 1),
ref AS (
  SELECT s.institution_type t, count(DISTINCT r.case_id) n
  FROM cases_referral r JOIN cases_case c ON c.id = r.case_id JOIN subjects_subject s ON s.id = c.subject_id
  WHERE c.region_id LIKE %(prefix)s AND r.target = 'police' AND r.transferred_at >= %(lo)s AND r.transferred_at < %(hi)s
  GROUP BY 1),
jud AS (
  SELECT s.institution_type t, count(DISTINCT j.case_id) n
  FROM cases_judgment j JOIN cases_case c ON c.id = j.case_id JOIN subjects_subject s ON s.id = c.subject_id
  WHERE c.region_id LIKE %(prefix)s AND j.judged_on BETWEEN %(start)s AND %(end)s
  GROUP BY 1),
per AS (
  SELECT s.institution_type t, count(*) n
  FROM cases_accountableperson p JOIN cases_judgment j ON j.id = p.judgment_id
       JOIN cases_case c ON c.id = p.case_id JOIN subjects_subject s ON s.id = c.subject_id
  WHERE c.region_id LIKE %(prefix)s AND p.liability = 'criminal' AND j.judged_on BETWEEN %(start)s AND %(end)s
  GROUP BY 1),
opn AS (
  SELECT s.institution_type t, count(*) total, count(c.national_entry_on) entered
  FROM cases_case c JOIN subjects_subject s ON s.id = c.subject_id
  WHERE c.region_id LIKE %(prefix)s AND c.opened_on BETWEEN %(start)s AND %(end)s
  GROUP BY 1)
SELECT t.t, insp.inspections, dec.units, mea.conf_n, mea.conf_amount, mea.fine_n, mea.fine_amount, mea.ban_n,
       ref.n, jud.n, per.n, opn.entered, opn.total
FROM (VALUES ('western'), ('tcm'), ('aesthetic'), ('dental'), ('other')) t(t)
LEFT JOIN insp ON insp.t = t.t LEFT JOIN dec ON dec.t = t.t LEFT JOIN mea ON mea.t = t.t
LEFT JOIN ref ON ref.t = t.t LEFT JOIN jud ON jud.t = t.t LEFT JOIN per ON per.t = t.t LEFT JOIN opn ON opn.t = t.t
"""

HAND_COLUMNS = [
    "inspections",
    "penalised_units",
    "confiscation_count",
    "confiscation_amount",
    "fine_count",
    "fine_amount",
    "ban_count",
    "referred_cases",
    "judged_cases",
    "liable_persons",
]


def generate(*, subjects: int, inspections: int, cases: int, progress=print):
    """Rows made inside PostgreSQL; every choice is arithmetic on the row number (repeatable)."""
    from django.db import connection, transaction

    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role
    from qingyuan.regions.models import Level, Region, Unit, UnitKind
    from qingyuan.rules.models import Offence

    counties = list(
        Region.objects.filter(code__startswith="32", level=Level.COUNTY).values_list("code", flat=True)
    )
    province = Region.objects.get(code=PROVINCE)
    top = Unit.objects.get_or_create(
        name="江苏省卫生健康委员会", region=province, kind=UnitKind.HEALTH_COMMISSION
    )[0]
    existing = set(Unit.objects.filter(region_id__in=counties).values_list("region_id", flat=True))
    Unit.objects.bulk_create(
        Unit(name=f"{code}卫生监督所", region_id=code, kind=UnitKind.SUPERVISION_INSTITUTE, parent=top)
        for code in counties
        if code not in existing
    )
    user = User.objects.filter(username="bench_reports").first() or User.objects.create(
        username="bench_reports", unit=top, role=Role.LEADER, full_name="基准测试", must_change_password=False
    )
    offence = Offence.objects.order_by("pk").first().pk
    n_counties = len(counties)
    params = {"user": user.pk, "offence": offence, "n_counties": n_counties}
    steps = [
        (
            "subjects",
            f"""
            INSERT INTO subjects_subject (name, kind, address, region_id, location_type, practice_content,
              institution_type, border_area, needs_joint_action, status, notes, found_on, created_at, updated_at)
            SELECT '对象' || g, (ARRAY['unlicensed_clinic','itinerant','beauty_salon','wellness','licensed','other'])[1 + g % 6],
              '地址' || g, c.codes[1 + (g * 7) % %(n_counties)s], (ARRAY['city','fringe','rural'])[1 + g % 3],
              (ARRAY['std','aesthetic','dental','internal','midwifery','family_planning','tcm','other'])[1 + (g / 3) % 8],
              (ARRAY['western','tcm','aesthetic','dental','other'])[1 + (g / 7) % 5], false, false, 'active', '',
              DATE '2023-01-01', now(), now()
            FROM generate_series(1, {subjects}) g,
                 (SELECT array_agg(code ORDER BY code) codes FROM regions_region WHERE level = 3 AND code LIKE '32%%') c
            """,
        ),
        (
            "inspections",
            f"""
            INSERT INTO inspections_inspection (kind, started_at, subject_id, region_id, unit_id, officer_count,
              persons_present, vehicles, findings, outcome, recorded_by_id, created_at)
            SELECT (ARRAY['overt','covert','patrol','special','recheck','lookback','spot_check'])[1 + g % 7],
              TIMESTAMPTZ '2024-01-01 08:00+08' + ((g::bigint * 7919) % 730) * INTERVAL '1 day' + (g % 9) * INTERVAL '1 hour',
              s.id, s.region_id, u.id, 2 + g % 3, '', g % 3, '', 'violation', %(user)s, now()
            FROM generate_series(1, {inspections}) g
            JOIN subjects_subject s ON s.id = (SELECT min(id) FROM subjects_subject) + (g::bigint * 104729) % {subjects}
            JOIN regions_unit u ON u.region_id = s.region_id
            """,
        ),
        (
            "cases",
            f"""
            INSERT INTO cases_case (number, unit_id, region_id, subject_id, source, title, facts, party_kind, party_name,
              party_id_number, party_id_index, party_address, offence_date, illegal_income, status, proposed_at,
              proposed_by_id, opened_on, opened_by_id, no_qualification, certificate_revoked, village_without_certificate,
              birth_attendant_beyond, harm_disability, infectious_disease, bad_drugs, other_serious, serious_harm,
              patient_death, crime_suspected, crime_reasons, crime_override_reason, statement_waived, end_reason,
              national_entry_on, created_at, updated_at)
            SELECT 'BENCH-' || g, u.id, s.region_id, s.id, 'inspection', '未取得医疗机构执业许可证擅自执业', '', 'citizen',
              '当事人' || g, '', '', '', DATE '2024-01-01' + (g * 31) % 730, 0, 'closed', now(), %(user)s,
              DATE '2024-01-01' + (g * 31) % 730 + 3, %(user)s, false, false, false, false, false, false, false, '',
              false, false, false, '[]', '', false, '',
              CASE WHEN g % 10 < 7 THEN DATE '2024-01-01' + (g * 31) % 730 + 5 END, now(), now()
            FROM generate_series(1, {cases}) g
            JOIN subjects_subject s ON s.id = (SELECT min(id) FROM subjects_subject) + (g::bigint * 7907) % {subjects}
            JOIN regions_unit u ON u.region_id = s.region_id
            """,
        ),
        (
            "decisions",
            """
            INSERT INTO cases_penaltydecision (case_id, procedure, offence_id, decided_on, decided_by_id,
              discretion_reason, created_at)
            SELECT c.id, 'general', %(offence)s, LEAST(c.opened_on + 20 + (c.id % 40)::int, DATE '2025-12-31'), %(user)s, '', now()
            FROM cases_case c WHERE c.number LIKE 'BENCH-%%' AND c.id % 100 < 63
            """,
        ),
        (
            "measures",
            """
            INSERT INTO cases_penaltymeasure (decision_id, kind, amount, description)
            SELECT d.id, k.kind, CASE k.kind WHEN 'fine' THEN 10000 + (d.id % 90) * 1000
                                        WHEN 'confiscate_income' THEN (d.id % 40) * 500 END, ''
            FROM cases_penaltydecision d
            JOIN (VALUES ('fine', 100), ('confiscate_income', 40), ('ban', 30), ('warning', 20)) k(kind, pct)
              ON (d.id * 37 + length(k.kind)) % 100 < k.pct
            """,
        ),
        (
            "referrals",
            """
            INSERT INTO cases_referral (case_id, target, target_unit, reason, proposed_on, approved_on, approved_by_id,
              transferred_at, receipt_no, outcome, outcome_note, review_outcome, created_by_id, created_at)
            SELECT c.id, 'police', '公安分局', '涉嫌非法行医罪', c.opened_on + 10, c.opened_on + 11, %(user)s,
              (c.opened_on + 12)::timestamp AT TIME ZONE 'Asia/Shanghai' + INTERVAL '10 hours', '', 'accepted', '', '',
              %(user)s, now()
            FROM cases_case c WHERE c.number LIKE 'BENCH-%%' AND c.id % 100 IN (3, 41, 77)
            """,
        ),
        (
            "judgments",
            """
            INSERT INTO cases_judgment (case_id, court, document_no, judged_on, verdict, recorded_by_id, recorded_at)
            SELECT c.id, '人民法院', '', LEAST(c.opened_on + 200, DATE '2025-12-31'), '犯非法行医罪', %(user)s, now()
            FROM cases_case c WHERE c.number LIKE 'BENCH-%%' AND c.id % 100 = 41
            """,
        ),
        (
            "persons",
            """
            INSERT INTO cases_accountableperson (case_id, judgment_id, name, liability, outcome, recorded_by_id)
            SELECT j.case_id, j.id, '被告人' || j.id, 'criminal', '判处有期徒刑', %(user)s FROM cases_judgment j
            """,
        ),
    ]
    for name, sql in steps:
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql.replace(" % ", " %% "), params)
            count = cursor.rowcount
        progress(f"{name}: {count} rows in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress(f"ANALYZE in {time.perf_counter() - t0:.1f} s")


def platform_table(scope):
    from qingyuan.reports.forms import get_form

    table = get_form("S003-A1").compute(scope).table("main")
    return {
        r: [table.cells[r][c] for c in HAND_COLUMNS]
        + [table.cells[r]["system_entry"].part, table.cells[r]["system_entry"].whole]
        for r in ("western", "tcm", "aesthetic", "dental", "other")
    }


def hand_table(scope):
    from decimal import Decimal

    from django.db import connection

    lo, hi = scope.bounds()
    with connection.cursor() as cursor:
        cursor.execute(
            HAND_SQL,
            {"prefix": scope.prefix + "%", "lo": lo, "hi": hi, "start": scope.start, "end": scope.end},
        )
        rows = cursor.fetchall()
    out = {}
    for t, *values in rows:
        values = [v if v is not None else 0 for v in values]
        values[3] = Decimal(values[3]).quantize(Decimal("0.01"))
        values[5] = Decimal(values[5]).quantize(Decimal("0.01"))
        out[t] = values
    return out


def measure(runs: int):
    from qingyuan.regions.models import Region
    from qingyuan.reports.forms.base import Scope

    scope = Scope(Region.objects.get(code=PROVINCE), START, END)
    platform, hand = platform_table(scope), hand_table(scope)  # warm-up, and the equality check
    if platform != hand:
        raise SystemExit(f"the two computations disagree:\nplatform {platform}\nhand     {hand}")
    times = {"platform": [], "hand_sql": []}
    for _ in range(runs):
        for name, fn in (("platform", platform_table), ("hand_sql", hand_table)):
            t0 = time.perf_counter()
            fn(scope)
            times[name].append(time.perf_counter() - t0)
    return scope, platform, times


def counts():
    from django.db import connection

    with connection.cursor() as cursor:
        out = {}
        for table in (
            "subjects_subject",
            "inspections_inspection",
            "cases_case",
            "cases_penaltydecision",
            "cases_penaltymeasure",
            "cases_referral",
            "cases_judgment",
            "cases_accountableperson",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            out[table] = cursor.fetchone()[0]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_PG)
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--inspections", type=int, default=2_000_000)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", default="")
    args = parser.parse_args()

    from bench_portal import pg_database

    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyuan.settings")
    os.environ.setdefault("QINGYUAN_VAR_DIR", str(OUT / "reports-var"))
    pg_database("create", args.db)
    import django

    django.setup()
    from django.core.management import call_command

    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_regions", verbosity=0)
        have = counts()
        if have["inspections_inspection"] < args.inspections or have["cases_case"] < args.cases:
            generate(subjects=args.subjects, inspections=args.inspections, cases=args.cases)
        setup_s = time.perf_counter() - t0
        rows = counts()
        scope, table, times = measure(args.runs)
        platform_s, hand_s = statistics.median(times["platform"]), statistics.median(times["hand_sql"])
        result = {
            "database": args.db,
            "rows": rows,
            "setup_s": round(setup_s, 1),
            "scope": {"region": scope.region.full_name, "from": str(scope.start), "to": str(scope.end)},
            "runs": args.runs,
            "platform_s": [round(t, 3) for t in times["platform"]],
            "hand_sql_s": [round(t, 3) for t in times["hand_sql"]],
            "platform_median_s": round(platform_s, 3),
            "hand_sql_median_s": round(hand_s, 3),
            "ratio": round(platform_s / hand_s, 2),
            "goal": f"< {GOAL_S} s and <= {GOAL_RATIO}x the hand-written query",
            "goal_met": platform_s < GOAL_S and platform_s <= GOAL_RATIO * hand_s,
            "total_inspections": sum(v[0] for v in table.values()),
            "nproc": os.cpu_count(),
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            pg_database("drop", args.db)


if __name__ == "__main__":
    main()
