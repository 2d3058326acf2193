import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qingyuan.cases import rechecks
from qingyuan.cases.models import CaseStatus, Recheck, RecheckKind, RecheckResult
from qingyuan.core.models import AuditEvent, Notification
from qingyuan.subjects.models import SubjectStatus

from .test_followup_data import decide, make_case, make_subject

D = dt.date


def inspection_of(subject, day, personas):
    """The re-inspection's record, once Recheck.inspection exists; until then the date stands alone."""
    if not rechecks._has_inspection_field():
        return None
    from qingyuan.inspections.models import Inspection

    inspection = Inspection.objects.create(
        kind="recheck",
        started_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.timezone(dt.timedelta(hours=8))),
        subject=subject,
        region=subject.region,
        unit=personas["alice"].unit,
        outcome="no_violation",
        recorded_by=personas["alice"],
    )
    inspection.officers.set([personas["alice"], personas["bob"]])
    return inspection


@pytest.fixture
def banned(regions, personas):
    case = make_case(region=regions["village"], proposer=personas["alice"], status=CaseStatus.DECIDED)
    decision = decide(case, D(2026, 7, 1), by=personas["chief"], status=CaseStatus.DECIDED)
    return case, decision


def test_a_ban_schedules_a_recheck_and_marks_the_subject_banned(banned, personas, settings):
    settings.QINGYUAN_RECHECK_DAYS = 45
    case, decision = banned
    recheck = rechecks.schedule_after_decision(actor=personas["chief"], decision=decision)
    assert recheck.kind == RecheckKind.RECHECK
    assert recheck.due_on == D(2026, 8, 15)
    case.subject.refresh_from_db()
    assert case.subject.status == SubjectStatus.BANNED
    assert AuditEvent.objects.filter(target_type="subjects.subject", action="update").exists()
    # Running it again changes nothing.
    assert rechecks.schedule_after_decision(actor=personas["chief"], decision=decision) == recheck
    assert Recheck.objects.count() == 1


def test_a_decision_without_a_ban_schedules_nothing(regions, personas):
    case = make_case(region=regions["village"], proposer=personas["alice"])
    decision = decide(case, D(2026, 7, 1), by=personas["chief"], ban=False)
    assert rechecks.schedule_after_decision(actor=personas["chief"], decision=decision) is None
    case.subject.refresh_from_db()
    assert case.subject.status == SubjectStatus.ACTIVE
    assert not Recheck.objects.exists()


def test_a_reoffending_recheck_links_the_new_case_to_the_earlier_one(banned, regions, personas):
    case, decision = banned
    recheck = rechecks.schedule_after_decision(actor=personas["chief"], decision=decision)
    new_case = make_case(
        region=regions["village"],
        proposer=personas["alice"],
        subject=case.subject,
        offence_date=D(2026, 9, 1),
    )
    recheck = rechecks.recheck_complete(
        actor=personas["alice"],
        recheck=recheck,
        inspection=inspection_of(case.subject, D(2026, 9, 1), personas),
        done_on=D(2026, 9, 1),
        result=RecheckResult.REOFFENDED,
        new_case=new_case,
    )
    new_case.refresh_from_db()
    assert new_case.earlier_case == case
    assert recheck.new_case == new_case
    assert recheck.result == RecheckResult.REOFFENDED and recheck.done_on == D(2026, 9, 1)
    with pytest.raises(ValidationError, match="已登记结果"):
        rechecks.recheck_complete(
            actor=personas["alice"], recheck=recheck, done_on=D(2026, 9, 2), result="clean"
        )


def test_the_new_case_can_be_linked_after_the_recheck(banned, regions, personas):
    case, decision = banned
    recheck = rechecks.schedule_after_decision(actor=personas["chief"], decision=decision)
    recheck = rechecks.recheck_complete(
        actor=personas["alice"],
        recheck=recheck,
        inspection=inspection_of(case.subject, D(2026, 9, 1), personas),
        done_on=D(2026, 9, 1),
        result=RecheckResult.REOFFENDED,
    )
    new_case = make_case(region=regions["village"], proposer=personas["alice"], offence_date=D(2026, 9, 1))
    rechecks.reoffence_link(actor=personas["alice"], recheck=recheck, new_case=new_case)
    new_case.refresh_from_db()
    assert new_case.earlier_case == case
    assert Recheck.objects.get(pk=recheck.pk).new_case == new_case


