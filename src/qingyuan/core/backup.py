"""Backup and restore of one installation: the database, the upload storage and the evidence files.

A backup is one tar file (.tar, or .tar.gz when the name ends in .gz):

    database.sqlite3 | database.pgdump   the database (SQLite online-backup copy / pg_dump custom format)
    storage/…                            every file under MEDIA_ROOT (QINGYUAN_STORAGE_DIR)
    evidence/…                           every file under QINGYUAN_EVIDENCE_DIR
    anchors/…                            the audit chain's checkpoints (QINGYUAN_AUDIT_ANCHOR_DIR)
    manifest.json                        format version, time, code version, engine, applied
                                         migrations, counts of the main tables, the ids and SHA-256
                                         fingerprints of the keys the data needs (never a key), and
                                         the SHA-256 and size of every other member

Consistency. The database is copied first, from one snapshot (SQLite's backup API reads a single
snapshot; pg_dump runs in a REPEATABLE READ snapshot exported by the transaction that also reads
the manifest's counts, migrations and key ids). The files are copied after it. Evidence files and
attachments are written to disk before the row that refers to them commits, and are never changed
or deleted afterwards (evidence is read-only, 0440), so every file the dumped rows refer to is
already on disk when the copy starts. A file written after the snapshot is copied too; no restored
row refers to it, which is harmless. Unfinished uploads (*.part) are left out. The audit checkpoints
are copied before the database instead: every row a copied checkpoint names is then in the snapshot,
so a restored chain verifies against them. The task queue
(var/tasks.sqlite3 or Redis) is not part of a backup: queued work is transient.

Keys are not in a backup: without the field keys and the index key of the installation, encrypted
fields cannot be read and ID-number and phone searches find nothing. A restore checks first that the
configured keys are the ones the backup needs, and names the key that is missing or different; the
audit key too, without which the restored audit chain cannot be verified.
"""

import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from . import audit, crypto
from .version import app_version

FORMAT = "qingyuan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
STORAGE_PREFIX = "storage/"
EVIDENCE_PREFIX = "evidence/"
ANCHOR_PREFIX = "anchors/"
CHUNK = 1024 * 1024
# The tables whose counts a manifest records and a restore compares: enough to see at a glance that
# the restored database is the one backed up.
KEY_TABLES = [
    "accounts.User",
    "regions.Region",
    "regions.Unit",
    "subjects.Subject",
    "leads.Lead",
    "leads.Reporter",
    "inspections.Inspection",
    "inspections.Evidence",
    "cases.Case",
    "core.AuditEvent",
]
_SAFE_KID = re.compile(r"[A-Za-z0-9._-]{1,32}")


class BackupError(Exception):
    """A refusal or failure, worded in Chinese for the operator."""


