import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from qingyuan.core import audit
from qingyuan.core.models import AuditEvent


def _tamper(sql, params):
    """Bypass the append-only triggers the way an attacker with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
            cursor.execute(sql, params)


@pytest.fixture
def three_events(personas):
    return [
        audit.record(
            actor=personas["alice"],
            action="update",
            target_type="demo",
            target_repr=f"第{i}次",
            after={"n": i},
        )
        for i in range(3)
    ]


def test_verify_command_reports_an_intact_chain(three_events, capsys):
    call_command("audit_verify")
    assert "审计日志完好" in capsys.readouterr().out


def test_verify_command_names_the_first_edited_row(three_events):
    target = three_events[1]
    _tamper("UPDATE core_auditevent SET target_repr = %s WHERE id = %s", ["改过了", target.pk])
    with pytest.raises(CommandError, match=f"第 {target.pk} 条.*篡改"):
        call_command("audit_verify")


def test_verify_command_notices_a_deleted_row(three_events):
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [three_events[1].pk])
    with pytest.raises(CommandError, match=f"第 {three_events[2].pk} 条"):
        call_command("audit_verify")


def test_audit_rows_cannot_be_changed_through_the_orm(three_events):
    event = AuditEvent.objects.get(pk=three_events[0].pk)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(result="fail")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_database_refuses_to_update_audit_rows(personas):
    event = audit.record(actor=personas["alice"], action="update", target_type="demo")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET result = 'x' WHERE id = %s", [event.pk])


def test_bulk_audit_rows_continue_the_chain(three_events, capsys):
    audit.record_many([{"action": "import", "target_type": "demo", "target_id": i} for i in range(5)])
    assert AuditEvent.objects.count() == 8
    call_command("audit_verify")


def test_each_audit_row_carries_request_id_and_client_address(login, personas):
    client = login("alice")
    response = client.get("/subjects/?export=xlsx", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.actor_name == "alice"
    assert event.ip == "10.1.2.3"
    assert event.request_id == response["X-Request-ID"]
