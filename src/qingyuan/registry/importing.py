"""Importing the licence registry from the ledgers officers keep (CSV or XLSX): all or nothing.

Two passes. The first reads and checks every row outside any transaction, so a bad file writes
nothing and takes no lock, and progress can be saved while it runs. Then one transaction writes
every row, keyed on the licence number (institutions) or certificate number (practitioners):
new numbers are created, known ones updated, rows that change nothing are left alone, and each
created or updated record gets its audit row in that same transaction.

On PostgreSQL the first pass also COPYs the checked rows into a temporary table, and the second
upserts from it set-wise (import_pg.py): a province's million-row ledger takes minutes, not
hours. Elsewhere (SQLite) the second pass reads the file again and uses bulk_create with
update_conflicts; rows are checked again then, so a change made in between cannot slip through.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from qingyuan.core import audit
from qingyuan.core.crypto import EncryptedTextField, blind_index
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.regions.models import Region

from . import import_files
from .import_columns import INSTITUTION_COLUMNS, PRACTITIONER_COLUMNS, CellError, Column, read_cell
from .models import Institution, Practitioner

CHUNK_ROWS = 5000  # rows checked (and looked up in the database) together
MAX_MESSAGES = 1000
PROGRESS_EVERY = 20_000

Progress = Callable[[int, int | None], None] | None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    total: int = 0

    @property
    def unchanged(self) -> int:
        return self.total - self.created - self.updated


@dataclass(frozen=True)
class Spec:
    """What one import fills: the model, its template columns, and the number that identifies a row."""

    model: type
    columns: list[Column]
    key: str
    title: str

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def key_header(self) -> str:
        return next(c.header for c in self.columns if c.attname == self.key)

    @property
    def fields(self) -> list[str]:
        """Stored columns, in template order; practitioners add the blind index of the ID number."""
        names = [c.attname for c in self.columns]
        return [*names, "id_number_index"] if "id_number" in names else names

    @property
    def compared(self) -> list[str]:
        """Columns whose change makes an update. Ciphertext differs on every encryption; its index does not."""
        return [f for f in self.fields if f != "id_number"]


INSTITUTIONS = Spec(Institution, INSTITUTION_COLUMNS, "licence_no", "医疗机构")
PRACTITIONERS = Spec(Practitioner, PRACTITIONER_COLUMNS, "certificate_no", "执业人员")
SPECS = {"institutions": INSTITUTIONS, "practitioners": PRACTITIONERS}


class Errors:
    """Every bad row as "第N行：…", at most MAX_MESSAGES kept (a broken million-row file must not exhaust memory)."""

    def __init__(self):
        self.messages: list[str] = []
        self.rows = 0

    def add(self, line: int, problems: list[str]) -> None:
        self.rows += 1
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(f"第{line}行：" + "；".join(problems))

    def file(self, message: str) -> None:
        self.rows += 1
        self.messages.append(message)

    def __bool__(self):
        return self.rows > 0

    def raise_if_any(self):
        if self.rows:
            messages = list(self.messages)
            if self.rows > len(self.messages):
                messages.append(f"…另有{self.rows - len(self.messages)}行错误")
            raise ValidationError(messages)


class Checker:
    """Reads cells into values and checks each row, alone and against the file and the database.

    Lookups go to the database once per chunk of rows and are cached for the whole file, so a
    million rows cost a few hundred queries, not a million.
    """

    def __init__(self, spec: Spec, prefix: str):
        self.spec = spec
        self.prefix = prefix  # "" for the whole country
        self.errors = Errors()
        self.first_line: dict[str, int] = {}  # key -> line of its first occurrence
        self.regions: dict[str, bool] = {}  # code -> exists
        self.institutions: dict[str, int | None] = {}  # licence number -> id (None: unknown)
        self.positions: list[int] | None = None
        self.width = 0
        self.rows = 0

    def read_header(self, cells: list) -> None:
        header = [_header_text(c) for c in cells]
        missing = [c.header for c in self.spec.columns if c.header not in header and not c.optional]
        if missing:
            self.errors.file(
                f"第1行：缺少列“{'”“'.join(missing)}”。请使用平台提供的{self.spec.title}导入模板"
                f"（表头：{'，'.join(self.spec.headers)}）"
            )
            self.errors.raise_if_any()
        self.positions = [header.index(h) if h in header else None for h in self.spec.headers]
        self.width = max(p for p in self.positions if p is not None) + 1

    def check_chunk(self, chunk: list[tuple[int, list]]) -> list[dict]:
        """Checked rows as {attname: value}; bad rows go to self.errors and are left out."""
        parsed = []
        for line, cells in chunk:
            if len(cells) < self.width:
                cells = list(cells) + [None] * (self.width - len(cells))
            values, problems = {"_line": line}, []
            for column, position in zip(self.spec.columns, self.positions, strict=True):
                try:
                    values[column.attname] = read_cell(column, None if position is None else cells[position])
                except CellError as exc:
                    problems.append(f"{column.header}{exc}")
            parsed.append((line, values, problems))
        self._check_keys(parsed)
        self._check_regions(parsed)
        if self.spec is PRACTITIONERS:
            self._resolve_institutions(parsed)
        if self.prefix:
            self._check_existing_in_jurisdiction(parsed)
        good = []
        for line, values, problems in parsed:
            if problems:
                self.errors.add(line, problems)
            else:
                good.append(values)
        self.rows += len(chunk)
        return good

    def _check_keys(self, parsed):
        key, header = self.spec.key, self.spec.key_header
        for line, values, problems in parsed:
            number = values.get(key)
            if not number:
                continue
            first = self.first_line.setdefault(number, line)
            if first != line:
                problems.append(f"{header}“{number}”与第{first}行重复")

    def _check_regions(self, parsed):
        codes = {v["region_id"] for _l, v, _p in parsed if v.get("region_id")} - self.regions.keys()
        if codes:
            found = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
            self.regions.update({code: code in found for code in codes})
        for _line, values, problems in parsed:
            code = values.get("region_id")
            if not code:
                continue
            if not self.regions[code]:
                problems.append(f"所在区划代码“{code}”在平台中不存在")
            elif self.prefix and not code.startswith(self.prefix):
                problems.append(f"所在区划代码“{code}”不在您的辖区内")

    def _resolve_institutions(self, parsed):
        wanted = {v["institution_id"] for _l, v, _p in parsed if v.get("institution_id")}
        wanted -= self.institutions.keys()
        if wanted:
            found = dict(Institution.objects.filter(licence_no__in=wanted).values_list("licence_no", "id"))
            self.institutions.update({number: found.get(number) for number in wanted})
        for _line, values, problems in parsed:
            number = values.get("institution_id")
            if not number:
                continue
            values["institution_id"] = self.institutions[number]
            if values["institution_id"] is None:
                problems.append(f"注册执业机构许可证号“{number}”在平台中没有登记，请先导入该机构")

    def _check_existing_in_jurisdiction(self, parsed):
        """An officer may update only records of their own jurisdiction, even by licence number."""
        key = self.spec.key
        numbers = [v[key] for _l, v, _p in parsed if v.get(key)]
        outside = dict(
            self.spec.model.objects.filter(**{f"{key}__in": numbers})
            .exclude(region__code__startswith=self.prefix)
            .values_list(key, "region_id")
        )
        for _line, values, problems in parsed:
            if values.get(key) in outside:
                problems.append(
                    f"{self.spec.key_header}“{values[key]}”已登记在您辖区以外（区划 {outside[values[key]]}），不能修改"
                )


def _header_text(cell) -> str:
    return ("" if cell is None else str(cell)).strip().lstrip("\ufeff").replace(" ", "")


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def checked_chunks(
    spec: Spec, path, fmt: str, prefix: str, progress: Progress = None
) -> Iterator[list[dict]]:
    """Chunks of checked rows. Raises ValidationError with every bad row once the file is read."""
    rows, estimate = import_files.open_rows(path, fmt)
    total = estimate - 1 if estimate else None
    checker = Checker(spec, prefix)
    chunk: list[tuple[int, list]] = []
    reported = 0
    for line, cells in rows:
        if checker.positions is None:
            checker.read_header(cells)
            continue
        if _blank(cells):
            continue
        chunk.append((line, cells))
        if len(chunk) >= CHUNK_ROWS:
            good = checker.check_chunk(chunk)
            chunk = []
            if not checker.errors:
                yield good
            if progress and checker.rows - reported >= PROGRESS_EVERY:
                reported = checker.rows
                # An estimate never reaches done == total here: that pair means "reading finished".
                progress(checker.rows, max(total, checker.rows + 1) if total else None)
    if checker.positions is None:
        checker.errors.file("文件是空的，没有表头")
    if chunk:
        good = checker.check_chunk(chunk)
        if not checker.errors:
            yield good
    if checker.rows == 0 and not checker.errors:
        checker.errors.file("文件中没有数据行")
    checker.errors.raise_if_any()
    if progress:
        # done == total tells the caller that reading is over and writing begins.
        progress(checker.rows, checker.rows)


def prepare(spec: Spec, values: dict) -> dict:
    """Derived columns: the ID number's blind index (its ciphertext is made by the writer)."""
    if spec is PRACTITIONERS:
        values["id_number_index"] = blind_index(values["id_number"])
    return values


