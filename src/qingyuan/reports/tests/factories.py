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
    DECIDING,
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
    """A case opened on `opened_on`; one still being investigated must be decided within 90 days
    (stored as the services store it), after which it counts as overdue."""
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
        decide_due=opened_on + dt.timedelta(days=90) if status in DECIDING else None,
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


def closed(the_case: Case, day: dt.date) -> Case:
    """The case closed (结案) on `day`."""
    Case.objects.filter(pk=the_case.pk).update(closed_on=day, status=CaseStatus.CLOSED)
    the_case.refresh_from_db()
    return the_case


def changed(subj: Subject, on: dt.date, **fields) -> Subject:
    """The subject with `fields` changed on `on` (region=…, needs_joint_action=…), recorded in its
    history (SubjectChange) as the platform records an edit; returns the reloaded subject."""
    fresh = Subject.objects.get(pk=subj.pk)  # loaded from the database, so its tracked values are known
    for name, value in fields.items():
        setattr(fresh, name, value)
    fresh._change_date = on
    fresh.save()
    return fresh


def person(subj: Subject, name: str, *, role="operator"):
    from qingyuan.subjects.models import SubjectPerson

    return SubjectPerson.objects.create(subject=subj, name=name, role=role)


def operation(
    region,
    *,
    by,
    periods: list[tuple[dt.date, dt.date]] = (),
    targets: list[Subject] = (),
    name="联动执法行动",
):
    """A joint operation led by the unit of `region`, with its periods and target sites."""
    from qingyuan.operations.models import JointOperation, OperationPeriod, TargetSite

    made = JointOperation.objects.create(
        unit=Unit.objects.filter(region=region).order_by("pk").first() or unit_of(region),
        region=region,
        name=name,
        nomination_deadline=dt.date(2024, 4, 30),
        created_by=by,
    )
    for starts_on, ends_on in periods:
        OperationPeriod.objects.create(operation=made, starts_on=starts_on, ends_on=ends_on)
    for subj in targets:
        TargetSite.objects.create(operation=made, subject=subj)
    return made


def nomination(the_operation, user, *, by, unit=None):
    from qingyuan.operations.models import Nomination

    return Nomination.objects.create(
        operation=the_operation, unit=unit or user.unit, user=user, nominated_by=by
    )


# --- leads, campaigns and sweeps (the dashboard's tests) -----------------------------------------


FAR_AHEAD = dt.date(2099, 12, 31)


def lead(
    region,
    received: dt.datetime | dt.date,
    *,
    unit: Unit | None = None,
    category: str = "other",
    real_name: bool = False,
    concluded: bool = False,
    rejected: bool = False,
    answered: bool = False,
    overdue: bool = False,
    campaign=None,
):
    """A lead received at `received` (a date means 10:00 that day) pointing at `region` (None: not
    located), handled by `unit` (default: the unit of the county of `region`). Overdue is computed
    from the deadlines: `overdue` gives it the rules' deadlines (15 and 60 days after receipt), which
    have passed for the tests' dates; otherwise they lie far ahead, so it is overdue on no day."""
    from qingyuan.leads.models import Conclusion, FeedbackDelivery, Lead, Reporter, Status

    moment = received if isinstance(received, dt.datetime) else at(received)
    status = Status.REGISTERED
    if rejected:
        status = Status.REJECTED
    elif concluded:
        status = Status.CONCLUDED
    if answered:
        status = status if rejected else Status.ANSWERED
    lead = Lead.objects.create(
        number=f"XS{Lead.objects.count() + 1:06d}",
        channel="phone",
        category=category,
        received_at=moment,
        content="群众反映有人无证行医",
        region=region,
        handling_unit=unit or unit_of(region),
        campaign=campaign,
        is_anonymous=not real_name,
        reporter=Reporter.objects.create(name="举报人") if real_name else None,
        status=status,
        conclusion=Conclusion.TRUE if concluded else "",
        concluded_at=moment if concluded or rejected else None,
        answered_at=moment if answered else None,
        accept_due=moment.date() + dt.timedelta(days=15) if overdue else FAR_AHEAD,
        conclude_due=moment.date() + dt.timedelta(days=60) if overdue else FAR_AHEAD,
    )
    if answered:  # and the answer reached the reporter: what the feedback rate counts
        FeedbackDelivery.objects.create(
            lead=lead, method="phone", delivered_at=moment, answered_at=moment, answer="答复"
        )
    return lead


