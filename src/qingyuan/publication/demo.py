"""Demo publication: two served penalty decisions of 吴中区, one published (an organisation, named in
full) and one waiting to be published (a citizen, masked), both taken through the real steps."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from . import services
from .models import PublicationEntry

WUZHONG = "320506"


def _served_case(*, subject, party_kind, party_name, person, days_ago: int, chief, officers):
    from qingyuan.cases import services as case_services
    from qingyuan.core.demo import decide_to_ban

    today = timezone.localdate()
    checked_on = today - dt.timedelta(days=days_ago)
    case = case_services.case_propose(
        actor=officers[0],
        subject=subject,
        source="direct",
        title="未取得医疗机构执业许可证擅自执业案",
        party_kind=party_kind,
        party_name=party_name,
        party_person=person,
        party_id_number=person.id_number if party_kind == "citizen" else "",
        party_address=subject.address,
        offence_date=checked_on - dt.timedelta(days=2),
        offence_codes=["ZY-01"],
        illegal_income=Decimal("2000"),
        facts=f"当事人{party_name}未取得《医疗机构执业许可证》，在{subject.address}开展诊疗活动，违法所得2000元。",
        officers=officers,
        checked_on=checked_on,
    )
    opened_on = checked_on + dt.timedelta(days=1)
    case = case_services.case_approve_open(actor=chief, case=case, opened_on=opened_on)
    decision = decide_to_ban(case, officers=officers, chief=chief, opened_on=opened_on)
    decided_on = decision.decided_on
    case_services.case_serve(actor=officers[0], case=case, served_on=decided_on + dt.timedelta(days=1))
    decision.refresh_from_db()
    return decision


def load_demo_publication():
    from qingyuan.accounts.models import User
    from qingyuan.cases.models import Case
    from qingyuan.subjects.models import Subject, SubjectKind

    if PublicationEntry.objects.filter(decision__case__region__code__startswith=WUZHONG).exists():
        return
    chief = User.objects.get(username="wz_chief")
    officers = list(User.objects.filter(username__in=["wz_inspector1", "wz_inspector2"]).order_by("username"))
    # Sites no other demo case is about, so the other demo stories stay as they are.
    free = Subject.objects.filter(region__code__startswith=WUZHONG).exclude(
        pk__in=Case.objects.values("subject_id")
    )
    salon = free.filter(kind=SubjectKind.BEAUTY_SALON).order_by("pk").first()
    clinic = free.filter(kind=SubjectKind.UNLICENSED_CLINIC).order_by("pk").first()
    if salon is not None:
        person = salon.persons.first()
        decision = _served_case(
            subject=salon,
            party_kind="organisation",
            party_name=salon.name,
            person=person,
            days_ago=50,
            chief=chief,
            officers=officers,
        )
        entry = decision.publication
        values = {name: getattr(entry, name) for name in services.text.TEXT_FIELDS}
        services.entry_publish(actor=chief, entry=entry, values=values)
    if clinic is not None:
        person = clinic.persons.first()
        _served_case(
            subject=clinic,
            party_kind="citizen",
            party_name=person.name,
            person=person,
            days_ago=10,
            chief=chief,
            officers=officers,
        )