def engine() -> str:
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"不支持的数据库类型：{vendor}（只支持 SQLite 与 PostgreSQL）")
    return vendor


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _like_literal(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "'" + escaped.replace("'", "''") + "%'"


def _encrypted_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, crypto.EncryptedTextField):
                yield model, field


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- what a database snapshot holds (plain SQL on any DB-API cursor: the SQLite copy, or the
# --- PostgreSQL connection inside the snapshot that pg_dump also reads) -------------------------


def database_facts(cursor) -> dict:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    counts = {}
    for label in KEY_TABLES:
        model = apps.get_model(label)
        cursor.execute(f"SELECT COUNT(*) FROM {_q(model._meta.db_table)}")  # noqa: S608 - our table names
        counts[label] = cursor.fetchone()[0]
    return {"migrations": migrations, "counts": counts, "field_key_ids": sorted(_key_ids_in_use(cursor))}


def _key_ids_in_use(cursor) -> set[str]:
    """Which field keys the encrypted values were written with (the id is part of each ciphertext).

    One probe per configured key and column (stops at the first row), then one scan for values under
    any other key id (normally none: this installation could not read them either)."""
    used: set[str] = set()
    known = [kid for kid in crypto.key_ids() if _SAFE_KID.fullmatch(kid)]
    for model, field in _encrypted_columns():
        table, column = _q(model._meta.db_table), _q(field.column)
        likes = []
        for kid in known:
            like = f"{column} LIKE {_like_literal(f'{crypto.PREFIX}:{kid}:')} ESCAPE '\\'"
            likes.append(like)
            if kid not in used:
                cursor.execute(f"SELECT 1 FROM {table} WHERE {like} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    used.add(kid)
        others = " AND ".join(f"NOT ({like})" for like in likes) or "1=1"
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {column} LIKE {_like_literal(crypto.PREFIX + ':')} "  # noqa: S608
            f"ESCAPE '\\' AND {others}"
        )
        for (value,) in cursor.fetchall():
            used.add(value.split(":", 2)[1])
    return used


# --- PostgreSQL client programs ----------------------------------------------------------------


def _pg_env() -> dict:
    """libpq's environment for pg_dump/pg_restore: the password never appears on a command line."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if db.get("OPTIONS", {}).get(option):
            env["PG" + option.upper()] = str(db["OPTIONS"][option])
    return env


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install postgresql-client），"
            "其主版本不低于数据库服务器的版本。"
        )
    return found


def _run_pg(args: list[str], what: str) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


# --- backup -----------------------------------------------------------------------------------


def _dump_sqlite(target: Path) -> dict:
    source_path = Path(settings.DATABASES["default"]["NAME"]).resolve()
    if not source_path.is_file():
        raise BackupError("找不到 SQLite 数据库文件（DATABASE_URL 或 QINGYUAN_VAR_DIR 是否正确？）")
    source = sqlite3.connect(source_path.as_uri() + "?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: one consistent snapshot, even while others write
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        return database_facts(copy.cursor())
    finally:
        copy.close()
        source.close()


def _dump_postgresql(target: Path) -> dict:
    program = _pg_program("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run_pg(
            [program, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
            "pg_dump 导出数据库",
        )
        return database_facts(cursor)


class _HashingReader:
    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> dict:
    info = tar.gettarinfo(str(path), arcname=arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _walk_files(root: Path, skip: Path | None = None):
    """Regular files below root in a stable order, relative POSIX names; symlinks are not followed."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        dirnames[:] = sorted(d for d in dirnames if skip is None or (here / d).resolve() != skip)
        for name in sorted(filenames):
            path = here / name
            if name.endswith(".part") or name.startswith(".health-") or path.is_symlink():
                continue
            if path.is_file():
                yield path, path.relative_to(root).as_posix()


def _copy_anchors(staging: Path) -> list[Path]:
    """Copy the checkpoint files under a shared lock (a checkpoint is appended under an exclusive one)."""
    directory = audit.anchor_dir()
    copies = []
    if not directory.is_dir():
        return copies
    (staging / "anchors").mkdir(mode=0o700)
    for path in sorted(directory.glob("*.jsonl")):
        copy = staging / "anchors" / path.name
        with (
            open(path, "rb") as source,
            open(os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out,
        ):
            fcntl.flock(source.fileno(), fcntl.LOCK_SH)
            shutil.copyfileobj(source, out, CHUNK)
        copies.append(copy)
    return copies


def create_backup(output: Path, *, log=print) -> dict:
    kind = engine()
    output = Path(output)
    if output.exists():
        raise BackupError(f"文件“{output}”已存在，不覆盖已有备份")
    output.parent.mkdir(parents=True, exist_ok=True)
    mode = "w:gz" if output.name.endswith((".gz", ".tgz")) else "w"
    staging = Path(tempfile.mkdtemp(prefix=".qy-backup-", dir=output.parent))
    partial = output.with_name(output.name + ".part")
    try:
        db_file = staging / DB_MEMBER[kind]
        anchors = _copy_anchors(staging)
        log(f"导出数据库（{kind}）…")
        facts = _dump_sqlite(db_file) if kind == "sqlite" else _dump_postgresql(db_file)
        files: dict[str, dict] = {}
        storage = Path(settings.MEDIA_ROOT).resolve()
        evidence = Path(settings.QINGYUAN_EVIDENCE_DIR).resolve()
        # Private from the first byte: the whole database, password hashes and the audit log.
        handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        with handle, tarfile.open(fileobj=handle, mode=mode, format=tarfile.PAX_FORMAT) as tar:
            files[DB_MEMBER[kind]] = _add_file(tar, db_file, DB_MEMBER[kind])
            db_file.unlink()
            log("复制上传文件与证据文件…")
            for path, rel in _walk_files(storage, skip=evidence):
                files[STORAGE_PREFIX + rel] = _add_file(tar, path, STORAGE_PREFIX + rel)
            for path, rel in _walk_files(evidence):
                files[EVIDENCE_PREFIX + rel] = _add_file(tar, path, EVIDENCE_PREFIX + rel)
            for path in anchors:
                files[ANCHOR_PREFIX + path.name] = _add_file(tar, path, ANCHOR_PREFIX + path.name)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.localtime().isoformat(timespec="seconds"),
                "app_version": app_version(),
                "database": {"engine": kind, "member": DB_MEMBER[kind]},
                "migrations": facts["migrations"],
                "counts": facts["counts"],
                "keys": {
                    "field_keys": {
                        kid: crypto.field_key_fingerprints().get(kid, "") for kid in facts["field_key_ids"]
                    },
                    "index_key_sha256": crypto.index_key_fingerprint(),
                    "audit_key_sha256": audit.audit_key_fingerprint(),
                },
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


# --- restore ----------------------------------------------------------------------------------


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, AttributeError, ValueError) as exc:
        raise BackupError("不是清源的备份文件：缺少或无法读取 manifest.json") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("不是清源的备份文件：manifest.json 的格式标识不符")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本为 {manifest.get('format_version')}，本程序只能恢复版本 {FORMAT_VERSION}"
        )
    return manifest


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def check_members(tar: tarfile.TarFile, manifest: dict) -> None:
    """Every member is a plain file listed in the manifest with its SHA-256; nothing else is in the
    file (a member outside storage/ or evidence/, a link, or ".." would be written somewhere else)."""
    listed = manifest.get("files", {})
    database = manifest["database"]["member"]
    seen = set()
    for member in tar:
        if member.name == MANIFEST:
            continue
        if not member.isfile() or not _safe_name(member.name) or member.name not in listed:
            raise BackupError(f"备份文件中有清单之外或不安全的成员：{member.name}")
        if member.name != database and not member.name.startswith(
            (STORAGE_PREFIX, EVIDENCE_PREFIX, ANCHOR_PREFIX)
        ):
            raise BackupError(f"备份文件中有清单之外或不安全的成员：{member.name}")
        digest = hashlib.sha256()
        handle = tar.extractfile(member)
        for chunk in iter(lambda h=handle: h.read(CHUNK), b""):
            digest.update(chunk)
        if digest.hexdigest() != listed[member.name]["sha256"]:
            raise BackupError(f"备份文件已损坏：{member.name} 的 SHA-256 与清单不符")
        seen.add(member.name)
    missing = sorted(set(listed) - seen)
    if missing:
        raise BackupError(f"备份文件不完整：缺少 {len(missing)} 个成员，如 {missing[0]}")


