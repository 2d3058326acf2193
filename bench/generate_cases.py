"""Deterministic synthetic cases for bench/bench_cases.py, bulk-loaded with PostgreSQL COPY.

    DATABASE_URL=... DJANGO_SETTINGS_MODULE=portal_settings PYTHONPATH=bench:src \\
        .venv/bin/python bench/generate_cases.py --cases 1000000 --subjects 300000

Needs a migrated database with `load_regions` and `load_demo` done (苏州市, its counties, townships,
villages and county supervision units). Adds, spread over the demo city's counties and villages:
bench users (3 per county, password BENCH_PASSWORD), subjects, cases with a realistic status mix,
1–2 CaseOffence rows each pointing at real rules.Offence rows, a PenaltyDecision with 1–3 measures
for every decided case (about 63 %), a payment for most paid fines, and 1–5 CaseEvent rows per case.
Then ANALYZE. The same arguments give the same rows (one seeded random.Random, a fixed "today");
only the ciphertext of party ID numbers differs between runs (AES-GCM draws a fresh nonce).

Rows go to tab-separated files under bench/out/cases-copy/ first (one pass over the cases feeds six
tables), then each file is COPY'd into its table in one transaction.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BENCH_PASSWORD = "Bench-Cases-2025"  # noqa: S105 (scratch database only, dropped after the run)
SEED = 20250101
CITY = "320500"
TODAY = dt.date(2026, 10, 31)
# Every date falls after the time limits of the 2021 行政处罚法 came into force (2021-07-15): the case
# pages look those limits up by date and have no version for earlier dates.
START = dt.date(2021, 12, 1)

# (status, weight per mille): most cases closed, every open state present in every county.
STATUSES = [
    ("closed", 700),
    ("not_opened", 30),
    ("revoked", 15),
    ("transferred", 25),
    ("proposed", 30),
    ("investigating", 70),
    ("review", 25),
    ("notified", 25),
    ("hearing", 10),
    ("decided", 15),
    ("served", 20),
    ("enforcing", 35),
]
DECIDED = {"decided", "served", "enforcing"}  # a closed case is decided in DECIDED_CLOSED of cases
DECIDED_CLOSED = 0.8  # closed: 80 % after a penalty (0.7 * 0.8 + 0.07 ≈ 0.63 with a decision)
OPENED = {"investigating", "review", "notified", "hearing", "decided", "served", "enforcing", "closed"}
OPENED |= {"revoked", "transferred"}
TITLES = ["未取得医疗机构执业许可证擅自执业", "非医师行医", "使用非卫生技术人员从事医疗卫生技术工作"]
TITLES += ["超出登记的诊疗科目范围开展诊疗活动", "未经批准擅自开展医疗美容项目", "乡村医生超范围执业"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥建国志海燕晓东春梅"
STREETS = ["人民路", "干将路", "长江路", "金山路", "太湖路", "凤凰街", "东环路", "西环路", "中山路", "胜利街"]
SUBJECT_KINDS = [("unlicensed_clinic", 35), ("itinerant", 15), ("beauty_salon", 20), ("wellness", 15)]
SUBJECT_KINDS += [("licensed", 10), ("other", 5)]
PRACTICE = ["std", "aesthetic", "dental", "internal", "midwifery", "family_planning", "tcm", "other"]
INSTITUTION_TYPES = ["western", "tcm", "aesthetic", "dental", "other"]
MEASURES = ["warning", "fine", "confiscate_income", "confiscate_goods", "ban"]
TABLES = {
    "subjects_subject": "id name kind address location_type practice_content institution_type border_area "
    "needs_joint_action status notes created_at updated_at region_id",
    "cases_case": "id number source title facts party_kind party_name party_id_number party_id_index "
    "party_address offence_date illegal_income status checked_on open_due proposed_at opened_on "
    "decide_due notified_on decided_on served_on closed_on end_reason no_qualification "
    "certificate_revoked village_without_certificate birth_attendant_beyond harm_disability "
    "infectious_disease bad_drugs other_serious serious_harm patient_death crime_suspected "
    "crime_reasons crime_override_reason created_at updated_at opened_by_id proposed_by_id region_id "
    "subject_id unit_id overdue_notified_for statement_waived",
    "cases_caseoffence": "id applied case_id offence_id",
    "cases_penaltydecision": "id procedure decided_on discretion_reason served_on payment_due filed_on "
    "created_at case_id decided_by_id offence_id",
    "cases_penaltymeasure": "id kind amount description decision_id",
    "cases_payment": "id kind amount paid_on receipt_no recorded_at case_id recorded_by_id",
    "cases_caseevent": "id action from_status to_status at note actor_id case_id",
}
N = r"\N"


def weighted(pairs):
    labels, cum, total = [], [], 0
    for label, weight in pairs:
        total += weight
        labels.append(label)
        cum.append(total)

    def pick(rng):
        x = rng.random() * total
        for label, c in zip(labels, cum, strict=True):
            if x < c:
                return label
        return labels[-1]

    return pick


def ensure_users(password=BENCH_PASSWORD) -> dict[str, list[int]]:
    """Three users (a 科室负责人 and two 监督员) of each county's supervision unit; {county: [ids]}."""
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import Role
    from qingyuan.regions.models import Region, Unit, UnitKind

    found = {}
    for county in Region.objects.filter(parent_id=CITY, is_active=True).order_by("code"):
        unit = Unit.objects.get(region=county, kind=UnitKind.SUPERVISION_INSTITUTE)
        ids = []
        for n, role in enumerate((Role.CHIEF, Role.INSPECTOR, Role.INSPECTOR)):
            username = f"bench_{county.code}_{n}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, unit=unit, role=role, full_name=f"测试{county.name}{n}")
                user.credential_no = f"{county.code}09{n:03d}"
                user.must_change_password = False
                user.set_password(password)
                user.save()
            ids.append(user.pk)
        found[county.code] = ids
    return found


