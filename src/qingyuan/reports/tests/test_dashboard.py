"""The dashboard (工作看板) against figures worked out by hand from the records below.

Period 2024-01-01 … 2024-06-30, "today" 2024-07-01. 苏州市 has two counties: 吴中区 (木渎镇 with
金星村 and 山塘社区) and 相城区 (黄埭镇 with 三埂村).
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from qingyuan.campaigns.models import PhaseKind
from qingyuan.cases.models import Case, CaseStatus
from qingyuan.leads.models import Category
from qingyuan.regions.models import Region
from qingyuan.reports import dashboard as d
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.models import Submission
from qingyuan.reports.submissions import submission_accept, submission_return, submission_submit
from qingyuan.subjects.models import InstitutionType

from . import factories as f

START, END, TODAY = dt.date(2024, 1, 1), dt.date(2024, 6, 30), dt.date(2024, 7, 1)


def moment(y, m, day, hour, minute=0):
    return f.at(dt.date(y, m, day), hour) + dt.timedelta(minutes=minute)


@pytest.fixture
def world(regions, personas, units):
    by = personas["alice"]
    v, c, xv = regions["village"], regions["community"], regions["xc_village"]
    city_campaign = f.campaign(
        units["city"],
        "苏州市打击非法行医专项行动",
        dt.date(2024, 4, 1),
        dt.date(2024, 10, 31),
        # 40 days; on 1 July 30 of them have passed (today included): 75.0%.
        phases=[(PhaseKind.SWEEP, dt.date(2024, 6, 2), dt.date(2024, 7, 11))],
    )
    plan = f.campaign(
        units["wuzhong"], "吴中区实施方案", dt.date(2024, 4, 1), dt.date(2024, 10, 31), parent=city_campaign
    )
    f.sweep(plan, v, dt.date(2024, 6, 5), by=by)  # 吴中区: 1 of 2 villages
    f.sweep(city_campaign, xv, dt.date(2024, 6, 6), by=personas["carol"])  # 相城区: 1 of 1

    # Leads of 吴中区 (handled by its unit)
    f.lead(v, moment(2024, 1, 31, 23, 30), category=Category.UNLICENSED)  # January
    f.lead(c, moment(2024, 2, 1, 0, 30), category=Category.UNLICENSED)  # February here, 31 Jan in UTC
    f.lead(
        v, dt.date(2024, 3, 10), category=Category.AESTHETIC, real_name=True, concluded=True, answered=True
    )
    f.lead(
        v,
        dt.date(2024, 3, 11),
        category=Category.AESTHETIC,
        real_name=True,
        concluded=True,
        campaign=city_campaign,
    )
    f.lead(v, dt.date(2024, 4, 1), category=Category.NON_PHYSICIAN, real_name=True, overdue=True)
    f.lead(v, moment(2023, 12, 31, 23, 59), overdue=True)  # before the period, overdue now
    f.lead(v, moment(2024, 7, 1, 0, 0))  # after the period
    f.lead(None, dt.date(2024, 5, 5), unit=units["wuzhong"])  # not located: 本级及未落到下级
    # Leads of 相城区
    f.lead(
        xv, dt.date(2024, 2, 15), category=Category.UNLICENSED, real_name=True, rejected=True, answered=True
    )
    f.lead(xv, moment(2024, 6, 30, 23), category=Category.ITINERANT)

    dental = f.subject(v, "金星牙科", institution_type=InstitutionType.DENTAL)
    beauty = f.subject(c, "山塘美容", institution_type=InstitutionType.AESTHETIC)
    other = f.subject(xv, "三埂诊所", institution_type=InstitutionType.WESTERN)
    c1 = f.case(dental, dt.date(2024, 1, 15), by=by)
    f.case(beauty, dt.date(2024, 3, 1), by=by, status=CaseStatus.INVESTIGATING, campaign=plan)  # c2
    f.case(dental, dt.date(2023, 12, 20), by=by, status=CaseStatus.INVESTIGATING)  # c3, before
    proposal = f.case(dental, dt.date(2024, 2, 2), by=by, status=CaseStatus.PROPOSED)
    Case.objects.filter(pk=proposal.pk).update(opened_on=None)  # not opened: not counted
    c5 = f.case(other, END, by=personas["carol"], status=CaseStatus.INVESTIGATING)
    # Overdue on 1 July, from the 90 days to decide: c2 (due 30 May) and c3; c5 has until 28 September.
    f.pending_recheck(c1, dt.date(2024, 6, 1))  # overdue on 1 July
    f.pending_recheck(c5, dt.date(2024, 7, 10))  # not yet due

    f.inspection(dental, dt.date(2024, 2, 10), by=by)
    f.inspection(beauty, END, by=by, hour=23, campaign=city_campaign)
    f.inspection(dental, TODAY, by=by, hour=0)  # after the period
    f.inspection(other, dt.date(2024, 5, 1), by=personas["carol"])
    return {"campaign": city_campaign, "plan": plan}


def figures(user, region=None, campaign=None, start=START, end=END):
    return d.dashboard_figures(
        user=user, region=region or user.unit.region, start=start, end=end, campaign=campaign, today=TODAY
    )


def row(data, name):
    return next(r for r in data.regions if r.name == name)


# --- figures for the city leader ----------------------------------------------------------------


def test_city_totals_count_the_period_and_overdue_items_now(world, personas):
    t = figures(personas["dave"]).totals
    assert (t.leads, t.cases, t.inspections) == (8, 3, 3)
    # Overdue whatever the period: cases c2 and c3; leads of April and of December 2023; one recheck.
    assert (t.overdue_cases, t.overdue_leads, t.overdue_rechecks) == (2, 2, 1)


def test_real_name_feedback_rate_counts_answered_among_concluded_or_rejected(world, personas):
    t = figures(personas["dave"]).totals
    # Due an answer: the two concluded tips of March and the rejected one of 相城区; answered: 2.
    # The real-name tip still being verified in April is not due yet.
    assert (t.real_name_answered, t.real_name_due, t.feedback_rate) == (2, 3, 66.7)


def test_months_follow_the_local_calendar(world, personas):
    months = figures(personas["dave"]).months
    assert [m.month.month for m in months] == [1, 2, 3, 4, 5, 6]
    assert [m.leads for m in months] == [1, 2, 2, 1, 1, 1]
    assert [m.cases for m in months] == [1, 0, 1, 0, 0, 1]
    assert [m.inspections for m in months] == [0, 1, 0, 0, 1, 1]


def test_leads_by_category_and_cases_by_institution_type(world, personas):
    data = figures(personas["dave"])
    by_category = {code: n for code, _, n in data.categories}
    assert by_category == {
        "unlicensed": 3,
        "non_physician": 1,
        "itinerant": 1,
        "aesthetic": 2,
        "tcm_wellness": 0,
        "licence_rental": 0,
        "sex_selection": 0,
        "advertising": 0,
        "other": 1,
    }
    assert [label for _, label, _ in data.categories][0] == "无证行医（黑诊所）"
    by_type = {code: n for code, _, n in data.institution_types}
    assert by_type == {"western": 1, "tcm": 0, "aesthetic": 1, "dental": 1, "other": 0}


def test_child_regions_ranked_with_their_figures(world, personas):
    data = figures(personas["dave"])
    assert [r.name for r in data.regions] == ["吴中区", "相城区", "本级及未落到下级"]
    wz, xc, rest = data.regions
    assert (wz.leads, wz.concluded, wz.cases, wz.inspections) == (5, 2, 2, 2)
    assert (wz.overdue_cases, wz.overdue_leads, wz.overdue_rechecks, wz.overdue) == (2, 2, 1, 5)
    assert (wz.villages, wz.swept, wz.coverage) == (2, 1, 50.0)
    assert (xc.leads, xc.concluded, xc.cases, xc.inspections, xc.overdue) == (2, 1, 1, 1, 0)
    assert (xc.villages, xc.swept) == (1, 1)
    assert (rest.leads, rest.cases) == (1, 0)


def test_lagging_region_is_flagged_with_the_figures_that_raised_it(world, personas):
    data = figures(personas["dave"])
    assert data.campaign.campaign == world["campaign"] and not data.campaign.chosen
    assert data.campaign.progress.percent == 75.0
    assert [r.name for r in data.lagging] == ["吴中区"]
    reasons = data.lagging[0].reasons
    assert reasons == [
        "排查覆盖率 50.0%（1/2 个村居），时间进度已过 75.0%",
        "线索办结率 40.0%（2/5），低于 60%",
        "超期 5 件（案件 2、线索 2、复查 1）",
    ]


def test_campaign_progress_counts_the_plans_below(world, personas):
    progress = figures(personas["dave"]).campaign
    assert (progress.villages, progress.swept, progress.coverage) == (3, 2, 66.7)
    # Tagged to the campaign or to 吴中区's plan: one lead, one case, one inspection.
    assert (progress.leads, progress.cases, progress.inspections) == (1, 1, 1)


def test_chosen_campaign_limits_the_period_figures_to_its_records(world, personas):
    t = figures(personas["dave"], campaign=world["campaign"]).totals
    assert (t.leads, t.cases, t.inspections) == (1, 1, 1)
    assert (t.real_name_answered, t.real_name_due) == (0, 1)
    assert t.overdue_cases == 2  # the overdue items are not limited to the campaign


# --- the rule itself, on rows written by hand ----------------------------------------------------


def make_row(code, **values):
    return d.RegionRow(key=code, region=Region(code=code, name=code, level=3), **values)


def test_lagging_rule_thresholds():
    progress = d.Progress(dt.date(2024, 1, 1), dt.date(2024, 1, 10), "行动期", 60.0)
    rows = [
        make_row("320501", villages=10, swept=5),  # 50% vs 60%: within 10 points
        make_row("320502", villages=10, swept=4),  # 40%: more than 10 points behind
        make_row("320503", leads=5, concluded=3),  # 60%: not under
        make_row("320504", leads=5, concluded=2),  # 40% of 5: flagged
        make_row("320505", leads=4, concluded=0),  # too few leads to judge
        make_row("320506", overdue_cases=1, overdue_leads=1, overdue_rechecks=1),  # 3: flagged
        make_row("320507", overdue_cases=2),  # 2: not
    ]
    flagged = {r.key: r.reasons for r in d.flag_lagging(rows, progress)}
    assert flagged["320502"] == ["排查覆盖率 40.0%（4/10 个村居），时间进度已过 60.0%"]
    assert [k for k, why in flagged.items() if any("办结率" in w for w in why)] == ["320504"]
    assert [k for k, why in flagged.items() if any("超期" in w for w in why)] == ["320506"]
    assert "320501" not in flagged and "320507" not in flagged


def test_many_complaints_means_twice_the_average_and_at_least_five():
    rows = [make_row("320501", leads=10, concluded=10)] + [
        make_row(f"32050{i}", leads=2, concluded=2) for i in range(2, 6)
    ]
    # Average (10 + 4 × 2) / 5 = 3.6; 10 ≥ 7.2.
    flagged = d.flag_lagging(rows)
    assert [r.key for r in flagged] == ["320501"]
    assert flagged[0].reasons == ["线索 10 件，为各下级平均数（3.6）的 2.8 倍"]
    few = [make_row("320501", leads=4, concluded=4), make_row("320502")]
    assert d.flag_lagging(few) == []  # 4 is twice the average but fewer than 5


def test_expected_progress_without_sweep_phase_runs_over_the_whole_campaign(world):
    plan = world["plan"]  # 2024-04-01 … 2024-10-31, 214 days, no phases
    assert d.expected_progress(plan, dt.date(2024, 3, 1)).percent == 0.0
    assert d.expected_progress(plan, dt.date(2024, 4, 1)).percent == round(100 / 214, 1)
    assert d.expected_progress(plan, dt.date(2024, 12, 1)).percent == 100.0


# --- jurisdiction ---------------------------------------------------------------------------------


def test_county_inspector_sees_only_her_county(world, personas):
    data = figures(personas["alice"])
    t = data.totals
    assert (t.leads, t.cases, t.inspections) == (6, 2, 2)
    assert (t.overdue_cases, t.overdue_leads, t.overdue_rechecks) == (2, 2, 1)
    assert (t.real_name_answered, t.real_name_due) == (1, 2)
    assert [r.name for r in data.regions] == ["木渎镇", "本级及未落到下级"]
    assert data.regions[0].leads == 5 and data.regions[0].cases == 2
    # The county's plan is the campaign in force for it (the most specific of the chain).
    assert data.campaign.campaign == world["plan"]
    assert (data.campaign.villages, data.campaign.swept) == (2, 1)


def test_neighbouring_county_leads_are_never_counted(world, personas, units, regions):
    # A lead handled by 相城区 even though it points into 吴中区: 吴中区's officers do not see it.
    f.lead(regions["village"], dt.date(2024, 3, 3), unit=units["xiangcheng"])
    alice = figures(personas["alice"]).totals
    carol = figures(personas["carol"]).totals
    assert alice.leads == 6
    assert (carol.leads, carol.cases, carol.inspections, carol.overdue_cases) == (3, 1, 1, 0)


def test_city_leader_may_look_at_one_county(world, personas, regions):
    data = figures(personas["dave"], region=regions["xiangcheng"])
    assert (data.totals.leads, data.totals.cases, data.totals.overdue_cases) == (2, 1, 0)
    assert [r.name for r in data.regions] == ["黄埭镇"]


# --- the page -------------------------------------------------------------------------------------

URL = reverse("reports:dashboard")
PARAMS = {"start": "2024-01-01", "end": "2024-06-30"}


@pytest.mark.parametrize("persona", ["dave", "chief", "alice", "clerk"])
def test_page_renders_for_roles_with_reports_view(world, login, persona):
    response = login(persona).get(URL, PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dashboard-data" type="application/json"' in html
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
    for table in ("table-monthly", "table-regions", "table-categories", "table-institutions"):
        assert f'id="{table}"' in html


@pytest.mark.parametrize("persona", ["sam", "sec", "aud"])
def test_page_is_404_for_roles_without_reports_view(world, login, persona):
    assert login(persona).get(URL).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_no_inline_script_on_the_page(world, login):
    html = login("dave").get(URL, PARAMS).content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)


def test_default_period_is_this_year(world, login):
    from django.utils import timezone

    today = timezone.localdate()
    response = login("dave").get(URL)
    assert response.status_code == 200
    scope = response.context["data"].scope
    assert (scope.start, scope.end) == (dt.date(today.year, 1, 1), today)


def test_overdue_numbers_link_to_the_lists_that_show_them(world, login):
    client = login("dave")
    response = client.get(URL, PARAMS)
    links = response.context["links"]
    assert links["overdue_cases"] == reverse("cases:list") + "?overdue=true"
    listed = client.get(links["overdue_cases"])
    # The list counts on the real today, by which c5's 90 days have run out too.
    assert listed.context["page"].paginator.count == 3
    listed = client.get(links["overdue_leads"])
    assert listed.context["page"].paginator.count == 2
    assert links["overdue_rechecks"] == reverse("cases:rechecks") + "?state=overdue"


def test_period_figures_link_to_lists_with_the_same_filters(world, login):
    client = login("dave")
    response = client.get(URL, PARAMS)
    links = response.context["links"]
    assert client.get(links["leads"]).context["page"].paginator.count == 8
    assert client.get(links["inspections"]).context["page"].paginator.count == 3
    # Any period: the case list filters by 立案日期 from/to.
    assert links["cases"] == reverse("cases:list") + "?opened_from=2024-01-01&opened_to=2024-06-30"
    assert client.get(links["cases"]).context["page"].paginator.count == 3
    feedback = client.get(links["real_name"]).context["figures"]
    assert (feedback.real_name_answered, feedback.real_name_concluded) == (2, 3)
    odd = client.get(URL, {"start": "2024-03-01", "end": "2024-06-30"}).context
    assert odd["data"].totals.cases == 2
    assert client.get(odd["links"]["cases"]).context["page"].paginator.count == 2


def test_region_rows_link_to_the_county_dashboard_and_lists(world, login):
    client = login("dave")
    response = client.get(URL, PARAMS)
    html = response.content.decode()
    first = response.context["region_rows"][0]
    assert first["row"].name == "吴中区"
    assert first["url"] == f"{URL}?region=320506&start=2024-01-01&end=2024-06-30"
    assert client.get(first["leads"][1]).context["page"].paginator.count == 5
    assert 'data-region="320506"' in html
    county = client.get(first["url"])
    assert county.status_code == 200
    assert county.context["data"].scope.region.code == "320506"
    assert "返回本辖区" in county.content.decode()


def test_lagging_region_shows_its_reasons_on_the_page(world, login):
    html = login("dave").get(URL, PARAMS).content.decode()
    section = html.split('id="lagging"')[1].split("</section>")[0]
    assert "吴中区" in section and "相城区" not in section
    assert "线索办结率 40.0%（2/5），低于 60%" in section


def test_county_user_cannot_open_the_neighbouring_county(world, login):
    response = login("alice").get(URL, {**PARAMS, "region": "320507"})
    assert response.status_code == 400
    assert "区划：区划代码“320507”不存在或不在您的辖区内" in response.content.decode()


def test_campaign_of_another_county_cannot_be_chosen(world, login, units):
    xc_plan = f.campaign(
        units["xiangcheng"],
        "相城区实施方案",
        dt.date(2024, 4, 1),
        dt.date(2024, 10, 31),
        parent=world["campaign"],
    )
    response = login("alice").get(URL, {**PARAMS, "campaign": xc_plan.pk})
    assert response.status_code == 400
    assert "所选专项行动不存在或不在您的辖区内" in response.content.decode()


def test_end_before_start_names_the_field(world, login):
    response = login("dave").get(URL, {"start": "2024-06-30", "end": "2024-01-01"})
    assert response.status_code == 400
    assert "统计期止：统计期止不能早于统计期起" in response.content.decode()


def test_chart_data_matches_the_tables(world, login):
    response = login("dave").get(URL, PARAMS)
    charts = response.context["charts"]
    assert charts["monthly"]["labels"] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    leads = charts["monthly"]["series"][0]
    assert (leads["name"], leads["data"]) == ("线索", [1, 2, 2, 1, 1, 1])
    assert leads["urls"][0] == reverse("leads:list") + "?received_from=2024-01-01&received_to=2024-01-31"
    assert charts["regions"]["labels"] == ["吴中区", "相城区"]  # the 本级 row has no bar
    assert charts["regions"]["series"][0]["data"] == [2, 1]
    assert charts["institutions"]["data"] == [1, 0, 1, 1, 0]


def listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_monthly_cases_link_to_the_case_list_of_that_month(world, login):
    client = login("dave")
    response = client.get(URL, PARAMS)
    months = response.context["months"]
    assert [m["cases"][0] for m in months] == [1, 0, 1, 0, 0, 1]
    assert months[0]["cases"][1] == reverse("cases:list") + "?opened_from=2024-01-01&opened_to=2024-01-31"
    for m in months:
        count, url = m["cases"]
        if count:
            assert listed(client, url) == count, m["label"]
        else:
            assert not url  # nothing to open behind a zero
    # The chart's bars open the same lists as the table's numbers, which the page shows as links.
    cases = response.context["charts"]["monthly"]["series"][1]
    assert cases["name"] == "案件" and cases["urls"] == [m["cases"][1] or "" for m in months]
    table = response.content.decode().split('id="table-monthly"')[1].split("</table>")[0]
    assert f'<a href="{escape(months[2]["cases"][1])}">1</a>' in table


def test_month_links_keep_to_the_period_where_it_cuts_a_month(world, login):
    client = login("dave")
    response = client.get(URL, {"start": "2024-03-01", "end": "2024-06-15"})
    june = response.context["months"][-1]
    assert june["cases"] == (0, 0)  # the case of 30 June lies outside
    march = response.context["months"][0]
    assert march["cases"][1].endswith("?opened_from=2024-03-01&opened_to=2024-03-31")
    assert listed(client, march["cases"][1]) == 1


def test_cases_by_institution_type_link_to_the_filtered_list(world, login):
    client = login("dave")
    response = client.get(URL, PARAMS)
    rows = {label: (n, url) for label, n, url in response.context["institutions"]}
    assert rows["口腔"][1] == (
        reverse("cases:list") + "?institution_type=dental&opened_from=2024-01-01&opened_to=2024-06-30"
    )
    for label, (n, url) in rows.items():
        if n:
            assert listed(client, url) == n, label
    assert rows["中医"] == (0, 0)
    charts = response.context["charts"]["institutions"]
    assert charts["urls"] == [url or "" for _label, _n, url in response.context["institutions"]]
    table = response.content.decode().split('id="table-institutions"')[1].split("</table>")[0]
    assert f'<a href="{escape(rows["医疗美容"][1])}">1</a>' in table


def test_case_links_follow_the_chosen_county_and_campaign(world, login, regions):
    client = login("dave")
    county = client.get(URL, {**PARAMS, "region": "320507"}).context
    assert county["links"]["cases"].endswith("?region=320507&opened_from=2024-01-01&opened_to=2024-06-30")
    assert listed(client, county["links"]["cases"]) == county["data"].totals.cases == 1
    tagged = client.get(URL, {**PARAMS, "campaign": world["plan"].pk}).context
    assert tagged["data"].totals.cases == 1
    assert listed(client, tagged["links"]["cases"]) == 1
    by_type = {label: url for label, n, url in tagged["institutions"] if n}
    assert list(by_type) == ["医疗美容"] and listed(client, by_type["医疗美容"]) == 1


def test_region_rows_link_their_cases_for_any_period(world, login):
    client = login("dave")
    rows = client.get(URL, PARAMS).context["region_rows"]
    wz, xc = rows[0], rows[1]
    assert listed(client, wz["cases"][1]) == wz["row"].cases == 2
    assert listed(client, xc["cases"][1]) == xc["row"].cases == 1


def test_county_inspector_case_links_show_her_county_only(world, login):
    client = login("alice")
    response = client.get(URL, PARAMS)
    assert listed(client, response.context["links"]["cases"]) == response.context["data"].totals.cases == 2
    for label, n, url in response.context["institutions"]:
        if n:
            assert listed(client, url) == n, label


@pytest.fixture
def forms_sent_up(world, regions, units, personas):
    """相城区 and 吴中区 sent S003-A1 up to the city; 吴中区 also S003-A2, returned and not sent again;
    a first-quarter form of 相城区 was accepted."""
    xc_chief = f.officer(units["xiangcheng"], "xc_chief")
    half = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    wz = submission_submit(actor=personas["chief"], code="S003-A1", scope=Scope(regions["wuzhong"], *half))
    xc = submission_submit(actor=xc_chief, code="S003-A1", scope=Scope(regions["xiangcheng"], *half))
    returned = submission_submit(
        actor=personas["chief"], code="S003-A2", scope=Scope(regions["wuzhong"], *half)
    )
    submission_return(actor=personas["dave"], submission=returned, reason="请核实")
    quarter = submission_submit(
        actor=xc_chief, code="S003-A1", scope=Scope(regions["xiangcheng"], START, dt.date(2024, 3, 31))
    )
    submission_accept(actor=personas["dave"], submission=quarter)
    return [wz, xc]


def test_forms_awaiting_review_link_to_the_submission_list_to_review(forms_sent_up, login):
    client = login("dave")
    response = client.get(URL, PARAMS)
    data, links = response.context["data"], response.context["links"]
    assert data.to_review_count == 2
    assert links["to_review"] == reverse("reports:submission_list") + "?to_review=on"
    listing = client.get(links["to_review"])
    assert listing.context["page"].paginator.count == 2
    assert {obj.pk for obj, _cells in listing.context["rows"]} == {s.pk for s in forms_sent_up}
    html = response.content.decode()
    section = html.split('id="to-review"')[1].split("</section>")[0]
    assert f'href="{escape(links["to_review"])}"' in section


def test_each_form_awaiting_review_opens_its_page(forms_sent_up, login):
    client = login("dave")
    html = client.get(URL, PARAMS).content.decode()
    section = html.split('id="to-review-list"')[1].split("</ul>")[0]
    urls = re.findall(r'href="([^"]+)"', section)
    assert sorted(urls) == sorted(reverse("reports:submission_detail", args=[s.pk]) for s in forms_sent_up)
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200 and page.context["submission"].status == "submitted"
        assert "accept" in page.context["actions"]  # the city leader reviews them there


def test_forms_awaiting_review_are_those_the_units_one_level_up_review(forms_sent_up, login, regions):
    # A county's dashboard seen from the city: the county reviews no form (its townships send none), and
    # the city's 待我审核 list would show other forms, so the figure has no list link.
    county = login("dave").get(URL, {**PARAMS, "region": "320506"}).context
    assert county["data"].to_review_count == 0 and county["links"]["to_review"] is None
    # The county inspector may not review: nothing awaits her and there is no link.
    alice = login("alice").get(URL, PARAMS).context
    assert alice["data"].to_review_count == 0 and alice["links"]["to_review"] is None
    assert Submission.objects.filter(status="submitted").count() == 2
