import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.campaigns import services
from qingyuan.campaigns.models import Campaign, Duty, MediaReport, OutreachEvent, PhaseKind, Sweep
from qingyuan.conftest import make_user
from qingyuan.regions.models import Unit, UnitKind

from .conftest import d


def test_anonymous_visitor_is_sent_to_login(client, city_plan):
    for path in (
        "/campaigns/",
        "/campaigns/new/",
        f"/campaigns/{city_plan.pk}/",
        f"/campaigns/{city_plan.pk}/sweep/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


def test_neighbouring_county_sees_the_city_campaign_but_not_wuzhongs_plan(login, city_plan, county_plan):
    carol = login("carol")
    assert carol.get(f"/campaigns/{city_plan.pk}/").status_code == 200
    assert carol.get(f"/campaigns/{county_plan.pk}/").status_code == 404
    assert carol.get(f"/campaigns/{county_plan.pk}/sweep/").status_code == 404
    listing = carol.get("/campaigns/").content.decode()
    assert city_plan.name in listing and county_plan.name not in listing
    duty = services.duty_add(
        actor=county_plan.created_by, campaign=county_plan, unit=county_plan.unit, task="排查", due_on=d(5, 1)
    )
    assert carol.get(f"/campaigns/duties/{duty.pk}/complete/").status_code == 404


def test_city_leader_sees_lower_plans_in_the_list(login, city_plan, county_plan):
    listing = login("dave").get("/campaigns/").content.decode()
    assert county_plan.name in listing and city_plan.name in listing and city_plan.parent.name in listing


def test_inspector_cannot_create_a_campaign(login):
    alice = login("alice")
    assert alice.get("/campaigns/new/").status_code == 403
    response = alice.post(
        "/campaigns/new/", {"name": "x", "starts_on": "2024-01-01", "ends_on": "2024-02-01"}
    )
    assert response.status_code == 403
    assert not Campaign.objects.exists()


def test_sysadmin_sees_no_campaign_content(login, city_plan):
    assert login("sam").get(f"/campaigns/{city_plan.pk}/").status_code == 404


def test_leader_creates_a_campaign_and_bad_dates_are_named(login, personas):
    dave = login("dave")
    response = dave.post(
        "/campaigns/new/",
        {
            "name": "苏州市专项行动",
            "starts_on": "2024-05-01",
            "ends_on": "2024-04-01",
            "focus": ["unlicensed"],
        },
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert 'value="苏州市专项行动"' in response.content.decode()  # the input is kept
    response = dave.post(
        "/campaigns/new/",
        {
            "name": "苏州市专项行动",
            "doc_number": "苏卫监督〔2024〕3号",
            "starts_on": "2024-04-01",
            "ends_on": "2024-10-31",
            "focus": ["unlicensed"],
            "hotline": "0512-12345",
            "email": "bad-email",
        },
    )
    assert "请输入正确的电子邮箱" in response.content.decode()
    assert not Campaign.objects.exists()


def test_county_writes_its_plan_and_a_later_deadline_is_refused_on_the_page(login, city_plan, personas):
    chief = login("chief")
    response = chief.post(
        f"/campaigns/{city_plan.pk}/plan/new/",
        {"name": "吴中区实施方案", "starts_on": "2024-04-01", "ends_on": "2024-12-31"},
    )
    assert "结束日期不能晚于上级专项行动的结束日期" in response.content.decode()
    response = chief.post(
        f"/campaigns/{city_plan.pk}/plan/new/",
        {
            "name": "吴中区实施方案",
            "starts_on": "2024-04-01",
            "ends_on": "2024-10-31",
            "focus": ["itinerant"],
        },
    )
    plan = Campaign.objects.get(name="吴中区实施方案")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.parent == city_plan and "unlicensed" in plan.focus and "itinerant" in plan.focus
    a1 = plan.requirements.get(form_code="S003-A1")
    response = chief.post(
        f"/campaigns/requirements/{a1.pk}/edit/",
        {"form_code": "S003-A1", "schedule": "once", "due_on": "2024-08-20"},
    )
    assert "不能晚于上级专项行动的要求（2024-08-09）" in response.content.decode()
    # The inspector of the same county may not edit the plan.
    assert login("alice").get(f"/campaigns/requirements/{a1.pk}/edit/").status_code == 403


def test_city_page_shows_phases_missing_plan_late_duty_and_sweep(
    login, city_plan, county_plan, personas, more_regions
):
    alice = personas["alice"]
    services.sweep_record(
        actor=alice,
        campaign=county_plan,
        village=more_regions["village"],
        swept_on=d(5, 3),
        swept_by=[alice],
        sites_found=2,
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Duty.objects.create(
        campaign=city_plan, unit=personas["chief"].unit, task="上报辖区无证行医底数", due_on=yesterday
    )
    page = login("dave").get(f"/campaigns/{city_plan.pk}/").content.decode()
    for text in ("动员部署", "普查治理", "督查", "总结", "今天"):
        assert text in page
    assert "未制定" in page and "相城区卫生监督所" in page
    assert "已排查 1 / 5 个村（社区），20.0%" in page
    assert "逾期 1" in page and "table-danger" in page
    assert "S003-A1" in page and "按每次联动执法行动计算" in page


def test_liaison_completes_only_its_own_units_duty_on_the_page(county_plan, personas, more_regions):
    police = Unit.objects.create(name="木渎派出所", kind=UnitKind.POLICE, region=more_regions["town"])
    market = Unit.objects.create(
        name="木渎市场监管所", kind=UnitKind.MARKET_REGULATION, region=more_regions["town"]
    )
    own = services.duty_add(
        actor=personas["chief"], campaign=county_plan, unit=police, task="打击医托", due_on=d(5, 1)
    )
    other = services.duty_add(
        actor=personas["chief"], campaign=county_plan, unit=market, task="广告", due_on=d(5, 1)
    )
    client = Client()
    client.force_login(make_user("li", police, Role.LIAISON, "刘联络"))

    page = client.get(county_plan.get_absolute_url()).content.decode()
    assert f"/campaigns/duties/{own.pk}/complete/" in page
    assert f"/campaigns/duties/{other.pk}/complete/" not in page
    assert (
        client.post(
            f"/campaigns/duties/{other.pk}/complete/", {"completed_on": "2024-05-01", "note": "x"}
        ).status_code
        == 403
    )
    response = client.post(
        f"/campaigns/duties/{own.pk}/complete/", {"completed_on": "2024-05-01", "note": "已完成"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.completed_on == d(5, 1) and other.completed_on is None


def test_sweep_page_lists_unswept_villages_of_the_own_jurisdiction(login, city_plan, personas, more_regions):
    alice = login("alice")
    page = alice.get(f"/campaigns/{city_plan.pk}/sweep/").content.decode()
    assert "金星村委会" in page and "澄湖村委会" in page and "三埂村委会" not in page
    response = alice.post(
        f"/campaigns/{city_plan.pk}/sweep/",
        {
            "village": "320506100201",
            "swept_on": "2024-05-03",
            "swept_by": [personas["alice"].pk],
            "sites_found": "1",
        },
    )
    assert response.status_code == 302
    assert Sweep.objects.get().village_id == "320506100201"
    page = alice.get(f"/campaigns/{city_plan.pk}/sweep/").content.decode()
    assert "金星村委会" not in page
    # 相城区's village is not offered and cannot be posted.
    response = alice.post(
        f"/campaigns/{city_plan.pk}/sweep/",
        {
            "village": "320507100201",
            "swept_on": "2024-05-03",
            "swept_by": [personas["alice"].pk],
            "sites_found": "0",
        },
    )
    assert response.status_code == 200 and Sweep.objects.count() == 1
    assert login("dave").get(f"/campaigns/{city_plan.pk}/sweep/").status_code == 404  # leaders do not sweep


def test_outreach_and_media_forms(login, county_plan, personas, more_regions):
    chief = login("chief")
    response = chief.post(
        f"/campaigns/{county_plan.pk}/outreach/new/",
        {"region": "320506100", "held_on": "2024-05-10", "title": "木渎镇法制宣传", "people_reached": "150"},
    )
    assert response.status_code == 302
    response = chief.post(
        f"/campaigns/{county_plan.pk}/media/new/",
        {
            "region": "320506",
            "published_on": "2024-05-11",
            "outlet": "吴中日报",
            "title": "报道",
            "count": "0",
        },
    )
    assert response.status_code == 200 and not MediaReport.objects.exists()
    chief.post(
        f"/campaigns/{county_plan.pk}/media/new/",
        {
            "region": "320506",
            "published_on": "2024-05-11",
            "outlet": "吴中日报",
            "title": "报道",
            "count": "2",
        },
    )
    assert OutreachEvent.objects.get().people_reached == 150
    page = chief.get(county_plan.get_absolute_url()).content.decode()
    assert "宣教 150 人；媒体报道 2 次" in page


def test_manager_adds_phase_duty_and_group_member(login, county_plan, personas):
    chief = login("chief")
    url = county_plan.get_absolute_url()
    chief.post(
        f"{url}phases/new/", {"kind": PhaseKind.SWEEP, "starts_on": "2024-05-01", "ends_on": "2024-05-31"}
    )
    response = chief.post(
        f"{url}phases/new/", {"kind": PhaseKind.SWEEP, "starts_on": "2024-05-01", "ends_on": "2024-12-31"}
    )
    assert "阶段须在专项行动期间内" in response.content.decode()
    chief.post(f"{url}members/new/", {"name": "张三", "post": "区卫健委主任", "role": "leader"})
    chief.post(
        f"{url}duties/new/",
        {"unit": personas["chief"].unit_id, "task": "组织专项检查", "due_on": "2024-06-30"},
    )
    page = chief.get(url).content.decode()
    assert "摸底排查" in page and "张三" in page and "组织专项检查" in page


@pytest.mark.parametrize("published", [True, False])
def test_public_home_shows_hotline_of_published_campaigns_in_force(client, personas, published):
    today = timezone.localdate()
    services.campaign_create(
        actor=personas["dave"],
        name="苏州市打击非法行医专项行动",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=30),
        hotline="0512-66668888",
        email="dfx@example.gov.cn",
        published=published,
    )
    page = client.get("/public/").content.decode()
    assert ("0512-66668888" in page) is published
    assert ("dfx@example.gov.cn" in page) is published
