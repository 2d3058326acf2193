"""Demo campaign data: one city campaign with phases, form requirements, a leading group and duties,
implementation plans of the counties whose demo users may write one, and some village sweeps.

Called from core/demo.py after its regions, units and users exist. Idempotent: a second call finds
the campaign by its document number and changes nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.regions.models import Level, Region, Unit, UnitKind

from . import services
from .models import Campaign, GroupRole, PhaseKind, Schedule

DOC_NUMBER = "苏卫监督〔{year}〕8号"


def _users_list(users):
    if isinstance(users, dict):
        return list(users.values())
    return list(users)


@transaction.atomic
def load_demo_campaigns(city_region: Region, units: dict, users) -> Campaign | None:
    """`units`: core/demo's unit dict ("city", county codes, "<county>_police" …); `users`: the demo
    users (a list or a dict by username). Returns the city campaign, or None when no leader of the
    city can issue one."""
    people = [u for u in _users_list(users) if u.unit_id]
    city_leader = next(
        (u for u in people if u.role == Role.LEADER and u.unit.region_id == city_region.code), None
    )
    if city_leader is None:
        return None
    today = timezone.localdate()
    doc_number = DOC_NUMBER.format(year=today.year)
    existing = Campaign.objects.filter(region=city_region, doc_number=doc_number).first()
    if existing is not None:
        return existing

    start = today - dt.timedelta(days=60)
    end = today + dt.timedelta(days=120)
    campaign = services.campaign_create(
        actor=city_leader,
        name=f"{city_region.name}打击无证行医及非法医疗美容专项行动",
        doc_number=doc_number,
        starts_on=start,
        ends_on=end,
        focus=["unlicensed", "aesthetic", "tcm_wellness"],
        hotline="0512-12320",
        email="dfxy@example.gov.cn",
        office=units.get("city_sup"),
        notes="以城中村、城乡结合部等流动人口聚集地为重点，全覆盖检查，不留死角。",
        published=True,
    )
    for name, post, role, unit_key in [
        ("赵大伟", "市卫生健康委副主任", GroupRole.LEADER, "city"),
        ("褚明", "市卫生监督所所长", GroupRole.DEPUTY, "city_sup"),
        ("韩立", "市公安局治安支队副支队长", GroupRole.MEMBER, "city_police"),
    ]:
        services.group_member_add(
            actor=city_leader, campaign=campaign, name=name, post=post, role=role, unit=units.get(unit_key)
        )
    day = start
    for kind, days in [
        (PhaseKind.MOBILISATION, 20),
        (PhaseKind.SWEEP, 40),
        (PhaseKind.CRACKDOWN, 60),
        (PhaseKind.SUPERVISION, 40),
    ]:
        services.phase_add(
            actor=city_leader,
            campaign=campaign,
            kind=kind,
            starts_on=day,
            ends_on=day + dt.timedelta(days=days - 1),
        )
        day += dt.timedelta(days=days)
    services.phase_add(
        actor=city_leader, campaign=campaign, kind=PhaseKind.SUMMARY, starts_on=day, ends_on=end
    )
    for form_code, schedule, params in [
        ("S003-A1", Schedule.ONCE, {"due_on": start + dt.timedelta(days=130)}),
        ("S003-A2", Schedule.ONCE, {"due_on": start + dt.timedelta(days=130)}),
        ("S004-Q", Schedule.QUARTERLY, {"day_of_month": 20}),
        ("S001-A3", Schedule.AFTER_OPERATION, {"days_after": 7}),
        ("S003-WS", Schedule.AT_END, {}),
    ]:
        services.requirement_add(
            actor=city_leader, campaign=campaign, form_code=form_code, schedule=schedule, **params
        )

    # Counties whose demo users include one allowed to write a plan (科室负责人 or 领导 there).
    planners = {}
    for user in people:
        region = user.unit.region
        if (
            region.level == Level.COUNTY
            and region.code.startswith(city_region.prefix)
            and user.can("campaigns.manage")
        ):
            planners.setdefault(region.code, user)
    sweeper = {
        u.unit.region_id: u
        for u in people
        if u.role == Role.INSPECTOR and u.unit.region.level == Level.COUNTY
    }
    for code, planner in sorted(planners.items())[:2]:
        county = planner.unit.region
        plan = services.plan_create(
            actor=planner,
            parent=campaign,
            unit=planner.unit,
            name=f"{county.name}打击无证行医及非法医疗美容专项行动实施方案",
            doc_number=f"{county.name[:2]}卫监〔{today.year}〕2号",
        )
        sweep_phase = plan.phases.get(kind=PhaseKind.SWEEP)
        police = (
            units.get(f"{code}_police") or Unit.objects.filter(region_id=code, kind=UnitKind.POLICE).first()
        )
        market = Unit.objects.filter(region_id=code, kind=UnitKind.MARKET_REGULATION).first()
        if police is not None:
            # Due before today and not done: shows as late on the campaign page.
            services.duty_add(
                actor=planner,
                campaign=plan,
                unit=police,
                phase=sweep_phase,
                task="严厉打击非法行医、利用“医托”诈骗等违法犯罪活动",
                due_on=today - dt.timedelta(days=5),
            )
        if market is not None:
            duty = services.duty_add(
                actor=planner,
                campaign=plan,
                unit=market,
                phase=sweep_phase,
                task="打击虚假违法医疗广告，处理情况通报区卫健委",
                due_on=today - dt.timedelta(days=10),
            )
            services.duty_complete(
                actor=planner,
                duty=duty,
                completed_on=today - dt.timedelta(days=12),
                note="查处违法医疗广告3起",
            )
        services.duty_add(
            actor=planner,
            campaign=plan,
            unit=planner.unit,
            task="组织开展全覆盖专项检查",
            due_on=today + dt.timedelta(days=30),
        )
        inspector = sweeper.get(code)
        if inspector is not None:
            villages = list(
                Region.objects.filter(level=Level.VILLAGE, code__startswith=county.prefix).order_by("code")
            )
            for i, village in enumerate(villages[: max(1, len(villages) * 3 // 5)]):
                services.sweep_record(
                    actor=inspector,
                    campaign=plan,
                    village=village,
                    swept_on=start + dt.timedelta(days=21 + i % 30),
                    swept_by=[inspector],
                    sites_found=1 if i % 4 == 0 else 0,
                )
            services.outreach_record(
                actor=inspector,
                campaign=plan,
                region=county,
                held_on=start + dt.timedelta(days=25),
                title=f"{county.name}打击非法行医法制宣传进社区",
                people_reached=260,
            )
    services.media_record(
        actor=city_leader,
        campaign=campaign,
        region=city_region,
        published_on=start + dt.timedelta(days=3),
        outlet="苏州日报",
        title="我市启动打击无证行医及非法医疗美容专项行动",
        count=2,
    )
    return campaign
