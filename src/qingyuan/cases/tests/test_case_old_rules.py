"""An open case from before a time limit's provision took effect (an imported historical case) shows
without that clock instead of breaking the list and its page."""

import datetime as dt

from qingyuan.cases.models import Case
from qingyuan.cases.tests.test_followup_data import make_case


def test_open_case_from_2019_is_listed_and_shown_without_a_clock(login, personas, regions):
    case = make_case(
        region=regions["village"], proposer=personas["alice"], offence_date=dt.date(2020, 7, 1), code="ZY-01"
    )
    Case.objects.filter(pk=case.pk).update(opened_on=dt.date(2020, 7, 10), notified_on=dt.date(2020, 8, 3))
    client = login("chief")

    listing = client.get("/cases/")
    page = client.get(f"/cases/{case.pk}/")

    assert listing.status_code == 200 and case.number in listing.content.decode()
    assert page.status_code == 200 and case.number in page.content.decode()
