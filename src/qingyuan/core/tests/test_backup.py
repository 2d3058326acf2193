"""Backup and restore between two installations (each a manage.py process with its own var/ directory,
database, storage and evidence directories): a county's lead with a real-name reporter (encrypted),
its attachment, an evidence photo and the audit rows of all that come back whole and readable, and a
restore without the right keys, into a used database or from a damaged file is refused."""

import hashlib
import io
import json
import os
import re
import sqlite3
import tarfile
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

REPORTER = "王举报人"
REPORTER_PHONE = "13912345678"
REPORTER_ID = "11010519491231002X"
PNG_HEAD = repr(b"\x89PNG")

# Run by `manage.py shell -c` in the source installation: the records a restore must bring back.
DATA = """
from django.core.files.uploadedfile import SimpleUploadedFile
from qingyuan.accounts.models import User
from qingyuan.accounts.roles import Role
from qingyuan.inspections import services as inspections
from qingyuan.leads import services as leads
from qingyuan.leads.uploads import check_files
from qingyuan.regions.models import Level, Region, Unit, UnitKind
from qingyuan.subjects import services as subjects

PNG = b"\\x89PNG\\r\\n\\x1a\\n" + bytes(range(64))

def region(code, name, level, parent=None):
    return Region.objects.create(
        code=code, name=name, level=level, parent=parent,
        full_name=(parent.full_name if parent else "") + name, prefix=Region.prefix_for(code, level),
    )

js = region("320000", "江苏省", Level.PROVINCE)
sz = region("320500", "苏州市", Level.CITY, js)
wz = region("320506", "吴中区", Level.COUNTY, sz)
town = region("320506100", "木渎镇", Level.TOWNSHIP, wz)
village = region("320506100201", "金星村委会", Level.VILLAGE, town)
unit = Unit.objects.create(name="吴中区卫生监督所", kind=UnitKind.SUPERVISION_INSTITUTE, region=wz)
alice = User(username="alice", unit=unit, role=Role.INSPECTOR, full_name="李爱丽",
             credential_no="32050601001", must_change_password=False)
alice.set_password("Qingyuan#2024")
alice.save()
subject = subjects.subject_save(actor=alice, subject=None, data={
    "name": "金星村无证诊所", "kind": "unlicensed_clinic", "address": "金星村12号", "region": village})
inspections.evidence_add(actor=alice, subject=subject, kind="photo", description="现场照片",
                         uploaded_file=SimpleUploadedFile("现场.png", PNG, content_type="image/png"))
lead = leads.lead_register(
    actor=alice, channel="phone", content="金星村有人在家里给人挂水", place="吴中区木渎镇金星村",
    reporter={"name": "REPORTER", "phone": "REPORTER_PHONE", "id_number": "REPORTER_ID"},
    attachments=check_files([SimpleUploadedFile("举报.png", PNG + b"1", content_type="image/png")]),
)
print("reporter", lead.reporter_id)
"""
DATA = (
    DATA.replace('"REPORTER_PHONE"', f'"{REPORTER_PHONE}"')
    .replace('"REPORTER_ID"', f'"{REPORTER_ID}"')
    .replace('"REPORTER"', f'"{REPORTER}"')
)

READ_REPORTER = (
    "from qingyuan.leads.models import Reporter, Lead; from qingyuan.core.crypto import blind_index;"
    "r = Reporter.objects.get();"
    "print(r.name, r.phone, r.id_number, Reporter.objects.filter(phone_index=blind_index(r.phone)).count(),"
    " Lead.objects.get().attachments.get().file.read()[:4])"
)


def _installation(root, keys, **extra):
    """The environment of a production installation whose var/, storage and evidence are under root."""
    root.mkdir(parents=True, exist_ok=True)
    return {
        "DEBUG": "0",
        "QINGYUAN_VAR_DIR": root / "var",
        "QINGYUAN_STORAGE_DIR": root / "storage",
        "QINGYUAN_EVIDENCE_DIR": root / "evidence",
        **keys,
        **extra,
    }


def _ok(done):
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


def _printed(done) -> str:
    """The last line a `shell -c` probe printed (the shell may announce its automatic imports first)."""
    return _ok(done).strip().splitlines()[-1]


@pytest.fixture(scope="module")
def source(tmp_path_factory, manage, new_keys):
    """A SQLite installation with the records above, and its backup."""
    root = tmp_path_factory.mktemp("source")
    keys = new_keys()
    env = _installation(root, keys)
    _ok(manage("migrate", "--noinput", "-v0", env=env))
    _ok(manage("shell", "-c", DATA, env=env))
    archive = root / "backup.tar"
    output = _ok(manage("backup", "-o", archive, env=env))
    return {"root": root, "keys": keys, "env": env, "archive": archive, "output": output}


@pytest.fixture(scope="module")
def restored(source, tmp_path_factory, manage):
    env = _installation(tmp_path_factory.mktemp("restored"), source["keys"])
    return {"env": env, "done": manage("restore", source["archive"], env=env)}


