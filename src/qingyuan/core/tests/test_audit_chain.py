"""The keyed audit chain and its checkpoints outside the database (core.audit, docs/security.md): what
someone with access to the database does to hide rows (delete the newest ones, delete rows in the
middle and recompute the chain without the key, edit a row) is reported, naming the row."""

import base64
import hashlib
import json
import os
import stat
import tarfile
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from qingyuan.core import audit, schedule
from qingyuan.core.models import AuditEvent, Notification


@contextmanager
def _without_triggers():
    """Someone with database access: the append-only triggers go first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
            yield cursor
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
            yield cursor  # the test's transaction rolls the triggers back in


def _delete(ids):
    with _without_triggers() as cursor:
        cursor.execute(f"DELETE FROM core_auditevent WHERE id IN ({','.join('%s' for _ in ids)})", list(ids))


def _rechain_with_plain_sha256(*, downgrade: bool):
    """Recompute every row's link and hash with SHA-256, as the unkeyed chain was: all one can do
    without QINGYUAN_AUDIT_KEY. `downgrade` also marks the rows as unkeyed ones."""
    with _without_triggers() as cursor:
        prev = audit.GENESIS
        for event in AuditEvent.objects.order_by("id"):
            event.prev_hash = prev
            if downgrade:
                event.hash_scheme = audit.LEGACY
            event.hash = prev = hashlib.sha256(audit._payload(event)).hexdigest()
            cursor.execute(
                "UPDATE core_auditevent SET prev_hash = %s, hash = %s, hash_scheme = %s WHERE id = %s",
                [event.prev_hash, event.hash, event.hash_scheme, event.pk],
            )


def _lines():
    path = audit.anchor_dir() / audit.ANCHOR_FILE
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def rows(personas):
    """Five rows, two of them reveals of a reporter's identity."""
    actions = ["update", "reveal", "update", "reveal", "update"]
    return [
        audit.record(actor=personas["alice"], action=action, target_type="leads.reporter", after={"n": i})
        for i, action in enumerate(actions)
    ]


