import datetime as dt

import pytest
from django.utils import timezone

from qingyuan.cases import deadlines, numbering, services
from qingyuan.cases.models import Case, CaseNumbering, ExtensionKind, PauseKind
from qingyuan.cases.workflow import TransitionNotAllowed
from qingyuan.core import workdays
from qingyuan.leads import services as lead_services
from qingyuan.leads.models import Lead

from .test_case_data import make_subject, opened, propose

TODAY = dt.date(2026, 11, 23)
TZ = timezone.get_current_timezone()


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def test_opening_deadline_across_national_day_2026_counts_the_adjusted_saturday(personas, regions):
    assert not workdays.is_workday(dt.date(2026, 10, 1)) and not workdays.is_workday(dt.date(2026, 10, 7))
    assert workdays.is_workday(dt.date(2026, 10, 10))  # 调休: Saturday made a working day
    lead = lead_services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在家中开设诊所",
        place="苏州市吴中区木渎镇金星村12号",
    )
    subject = make_subject(regions["village"])
    Lead.objects.filter(pk=lead.pk).update(
        conclusion="case_opened",
        concluded_at=dt.datetime(2026, 9, 29, 10, 0, tzinfo=TZ),
        subject=subject,
        status="concluded",
    )
    lead = Lead.objects.get(pk=lead.pk)
    case = propose(personas, regions, source="lead", lead=lead, subject=subject, checked_on=None)
    # 9-30, 10-8, 10-9, 10-10 (调休), 10-12, 10-13, 10-14: the 7th working day after 29 September.
    assert case.checked_on == dt.date(2026, 9, 29)
    assert case.open_due == dt.date(2026, 10, 14)
    assert case.unit == lead.handling_unit


def test_opening_extension_adds_seven_working_days(personas, regions):
    case = propose(personas, regions, checked_on=dt.date(2026, 9, 29))
    services.case_extend(actor=personas["chief"], case=case, kind=ExtensionKind.OPEN, reason="需补充核查")
    assert Case.objects.get(pk=case.pk).open_due == dt.date(2026, 10, 23)
    with pytest.raises(TransitionNotAllowed, match="不能再次延长"):
        services.case_extend(actor=personas["chief"], case=case, kind=ExtensionKind.OPEN, reason="再延")


def test_ninety_day_clock_with_a_paused_period_and_extensions(personas, regions):
    p = personas
    case = opened(p, regions, opened_on=dt.date(2026, 6, 1))
    assert case.decide_due == dt.date(2026, 8, 30)
    services.pause_start(actor=p["alice"], case=case, kind=PauseKind.TESTING, started_on=dt.date(2026, 6, 10))
    # An open pause counts up to today.
    assert deadlines.decide_due(case, today=dt.date(2026, 6, 15)) == dt.date(2026, 9, 4)
    services.pause_end(actor=p["alice"], case=case, ended_on=dt.date(2026, 6, 20))
    case.refresh_from_db()
    assert case.decide_due == dt.date(2026, 9, 9)
    with pytest.raises(TransitionNotAllowed, match="须先经负责人批准"):
        services.case_extend(actor=p["dave"], case=case, kind=ExtensionKind.DECIDE_COLLECTIVE, reason="复杂")
    with pytest.raises(TransitionNotAllowed, match="权限"):
        services.case_extend(actor=p["alice"], case=case, kind=ExtensionKind.DECIDE, reason="复杂")
    services.case_extend(actor=p["chief"], case=case, kind=ExtensionKind.DECIDE, reason="案情复杂")
    assert Case.objects.get(pk=case.pk).decide_due == dt.date(2026, 11, 8)
    with pytest.raises(TransitionNotAllowed, match="权限"):
        services.case_extend(actor=p["chief"], case=case, kind=ExtensionKind.DECIDE_COLLECTIVE, reason="复杂")
    extension = services.case_extend(
        actor=p["dave"], case=case, kind=ExtensionKind.DECIDE_COLLECTIVE, reason="集体讨论决定"
    )
    assert extension.new_due == dt.date(2026, 12, 8) == Case.objects.get(pk=case.pk).decide_due


def test_case_numbers_run_per_unit_and_year_and_restart_at_one(personas, regions, units):
    CaseNumbering.objects.create(unit=units["wuzhong"], abbr="吴")
    first = opened(
        personas,
        regions,
        opened_on=dt.date(2025, 12, 30),
        checked_on=dt.date(2025, 12, 29),
        offence_date=dt.date(2025, 12, 1),
    )
    second = opened(
        personas,
        regions,
        opened_on=dt.date(2025, 12, 31),
        checked_on=dt.date(2025, 12, 29),
        offence_date=dt.date(2025, 12, 1),
    )
    third = opened(
        personas,
        regions,
        opened_on=dt.date(2026, 1, 5),
        checked_on=dt.date(2025, 12, 29),
        offence_date=dt.date(2025, 12, 1),
    )
    assert [first.number, second.number, third.number] == [
        "吴卫医罚〔2025〕1号",
        "吴卫医罚〔2025〕2号",
        "吴卫医罚〔2026〕1号",
    ]
    # Another unit keeps its own sequence and, without a numbering row, uses its name.
    assert numbering.next_number(units["xiangcheng"], 2026) == "相城区卫生监督所卫医罚〔2026〕1号"


def test_case_number_pattern_comes_from_settings(personas, regions, settings):
    settings.QINGYUAN_CASE_NUMBER_PATTERN = "{abbr}罚字〔{year}〕第{seq}号"
    case = opened(personas, regions)
    assert case.number == "吴中区卫生监督所罚字〔2026〕第1号"
