import datetime as dt

import pytest
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.inspections import services
from qingyuan.registry.models import Institution, InstitutionCategory
from qingyuan.subjects.models import Subject, SubjectKind

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 2048


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    """Evidence goes to a temporary directory: tests never write to var/."""
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path / "evidence"
    return settings.QINGYUAN_EVIDENCE_DIR


def ensure_checklists():
    """The seeded checklists, reloaded if a transactional test (live server) flushed them."""
    import importlib

    from django.apps import apps

    importlib.import_module("qingyuan.inspections.migrations.0002_load_checklists").load(apps, None)


@pytest.fixture(autouse=True)
def _checklists(request):
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    ensure_checklists()


@pytest.fixture
def subject(regions):
    return Subject.objects.create(
        name="金星村无证诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="木渎镇金星村12号",
        region=regions["village"],
    )


@pytest.fixture
def xc_subject(regions):
    return Subject.objects.create(
        name="黄埭镇某养生馆",
        kind=SubjectKind.WELLNESS,
        address="黄埭镇三埂村5号",
        region=regions["xc_village"],
    )


@pytest.fixture
def hospital_subject(regions):
    institution = Institution.objects.create(
        name="吴中仁爱医院",
        category=InstitutionCategory.HOSPITAL,
        licence_no="PDY-0001",
        address="木渎镇山塘街1号",
        region=regions["community"],
    )
    return Subject.objects.create(
        name="吴中仁爱医院",
        kind=SubjectKind.LICENSED,
        institution=institution,
        address="木渎镇山塘街1号",
        region=regions["community"],
    )


@pytest.fixture
def when():
    return timezone.now() - dt.timedelta(hours=2)


@pytest.fixture
def rookie(units):
    """An officer of alice's unit whose role needs no credential and who has none."""
    return make_user("rookie", units["wuzhong"], Role.CHIEF, "刘新")


@pytest.fixture
def inspection(personas, subject, when):
    from qingyuan.inspections.checklists import items_for, template_for

    items = items_for(template_for(subject))
    return services.inspection_record(
        actor=personas["alice"],
        subject=subject,
        kind="overt",
        started_at=when,
        officers=[personas["alice"], personas["bob"]],
        persons_present="张某（经营者）",
        vehicles=1,
        findings="现场有输液器具和药品，无执业许可证。",
        outcome="violation",
        answers={items[0]: ("no", "未能出示"), items[1].pk: "na"},
    )
