"""Ledger keys that earlier imports kept in the records' text become LedgerKey rows, so that the
records imported before keep their references.

Until now the importer wrote a subject's key into its notes and a case's key into its facts:
    历史台账导入（2019台账.xlsx）；对象编号「WZ-001」
    历史台账导入（2019台账.xlsx）；案件编号「A-001」
and found earlier keys by searching that text. The text stays as it is (officers read it); the key
is now a row of its own. Text that no longer starts with the mark (edited by hand) was out of reach
of the old search as well and is left alone.
"""

import re
import sys
from collections import defaultdict

from django.db import migrations

MARK = "历史台账导入"
# As the importer matched them: the mark at the very start, the file name, then the key.
PATTERNS = {
    "subject": re.compile(r"^历史台账导入（(.*)）；对象编号「(.*?)」"),
    "case": re.compile(r"^历史台账导入（(.*)）；案件编号「(.*?)」"),
}
LABELS = {"subject": "监管对象", "case": "案件"}
SOURCES = (("subject", "subjects", "Subject", "notes"), ("case", "cases", "Case", "facts"))
COUNTY_DIGITS = 6
MAX_KEY = 60


def _import_of(imports: list[tuple], region_code: str, created_at):
    """The import that wrote a record, among the imports of the file name its mark gives.

    The importer wrote the LedgerImport row after the records, in the same transaction, so the
    record belongs to the first import of that name stamped at or after the record was created;
    an import whose unit's region does not cover the record's region is not its import."""
    covering = [i for i in imports if region_code.startswith(i[2])] or imports
    if not covering:
        return None
    after = [i for i in covering if i[1] >= created_at]
    if after:
        return min(after, key=lambda i: i[1])[0]
    return max(covering, key=lambda i: i[1])[0]


def ledger_keys_from_marks(apps, schema_editor=None) -> dict:
    """Create the LedgerKey of every subject and case whose text holds an import mark with a key.

    Returns {"subject": n, "case": n, "skipped": [reasons]}. Runs again without harm: records that
    have a key already are passed over. Where two records of one county carry the same key (two
    townships' ledgers numbered alike), the first created keeps it and the other is listed."""
    LedgerImport = apps.get_model("reports", "LedgerImport")
    LedgerKey = apps.get_model("reports", "LedgerKey")
    Region = apps.get_model("regions", "Region")

    imports = defaultdict(list)
    for pk, file_name, imported_at, prefix in LedgerImport.objects.values_list(
        "pk", "file_name", "imported_at", "region__prefix"
    ):
        imports[file_name].append((pk, imported_at, prefix))
    taken = set(LedgerKey.objects.values_list("kind", "county_id", "key"))
    found, skipped, created = [], [], {"subject": 0, "case": 0}

    for kind, app_label, model_name, field in SOURCES:
        model = apps.get_model(app_label, model_name)
        keyed = set(LedgerKey.objects.filter(kind=kind).values_list(f"{kind}_id", flat=True))
        rows = (
            model.objects.filter(**{f"{field}__startswith": MARK})
            .order_by("pk")
            .values_list("pk", "region_id", "created_at", field)
        )
        for pk, region_code, created_at, text in rows.iterator(chunk_size=2000):
            match = PATTERNS[kind].match(text)
            if match is None or pk in keyed:
                continue
            file_name, key = match[1], match[2]
            where = f"{LABELS[kind]}#{pk}「{key}」"
            import_pk = _import_of(imports.get(file_name, []), region_code, created_at)
            county = region_code[:COUNTY_DIGITS]
            if import_pk is None:
                skipped.append(f"{where}：没有文件名为“{file_name}”的导入记录")
            elif not key or len(key) > MAX_KEY:
                skipped.append(f"{where}：编号为空或超过{MAX_KEY}字")
            elif (kind, county, key) in taken:
                skipped.append(f"{where}：区县{county}已有同一编号")
            else:
                taken.add((kind, county, key))
                found.append(
                    LedgerKey(
                        ledger_import_id=import_pk, kind=kind, key=key, county_id=county, **{f"{kind}_id": pk}
                    )
                )

    counties = set(
        Region.objects.filter(code__in={k.county_id for k in found}).values_list("code", flat=True)
    )
    for key in found:
        if key.county_id not in counties:
            where = f"{LABELS[key.kind]}#{key.subject_id or key.case_id}「{key.key}」"
            skipped.append(f"{where}：区县代码{key.county_id}在平台中不存在")
    found = [k for k in found if k.county_id in counties]
    LedgerKey.objects.bulk_create(found, batch_size=1000)
    for key in found:
        created[key.kind] += 1
    if skipped:
        sys.stdout.write("\n未转换的台账编号：\n" + "\n".join(f"  {line}" for line in skipped) + "\n")
    return {**created, "skipped": skipped}


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_ledger_keys"),
    ]

    operations = [
        migrations.RunPython(ledger_keys_from_marks, migrations.RunPython.noop),
    ]
