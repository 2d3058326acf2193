"""Lead intake with matching at national size on PostgreSQL: p50/p95 of registering one tip
(routing by address, deadlines, audit) plus matching it against 1,000,000 subjects and
1,000,000 institutions.

    .venv/bin/python bench/generate.py --institutions 1000000 --practitioners 3000000 --subjects 1000000 --out bench/out/
    .venv/bin/python bench/bench_leads.py --json bench/out/leads.json

Creates a fresh database qy_bench_leads_<time>, drops it at the end (--keep to keep it).
Institutions go through the real importer; subjects are loaded by COPY (there is no subject
importer yet), with the same labels mapped to the model's codes.
"""

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="bench/out")
    parser.add_argument("--tips", type=int, default=300)
    parser.add_argument("--unresolved", type=int, default=50)
    parser.add_argument("--json", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    db = f"qy_bench_leads_{int(time.time())}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingyuan.settings"
    try:
        result = run(args, Path(args.data))
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", db], check=False)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def load_subjects(path: Path) -> int:
    from django.db import connection
    from django.utils import timezone

    from qingyuan.subjects.models import InstitutionType, PracticeContent, SubjectKind, SubjectStatus

    kinds = {label: code for code, label in SubjectKind.choices}
    contents = {label: code for code, label in PracticeContent.choices}
    types = {label: code for code, label in InstitutionType.choices}
    statuses = {label: code for code, label in SubjectStatus.choices}
    now = timezone.now().isoformat()
    buffer = io.StringIO()
    rows = 0
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for name, kind, address, region, content, itype, border, joint, _licence, status in reader:
            buffer.write(
                "\t".join(
                    [
                        name,
                        kinds.get(kind, "other"),
                        address,
                        region,
                        "rural",
                        contents.get(content, "other"),
                        types.get(itype, "other"),
                        "t" if border == "是" else "f",
                        "t" if joint == "是" else "f",
                        statuses.get(status, "active"),
                        "",
                        now,
                        now,
                    ]
                )
                + "\n"
            )
            rows += 1
    buffer.seek(0)
    columns = (
        "name, kind, address, region_id, location_type, practice_content, institution_type, border_area, "
        "needs_joint_action, status, notes, created_at, updated_at"
    )
    with connection.cursor() as cursor, cursor.copy(f"COPY subjects_subject ({columns}) FROM STDIN") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)
    return rows


def run(args, data: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from qingyuan.leads import services
    from qingyuan.leads.matching import match_lead
    from qingyuan.regions.models import Level, Region, Unit, UnitKind
    from qingyuan.regions.services import regions_load_national
    from qingyuan.registry.importing import import_institutions
    from qingyuan.subjects.models import Subject

    out = {}
    call_command("migrate", verbosity=0)
    regions_load_national()
    counties = list(Region.objects.filter(level=Level.COUNTY))
    Unit.objects.bulk_create(
        [Unit(name=f"{c.name}卫生监督所", kind=UnitKind.SUPERVISION_INSTITUTE, region=c) for c in counties]
        + [
            Unit(name=f"{c.name}卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=c)
            for c in Region.objects.filter(level__in=[Level.PROVINCE, Level.CITY])
        ]
    )
    t = time.perf_counter()
    imported = import_institutions(actor=None, path=str(data / "institutions.csv"))
    out["institutions"] = {"rows": imported.total, "seconds": round(time.perf_counter() - t, 1)}
    t = time.perf_counter()
    out["subjects"] = {
        "rows": load_subjects(data / "subjects.csv"),
        "seconds": round(time.perf_counter() - t, 1),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    rng = random.Random(11)
    ids = rng.sample(list(Subject.objects.values_list("pk", flat=True)), args.tips)
    samples = list(Subject.objects.filter(pk__in=ids).values_list("address", "name"))
    timings, routed, matched = [], 0, 0
    for address, name in samples:
        place = address.split("省", 1)[-1] if rng.random() < 0.5 else address
        t = time.perf_counter()
        lead = services.lead_register(
            actor=None, channel="phone", content=f"{name}有人无证行医", place=place, category="unlicensed"
        )
        candidates = match_lead(lead)
        timings.append((time.perf_counter() - t) * 1000)
        routed += lead.region is not None
        matched += any(c.kind == "subject" and c.obj.name == name for c in candidates)
    out["intake_with_matching"] = {
        "tips": len(timings),
        "routed_to_county_or_below": routed,
        "subject_found_among_candidates": matched,
        "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
    }
    fallback = Unit.objects.filter(kind=UnitKind.HEALTH_COMMISSION).first()
    slow = []
    for address, _name in samples[: args.unresolved]:
        street = address.split("区", 1)[-1].split("县", 1)[-1]  # no region names left: national trigram path
        t = time.perf_counter()
        lead = services.lead_register(
            actor=None,
            channel="phone",
            content="有人无证行医",
            place=street,
            category="unlicensed",
            handling_unit=fallback,
        )
        match_lead(lead)
        slow.append((time.perf_counter() - t) * 1000)
    out["intake_unresolved_place"] = {
        "tips": len(slow),
        "p50_ms": round(percentile(slow, 50), 1),
        "p95_ms": round(percentile(slow, 95), 1),
        "max_ms": round(max(slow), 1),
    }
    return out


if __name__ == "__main__":
    main()