def test_backup_is_one_private_tar_with_database_files_and_manifest(source):
    archive = source["archive"]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        members = {m.name: tar.extractfile(m).read() for m in tar if m.name != "manifest.json"}
    assert names[0] == "database.sqlite3" and names[-1] == "manifest.json"
    assert sum(n.startswith("evidence/") for n in names) == 1
    assert sum(n.startswith("storage/leads/") for n in names) == 1
    assert manifest["format_version"] == 1 and manifest["database"]["engine"] == "sqlite"
    assert manifest["app_version"] and manifest["created_at"]
    assert "0001_initial" in manifest["migrations"]["leads"]
    assert manifest["counts"]["leads.Reporter"] == 1 and manifest["counts"]["inspections.Evidence"] == 1
    assert manifest["counts"]["core.AuditEvent"] >= 3  # subject, evidence, lead
    assert list(manifest["keys"]["field_keys"]) == ["k1"]
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["keys"]["index_key_sha256"])
    for name, data in members.items():
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest(), name
    # No key in clear anywhere, and the reporter only as ciphertext.
    everything = b"".join(members.values()) + json.dumps(manifest).encode()
    for key in (source["keys"]["QINGYUAN_INDEX_KEY"], source["keys"]["QINGYUAN_FIELD_KEYS"].split(":", 1)[1]):
        assert key.encode() not in everything
    assert REPORTER.encode() not in everything and REPORTER_ID.encode() not in everything
    assert "所需字段密钥：k1" in source["output"]


def test_restore_into_a_fresh_installation_brings_back_everything(source, restored, manage):
    output = _ok(restored["done"])
    for line in (
        "主要表行数与备份清单一致",
        "审计日志完好",
        "全部解密成功",
        "证据文件校验完毕：全部完好",
        "恢复完成",
    ):
        assert line in output
    env = restored["env"]
    assert "审计日志完好" in _ok(manage("audit_verify", env=env))
    assert "全部完好" in _ok(manage("evidence_verify", env=env))
    # The reporter decrypts with the same keys, and the blind index still finds the phone.
    read = _printed(manage("shell", "-c", READ_REPORTER, env=env))
    assert read == f"{REPORTER} {REPORTER_PHONE} {REPORTER_ID} 1 {PNG_HEAD}"
    evidence = [p for p in (env["QINGYUAN_EVIDENCE_DIR"]).rglob("*") if p.is_file()]
    assert len(evidence) == 1 and oct(evidence[0].stat().st_mode & 0o777) == "0o440"


def test_restore_is_recorded_in_the_audit_log(restored, manage):
    _ok(restored["done"])
    probe = (
        "from qingyuan.core.models import AuditEvent;"
        "e = AuditEvent.objects.filter(target_type='core.backup').latest('id');"
        "print(e.action, e.result)"
    )
    assert _printed(manage("shell", "-c", probe, env=restored["env"])) == "import ok"


def test_restore_with_another_index_key_is_refused_and_writes_nothing(source, tmp_path, manage, new_keys):
    keys = {**source["keys"], "QINGYUAN_INDEX_KEY": new_keys()["QINGYUAN_INDEX_KEY"]}
    env = _installation(tmp_path, keys)
    done = manage("restore", source["archive"], env=env)
    assert done.returncode != 0
    assert "拒绝恢复：索引密钥 QINGYUAN_INDEX_KEY 与备份时的不同" in done.stderr
    database = env["QINGYUAN_VAR_DIR"] / "qingyuan.sqlite3"
    if database.exists():
        tables = sqlite3.connect(database).execute("SELECT name FROM sqlite_master").fetchall()
        assert tables == []
    assert not any(p.is_file() for p in tmp_path.rglob("*") if "evidence" in p.parts or "storage" in p.parts)


def test_restore_without_the_field_key_names_the_missing_key(source, tmp_path, manage, new_keys):
    other = new_keys()["QINGYUAN_FIELD_KEYS"].replace("k1:", "k2:")
    env = _installation(tmp_path, {**source["keys"], "QINGYUAN_FIELD_KEYS": other})
    done = manage("restore", source["archive"], env=env)
    assert done.returncode != 0 and "缺少字段加密密钥“k1”" in done.stderr


def test_restore_with_a_different_key_under_the_same_id_is_refused(source, tmp_path, manage, new_keys):
    env = _installation(
        tmp_path, {**source["keys"], "QINGYUAN_FIELD_KEYS": new_keys()["QINGYUAN_FIELD_KEYS"]}
    )
    done = manage("restore", source["archive"], env=env)
    assert done.returncode != 0 and "字段加密密钥“k1”与备份时的不是同一个密钥" in done.stderr


def test_restore_into_a_used_database_is_refused(source, restored, manage):
    _ok(restored["done"])
    done = manage("restore", source["archive"], env=restored["env"])
    assert done.returncode != 0 and "目标数据库不是空库" in done.stderr


