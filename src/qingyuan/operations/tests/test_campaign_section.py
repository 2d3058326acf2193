"""A city runs a campaign; its joint operation, a designation in its region and a 30% spot check all
show on the campaign page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from qingyuan.campaigns import services as campaign_services
from qingyuan.operations import services
from qingyuan.operations.models import Population

from .conftest import make_site


@pytest.fixture
def campaign(personas):
    today = dt.date.today()
    return campaign_services.campaign_create(
        actor=personas["dave"],
        name="打击无证行医专项行动",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=120),
    )


def test_campaign_page_lists_its_operation_designation_and_spot_check(login, personas, regions, campaign):
    today = dt.date.today()
    services.operation_create(
        actor=personas["dave"],
        name="六月联动执法",
        campaign=campaign,
        nomination_deadline=today + dt.timedelta(days=5),
        periods=[(today + dt.timedelta(days=10), today + dt.timedelta(days=16))],
    )
    services.dispute_raise(
        actor=personas["chief"],
        subject=make_site(regions["village"], "木渎交界诊所", border=True),
        counties=[regions["wuzhong"], regions["xiangcheng"]],
        reason="两区均称不属本辖区",
    )
    services.spotcheck_create(
        actor=personas["dave"],
        region=regions["wuzhong"],
        name="吴中区持证机构抽查",
        population=Population.INSTITUTIONS,
        seed=7,
        campaign=campaign,
    )

    page = login("dave").get(f"/campaigns/{campaign.pk}/").content.decode()

    section = page[page.index('id="campaign-operations"') :]
    for text in ("六月联动执法", "木渎交界诊所", "吴中区持证机构抽查", "比例0.30"):
        assert text in section


def test_an_operation_cannot_belong_to_a_campaign_that_has_ended(personas, campaign):
    campaign.__class__.objects.filter(pk=campaign.pk).update(ends_on=dt.date.today() - dt.timedelta(days=1))
    campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="专项行动"):
        services.operation_create(
            actor=personas["dave"],
            name="过期行动",
            campaign=campaign,
            nomination_deadline=dt.date.today() + dt.timedelta(days=5),
            periods=[(dt.date.today() + dt.timedelta(days=10), dt.date.today() + dt.timedelta(days=16))],
        )
