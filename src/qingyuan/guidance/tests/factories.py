"""Records for the guidance tests: pages published as the system, campaigns and reward standards with
exactly the dates and figures a test names."""

import datetime as dt
from decimal import Decimal

from qingyuan.campaigns.models import Campaign
from qingyuan.guidance import services
from qingyuan.leads.models import RewardStandard
from qingyuan.regions.models import Unit


def make_page(region, topic="black-clinic", title="如何识别黑诊所", body="看许可证。"):
    """A page published (version 1) by the system, as the installation's loaders write them."""
    return services.page_seed(region=region, topic=topic, title=title, body=body)


def make_campaign(region, *, starts_on, ends_on, hotline="0512-12320", email="", published=True, name=None):
    unit = Unit.objects.filter(region=region).first() or Unit.objects.order_by("pk").first()
    return Campaign.objects.create(
        unit=unit,
        region=region,
        name=name or f"{region.name}打击非法行医专项行动",
        starts_on=starts_on,
        ends_on=ends_on,
        hotline=hotline,
        email=email,
        published=published,
    )


def make_standard(region, *, category="", amount_min="200", amount_max="5000", cap="20000", threshold="2000"):
    return RewardStandard.objects.create(
        code=f"{region.code}:{category or 'general'}",
        region=region,
        category=category,
        amount_min=Decimal(amount_min),
        amount_max=Decimal(amount_max),
        cap=Decimal(cap),
        approval_threshold=Decimal(threshold),
        basis=f"{region.name}举报奖励办法",
        effective_from=dt.date(2024, 1, 1),
        note="内部说明：超过审批金额须领导审批",
    )
