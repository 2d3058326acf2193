"""Demo forms for a first look: 吴中区's S003-A1 for this year, submitted and accepted by the city, and
相城区's submitted and waiting, so the city leader's roll-up page shows every state."""

from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.regions.models import Region

from .forms.base import Scope
from .models import Submission
from .params import year_to_date
from .submissions import submission_accept, submission_submit


def load_demo_reports():
    if Submission.objects.exists():
        return
    start, end = year_to_date(timezone.localdate())
    city_leader = User.objects.get(username="city_leader")
    for username, county, accept in (("wz_chief", "320506", True), ("xc_chief", "320507", False)):
        scope = Scope(Region.objects.get(code=county), start, end)
        submission = submission_submit(
            actor=User.objects.get(username=username),
            scope=scope,
            code="S003-A1",
            note="演示数据：按系统记录生成",
        )
        if accept:
            submission_accept(actor=city_leader, submission=submission)