def test_recheck_needs_the_inspection_of_that_subject(banned, regions, personas):
    case, decision = banned
    recheck = rechecks.schedule_after_decision(actor=personas["chief"], decision=decision)
    if not rechecks._has_inspection_field():
        with pytest.raises(ValidationError, match="不能早于原处罚决定日期"):
            rechecks.recheck_complete(
                actor=personas["alice"], recheck=recheck, done_on=D(2026, 6, 1), result="clean"
            )
        return
    with pytest.raises(ValidationError, match="请选择复查时的检查记录"):
        rechecks.recheck_complete(
            actor=personas["alice"], recheck=recheck, done_on=D(2026, 9, 1), result="clean"
        )
    other = inspection_of(make_subject(regions["village"], "别家"), D(2026, 9, 1), personas)
    with pytest.raises(ValidationError, match="该监管对象的检查"):
        rechecks.recheck_complete(actor=personas["alice"], recheck=recheck, inspection=other, result="clean")
    early = inspection_of(case.subject, D(2026, 6, 1), personas)
    with pytest.raises(ValidationError, match="不能早于原处罚决定日期"):
        rechecks.recheck_complete(actor=personas["alice"], recheck=recheck, inspection=early, result="clean")
    with pytest.raises(PermissionDenied):
        rechecks.recheck_complete(
            actor=personas["clerk"],
            recheck=recheck,
            inspection=inspection_of(case.subject, D(2026, 9, 1), personas),
            result="clean",
        )


def _banned_case(region, personas, decided_on, *, ban=True, status=CaseStatus.CLOSED, name="诊所"):
    proposer = personas["carol"] if region.code.startswith("320507") else personas["alice"]
    case = make_case(region=region, proposer=proposer, subject=make_subject(region, name))
    decide(case, decided_on, by=proposer, ban=ban, status=status)
    return case


def test_lookback_picks_exactly_the_subjects_banned_in_the_period_in_the_users_jurisdiction(
    regions, personas
):
    inside = _banned_case(regions["village"], personas, D(2024, 3, 1), name="甲诊所")
    inside_too = _banned_case(regions["community"], personas, D(2024, 12, 31), name="乙诊所")
    _banned_case(regions["village"], personas, D(2023, 12, 31), name="丙诊所")  # before the period
    _banned_case(regions["village"], personas, D(2024, 6, 1), ban=False, name="丁诊所")  # fined only
    _banned_case(regions["village"], personas, D(2024, 6, 1), status=CaseStatus.REVOKED, name="戊诊所")
    neighbour = _banned_case(regions["xc_village"], personas, D(2024, 6, 1), name="相城诊所")

    lookback = rechecks.lookback_start(
        actor=personas["chief"],
        name="2024年取缔黑诊所回头看",
        region=regions["wuzhong"],
        banned_from=D(2024, 1, 1),
        banned_to=D(2024, 12, 31),
        due_on=D(2026, 12, 31),
    )

    items = lookback.items.all()
    assert {i.case for i in items} == {inside, inside_too}
    assert {i.kind for i in items} == {RecheckKind.LOOKBACK}
    assert {i.due_on for i in items} == {D(2026, 12, 31)}
    assert rechecks.lookback_progress(lookback) == {"total": 2, "done": 0, "reoffended": 0, "percent": 0}

    city = rechecks.lookback_start(
        actor=personas["dave"],
        name="全市回头看",
        region=regions["city"],
        banned_from=D(2024, 1, 1),
        banned_to=D(2024, 12, 31),
    )
    assert neighbour in {i.case for i in city.items.all()}


def test_lookback_outside_the_jurisdiction_is_refused(regions, personas):
    with pytest.raises(ValidationError, match="辖区"):
        rechecks.lookback_start(
            actor=personas["chief"],
            name="越界",
            region=regions["xiangcheng"],
            banned_from=D(2024, 1, 1),
            banned_to=D(2024, 12, 31),
        )
    with pytest.raises(PermissionDenied):
        rechecks.lookback_start(
            actor=personas["alice"],
            name="无权",
            region=regions["wuzhong"],
            banned_from=D(2024, 1, 1),
            banned_to=D(2024, 12, 31),
        )


def test_reminders_reach_the_unit_once(banned, personas, django_capture_on_commit_callbacks):
    case, decision = banned
    recheck = rechecks.schedule_after_decision(actor=personas["chief"], decision=decision)
    today = recheck.due_on - dt.timedelta(days=2)
    assert rechecks.rechecks_remind(today=today) == 3  # alice, bob, chief
    assert rechecks.rechecks_remind(today=today) == 0
    later = recheck.due_on + dt.timedelta(days=1)
    assert rechecks.rechecks_remind(today=later) == 3
    assert rechecks.rechecks_remind(today=later + dt.timedelta(days=1)) == 0
    assert Notification.objects.filter(user=personas["alice"], text__contains="已超期1天").count() == 1
    assert not Notification.objects.filter(user=personas["carol"]).exists()


def test_scheduled_reminder_job_run_twice_tells_nobody_twice(banned, personas):
    from qingyuan.core import schedule

    case, decision = banned
    recheck = rechecks.schedule_after_decision(actor=personas["chief"], decision=decision)
    Recheck.objects.filter(pk=recheck.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    first, second = schedule.run("cases.rechecks_remind"), schedule.run("cases.rechecks_remind")
    assert (first.outcome, first.count, second.count) == ("ok", 3, 0)
    assert Notification.objects.filter(user=personas["alice"], text__contains="已超期").count() == 1
