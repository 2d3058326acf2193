"""PostgreSQL fast path of the registry import: COPY into a temporary table, then one set-wise upsert.

Same semantics as the portable writer in importing.py (key on the licence/certificate number,
leave unchanged rows alone, one audit row per created or updated record, one transaction), but
with no round trip per row: checked rows are COPYed into a session-local temporary table while
the file is read; writing is then a handful of statements, and the audit rows go in by COPY too.
"""

from django.db import DatabaseError, connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from qingyuan.core import audit
from qingyuan.core.crypto import decrypt, encrypt, mask
from qingyuan.core.middleware import client_ip, current_request
from qingyuan.core.models import AuditEvent

from .importing import ImportResult, Spec, _entry, snapshot

AUDIT_ROWS = 50_000  # rows of audit built per round trip; bounds memory whatever the file size


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _new_sql(field: str) -> str:
    """The value an upsert stores. As importing.keep_status_date: a blank 状态变更日期 keeps the recorded
    date while the status is unchanged (and so is no change by itself)."""
    if field == "status_changed_on":
        return (
            "COALESCE(EXCLUDED.status_changed_on,"
            " CASE WHEN m.status = EXCLUDED.status THEN m.status_changed_on END)"
        )
    return f"EXCLUDED.{_qn(field)}"


def _update_sql(field: str) -> str:
    return f"{_qn(field)} = {_new_sql(field)}"


class CopyStage:
    """The checked rows of one file in a temporary table, numbered in file order (seq)."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.model = spec.model
        name = self.model._meta.model_name
        self.stage = f"registry_import_{name}"
        self.before = f"registry_import_{name}_before"
        self.done = f"registry_import_{name}_done"
        self.fields = spec.fields
        self.encrypted = "id_number" in self.fields
        # The masked ID number travels with the ciphertext: the audit row needs it, the plaintext stays out.
        self.staged = [*self.fields, "_masked"] if self.encrypted else list(self.fields)
        self.count = 0

    def _drop(self, cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {self.stage}, {self.before}, {self.done}")

    def __enter__(self):
        columns = ", ".join(
            f"{_qn(f)} {self.model._meta.get_field(f).db_type(connection)}" for f in self.fields
        )
        extra = ", _masked text" if self.encrypted else ""
        with connection.cursor() as cursor:
            self._drop(cursor)
            cursor.execute(f"CREATE TEMPORARY TABLE {self.stage} (seq integer NOT NULL, {columns}{extra})")
        return self

    def __exit__(self, *exc):
        try:
            with connection.cursor() as cursor:
                self._drop(cursor)
        except DatabaseError:
            pass  # an aborted transaction: the tables go with the session, and the first error is the one to see
        return False

    def add(self, rows: list[dict]) -> None:
        names = ", ".join(_qn(f) for f in self.staged)
        fields = self.fields
        position = 1 + fields.index("id_number") if self.encrypted else None
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {self.stage} (seq, {names}) FROM STDIN") as copy,
        ):
            for values in rows:
                self.count += 1
                record = [self.count, *(values[f] for f in fields)]
                if position:
                    plain = values["id_number"]
                    record[position] = encrypt(plain) if plain else ""
                    record.append(mask(plain))
                copy.write_row(record)

    def write(self, actor) -> ImportResult:
        """Upsert every staged row and audit each change; runs inside the caller's transaction."""
        spec, model, key = self.spec, self.model, _qn(self.spec.key)
        table = _qn(model._meta.db_table)
        cols = ", ".join(_qn(f) for f in self.fields)
        updates = ", ".join(_update_sql(f) for f in self.fields if f != self.spec.key)
        old = ", ".join(f"m.{_qn(f)}" for f in spec.compared)
        new = ", ".join(_new_sql(f) for f in spec.compared)
        with connection.cursor() as cursor:
            # Trigram (GIN) indexes take new entries into a pending list first; a larger list for this
            # transaction, merged once at the end, is far cheaper than merging every 4 MB.
            cursor.execute("SET LOCAL gin_pending_list_limit = '256MB'")
            cursor.execute(f"CREATE UNIQUE INDEX ON {self.stage} ({key})")
            cursor.execute(f"CREATE UNIQUE INDEX ON {self.stage} (seq)")
            cursor.execute(f"ANALYZE {self.stage}")
            # Before images of the rows about to change, locked first so they are the true "before".
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.before} AS SELECT m.* FROM {table} m"
                f" JOIN {self.stage} s ON s.{key} = m.{key} FOR UPDATE OF m"
            )
            cursor.execute(f"CREATE UNIQUE INDEX ON {self.before} (id)")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.done} (seq integer, id bigint, inserted boolean)")
            cursor.execute(
                f"WITH up AS (INSERT INTO {table} AS m ({cols}, updated_at)"
                f" SELECT {cols}, now() FROM {self.stage}"
                f" ON CONFLICT ({key}) DO UPDATE SET {updates}, updated_at = EXCLUDED.updated_at"
                f" WHERE ({old}) IS DISTINCT FROM ({new})"
                f" RETURNING m.id, (m.xmax = 0) AS inserted, m.{key} AS k)"
                f" INSERT INTO {self.done} SELECT s.seq, up.id, up.inserted FROM up JOIN {self.stage} s ON s.{key} = up.k"
            )
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                " WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
                [model._meta.db_table],
            )
            cursor.execute(f"CREATE UNIQUE INDEX ON {self.done} (seq)")
            cursor.execute("SELECT now()")
            now = cursor.fetchone()[0]
            result = ImportResult(total=self.count)
            writer = AuditCopy(actor)
            staged = ", ".join(f"s.{_qn(f)}" for f in self.staged)
            prior = ", ".join(f"b.{_qn(f)}" for f in self.fields)
            names = ["id", "_inserted", *self.staged, *(f"_old_{f}" for f in self.fields), "_old_updated_at"]
            for low in range(1, self.count + 1, AUDIT_ROWS):
                cursor.execute(
                    f"SELECT d.id, d.inserted, {staged}, {prior}, b.updated_at FROM {self.done} d"
                    f" JOIN {self.stage} s ON s.seq = d.seq LEFT JOIN {self.before} b ON b.id = d.id"
                    f" WHERE d.seq BETWEEN %s AND %s ORDER BY d.seq",
                    [low, low + AUDIT_ROWS - 1],
                )
                entries = []
                for row in cursor.fetchall():
                    values = dict(zip(names, row, strict=True))
                    values["updated_at"] = now
                    before = None if values["_inserted"] else self._before(values)
                    entries.append(
                        _entry(
                            spec,
                            values["id"],
                            values["name"],
                            values["region_id"],
                            before,
                            snapshot(spec, values),
                        )
                    )
                    result.created += before is None
                    result.updated += before is not None
                writer.append(entries)
        return result

    def _before(self, values: dict) -> dict:
        old = {f: values[f"_old_{f}"] for f in self.fields}
        old["id"], old["updated_at"] = values["id"], values["_old_updated_at"]
        if self.encrypted:
            if old["id_number_index"] == values["id_number_index"]:
                old["_masked"] = values["_masked"]
            else:
                old["_masked"] = mask(decrypt(old["id_number"])) if old["id_number"] else ""
        return snapshot(self.spec, old)