def check_keys(manifest: dict) -> None:
    keys = manifest.get("keys", {})
    configured = crypto.field_key_fingerprints()
    for kid, fingerprint in sorted(keys.get("field_keys", {}).items()):
        if kid not in configured:
            raise BackupError(
                f"缺少字段加密密钥“{kid}”：备份中的加密字段（举报人信息、身份证号、电话）用它加密。"
                f"请把备份时使用的密钥 {kid}:… 加入 QINGYUAN_FIELD_KEYS 后再恢复。"
            )
        if fingerprint and configured[kid] != fingerprint:
            raise BackupError(
                f"字段加密密钥“{kid}”与备份时的不是同一个密钥（SHA-256 指纹不符）："
                f"请在 QINGYUAN_FIELD_KEYS 中配置备份时的密钥 {kid} 后再恢复。"
            )
    if keys.get("index_key_sha256") != crypto.index_key_fingerprint():
        raise BackupError(
            "索引密钥 QINGYUAN_INDEX_KEY 与备份时的不同（SHA-256 指纹不符）：按身份证号、电话的查找将全部失效。"
            "请配置备份时的 QINGYUAN_INDEX_KEY 后再恢复。"
        )
    # Backups made before the audit chain was keyed have no audit key to compare.
    if "audit_key_sha256" in keys and keys["audit_key_sha256"] != audit.audit_key_fingerprint():
        raise BackupError(
            "审计密钥 QINGYUAN_AUDIT_KEY 与备份时的不同（SHA-256 指纹不符）：恢复后的审计日志将无法校验。"
            "请配置备份时的 QINGYUAN_AUDIT_KEY 后再恢复。"
        )