def campaign(unit: Unit, name: str, starts_on: dt.date, ends_on: dt.date, *, parent=None, phases=()):
    """A campaign (or, with `parent`, a plan) of `unit` for its region; phases: [(kind, start, end)]."""
    from qingyuan.campaigns.models import Campaign, Phase

    made = Campaign.objects.create(
        parent=parent, unit=unit, region=unit.region, name=name, starts_on=starts_on, ends_on=ends_on
    )
    for kind, start, end in phases:
        Phase.objects.create(campaign=made, kind=kind, starts_on=start, ends_on=end)
    return made


def sweep(the_campaign, village, day: dt.date, *, by, sites: int = 0):
    from qingyuan.campaigns.models import Sweep

    made = Sweep.objects.create(
        campaign=the_campaign, village=village, swept_on=day, sites_found=sites, recorded_by=by
    )
    made.swept_by.set([by])
    return made


def pending_recheck(the_case: Case, due_on: dt.date) -> Recheck:
    """A re-inspection after a ban, due on `due_on` and not done yet."""
    return Recheck.objects.create(
        kind=RecheckKind.RECHECK, case=the_case, subject=the_case.subject, due_on=due_on
    )


# --- typical cases (the work summaries' tests) ----------------------------------------------------


def published_case(the_case: Case, day: dt.date, *, by, reviewer, title: str, body: str = ""):
    """A typical case of `the_case`, reviewed by `reviewer` and published at 10:00 on `day`."""
    from qingyuan.portal.models import PublishedCase, PublishedStatus

    county = the_case.region
    while county.level > 3:
        county = county.parent
    return PublishedCase.objects.create(
        case=the_case,
        title=title,
        body=body or f"{title}。当事人未取得医疗机构执业许可证擅自执业，已依法查处。",
        region=county,
        status=PublishedStatus.PUBLISHED,
        proposed_by=by,
        reviewed_by=reviewer,
        reviewed_at=at(day, 9),
        published_at=at(day),
    )


# --- submissions and roll-up (the submission tests) -----------------------------------------------


def county_with_unit(city, code: str, name: str):
    """A further county under `city` with its supervision institute (conftest's tree has two)."""
    from qingyuan.conftest import make_region
    from qingyuan.regions.models import Level, UnitKind

    region = make_region(code, name, Level.COUNTY, city)
    unit = Unit.objects.create(
        name=f"{name}卫生监督所",
        kind=UnitKind.SUPERVISION_INSTITUTE,
        region=region,
        parent=Unit.objects.filter(region=city).first(),
    )
    return region, unit


def officer(unit, username: str, role: str = "chief"):
    """A user of `unit`: "chief" (科室负责人: submits and reviews) or "leader" (领导)."""
    from qingyuan.accounts.roles import Role
    from qingyuan.conftest import make_user

    return make_user(username, unit, Role(role), f"{unit.region.name}{username}")


def campaign_requiring(unit, code: str, *, starts_on: dt.date, ends_on: dt.date, due_on: dt.date):
    """A campaign of `unit` requiring form `code` once, by `due_on`."""
    from qingyuan.campaigns.models import Campaign, FormRequirement, Schedule

    campaign = Campaign.objects.create(
        unit=unit, region=unit.region, name="打击非法行医专项行动", starts_on=starts_on, ends_on=ends_on
    )
    FormRequirement.objects.create(campaign=campaign, form_code=code, schedule=Schedule.ONCE, due_on=due_on)
    return campaign


# --- exact moments (the review's time-zone edges) -------------------------------------------------


def inspection_at(
    subj: Subject, moment: dt.datetime, *, by, kind=InspectionKind.PATROL, **fields
) -> Inspection:
    """An inspection started at the aware `moment` (any time zone), otherwise as `inspection` makes it."""
    made = inspection(subj, moment.date(), by=by, kind=kind, **fields)
    Inspection.objects.filter(pk=made.pk).update(started_at=moment)
    made.refresh_from_db()
    return made
