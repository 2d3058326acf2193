from qingyuan.accounts.roles import Role
from qingyuan.campaigns import selectors
from qingyuan.campaigns.demo import load_demo_campaigns
from qingyuan.campaigns.models import Campaign
from qingyuan.conftest import make_user
from qingyuan.regions.models import Unit, UnitKind


def test_demo_campaign_has_two_county_plans_late_duties_and_sweeps(regions, units, personas):
    Unit.objects.create(name="苏州市公安局吴中分局", kind=UnitKind.POLICE, region=regions["wuzhong"])
    users = {**personas, "xc_chief": make_user("xc_chief", units["xiangcheng"], Role.CHIEF, "蒋科长")}
    campaign = load_demo_campaigns(regions["city"], units, users)

    assert campaign.phases.count() == 5 and campaign.requirements.count() == 5
    assert sorted(p.region.name for p in campaign.plans.all()) == ["吴中区", "相城区"]
    assert selectors.plan_coverage(campaign).missing == []
    plan = campaign.plans.get(region=regions["wuzhong"])
    assert selectors.duty_progress(plan)["late_count"] == 1
    assert selectors.sweep_coverage(campaign)["swept"] == 2  # 3/5 of each county's villages, at least one

    assert load_demo_campaigns(regions["city"], units, users) == campaign  # a second call adds nothing
    assert Campaign.objects.count() == 3
