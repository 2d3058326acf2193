"""The on-site records (cases.records): who may make them, where, with whom, and what they leave."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.cases import records
from qingyuan.cases.models import Case, CaseEvent, CaseStatus
from qingyuan.cases.models_procedure import EvidenceHold, HoldDecision, Inquiry, OrderKind, SupervisionOrder
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.core.workdays import add_working_days
from qingyuan.inspections.models import Inspection

HOSTILE = "& < > = 𠮷"
ID_NUMBER = "11010519491231002X"


def _ago(**kwargs):
    return timezone.now() - dt.timedelta(**kwargs)


def inquiry(p, *, actor="alice", officers=("alice", "bob"), **fields):
    values = {
        "person_name": "张三",
        "relation": "当事人",
        "started_at": _ago(hours=2),
        "ended_at": _ago(hours=1),
        "place": "金星村12号",
        "content": "问：你是否取得医师资格？答：没有。",
        "person_id_number": ID_NUMBER,
        "person_phone": "13912345678",
    }
    values.update(fields)
    return records.record_inquiry(actor=p[actor], officers=[p[o] for o in officers], **values)


def hold(p, *, actor="alice", officers=("alice", "bob"), approver="chief", **fields):
    values = {
        "held_at": _ago(hours=3),
        "items": "输液器 3 套\n头孢曲松钠 5 盒",
        "place": "吴中区卫生监督所证物室",
    }
    values.update(fields)
    return records.record_hold(
        actor=p[actor],
        officers=[p[o] for o in officers],
        approved_by=p[approver] if approver else None,
        **values,
    )


# --- 询问笔录 ----------------------------------------------------------------------------------------------


def test_inquiry_on_a_case_keeps_its_officers_and_adds_a_timeline_line_and_an_audit_row(personas, case):
    found = inquiry(personas, case=case)
    assert set(found.officers.values_list("username", flat=True)) == {"alice", "bob"}
    assert CaseEvent.objects.filter(case=case, action="询问笔录", note="询问张三（当事人）").exists()
    row = AuditEvent.objects.get(target_type="cases.inquiry", target_id=str(found.pk))
    assert row.action == "create" and row.actor_id == personas["alice"].pk
    assert ID_NUMBER not in str(row.after) and "1101**********002X" in str(row.after)
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING  # a record, not a step


def test_id_number_and_phone_are_encrypted_at_rest_and_masked_for_the_page(personas, case):
    found = inquiry(personas, case=case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT person_id_number, person_phone FROM cases_inquiry WHERE id = %s", [found.pk])
        stored = " ".join(cursor.fetchone())
    assert ID_NUMBER not in stored and "13912345678" not in stored
    assert Inquiry.objects.get(pk=found.pk).person_id_number == ID_NUMBER
    assert records.masked_person(found) == {"id_number": "1101**********002X", "phone": "139****5678"}


def test_a_single_officer_cannot_make_an_inquiry(personas, case):
    with pytest.raises(ValidationError) as exc:
        inquiry(personas, case=case, officers=("alice",))
    assert "至少2名" in str(exc.value.message_dict["officers"])
    assert not Inquiry.objects.exists() and not CaseEvent.objects.filter(case=case).exists()


def test_an_officer_without_enforcement_credential_is_refused(personas, case):
    # 孙志强 is a section chief without an enforcement credential.
    with pytest.raises(ValidationError) as exc:
        inquiry(personas, case=case, officers=("alice", "chief"))
    assert "孙志强没有执法证号" in str(exc.value.message_dict["officers"])


def test_times_in_the_future_or_an_end_before_the_start_are_refused(personas, case):
    with pytest.raises(ValidationError) as exc:
        inquiry(personas, case=case, started_at=timezone.now() + dt.timedelta(hours=2), ended_at=None)
    assert exc.value.message_dict["started_at"] == ["询问开始时间不能晚于当前时间"]
    with pytest.raises(ValidationError) as exc:
        inquiry(personas, case=case, started_at=_ago(hours=1), ended_at=_ago(hours=2))
    assert exc.value.message_dict["ended_at"] == ["询问结束时间须晚于开始时间"]
    assert not Inquiry.objects.exists()


def test_a_bad_id_number_is_refused_by_name(personas, case):
    with pytest.raises(ValidationError) as exc:
        inquiry(personas, case=case, person_id_number="110105194912310021")
    assert exc.value.message_dict["person_id_number"] == ["身份证号码校验位错误"]


def test_neighbouring_county_officer_cannot_write_on_the_case_or_the_inspection(personas, case, inspection):
    with pytest.raises(PermissionDenied):
        inquiry(personas, actor="carol", case=case)
    with pytest.raises(PermissionDenied):
        inquiry(personas, actor="carol", inspection=inspection)
    assert not Inquiry.objects.exists()


def test_a_clerk_without_the_edit_permission_cannot_write(personas, case, inspection):
    with pytest.raises(PermissionDenied, match="您没有记录询问笔录的权限"):
        inquiry(personas, actor="clerk", case=case)
    with pytest.raises(PermissionDenied):
        inquiry(personas, actor="clerk", inspection=inspection)


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.REVOKED, CaseStatus.TRANSFERRED])
def test_a_case_that_has_ended_takes_no_more_records(personas, case, status):
    Case.objects.filter(pk=case.pk).update(status=status)
    with pytest.raises(ValidationError, match="不能再记录询问笔录"):
        inquiry(personas, case=case)
    with pytest.raises(ValidationError, match="不能再记录先行登记保存"):
        hold(personas, case=case)
    assert not Inquiry.objects.exists() and not EvidenceHold.objects.exists()
    assert not CaseEvent.objects.filter(case=case).exists()


def test_hostile_text_is_kept_exactly(personas, case):
    found = inquiry(personas, case=case, person_name=f"张{HOSTILE}", content=f"问：{HOSTILE}\n答：{HOSTILE}")
    found = Inquiry.objects.get(pk=found.pk)
    assert found.person_name == f"张{HOSTILE}"
    assert found.content == f"问：{HOSTILE}\n答：{HOSTILE}"


def test_inquiry_on_an_inspection_uses_the_inspection_rules_and_adds_no_case_event(personas, inspection):
    with pytest.raises(ValidationError) as exc:
        inquiry(personas, inspection=inspection, officers=("alice",))
    assert "现场检查须有至少2名执法人员（已选1名）" in exc.value.message_dict["officers"]
    found = inquiry(personas, inspection=inspection)
    assert found.inspection == inspection and found.case is None
    assert not CaseEvent.objects.exists()
    assert AuditEvent.objects.filter(target_type="cases.inquiry", target_id=str(found.pk)).exists()


# --- 卫生监督意见书 / 责令改正通知书 ---------------------------------------------------------------------------


def test_correction_order_needs_its_basis_and_a_deadline_not_before_the_issue_day(personas, case):
    today = timezone.localdate()
    base = {"actor": personas["alice"], "case": case, "officers": [personas["alice"], personas["bob"]]}
    with pytest.raises(ValidationError) as exc:
        records.record_order(**base, kind=OrderKind.CORRECTION, issued_on=today, content="立即停止执业活动")
    assert exc.value.message_dict == {"basis": ["请填写法律依据"], "correct_by": ["请填写改正期限"]}
    with pytest.raises(ValidationError) as exc:
        records.record_order(
            **base,
            kind=OrderKind.CORRECTION,
            issued_on=today,
            content="立即停止执业活动",
            basis="《医疗机构管理条例》第二十三条",
            correct_by=today - dt.timedelta(days=1),
        )
    assert exc.value.message_dict == {"correct_by": ["改正期限不能早于出具日期"]}
    with pytest.raises(ValidationError) as exc:
        records.record_order(
            **base, kind=OrderKind.OPINION, issued_on=today + dt.timedelta(days=1), content="x"
        )
    assert exc.value.message_dict == {"issued_on": ["出具日期不能晚于今天"]}
    assert not SupervisionOrder.objects.exists()


def test_correction_deadline_waits_for_a_later_inspection_of_the_site(personas, case, subject, units):
    today = timezone.localdate()
    order = records.record_order(
        actor=personas["alice"],
        case=case,
        officers=[personas["alice"], personas["bob"]],
        kind=OrderKind.CORRECTION,
        issued_on=today - dt.timedelta(days=10),
        content=f"立即停止执业活动{HOSTILE}",
        basis="《医疗机构管理条例》第二十三条",
        correct_by=today - dt.timedelta(days=3),
    )
    assert order.subject == subject and order.content == f"立即停止执业活动{HOSTILE}"
    assert CaseEvent.objects.filter(case=case, action="出具责令改正通知书").exists()
    followup = records.correction_followup(order, personas["alice"], today)
    assert followup["checked"] is None and followup["badge"].text == "已超期3天"
    later = Inspection.objects.create(
        kind="overt",
        started_at=_ago(days=1),
        subject=subject,
        region=subject.region,
        unit=units["wuzhong"],
        officer_count=2,
        outcome="no_violation",
        recorded_by=personas["bob"],
    )
    assert records.correction_followup(order, personas["alice"], today)["checked"] == later
    # The neighbouring county does not learn of the later inspection.
    assert records.correction_followup(order, personas["carol"], today)["checked"] is None


# --- 先行登记保存 ---------------------------------------------------------------------------------------------


def test_hold_is_approved_by_a_head_of_the_unit_who_is_not_one_of_the_officers(personas, units, case):
    p = dict(personas)
    with pytest.raises(ValidationError) as exc:
        hold(p, case=case, approver="bob")
    assert exc.value.message_dict["approved_by"] == ["批准负责人须为本单位的科室负责人或领导"]
    p["xc_chief"] = make_user("xc_chief", units["xiangcheng"], Role.CHIEF, "钱主任")
    with pytest.raises(ValidationError) as exc:
        hold(p, case=case, approver="xc_chief")
    assert exc.value.message_dict["approved_by"] == ["批准负责人须为本单位的科室负责人或领导"]
    p["field_chief"] = make_user("field_chief", units["wuzhong"], Role.CHIEF, "周科长", "32050601009")
    with pytest.raises(ValidationError) as exc:
        hold(p, case=case, officers=("alice", "field_chief"), approver="field_chief")
    assert exc.value.message_dict["approved_by"] == ["批准负责人不能是实施保存的执法人员"]
    with pytest.raises(ValidationError) as exc:
        hold(p, case=case, approver=None)
    assert exc.value.message_dict["approved_by"] == ["请选择批准的负责人"]
    assert not EvidenceHold.objects.exists()

    found = hold(p, case=case, officers=("alice", "field_chief"), approver="chief")
    assert found.approved_by == p["chief"] and found.subject == case.subject
    assert CaseEvent.objects.filter(case=case, action="先行登记保存").exists()


def test_hold_decided_in_time_is_not_late_and_is_decided_once(personas, case):
    found = hold(personas, case=case, held_at=_ago(hours=3))
    today = timezone.localdate()
    clock = records.hold_clock(found)
    assert clock["decide_due"] == add_working_days(today, 7) and not clock["reported_late"]
    found = records.decide_hold(
        actor=personas["bob"], hold=found, decided_on=today, decision=HoldDecision.RELEASE
    )
    assert not records.hold_clock(found)["late"]
    event = CaseEvent.objects.get(case=case, action="先行登记保存处理决定")
    assert event.note == "解除先行登记保存"
    assert AuditEvent.objects.filter(target_type="cases.evidencehold", action="update").count() == 1
    with pytest.raises(ValidationError, match="已于"):
        records.decide_hold(
            actor=personas["bob"], hold=found, decided_on=today, decision=HoldDecision.CONFISCATE
        )


def test_hold_decided_after_the_limit_is_recorded_and_marked_late(personas, case):
    found = hold(personas, case=case, held_at=_ago(days=30))
    today = timezone.localdate()
    due = records.hold_clock(found)["decide_due"]
    assert due < today
    found = records.decide_hold(
        actor=personas["alice"],
        hold=found,
        decided_on=today,
        decision=HoldDecision.CONFISCATE,
        decision_text=f"依法没收{HOSTILE}",
    )
    assert records.hold_clock(found)["late"]
    assert EvidenceHold.objects.get(pk=found.pk).decision_text == f"依法没收{HOSTILE}"
    note = CaseEvent.objects.get(case=case, action="先行登记保存处理决定").note
    assert note == f"依法没收（超过处理期限{due:%Y-%m-%d}）"


def test_hold_decision_dates_and_permissions(personas, case):
    found = hold(personas, case=case, held_at=_ago(days=2))
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        records.decide_hold(
            actor=personas["alice"], hold=found, decided_on=today - dt.timedelta(days=5), decision="release"
        )
    assert exc.value.message_dict == {"decided_on": ["处理决定日期不能早于保存日期"]}
    with pytest.raises(ValidationError) as exc:
        records.decide_hold(actor=personas["alice"], hold=found, decided_on=today, decision="confiscate")
    assert exc.value.message_dict == {"decision_text": ["请填写处理决定内容（依据、物品去向）"]}
    with pytest.raises(PermissionDenied):
        records.decide_hold(actor=personas["carol"], hold=found, decided_on=today, decision="release")
    assert EvidenceHold.objects.get(pk=found.pk).decided_on is None


def test_hold_on_an_inspection_is_approved_by_the_inspecting_unit(personas, inspection):
    found = hold(personas, inspection=inspection)
    assert found.inspection == inspection and found.case is None
    with pytest.raises(PermissionDenied):
        hold(personas, actor="carol", inspection=inspection)
