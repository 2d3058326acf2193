"""Demo data for joint operations: which of the demo city's counties border each other, and one
joint operation with target sites, groups and the 吴中区 nominations. Called from core/demo.py."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.campaigns.selectors import campaigns_in_force
from qingyuan.regions.models import Level, Region

from . import services
from .models import JointOperation

CITY = "320500"
# Entered by hand, as the city office would (the platform holds no map data). Codes missing from
# the loaded region table are skipped.
BORDERS = [
    ("320505", "320506"),  # 虎丘区—吴中区
    ("320505", "320507"),  # 虎丘区—相城区
    ("320505", "320508"),  # 虎丘区—姑苏区
    ("320506", "320507"),  # 吴中区—相城区
    ("320506", "320508"),  # 吴中区—姑苏区
    ("320506", "320509"),  # 吴中区—吴江区
    ("320507", "320508"),  # 相城区—姑苏区
    ("320507", "320581"),  # 相城区—常熟市
    ("320507", "320583"),  # 相城区—昆山市
    ("320509", "320583"),  # 吴江区—昆山市
    ("320581", "320582"),  # 常熟市—张家港市
    ("320581", "320583"),  # 常熟市—昆山市
    ("320581", "320585"),  # 常熟市—太仓市
    ("320583", "320585"),  # 昆山市—太仓市
]
DEMO_NAME = "打击无证行医联动执法行动"


@transaction.atomic
def load_demo_operations(
    *, leader_username: str = "city_leader", chief_username: str = "wz_chief"
) -> JointOperation | None:
    """Idempotent: adds missing borders, and the demo operation unless one of that name exists."""
    leader = User.objects.filter(username=leader_username).first()
    if leader is None:
        return None
    counties = {r.code: r for r in Region.objects.filter(parent_id=CITY, level=Level.COUNTY)}
    for a, b in BORDERS:
        if a in counties and b in counties:
            services.adjacency_add(actor=leader, a=counties[a], b=counties[b])
    year = timezone.localdate().year
    name = f"{year}年{DEMO_NAME}"
    existing = JointOperation.objects.filter(name=name).first()
    if existing is not None:
        return existing
    deadline = dt.date(year, 5, 31)
    operation = services.operation_create(
        actor=leader,
        name=name,
        campaign=campaigns_in_force(leader.unit.region, timezone.localdate())
        .filter(parent__isnull=True)
        .first(),
        nomination_deadline=deadline,
        periods=[
            (dt.date(year, 6, 10), dt.date(year, 6, 16)),
            (dt.date(year, 10, 14), dt.date(year, 10, 20)),
        ],
    )
    services.targets_add(
        actor=leader, operation=operation, subjects=list(services.target_candidates(operation)[:8])
    )
    services.groups_propose(actor=leader, operation=operation)
    chief = User.objects.filter(username=chief_username).first()
    if chief is not None:
        nominees = list(services.eligible_nominees(chief.unit)[: operation.nominations_per_county])
        # The demo is loaded at any time of year: nominate as if on the deadline day.
        services.nominations_set(actor=chief, operation=operation, users=nominees, today=deadline)
    return operation
