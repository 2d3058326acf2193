"""Records for form tests, written straight to the database with exactly the dates and amounts a
test names, so that every expected figure can be computed by hand from the test's own lines.

The workflows (inspections.services, cases.services) have their own tests; here only what the
forms count matters. Each function takes the officer who records (`by`) and returns the record.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from qingyuan.campaigns.models import MediaReport, OutreachEvent
from qingyuan.cases.models import (
    AccountablePerson,
    Case,
    CaseSource,
    CaseStatus,
    Judgment,
    LiabilityKind,
    MeasureKind,
    PartyKind,
    PenaltyDecision,
    PenaltyMeasure,
    Recheck,
    RecheckKind,
    RecheckResult,
    Referral,
    ReferralOutcome,
    ReferralTarget,
)
from qingyuan.inspections.models import Inspection, InspectionKind, InspectionOutcome
from qingyuan.regions.models import Unit
from qingyuan.rules.models import Offence
from qingyuan.subjects.models import InstitutionType, PracticeContent, Subject, SubjectKind


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment of `day` in the platform's time zone (Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def unit_of(region) -> Unit:
    """The unit of the county above `region` (the tests' units hang on counties and the city)."""
    code = region.code
    return (
        Unit.objects.filter(region__code__in=[code[:6], code[:4] + "00"]).order_by("-region__level").first()
    )


def subject(
    region,
    name: str,
    *,
    kind=SubjectKind.UNLICENSED_CLINIC,
    institution_type=InstitutionType.OTHER,
    practice_content=PracticeContent.OTHER,
    location_type="",
    found_on: dt.date | None = None,
    needs_joint_action: bool = False,
    border_area: bool = False,
    address: str = "",
) -> Subject:
    return Subject.objects.create(
        name=name,
        kind=kind,
        address=address or f"{region.name}{name}",
        region=region,
        institution_type=institution_type,
        practice_content=practice_content,
        location_type=location_type,
        found_on=found_on or dt.date(2020, 1, 1),
        needs_joint_action=needs_joint_action,
        border_area=border_area,
    )


def inspection(
    subj: Subject,
    day: dt.date,
    *,
    by,
    kind=InspectionKind.PATROL,
    officers: int = 2,
    vehicles: int = 1,
    hour: int = 10,
    outcome=InspectionOutcome.VIOLATION,
    campaign=None,
) -> Inspection:
    return Inspection.objects.create(
        kind=kind,
        started_at=at(day, hour),
        subject=subj,
        region=subj.region,
        unit=unit_of(subj.region),
        officer_count=officers,
        vehicles=vehicles,
        outcome=outcome,
        recorded_by=by,
        campaign=campaign,
    )


def case(
    subj: Subject,
    opened_on: dt.date,
    *,
    by,
    title: str = "未取得医疗机构执业许可证擅自执业",
    national_entry_on: dt.date | None = None,
    party_name: str = "",
    status=CaseStatus.CLOSED,
    campaign=None,
) -> Case:
    return Case.objects.create(
        unit=unit_of(subj.region),
        region=subj.region,
        subject=subj,
        source=CaseSource.INSPECTION,
        title=title,
        party_kind=PartyKind.CITIZEN,
        party_name=party_name or f"{subj.name}负责人",
        offence_date=opened_on - dt.timedelta(days=3),
        status=status,
        proposed_by=by,
        opened_on=opened_on,
        opened_by=by,
        national_entry_on=national_entry_on,
        campaign=campaign,
    )


def decision(the_case: Case, decided_on: dt.date, *, by, **measures) -> PenaltyDecision:
    """measures: warning=True, fine="5000", confiscate_income="1200.50", ban=True, confiscate_goods=True …"""
    made = PenaltyDecision.objects.create(
        case=the_case, offence=Offence.objects.order_by("pk").first(), decided_on=decided_on, decided_by=by
    )
    for kind, value in measures.items():
        amount = None if value is True else Decimal(value)
        PenaltyMeasure.objects.create(decision=made, kind=MeasureKind(kind), amount=amount)
    Case.objects.filter(pk=the_case.pk).update(decided_on=decided_on)
    return made


def referral(the_case: Case, day: dt.date, *, by, target=ReferralTarget.POLICE) -> Referral:
    return Referral.objects.create(
        case=the_case,
        target=target,
        target_unit="某公安分局",
        reason="涉嫌非法行医罪",
        proposed_on=day,
        approved_on=day,
        approved_by=by,
        transferred_at=at(day),
        outcome=ReferralOutcome.ACCEPTED,
        created_by=by,
    )


def judgment(the_case: Case, day: dt.date, *, by, persons: list[str] = ()) -> Judgment:
    made = Judgment.objects.create(
        case=the_case, court="某区人民法院", judged_on=day, verdict="犯非法行医罪", recorded_by=by
    )
    for name in persons:
        AccountablePerson.objects.create(
            case=the_case,
            judgment=made,
            name=name,
            liability=LiabilityKind.CRIMINAL,
            outcome="判处有期徒刑一年",
            recorded_by=by,
        )
    return made


def recheck(
    the_case: Case,
    done_on: dt.date | None,
    *,
    kind=RecheckKind.LOOKBACK,
    result=RecheckResult.REOFFENDED,
    new_case: Case | None = None,
) -> Recheck:
    return Recheck.objects.create(
        kind=kind,
        case=the_case,
        subject=the_case.subject,
        due_on=done_on or dt.date(2024, 12, 31),
        result=result,
        new_case=new_case,
        done_on=done_on,
    )


def outreach(region, day: dt.date, people: int, *, by, campaign=None) -> OutreachEvent:
    return OutreachEvent.objects.create(
        region=region,
        held_on=day,
        title="打击非法行医宣传",
        people_reached=people,
        recorded_by=by,
        campaign=campaign,
    )


def media(region, day: dt.date, count: int = 1, *, by, campaign=None) -> MediaReport:
    return MediaReport.objects.create(
        region=region,
        published_on=day,
        outlet="苏州日报",
        title="严厉打击非法行医",
        count=count,
        recorded_by=by,
        campaign=campaign,
    )
