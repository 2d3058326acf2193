"""Demo data for joint operations: which of the demo city's counties border each other, and one
joint operation with target sites, groups and the 吴中区 nominations. Called from core/demo.py."""

import datetime as dt

from django.core.exceptions import ValidationError
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
    _load_demo_week(leader)
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


WEEK_NAME = "本周集中联动执法（演示）"


def _load_demo_week(leader) -> JointOperation | None:
    """A confirmed operation whose one-week period runs from the day the demo is loaded: the counties'
    nominated officers hold grants for the targets of their group's other counties, so a visiting
    officer (e.g. xc_inspector1) finds the targets on the operation page and records inspections."""
    if JointOperation.objects.filter(name=WEEK_NAME).exists():
        return None
    today = timezone.localdate()
    operation = services.operation_create(
        actor=leader,
        name=WEEK_NAME,
        nomination_deadline=today,
        periods=[(today, today + dt.timedelta(days=6))],
    )
    services.targets_add(
        actor=leader, operation=operation, subjects=list(services.target_candidates(operation)[:8])
    )
    services.groups_propose(actor=leader, operation=operation)
    for username in ("wz_chief", "xc_chief"):
        chief = User.objects.filter(username=username).first()
        if chief is not None:
            nominees = list(services.eligible_nominees(chief.unit)[: operation.nominations_per_county])
            services.nominations_set(actor=chief, operation=operation, users=nominees, today=today)
    reason = "演示数据：区县数量不足或尚未报送的区县不影响演示"
    services.operation_confirm(actor=leader, operation=operation, grouping_reason=reason)
    return operation


@transaction.atomic
def load_demo_designation(
    *, leader_username: str = "city_leader", chief_username: str = "wz_chief", designated_username="xc_chief"
):
    """Idempotent: one 吴中区 border-area site the city designated to 相城区 (指定管辖) three weeks
    ago, so that the grant list, the site's notice and 相城区's pages show a designation."""
    from qingyuan.leads.models import Lead
    from qingyuan.operations.models import DisputeStatus, JurisdictionDispute
    from qingyuan.subjects.models import Subject

    leader = User.objects.filter(username=leader_username).first()
    chief = User.objects.filter(username=chief_username).first()
    designated = User.objects.filter(username=designated_username).first()
    if leader is None or chief is None or designated is None:
        return None
    existing = JurisdictionDispute.objects.filter(status=DisputeStatus.DESIGNATED).first()
    if existing is not None:
        return existing
    disputed = JurisdictionDispute.objects.values("subject_id")
    # The last border site with no record yet, so that every other demo record stays its own
    # county's alone (the other tests and the crawl expect 相城区 to be refused 吴中区's records).
    site = (
        Subject.objects.filter(region__code__startswith=chief.unit.region.prefix, border_area=True)
        .exclude(pk__in=disputed)
        .exclude(cases__isnull=False)
        .exclude(inspections__isnull=False)
        .exclude(evidence__isnull=False)
        .exclude(rechecks__isnull=False)
        .exclude(pk__in=Lead.objects.filter(subject__isnull=False).values("subject_id"))
        .order_by("-pk")
        .first()
    )
    if site is None:
        return None
    today = timezone.localdate()
    dispute = services.dispute_raise(
        actor=chief,
        subject=site,
        counties=[chief.unit.region, designated.unit.region],
        reason="该点位地处两区交界，实际行医地点跨区，两区对管辖有争议。",
        raised_on=today - dt.timedelta(days=25),
    )
    return services.dispute_resolve(
        actor=leader,
        dispute=dispute,
        unit=designated.unit,
        decision="经研究，指定相城区卫生监督所管辖，自决定之日起由其立案查处、复查并统计。",
        designated=True,
        decided_on=today - dt.timedelta(days=22),
    )


# Demo results a drawn inspector might write (双随机、一公开), in turn; the last is a failed check.
DEMO_RESULTS = [
    ("证照齐全，执业范围与许可一致，未发现违法行为", True),
    ("证照齐全，医疗废物处置记录完整", True),
    ("执业人员均具备资质，处方书写规范", True),
    ("超出诊疗科目开展医疗美容项目，已责令改正", False),
]


@transaction.atomic
def load_demo_spotchecks(*, leader_username: str = "city_leader"):
    """Idempotent: the city's 双随机 checks of two counties this year. 相城区's is recorded, ended and
    published (the public site shows it); 吴中区's is drawn and waiting for the drawn inspectors."""
    from .models import Population, SpotCheckPlan

    leader = User.objects.filter(username=leader_username).first()
    if leader is None or leader.unit is None:
        return []
    year = timezone.localdate().year
    plans = []
    for code, seed, publish in (("320507", 20240507, True), ("320506", 20240506, False)):
        region = Region.objects.filter(code=code).first()
        if region is None:
            continue
        name = f"{year}年市级双随机抽查（{region.name}）"
        plan = SpotCheckPlan.objects.filter(name=name).first()
        if plan is not None:
            plans.append(plan)
            continue
        plan = services.spotcheck_create(
            actor=leader, region=region, name=name, population=Population.INSTITUTIONS, seed=seed
        )
        try:
            plan = services.spotcheck_draw(actor=leader, plan=plan)
        except ValidationError:
            plans.append(plan)  # too few officers outside the county in this database: left undrawn
            continue
        if publish:
            inspectors = list(plan.inspectors.order_by("pk"))
            for n, item in enumerate(plan.items.order_by("pk")):
                result, compliant = DEMO_RESULTS[n % len(DEMO_RESULTS)]
                services.spotcheck_record(
                    actor=inspectors[n % len(inspectors)], item=item, result=result, compliant=compliant
                )
            services.spotcheck_complete(actor=leader, plan=plan)
            plan = services.spotcheck_publish(actor=leader, plan=plan)
        plans.append(plan)
    return plans
