"""A case, its subject and an inspection in 吴中区 with two officers: the records tests use them as they are;
other modules here define their own `case`, `subject` or `inspection`, which take precedence."""

import datetime as dt

import pytest
from django.utils import timezone

from qingyuan.cases.models import Case, CaseSource, CaseStatus, PartyKind
from qingyuan.inspections.models import Inspection
from qingyuan.subjects.models import Subject, SubjectKind


@pytest.fixture
def subject(regions):
    return Subject.objects.create(
        name="金星村黑诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="金星村12号",
        region=regions["village"],
    )


@pytest.fixture
def case(subject, units, personas):
    case = Case.objects.create(
        number="吴卫医罚〔2026〕7号",
        unit=units["wuzhong"],
        region=subject.region,
        subject=subject,
        source=CaseSource.DIRECT,
        title="非医师行医",
        party_kind=PartyKind.CITIZEN,
        party_name="张三",
        offence_date=dt.date(2026, 6, 1),
        status=CaseStatus.INVESTIGATING,
        proposed_by=personas["alice"],
        opened_on=dt.date(2026, 6, 1),
    )
    case.officers.set([personas["alice"], personas["bob"]])
    return case


@pytest.fixture
def inspection(subject, units, personas):
    found = Inspection.objects.create(
        kind="overt",
        started_at=timezone.now() - dt.timedelta(days=1),
        subject=subject,
        region=subject.region,
        unit=units["wuzhong"],
        officer_count=2,
        outcome="violation",
        recorded_by=personas["alice"],
    )
    found.officers.set([personas["alice"], personas["bob"]])
    return found