class _Event:
    """The attributes audit.compute_hash reads, without building a model instance per row."""

    __slots__ = (
        "at",
        "actor_id",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "region_code",
        "before",
        "after",
        "request_id",
        "ip",
        "result",
        "prev_hash",
        "hash_scheme",
        "hash",
    )


class AuditCopy:
    """audit.record_many for a million rows: the same rows and hash chain, written with COPY.

    record_many builds a model instance and a bulk INSERT per row, about 0.3 ms a row on
    PostgreSQL; entries here are JSON-ready snapshots already, so a row costs little more than its
    hash. The chain lock is the one audit.record takes, held to the end of the import's transaction.
    """

    COLUMNS = list(_Event.__slots__)

    def __init__(self, actor):
        request = current_request()
        user = actor if actor is not None else getattr(request, "user", None)
        if user is not None and not getattr(user, "is_authenticated", False):
            user = None
        self.actor_id = user.pk if user else None
        self.actor_name = user.get_username() if user else ""
        self.request_id = getattr(request, "request_id", "") if request else ""
        self.ip = client_ip(request) if request else ""
        self.prev = None

    def append(self, entries: list[dict]) -> None:
        if not entries:
            return
        if self.prev is None:
            audit.lock_chain()
            self.prev = audit.last_hash()
        at = timezone.now()
        event = _Event()
        event.at, event.result = at, "ok"
        event.actor_id, event.actor_name = self.actor_id, self.actor_name
        event.request_id, event.ip = self.request_id, self.ip
        event.hash_scheme = audit.current_scheme()
        sql = f"COPY {AuditEvent._meta.db_table} ({', '.join(self.COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for entry in entries:
                event.action, event.target_type = entry["action"], entry["target_type"]
                event.target_id, event.target_repr = str(entry["target_id"]), entry["target_repr"]
                event.region_code, event.before, event.after = (
                    entry["region_code"],
                    entry["before"],
                    entry["after"],
                )
                event.prev_hash = self.prev
                event.hash = self.prev = audit.compute_hash(event)
                copy.write_row(
                    (
                        at,
                        self.actor_id,
                        self.actor_name,
                        event.action,
                        event.target_type,
                        event.target_id,
                        event.target_repr,
                        event.region_code,
                        None if event.before is None else Jsonb(event.before),
                        None if event.after is None else Jsonb(event.after),
                        self.request_id,
                        self.ip,
                        "ok",
                        event.prev_hash,
                        event.hash_scheme,
                        event.hash,
                    )
                )
