"""Test data for the follow-up tests: cases and decisions written straight through the models, as an
import of penalty records from other regions would write them. No tests here."""

import datetime as dt
import itertools

from django.utils import timezone

from qingyuan.cases.models import (
    Case,
    CaseOffence,
    CaseSource,
    CaseStatus,
    MeasureKind,
    PartyKind,
    PenaltyDecision,
    PenaltyMeasure,
)
from qingyuan.core.crypto import blind_index
from qingyuan.regions.models import Unit, UnitKind
from qingyuan.rules.models import Offence
from qingyuan.subjects.models import Subject, SubjectKind

ID_ZHANG = "320506198001011234"
_numbers = itertools.count(1)


def make_subject(region, name="金星村黑诊所"):
    return Subject.objects.create(
        name=name, kind=SubjectKind.UNLICENSED_CLINIC, address=f"{region.full_name}12号", region=region
    )


def unit_for(region):
    """The nearest unit at or above the region; a county without one gets its own 卫生监督所."""
    node = region
    while node is not None:
        unit = Unit.objects.filter(region=node).first()
        if unit is not None:
            return unit
        node = node.parent
    county = region
    while county.level > 3 and county.parent is not None:
        county = county.parent
    return Unit.objects.create(
        name=f"{county.name}卫生监督所", kind=UnitKind.SUPERVISION_INSTITUTE, region=county
    )


def make_case(
    *,
    region,
    proposer,
    unit=None,
    subject=None,
    party_name="张三",
    id_number=ID_ZHANG,
    offence_date=dt.date(2026, 6, 1),
    status=CaseStatus.INVESTIGATING,
    code="YS-01",
    **facts,
):
    case = Case.objects.create(
        number=f"测卫医罚〔2026〕{next(_numbers)}号",
        unit=unit or unit_for(region),
        region=region,
        subject=subject or make_subject(region),
        source=CaseSource.DIRECT,
        title="非医师行医",
        party_kind=PartyKind.CITIZEN,
        party_name=party_name,
        party_id_number=id_number,
        party_id_index=blind_index(id_number),
        offence_date=offence_date,
        status=status,
        proposed_by=proposer,
        opened_on=offence_date,
        **facts,
    )
    offence = Offence.objects.in_force(offence_date).filter(code=code).order_by("-version").first()
    CaseOffence.objects.create(case=case, offence=offence)
    return case


def decide(case, decided_on, *, by, ban=True, status=CaseStatus.CLOSED):
    offence = case.offences.get().offence
    decision = PenaltyDecision.objects.create(
        case=case, offence=offence, decided_on=decided_on, decided_by=by
    )
    PenaltyMeasure.objects.create(decision=decision, kind=MeasureKind.FINE, amount=20000)
    if ban:
        PenaltyMeasure.objects.create(decision=decision, kind=MeasureKind.BAN)
    Case.objects.filter(pk=case.pk).update(status=status, decided_on=decided_on)
    case.refresh_from_db()
    return decision


def earlier_penalty(*, region, proposer, decided_on, **kwargs):
    """A closed case with a penalty decision: the kind of record imported from another region."""
    case = make_case(
        region=region, proposer=proposer, offence_date=decided_on - dt.timedelta(days=30), **kwargs
    )
    decide(case, decided_on, by=proposer)
    return case


def aware(year, month, day, hour=0, minute=0):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))