def _next_ids(cursor):
    ids = {}
    for table in TABLES:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 (fixed names)
        ids[table] = cursor.fetchone()[0]
    return ids


def _ts(day, rng):
    return f"{day.isoformat()} {8 + int(rng.random() * 10):02d}:{int(rng.random() * 60):02d}:00+08"


def generate(*, cases: int, subjects: int, seed: int = SEED, progress=print) -> dict:
    from django.db import connection, transaction

    from qingyuan.core.crypto import blind_index, encrypt
    from qingyuan.core.idcard import check_digit
    from qingyuan.regions.models import Level, Region, Unit, UnitKind
    from qingyuan.rules.models import Offence

    started = time.perf_counter()
    rng = random.Random(seed)
    users = ensure_users()
    counties = sorted(users)
    units = {
        u.region_id: u.pk
        for u in Unit.objects.filter(region_id__in=counties, kind=UnitKind.SUPERVISION_INSTITUTE)
    }
    villages = {c: [] for c in counties}
    for code in Region.objects.filter(code__startswith="3205", level=Level.VILLAGE).values_list(
        "code", flat=True
    ):
        villages[code[:6]].append(code)
    for value in villages.values():
        value.sort()
    offences = list(Offence.objects.order_by("pk").values_list("pk", "illegal_practice"))
    practice_offences = [pk for pk, ip in offences if ip]
    all_offences = [pk for pk, _ in offences]
    status_of = weighted(STATUSES)
    kind_of = weighted(SUBJECT_KINDS)
    tmp = OUT / f"cases-copy-{os.getpid()}"  # one per run: two runs never share a file
    tmp.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        ids = _next_ids(cursor)
    files = {t: (tmp / f"{t}.tsv").open("w", encoding="utf-8") for t in TABLES}
    counts = dict.fromkeys(TABLES, 0)

    def row(table, *values):
        files[table].write("\t".join(N if v is None else str(v) for v in values) + "\n")
        counts[table] += 1

    # Subjects, with the party each one's cases are opened against (name, kind, id, blind index).
    subject_rows = []
    for i in range(subjects):
        county = counties[int(rng.random() * len(counties))]
        region = (
            villages[county][int(rng.random() * len(villages[county]))]
            if villages[county] and (rng.random() < 0.6)
            else county
        )
        kind = kind_of(rng)
        person = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if kind == "licensed":
            name, party_kind = f"{person[0]}氏{rng.choice(('诊所', '门诊部', '口腔诊所'))}{i}", "organisation"
        elif kind == "itinerant":
            name, party_kind = f"{person}（流动行医）", "citizen"
        else:
            name, party_kind = f"{person[0]}某某{rng.choice(('诊所', '美容店', '养生馆'))}", "citizen"
        address = f"苏州市{rng.choice(STREETS)}{int(rng.random() * 998) + 1}号"
        pk = ids["subjects_subject"] + i
        created = START + dt.timedelta(days=int(rng.random() * 2000))
        row(
            "subjects_subject",
            pk,
            name,
            kind,
            address,
            "",
            rng.choice(PRACTICE),
            rng.choice(INSTITUTION_TYPES),
            "f",
            "f",
            rng.choice(("active", "active", "banned", "cleared")),
            "",
            _ts(created, rng),
            _ts(created, rng),
            region,
        )
        # 90 % of parties have an ID number: penalty history matches by its blind index; the rest
        # are matched by exact name (the slow path the case page's crime check takes).
        id_number = id_index = ""
        if rng.random() < 0.9:
            first17 = f"{county}{1950 + int(rng.random() * 50)}{1 + int(rng.random() * 12):02d}"
            first17 += f"{1 + int(rng.random() * 28):02d}{int(rng.random() * 1000):03d}"
            plain = first17 + check_digit(first17)
            id_number, id_index = encrypt(plain), blind_index(plain)
        subject_rows.append((pk, county, region, person if party_kind == "citizen" else name, party_kind))
        subject_rows[-1] += (id_number, id_index, address)
    progress(f"subjects: {subjects} rows in {time.perf_counter() - started:.0f} s")

    number_seq = {}
    span = (TODAY - START).days - 180  # an ended case ends before TODAY
    for i in range(cases):
        case_pk = ids["cases_case"] + i
        s_pk, county, region, party, party_kind, id_number, id_index, address = subject_rows[
            int(rng.random() * len(subject_rows))
        ]
        unit = units[county]
        chief, *inspectors = users[county]
        proposer = inspectors[int(rng.random() * len(inspectors))]
        status = status_of(rng)
        # Ended cases spread over the whole period; open ones were proposed within the last 300 days
        # (a proposal waits at most a few weeks: CASE_OPEN has a version from 2025-06-01 only).
        if status in ("closed", "not_opened", "revoked", "transferred"):
            proposed = START + dt.timedelta(days=int(span * i / cases) - int(rng.random() * 120))
        elif status == "proposed":
            proposed = TODAY - dt.timedelta(days=int(rng.random() * 25))
        elif status in DECIDED:  # decided within 80 days of opening, so never after TODAY
            proposed = TODAY - dt.timedelta(days=100 + int(rng.random() * 200))
        else:
            proposed = TODAY - dt.timedelta(days=int(rng.random() * 300))
        offence_date = proposed - dt.timedelta(days=5 + int(rng.random() * 40))
        opened = proposed + dt.timedelta(days=int(rng.random() * 7)) if status in OPENED else None
        decided = status in DECIDED or (status == "closed" and rng.random() < DECIDED_CLOSED)
        decided_on = opened + dt.timedelta(days=20 + int(rng.random() * 60)) if decided else None
        served_on = (
            decided_on + dt.timedelta(days=int(rng.random() * 5)) if decided and status != "decided" else None
        )
        closed_on = None
        if status == "closed":
            closed_on = (served_on or opened or proposed) + dt.timedelta(days=10 + int(rng.random() * 60))
        elif status in ("not_opened", "revoked", "transferred"):
            closed_on = proposed + dt.timedelta(days=int(rng.random() * 30))
        number = None
        if opened:
            key = (county, opened.year)
            number_seq[key] = number_seq.get(key, 0) + 1
            number = f"苏{county[-2:]}卫医罚〔{opened.year}〕{number_seq[key]}号"
        income = int(rng.random() * 40) * 500
        last = closed_on or served_on or decided_on or opened or proposed
        row(
            "cases_case",
            case_pk,
            number,
            rng.choice(("lead", "lead", "inspection", "direct")),
            rng.choice(TITLES),
            f"经查，当事人{party}于{offence_date.isoformat()}在{address}开展诊疗活动。",
            party_kind,
            party,
            id_number,
            id_index,
            address,
            offence_date,
            f"{income}.00",
            status,
            proposed - dt.timedelta(days=2),
            proposed + dt.timedelta(days=15),
            _ts(proposed, rng),
            opened,
            opened + dt.timedelta(days=90) if opened else None,
            decided_on - dt.timedelta(days=10) if decided_on else None,
            decided_on,
            served_on,
            closed_on,
            "经审查不符合立案条件" if status in ("not_opened", "revoked", "transferred") else "",
            "t" if party_kind == "citizen" else "f",
            "f",
            "f",
            "f",
            "f",
            "f",
            "f",
            "",
            "f",
            "f",
            "f",
            "[]",
            "",
            _ts(proposed, rng),
            _ts(last, rng),
            chief if opened else None,
            proposer,
            region,
            s_pk,
            unit,
            None,
            "f",
        )
        charged = [practice_offences[int(rng.random() * len(practice_offences))]]
        if rng.random() < 0.3:
            other = all_offences[int(rng.random() * len(all_offences))]
            if other != charged[0]:
                charged.append(other)
        for offence in charged:
            row(
                "cases_caseoffence",
                ids["cases_caseoffence"] + counts["cases_caseoffence"],
                "t",
                case_pk,
                offence,
            )
        events = [("propose", "", "proposed", proposed, proposer)]
        if opened:
            events.append(("approve_open", "proposed", "investigating", opened, chief))
        if decided:
            decision_pk = ids["cases_penaltydecision"] + counts["cases_penaltydecision"]
            row(
                "cases_penaltydecision",
                decision_pk,
                "general",
                decided_on,
                "",
                served_on,
                served_on + dt.timedelta(days=15) if served_on else None,
                None,
                _ts(decided_on, rng),
                case_pk,
                chief,
                charged[0],
            )
            kinds = ["fine", *rng.sample(["warning", "confiscate_income", "confiscate_goods", "ban"], 2)]
            fine = 10_000 + int(rng.random() * 90) * 1000
            for kind in kinds[: 1 + int(rng.random() * 3)]:
                amount = (
                    f"{fine}.00"
                    if kind == "fine"
                    else f"{income}.00"
                    if kind == "confiscate_income"
                    else None
                )
                measure_pk = ids["cases_penaltymeasure"] + counts["cases_penaltymeasure"]
                row("cases_penaltymeasure", measure_pk, kind, amount, "", decision_pk)
            events.append(("decide", "review", "decided", decided_on, chief))
            if served_on:
                events.append(("serve", "decided", "served", served_on, proposer))
            if status == "closed" and rng.random() < 0.9:
                paid = served_on + dt.timedelta(days=int(rng.random() * 14))
                payment_pk = ids["cases_payment"] + counts["cases_payment"]
                receipt = f"PJ{case_pk}"
                row(
                    "cases_payment",
                    payment_pk,
                    "fine",
                    f"{fine}.00",
                    paid,
                    receipt,
                    _ts(paid, rng),
                    case_pk,
                    proposer,
                )
        if closed_on:
            events.append(("close" if status == "closed" else status, "", status, closed_on, chief))
        for action, before, after, day, actor in events:
            event_pk = ids["cases_caseevent"] + counts["cases_caseevent"]
            row("cases_caseevent", event_pk, action, before, after, _ts(day, rng), "", actor, case_pk)
        if (i + 1) % 200_000 == 0:
            progress(f"cases: {i + 1} rows written in {time.perf_counter() - started:.0f} s")
    for f in files.values():
        f.close()
    written = time.perf_counter()

    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns in TABLES.items():
            t0 = time.perf_counter()
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns.split())}) FROM STDIN") as copy:
                with (tmp / f"{table}.tsv").open("rb") as f:
                    while block := f.read(1 << 20):
                        copy.write(block)
            progress(f"COPY {table}: {counts[table]} rows in {time.perf_counter() - t0:.0f} s")
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
    copied = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
    for table in TABLES:
        (tmp / f"{table}.tsv").unlink()
    tmp.rmdir()
    result = {
        "rows": counts,
        "seconds_write_files": round(written - started, 1),
        "seconds_copy": round(copied - written, 1),
        "seconds_analyze": round(time.perf_counter() - copied, 1),
        "seconds_total": round(time.perf_counter() - started, 1),
    }
    progress(f"generated: {result}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import json

    print(json.dumps(generate(cases=args.cases, subjects=args.subjects, seed=args.seed, progress=print)))


if __name__ == "__main__":
    main()
