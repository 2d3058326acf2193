"""Demo data of the leads app: 苏州市's reward standard (举报奖励标准), so that the demo's officers can
decide rewards and see the approval step. Idempotent: an existing standard for the city is kept."""

import datetime as dt
from decimal import Decimal

from qingyuan.regions.models import Region

from .models import RewardStandard
from .rewards import standard_code


def load_demo_reward_standard(city_code: str = "320500") -> RewardStandard | None:
    city = Region.objects.filter(code=city_code).first()
    if city is None:
        return None
    code = standard_code(city, "")
    existing = RewardStandard.objects.filter(code=code).order_by("-version").first()
    if existing is not None:
        return existing
    # Written directly (no actor): demo data loaded by `make run`, like the rules' seed versions.
    return RewardStandard.objects.create(
        code=code,
        region=city,
        category="",
        amount_min=Decimal("200"),
        amount_max=Decimal("5000"),
        cap=Decimal("20000"),
        approval_threshold=Decimal("2000"),
        basis="苏州市打击非法行医举报奖励办法（演示数据）",
        effective_from=dt.date(2024, 1, 1),
        note="每件举报奖励 200 至 5000 元；有特别重大贡献的，经领导审批最高 2 万元；超过 2000 元须领导审批。",
    )