def _code_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def check_migrations(manifest: dict) -> bool:
    """Refuse a backup made by newer code; True when this code has migrations the backup lacks."""
    applied = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    known = _code_migrations()
    unknown = sorted(applied - known)
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"备份来自较新版本的程序（数据库已执行本程序没有的迁移 {app}.{name} 等 {len(unknown)} 个），"
            "请用不低于备份时版本的程序恢复。"
        )
    return bool(known - applied)


def _app_tables() -> list[str]:
    ours = set(connection.introspection.django_table_names(include_views=False)) | {"django_migrations"}
    return sorted(ours & set(connection.introspection.table_names()))


def _has_files(directory: Path) -> bool:
    if not directory.exists():
        return False
    return any(path.is_file() or path.is_symlink() for path in directory.rglob("*"))


def check_target(manifest: dict) -> None:
    """The database must be new and empty (no table of the platform, not even django_migrations: do
    not run migrate first), and the storage and evidence directories empty or absent."""
    if manifest["database"]["engine"] != engine():
        raise BackupError(
            f"备份的数据库类型是 {manifest['database']['engine']}，当前配置的是 {engine()}：不能跨数据库类型恢复"
        )
    tables = _app_tables()
    if tables:
        raise BackupError(
            f"目标数据库不是空库（已有 {len(tables)} 张本系统的数据表，如 {tables[0]}）："
            "请恢复到新建的空数据库（不要先运行 migrate）。"
        )
    for label, directory in (
        ("上传文件目录 QINGYUAN_STORAGE_DIR", Path(settings.MEDIA_ROOT)),
        ("证据目录 QINGYUAN_EVIDENCE_DIR", Path(settings.QINGYUAN_EVIDENCE_DIR)),
        # Checkpoints of a newer chain would report the restored one as cut; move them away first.
        ("审计检查点目录 QINGYUAN_AUDIT_ANCHOR_DIR", audit.anchor_dir()),
    ):
        if _has_files(directory):
            raise BackupError(f"{label} 不是空的：请恢复到空目录，以免与已有文件混在一起")


def _restore_database(tar: tarfile.TarFile, manifest: dict, workdir: Path) -> None:
    member = manifest["database"]["member"]
    staged = workdir / member
    with tar.extractfile(member) as source, open(staged, "wb") as target:
        shutil.copyfileobj(source, target, CHUNK)
    if _sha256_file(staged) != manifest["files"][member]["sha256"]:
        raise BackupError(f"备份文件在恢复过程中被改变：{member} 的 SHA-256 与清单不符")
    connections.close_all()
    if manifest["database"]["engine"] == "sqlite":
        source = sqlite3.connect(staged)
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run_pg(
            [
                _pg_program("pg_restore"),
                "--no-password",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(staged),
            ],
            "pg_restore 恢复数据库",
        )
    staged.unlink()


