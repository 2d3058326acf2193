"""Region A's side of the two-platform test, run inside region A's own process:
`manage.py shell -c "from qingyuan.exchange.tests import region_a; region_a.setup()"`. No tests here."""

import datetime as dt
import json

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import Role
from qingyuan.api.models import PartnerSystem
from qingyuan.cases.models import Case
from qingyuan.exchange import export, services, signing

from . import factories

SUBSCRIBER = "江苏省清源平台"


def setup():
    """A person penalised twice for illegal practice in 上海市浦东新区, a partner key for region B
    with a subscription, the export log filled. Prints what region B must be told."""
    county = factories.shanghai_pudong()
    unit = factories.unit_of(county)
    officer = User.objects.create(
        username="pd_inspector",
        unit=unit,
        role=Role.INSPECTOR,
        full_name="浦东监督员",
        credential_no="31011501001",
    )
    for day in (dt.date(2024, 5, 10), dt.date(2025, 3, 1)):
        factories.penalised(county=county, proposer=officer, decided_on=day)
    partner, key = PartnerSystem.issue(name=SUBSCRIBER, unit=unit)
    services.subscription_set(partner=partner)
    export.refresh_log(full=True)
    print(json.dumps({"partner_key": key, "public_key": signing.public_key_b64()}))


def revoke_first():
    """The first decision revoked by 行政复议; the log picks the change up."""
    first = Case.objects.filter(region_id="310115").order_by("decided_on").first()
    factories.revoke(first, actor=None, on=dt.date(2025, 6, 1))
    print(json.dumps({"added": export.refresh_log()}))
