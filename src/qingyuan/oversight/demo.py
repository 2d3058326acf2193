"""Demo data for supervision: the city leader has put one 吴中区 case under 挂牌督办 (so the city leader
and the 吴中 chief each see it on their pages) and recorded a 督导 of 吴中区 with a finding and two
rectification items, one reported and waiting for the city's acceptance. Called from core/demo.py."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.cases.models import Case, CaseStatus
from qingyuan.regions.models import Region, Unit

from . import services
from .models import SupervisedItem, SupervisionVisit

COUNTY = "320506"


@transaction.atomic
def load_demo_oversight(*, leader_username: str = "city_leader", chief_username: str = "wz_chief") -> None:
    """Idempotent: does nothing once there is supervision data."""
    if SupervisedItem.objects.exists() or SupervisionVisit.objects.exists():
        return
    leader = User.objects.filter(username=leader_username).select_related("unit__region").first()
    chief = User.objects.filter(username=chief_username).select_related("unit__region").first()
    if leader is None or chief is None:
        return
    today = timezone.localdate()
    case = (
        Case.objects.filter(unit__region_id=COUNTY, status=CaseStatus.INVESTIGATING).order_by("pk").first()
        or Case.objects.filter(unit__region_id=COUNTY).order_by("pk").first()
    )
    if case is not None:
        item = services.supervise_case(
            actor=leader,
            case=case,
            requirements="群众反映强烈，涉嫌非法行医罪。请查清药品和器械来源，依法从重处理，涉嫌犯罪的及时移送公安机关。",
            deadline=today + dt.timedelta(days=20),
        )
        services.report_progress(
            actor=chief, item=item, text="已调取现场证据，正在核查药品来源，已与公安分局会商。"
        )
    visit = services.visit_create(
        actor=leader,
        region=Region.objects.get(code=COUNTY),
        visited_on=today - dt.timedelta(days=10),
        summary="对吴中区打击非法行医专项行动开展情况进行督导，抽查乡镇排查台账和案件卷宗。",
    )
    finding = services.finding_add(
        actor=leader, visit=visit, text="部分村（社区）排查台账不完整，未记录排查人员和日期。"
    )
    fix = services.rectification_add(
        actor=leader,
        finding=finding,
        text="补齐木渎镇各村排查台账",
        unit=chief.unit,
        due_on=today + dt.timedelta(days=5),
    )
    services.rectification_add(
        actor=leader,
        finding=finding,
        text="建立排查台账月度抽查制度",
        unit=Unit.objects.filter(region_id=COUNTY, name__endswith="卫生健康委员会").first() or chief.unit,
        due_on=today + dt.timedelta(days=30),
    )
    services.rectify(actor=chief, item=fix, note="已补齐木渎镇4个村的排查台账，附台账扫描件。")