def test_restore_into_a_non_empty_evidence_directory_is_refused(source, tmp_path, manage):
    env = _installation(tmp_path, source["keys"])
    (tmp_path / "evidence" / "2025").mkdir(parents=True)
    (tmp_path / "evidence" / "2025" / "old").write_bytes(b"x")
    done = manage("restore", source["archive"], env=env)
    assert done.returncode != 0 and "证据目录 QINGYUAN_EVIDENCE_DIR 不是空的" in done.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(source, tmp_path, manage):
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(source["archive"]) as original, tarfile.open(damaged, "w") as copy:
        for member in original:
            data = original.extractfile(member).read()
            if member.name.startswith("evidence/"):
                data = data[:-1] + b"!"
            copy.addfile(member, io.BytesIO(data))
    env = _installation(tmp_path / "target", source["keys"])
    done = manage("restore", damaged, env=env)
    assert done.returncode != 0 and "SHA-256 与清单不符" in done.stderr
    assert not (env["QINGYUAN_EVIDENCE_DIR"]).exists() or not any(env["QINGYUAN_EVIDENCE_DIR"].rglob("*"))


def test_a_tampered_audit_log_restores_but_fails_the_checks(source, tmp_path, manage):
    """A database whose audit row was edited before the backup: every member matches the manifest, so
    it restores, and the chain check after restoring says which row and exits non-zero."""
    work = tmp_path / "work"
    work.mkdir()
    rebuilt = tmp_path / "tampered.tar"
    with tarfile.open(source["archive"]) as original:
        manifest = json.loads(original.extractfile("manifest.json").read())
        database = work / "database.sqlite3"
        database.write_bytes(original.extractfile("database.sqlite3").read())
        with sqlite3.connect(database) as conn:
            # Someone with access to the database file itself: the append-only triggers go first.
            triggers = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditevent'"
            ).fetchall()
            for (name,) in triggers:
                conn.execute(f'DROP TRIGGER "{name}"')
            conn.execute(
                "UPDATE core_auditevent SET target_repr = 'x' WHERE id = (SELECT MIN(id) FROM core_auditevent)"
            )
        data = database.read_bytes()
        manifest["files"]["database.sqlite3"] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }
        with tarfile.open(rebuilt, "w") as copy:
            for member in original:
                body = original.extractfile(member).read()
                if member.name == "database.sqlite3":
                    body = data
                elif member.name == "manifest.json":
                    body = json.dumps(manifest).encode()
                member.size = len(body)
                copy.addfile(member, io.BytesIO(body))
    done = manage("restore", rebuilt, env=_installation(tmp_path / "target", source["keys"]))
    assert done.returncode != 0
    assert "✗ 审计日志第" in done.stdout and "内容与哈希不符（记录被篡改）" in done.stdout
    assert "恢复完成，但校验发现 1 个问题" in done.stderr


def test_backup_does_not_overwrite_an_existing_file(source, manage):
    done = manage("backup", "-o", source["archive"], env=source["env"])
    assert done.returncode != 0 and "已存在" in done.stderr


def test_missing_postgresql_client_is_named_with_its_package(monkeypatch):
    from qingyuan.core import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(
        backup.BackupError, match="找不到 pg_dump：请安装 PostgreSQL 客户端.*postgresql-client"
    ):
        backup._pg_program("pg_dump")


# --- PostgreSQL: pg_dump / pg_restore between two throwaway databases -------------------------


def _pg_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@pytest.mark.postgres
def test_postgresql_round_trip_between_two_databases(tmp_path, manage, new_keys):
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"] or not os.environ.get("DATABASE_URL"):
        pytest.skip("pg_dump/pg_restore round trip runs when the suite runs on PostgreSQL (DATABASE_URL)")
    names = (f"qy_ops_backup_src_{os.getpid()}", f"qy_ops_backup_dst_{os.getpid()}")
    for name in names:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        keys = new_keys()
        source = _installation(tmp_path / "source", keys, DATABASE_URL=_pg_url(names[0]))
        _ok(manage("migrate", "--noinput", "-v0", env=source))
        _ok(manage("shell", "-c", DATA, env=source))
        archive = tmp_path / "backup.tar.gz"
        _ok(manage("backup", "-o", archive, env=source))
        with tarfile.open(archive) as tar:
            manifest = json.loads(tar.extractfile("manifest.json").read())
            assert tar.getnames()[0] == "database.pgdump"
        assert manifest["database"]["engine"] == "postgresql" and manifest["counts"]["leads.Reporter"] == 1

        target = _installation(tmp_path / "target", keys, DATABASE_URL=_pg_url(names[1]))
        output = _ok(manage("restore", archive, env=target))
        assert "恢复完成，全部校验通过" in output
        assert "审计日志完好" in _ok(manage("audit_verify", env=target))
        assert "全部完好" in _ok(manage("evidence_verify", env=target))
        read = _printed(manage("shell", "-c", READ_REPORTER, env=target))
        assert read.startswith(f"{REPORTER} {REPORTER_PHONE} {REPORTER_ID} 1")
        again = manage("restore", archive, env=target)
        assert again.returncode != 0 and "目标数据库不是空库" in again.stderr
    finally:
        for name in names:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