def test_a_clean_chain_verifies_and_its_head_is_anchored_outside_the_database(rows, capsys):
    call_command("audit_verify")
    assert "审计日志完好：共校验 5 条" in capsys.readouterr().out
    assert {row.hash_scheme for row in rows} == {"hmac-sha256"}
    (line,) = _lines()
    point = json.loads(line)
    assert (point["id"], point["hash"], point["count"]) == (rows[-1].pk, rows[-1].hash, 5)
    assert stat.S_IMODE((audit.anchor_dir() / audit.ANCHOR_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(audit.anchor_dir().stat().st_mode) == 0o700
    call_command("audit_verify")
    assert len(_lines()) == 1  # nothing new: no new checkpoint


def test_deleting_the_newest_rows_is_reported_as_truncation(rows):
    audit.checkpoint()
    _delete([rows[3].pk, rows[4].pk])
    with pytest.raises(CommandError, match=f"审计日志在第 {rows[2].pk} 条之后被截断或改写"):
        call_command("audit_verify")


def test_a_truncated_chain_that_grows_again_is_still_reported(rows, personas):
    audit.checkpoint()
    _delete([rows[3].pk, rows[4].pk])
    audit.record(actor=personas["alice"], action="update", target_type="demo")  # links onto rows[2]
    checked, broken, _reason = audit.verify_chain()
    assert broken.message.startswith(f"在第 {rows[2].pk} 条之后被截断或改写")
    assert f"第 {rows[4].pk} 条已不存在" in broken.reason


def test_deleting_two_reveals_and_recomputing_sha256_is_detected(rows):
    _delete([rows[1].pk, rows[3].pk])
    _rechain_with_plain_sha256(downgrade=False)
    with pytest.raises(CommandError, match=f"第 {rows[0].pk} 条校验失败：内容与哈希不符"):
        call_command("audit_verify")


def test_rewriting_the_whole_chain_as_unkeyed_rows_does_not_match_the_checkpoint(rows):
    audit.checkpoint()
    _delete([rows[1].pk, rows[3].pk])
    _rechain_with_plain_sha256(downgrade=True)
    checked, broken, _reason = audit.verify_chain()
    assert broken is not None and "被截断或改写" in broken.message


def test_an_unkeyed_row_after_a_keyed_one_is_detected(rows, monkeypatch, personas):
    monkeypatch.setattr(audit, "current_scheme", lambda: audit.LEGACY)
    late = audit.record(actor=personas["alice"], action="update", target_type="demo")
    checked, broken, _reason = audit.verify_chain()
    assert broken.pk == late.pk and "带密钥的记录之后出现无密钥的记录" in broken.reason


def test_an_edited_row_in_the_middle_is_named(rows):
    audit.checkpoint()
    with _without_triggers() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_name = 'someone' WHERE id = %s", [rows[2].pk])
    with pytest.raises(CommandError, match=f"审计日志第 {rows[2].pk} 条校验失败：内容与哈希不符"):
        call_command("audit_verify")
    assert len(_lines()) == 1  # a broken chain is never anchored


def test_a_row_deleted_in_the_middle_is_named(rows):
    _delete([rows[2].pk])
    checked, broken, _reason = audit.verify_chain()
    assert broken.pk == rows[3].pk and "前一条哈希不符" in broken.reason and checked == 2


def test_without_the_key_the_chain_does_not_verify(rows, settings):
    settings.QINGYUAN_AUDIT_KEY = base64.b64encode(os.urandom(32)).decode()
    checked, broken, _reason = audit.verify_chain()
    assert broken.pk == rows[0].pk and checked == 0


def test_old_unkeyed_rows_followed_by_keyed_rows_verify(personas, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(audit, "current_scheme", lambda: audit.LEGACY)
        old = [audit.record(actor=personas["alice"], action="update", target_type="demo") for _ in range(2)]
    assert old[1].hash == hashlib.sha256(audit._payload(old[1])).hexdigest()  # as written before keying
    new = audit.record(actor=personas["alice"], action="update", target_type="demo")
    assert new.hash_scheme == "hmac-sha256" and new.prev_hash == old[1].hash
    audit.record_many([{"action": "import", "target_type": "demo", "target_id": i} for i in range(3)])
    assert audit.verify_and_anchor()[:2] == (6, None)
    assert json.loads(_lines()[-1])["count"] == 6


def test_sm3_rows_verify_and_follow_sha256_rows(rows, settings, personas):
    settings.QINGYUAN_AUDIT_HASH = "sm3"
    event = audit.record(actor=personas["alice"], action="reveal", target_type="leads.reporter")
    assert event.hash_scheme == "hmac-sm3" and event.prev_hash == rows[-1].hash
    assert audit.verify_and_anchor()[:2] == (6, None)
    assert json.loads(_lines()[-1])["mac_alg"] == "hmac-sm3"
    with _without_triggers() as cursor:
        cursor.execute("UPDATE core_auditevent SET result = 'failed' WHERE id = %s", [event.pk])
    assert audit.verify_chain()[1].pk == event.pk


def test_an_edited_checkpoint_is_reported(rows):
    audit.checkpoint()
    path = audit.anchor_dir() / audit.ANCHOR_FILE
    point = json.loads(path.read_text())
    point["count"] = 3
    path.write_text(json.dumps(point) + "\n")
    with pytest.raises(CommandError, match="检查点文件 checkpoints.jsonl 第 1 行签名不符"):
        call_command("audit_verify")


def test_the_checkpoint_job_writes_once_while_nothing_changes(rows, personas):
    first, second = schedule.run("core.audit_checkpoint"), schedule.run("core.audit_checkpoint")
    assert (first.outcome, first.count, second.outcome, second.count) == ("ok", 1, "ok", 0)
    assert len(_lines()) == 1
    audit.record(actor=personas["alice"], action="update", target_type="demo")
    assert schedule.run("core.audit_checkpoint").count == 1
    assert [json.loads(line)["count"] for line in _lines()] == [5, 6]


def test_the_checkpoint_job_does_not_anchor_a_cut_chain_and_tells_the_administrators(rows, personas):
    schedule.run("core.audit_checkpoint")
    _delete([rows[4].pk])
    first, second = schedule.run("core.audit_checkpoint"), schedule.run("core.audit_checkpoint")
    assert first.outcome == second.outcome == "alert"
    assert f"在第 {rows[3].pk} 条之后被截断或改写" in first.summary
    assert len(_lines()) == 1
    told = Notification.objects.filter(text__contains="被截断或改写")
    assert sorted(told.values_list("user__username", flat=True)) == ["aud", "sam"]


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_delete_audit_rows(personas):
    event = audit.record(actor=personas["alice"], action="reveal", target_type="leads.reporter")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_backup_carries_the_checkpoints_and_restore_puts_them_back(tmp_path, manage, new_keys):
    keys = new_keys()

    def installation(name, **extra):
        root = tmp_path / name
        return {"DEBUG": "0", "QINGYUAN_VAR_DIR": root / "var", "QINGYUAN_STORAGE_DIR": root / "storage",
                "QINGYUAN_EVIDENCE_DIR": root / "evidence", **keys, **extra}  # fmt: skip

    def ok(done):
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    source = installation("source")
    ok(manage("migrate", "--noinput", "-v0", env=source))
    ok(
        manage(
            "shell",
            "-c",
            "from qingyuan.core import audit; audit.record(action='update', target_type='demo')",
            env=source,
        )
    )
    ok(manage("audit_verify", env=source))
    archive = tmp_path / "backup.tar"
    ok(manage("backup", "-o", archive, env=source))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert "anchors/checkpoints.jsonl" in manifest["files"]
    assert (
        manifest["keys"]["audit_key_sha256"]
        == hashlib.sha256(base64.b64decode(keys["QINGYUAN_AUDIT_KEY"])).hexdigest()
    )

    other = installation("other", QINGYUAN_AUDIT_KEY=new_keys()["QINGYUAN_AUDIT_KEY"])
    refused = manage("restore", archive, env=other)
    assert refused.returncode != 0 and "审计密钥 QINGYUAN_AUDIT_KEY 与备份时的不同" in refused.stderr

    target = installation("target")
    ok(manage("restore", archive, env=target))
    restored = target["QINGYUAN_VAR_DIR"] / "audit_anchors" / "checkpoints.jsonl"
    original = source["QINGYUAN_VAR_DIR"] / "audit_anchors" / "checkpoints.jsonl"
    assert restored.read_text() == original.read_text()
    assert stat.S_IMODE(restored.stat().st_mode) == 0o600
    assert "审计日志完好" in ok(manage("audit_verify", env=target))
