"""Test data for the exchange: penalised illegal-practice cases written straight through the models
(as a ledger import writes them), in any region, and a platform's region A. No tests here."""

import datetime as dt
import itertools

from django.utils import timezone

from qingyuan.cases.models import (
    Case,
    CaseEvent,
    CaseOffence,
    CaseSource,
    CaseStatus,
    MeasureKind,
    PartyKind,
    PenaltyDecision,
    PenaltyMeasure,
)
from qingyuan.core.crypto import blind_index
from qingyuan.regions.models import Level, Region, Unit, UnitKind
from qingyuan.rules.models import Offence
from qingyuan.subjects.models import Subject, SubjectKind

ID_ZHANG = "320506198001011234"
_numbers = itertools.count(1)


def region(code, name, level, parent=None):
    full = (parent.full_name if parent else "") + name
    return Region.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent": parent,
            "full_name": full,
            "prefix": Region.prefix_for(code, level),
        },
    )[0]


def unit_of(county):
    return Unit.objects.get_or_create(
        region=county,
        name=f"{county.full_name}卫生健康监督所",
        defaults={"kind": UnitKind.SUPERVISION_INSTITUTE},
    )[0]


def case(*, county, proposer, party_name="张三", id_number=ID_ZHANG, offence_date, code="YS-01", **facts):
    subject = Subject.objects.create(
        name=f"{party_name}的诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address=f"{county.full_name}1号",
        region=county,
    )
    made = Case.objects.create(
        number=f"{county.name}卫医罚〔{offence_date.year}〕{next(_numbers)}号",
        unit=unit_of(county),
        region=county,
        subject=subject,
        source=CaseSource.DIRECT,
        title="非医师行医",
        party_kind=PartyKind.CITIZEN,
        party_name=party_name,
        party_id_number=id_number,
        party_id_index=blind_index(id_number),
        offence_date=offence_date,
        status=CaseStatus.INVESTIGATING,
        proposed_by=proposer,
        opened_on=offence_date,
        **facts,
    )
    offence = Offence.objects.in_force(offence_date).filter(code=code).order_by("-version").first()
    CaseOffence.objects.create(case=made, offence=offence)
    return made


def penalised(*, county, proposer, decided_on, fine=20000, **kwargs):
    """A closed case with a penalty decision (fine and ban) decided on `decided_on`."""
    made = case(county=county, proposer=proposer, offence_date=decided_on - dt.timedelta(days=30), **kwargs)
    decision = PenaltyDecision.objects.create(
        case=made, offence=made.offences.get().offence, decided_on=decided_on, decided_by=proposer
    )
    PenaltyMeasure.objects.create(decision=decision, kind=MeasureKind.FINE, amount=fine)
    PenaltyMeasure.objects.create(decision=decision, kind=MeasureKind.BAN)
    made.status, made.decided_on = CaseStatus.CLOSED, decided_on
    made.save()
    return made


def revoke(made, *, actor, on=None):
    """The decision revoked (e.g. by 行政复议): the case's state and its timeline, as the workflow records."""
    old = made.status
    made.status = CaseStatus.REVOKED
    made.save()
    event = CaseEvent.add(made, actor, "撤销", "行政复议决定撤销", old, CaseStatus.REVOKED)
    if on is not None:
        CaseEvent.objects.filter(pk=event.pk).update(
            at=timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        )
    return made


def shanghai_pudong():
    province = region("310000", "上海市", Level.PROVINCE)
    return region("310115", "浦东新区", Level.COUNTY, province)
