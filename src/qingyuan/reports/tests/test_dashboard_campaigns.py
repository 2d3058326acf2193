"""The dashboard with several campaigns in force: a province campaign and a city campaign that is
not a plan of it. Each shows its own section and sweep flags, the city's (most specific) first; the
picker narrows to one and says what else is running; nothing disappears without a word.

Today's sweep window: the city campaign's 摸底排查 phase has 40 days of which 30 have passed (75.0%);
the province campaign has no phase and runs 201 days, 101 of them passed (50.2%)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qingyuan.campaigns.models import PhaseKind
from qingyuan.regions.models import Unit, UnitKind
from qingyuan.reports import dashboard as d

from . import factories as f

URL = reverse("reports:dashboard")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def two_campaigns(regions, units, personas, today):
    province_unit = Unit.objects.create(
        name="江苏省卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=regions["province"]
    )
    day = dt.timedelta(days=1)
    province = f.campaign(province_unit, "江苏省打击非法行医专项行动", today - 100 * day, today + 100 * day)
    city = f.campaign(
        units["city"],
        "苏州市医疗美容专项整治",
        today - 60 * day,
        today + 60 * day,
        phases=[(PhaseKind.SWEEP, today - 29 * day, today + 10 * day)],
    )
    by = personas["alice"]
    f.sweep(city, regions["village"], today - 5 * day, by=by)  # 吴中区 1 of 2 in the city campaign
    f.sweep(province, regions["xc_village"], today - 5 * day, by=personas["carol"])  # 相城区 1 of 1
    return {"province": province, "city": city}


def figures(user, today, campaign=None):
    return d.dashboard_figures(
        user=user,
        region=user.unit.region,
        start=today.replace(month=1, day=1),
        end=today,
        campaign=campaign,
        today=today,
    )


def test_both_campaigns_in_force_are_followed_city_first(two_campaigns, personas, today):
    data = figures(personas["dave"], today)
    assert [c.campaign for c in data.campaigns] == [two_campaigns["city"], two_campaigns["province"]]
    city, province = data.campaigns
    assert (city.villages, city.swept, city.progress.percent) == (3, 1, 75.0)
    assert (province.villages, province.swept, province.progress.percent) == (3, 1, 50.2)
    assert city.phase is not None and city.phase.kind == PhaseKind.SWEEP
    assert province.phase is None


def test_each_campaign_raises_its_own_sweep_flags(two_campaigns, personas, today):
    city, province = figures(personas["dave"], today).campaigns
    assert {c.name: c.flag for c in city.flags} == {
        "吴中区": "排查覆盖率 50.0%（1/2 个村居），时间进度已过 75.0%",
        "相城区": "排查覆盖率 0.0%（0/1 个村居），时间进度已过 75.0%",
    }
    # 相城区 swept its village under the province campaign: only 吴中区 lags there.
    assert {c.name: c.flag for c in province.flags} == {
        "吴中区": "排查覆盖率 0.0%（0/2 个村居），时间进度已过 50.2%"
    }


def test_lagging_regions_name_the_campaign_of_each_sweep_flag(two_campaigns, personas, today):
    lagging = {r.name: r.reasons for r in figures(personas["dave"], today).lagging}
    assert lagging["吴中区"] == [
        "「苏州市医疗美容专项整治」排查覆盖率 50.0%（1/2 个村居），时间进度已过 75.0%",
        "「江苏省打击非法行医专项行动」排查覆盖率 0.0%（0/2 个村居），时间进度已过 50.2%",
    ]
    assert lagging["相城区"] == [
        "「苏州市医疗美容专项整治」排查覆盖率 0.0%（0/1 个村居），时间进度已过 75.0%"
    ]


def test_page_shows_both_sections_city_first_with_their_flags(two_campaigns, login):
    response = login("dave").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    city, province = two_campaigns["city"], two_campaigns["province"]
    assert "今天有 2 项专项行动同时实施" in html
    city_at = html.index(f'data-campaign="{city.pk}"')
    province_at = html.index(f'data-campaign="{province.pk}"')
    assert city_at < province_at
    city_section = html[city_at:province_at]
    province_section = html[province_at:].split("</section>")[0]
    assert "吴中区：排查覆盖率 50.0%（1/2 个村居），时间进度已过 75.0%" in city_section
    assert "相城区：排查覆盖率 0.0%（0/1 个村居）" in city_section
    assert "吴中区：排查覆盖率 0.0%（0/2 个村居），时间进度已过 50.2%" in province_section
    assert "相城区：" not in province_section
    assert "摸底排查" in city_section and "未设阶段" in province_section
    lagging = html.split('id="lagging"')[1].split("</section>")[0]
    assert "「江苏省打击非法行医专项行动」排查覆盖率" in lagging


def test_county_officer_sees_both_campaigns_of_the_regions_above(two_campaigns, personas, today):
    data = figures(personas["alice"], today)
    assert [c.campaign for c in data.campaigns] == [two_campaigns["city"], two_campaigns["province"]]
    # Her county's townships: 木渎镇 swept 1 of 2 in the city campaign, 0 of 2 in the province's.
    assert [(c.name, c.swept, c.villages) for c in data.campaigns[0].children] == [("木渎镇", 1, 2)]
    assert [(c.name, c.swept, c.villages) for c in data.campaigns[1].children] == [("木渎镇", 0, 2)]


def test_picker_narrows_to_one_and_names_the_others(two_campaigns, login):
    client = login("dave")
    province = two_campaigns["province"]
    response = client.get(URL, {"campaign": province.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert [c.campaign for c in response.context["data"].campaigns] == [province]
    assert f'data-campaign="{two_campaigns["city"].pk}"' not in html
    narrowed = html.split('id="campaign-narrowed"')[1].split("</p>")[0]
    assert "同时实施中的还有：苏州市医疗美容专项整治（苏州市）" in narrowed
    back = client.get(response.context["links"]["all_campaigns"])
    assert len(back.context["data"].campaigns) == 2


def test_each_section_links_to_narrow_to_it(two_campaigns, login):
    client = login("dave")
    sections = client.get(URL).context["campaign_sections"]
    _, detail, narrow = sections[1]
    assert detail == reverse("campaigns:detail", args=[two_campaigns["province"].pk])
    narrowed = client.get(narrow).context["data"]
    assert narrowed.scope.campaign == two_campaigns["province"]


def test_no_campaign_in_force_is_said(regions, units, personas, login):
    html = login("dave").get(URL).content.decode()
    assert "苏州市今天没有实施中的专项行动" in html


def test_campaign_of_another_county_cannot_be_picked(two_campaigns, units, login, today):
    plan = f.campaign(units["xiangcheng"], "相城区实施方案", today, today, parent=two_campaigns["city"])
    response = login("alice").get(URL, {"campaign": plan.pk})
    assert response.status_code == 400
    assert "所选专项行动不存在或不在您的辖区内" in response.content.decode()