def snapshot(spec: Spec, values: dict) -> dict:
    """What audit.snapshot(instance) gives for a saved row, from plain column values (no model instance)."""
    data = {}
    for f in spec.model._meta.concrete_fields:
        value = values.get(f.attname)
        if isinstance(f, EncryptedTextField):
            value = values.get("_masked", "")
        elif isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        data[f.name] = value
    return data


def keep_status_date(values: dict, old) -> None:
    """A file without a 状态变更日期 (an older template, or the cell left blank) does not erase the date
    an officer recorded while the status stays the same: the public look-up prints that date."""
    if values.get("status_changed_on") is None and old.status == values.get("status"):
        values["status_changed_on"] = old.status_changed_on


def _entry(spec: Spec, pk, name: str, region_code: str, before: dict | None, after: dict) -> dict:
    b, a = audit.diff(before, after)
    return {
        "action": audit.AuditAction.IMPORT,
        "target_type": spec.model._meta.label_lower,
        "target_id": pk,
        "target_repr": name[:200],
        "region_code": region_code,
        "before": b,
        "after": a,
    }


def _write_orm(spec: Spec, actor, chunks: Iterator[list[dict]]) -> ImportResult:
    """Portable writer: per chunk, lock the known rows, then one bulk upsert of the new and changed ones."""
    model, key = spec.model, spec.key
    update_fields = [*[f for f in spec.fields if f != key], "updated_at"]
    result = ImportResult()
    for chunk in chunks:
        result.total += len(chunk)
        numbers = [v[key] for v in chunk]
        existing = {
            getattr(o, key): o
            for o in model.objects.select_for_update().filter(**{f"{key}__in": numbers}).order_by()
        }
        objs, olds = [], []
        for values in chunk:
            prepare(spec, values)
            old = existing.get(values[key])
            if old is not None:
                keep_status_date(values, old)
            if old is not None and all(getattr(old, f) == values[f] for f in spec.compared):
                continue
            objs.append(model(**{f: values[f] for f in spec.fields}))
            olds.append(old)
        if not objs:
            continue
        model.objects.bulk_create(
            objs, update_conflicts=True, unique_fields=[key], update_fields=update_fields, batch_size=500
        )
        entries = []
        for obj, old in zip(objs, olds, strict=True):
            if old is not None:
                obj.pk = old.pk
            elif obj.pk is None:  # a backend that does not return ids from an upsert
                obj.pk = model.objects.values_list("pk", flat=True).get(**{key: getattr(obj, key)})
            before = audit.snapshot(old) if old is not None else None
            entries.append(_entry(spec, obj.pk, obj.name, obj.region_id, before, audit.snapshot(obj)))
            result.created += old is None
            result.updated += old is not None
        audit.record_many(entries, actor=actor)
    return result