def _restore_files(tar: tarfile.TarFile, manifest: dict) -> int:
    roots = {
        STORAGE_PREFIX: Path(settings.MEDIA_ROOT),
        EVIDENCE_PREFIX: Path(settings.QINGYUAN_EVIDENCE_DIR),
        ANCHOR_PREFIX: audit.anchor_dir(),
    }
    for root in roots.values():
        root.mkdir(parents=True, exist_ok=True)
    audit.anchor_dir().chmod(0o700)
    restored = 0
    for member in tar:
        prefix = next((p for p in roots if member.name.startswith(p)), None)
        if prefix is None:
            continue
        target = roots[prefix] / member.name[len(prefix) :]
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with tar.extractfile(member) as source, open(target, "xb") as out:
            for chunk in iter(lambda s=source: s.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        os.chmod(target, member.mode & 0o777 or 0o640)
        if digest.hexdigest() != manifest["files"][member.name]["sha256"]:
            raise BackupError(f"备份文件在恢复过程中被改变：{member.name} 的 SHA-256 与清单不符")
        restored += 1
    return restored


@contextmanager
def _open(path: Path):
    try:
        tar = tarfile.open(path, "r:*")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件“{path}”：{type(exc).__name__}") from exc
    with tar:
        yield tar


def restore_backup(path: Path, *, log=print) -> dict:
    """Check, then restore into the empty database and directories. Returns the manifest; the checks
    after restoring are `verify_restored`'s."""
    path = Path(path)
    with _open(path) as tar:
        manifest = _read_manifest(tar)
    log(
        f"备份：{manifest['created_at']}，程序版本 {manifest['app_version']}，数据库 {manifest['database']['engine']}"
    )
    check_keys(manifest)
    log("密钥：备份所需的字段加密密钥、索引密钥与审计密钥均已配置")
    needs_migrate = check_migrations(manifest)
    check_target(manifest)
    with _open(path) as tar:
        check_members(tar, manifest)
    log(f"清单：{len(manifest['files'])} 个成员的 SHA-256 全部相符")
    workdir = Path(tempfile.mkdtemp(prefix=".qy-restore-"))
    try:
        with _open(path) as tar:
            _restore_database(tar, manifest, workdir)
        log("数据库已恢复")
        with _open(path) as tar:
            count = _restore_files(tar, manifest)
        log(f"文件已恢复：{count} 个")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    manifest["_needs_migrate"] = needs_migrate
    return manifest


def compare_counts(manifest: dict) -> list[str]:
    problems = []
    for label, expected in manifest.get("counts", {}).items():
        try:
            actual = apps.get_model(label)._base_manager.count()
        except LookupError:
            continue
        if actual != expected:
            problems.append(f"{label}：备份 {expected} 条，恢复后 {actual} 条")
    return problems


def sample_decrypt(per_column: int = 10) -> tuple[int, list[str]]:
    """Decrypt the first and the last values of every encrypted column with the configured keys: the
    raw ciphertext is read, so a wrong key shows here rather than on an officer's page."""
    checked, problems = 0, []
    for model, field in _encrypted_columns():
        table, column, key = _q(model._meta.db_table), _q(field.column), _q(model._meta.pk.column)
        rows = []
        with connection.cursor() as cursor:
            for order in ("ASC", "DESC"):
                cursor.execute(
                    f"SELECT {key}, {column} FROM {table} WHERE {column} <> '' ORDER BY {key} {order} LIMIT %s",  # noqa: S608
                    [per_column],
                )
                rows += cursor.fetchall()
        for pk, value in sorted(dict(rows).items()):
            try:
                crypto.decrypt(value)
            except Exception as exc:  # noqa: BLE001 - any failure is a finding to report
                problems.append(f"{model._meta.label}.{field.name} #{pk}：无法解密（{type(exc).__name__}）")
            checked += 1
    return checked, problems