def _use_copy() -> bool:
    return connection.vendor == "postgresql"


def run_import(spec: Spec, *, actor, path, fmt=None, progress: Progress = None) -> ImportResult:
    # The page's permission, checked where the command and the job write too: a script given the
    # 审计管理员's account is refused. Without an account (actor None) it is the system's own import.
    if actor is not None and not actor.can("registry.import"):
        raise PermissionDenied("您没有导入执业登记信息的权限")
    fmt = import_files.format_of(path, fmt)
    prefix = "" if actor is None else jurisdiction_prefix(actor)
    if prefix is None:
        raise ValidationError(["您没有所属单位或账号已停用，不能导入"])
    try:
        if _use_copy():
            from .import_pg import CopyStage

            with CopyStage(spec) as stage:
                for chunk in checked_chunks(spec, path, fmt, prefix, progress):
                    stage.add([prepare(spec, values) for values in chunk])
                with transaction.atomic():
                    return stage.write(actor)
        for _chunk in checked_chunks(spec, path, fmt, prefix, progress):
            pass
        with transaction.atomic():
            return _write_orm(spec, actor, checked_chunks(spec, path, fmt, prefix))
    except IntegrityError:
        # Checked rows can still collide with a change committed meanwhile (a region retired and
        # deleted, the same new number saved by hand); the transaction has rolled back whole.
        raise ValidationError(["导入期间相关数据被他人修改，本次未写入任何数据，请重新导入"]) from None


def import_institutions(*, actor, path, fmt=None, progress=None) -> ImportResult:
    """Create or update institutions from a CSV/XLSX file in the 医疗机构 template; all or nothing."""
    return run_import(INSTITUTIONS, actor=actor, path=path, fmt=fmt, progress=progress)


def import_practitioners(*, actor, path, fmt=None, progress=None) -> ImportResult:
    """Create or update practitioners from a CSV/XLSX file in the 执业人员 template; all or nothing."""
    return run_import(PRACTITIONERS, actor=actor, path=path, fmt=fmt, progress=progress)
