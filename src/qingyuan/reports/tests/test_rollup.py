"""Roll-up: the city's form as the sum of its counties' accepted forms, each county's state against the
campaign's deadline, the comparison with the city's own computation, and the roll-up sent upward.

Three counties of 苏州市 (吴中区, 相城区 and, made here, 姑苏区); period 2024-01-01 … 06-30.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from qingyuan.regions.models import Unit, UnitKind
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Ratio, Scope
from qingyuan.reports.models import Submission, SubmissionStatus
from qingyuan.reports.rollup import rollup
from qingyuan.reports.serialize import to_data
from qingyuan.reports.submissions import submission_accept, submission_return, submission_submit
from qingyuan.subjects.models import InstitutionType, SubjectKind

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


@pytest.fixture
def world(regions, units, personas):
    by = personas["alice"]
    gusu, gusu_unit = f.county_with_unit(regions["city"], "320508", "姑苏区")
    chiefs = {
        "wuzhong": personas["chief"],
        "xiangcheng": f.officer(units["xiangcheng"], "xc_chief"),
        "gusu": f.officer(gusu_unit, "gs_chief"),
    }
    # 吴中区: a dental site inspected twice, fined 20,000 yuan, entered in the national system.
    dental = f.subject(regions["village"], "金星牙科", institution_type=InstitutionType.DENTAL)
    f.inspection(dental, dt.date(2024, 3, 1), by=by)
    f.inspection(dental, dt.date(2024, 3, 2), by=by)
    c1 = f.case(dental, dt.date(2024, 3, 5), by=by, national_entry_on=dt.date(2024, 3, 6))
    f.decision(c1, dt.date(2024, 4, 1), by=by, fine="20000")
    # 相城区: a western clinic fined 5,000.50 yuan with 1,200 yuan confiscated and banned, referred.
    clinic = f.subject(regions["xc_village"], "三埂诊所", institution_type=InstitutionType.WESTERN)
    f.inspection(clinic, dt.date(2024, 2, 1), by=by)
    c2 = f.case(clinic, dt.date(2024, 2, 2), by=by)
    f.decision(c2, dt.date(2024, 2, 20), by=by, fine="5000.50", confiscate_income="1200", ban=True)
    f.referral(c2, dt.date(2024, 3, 1), by=by)
    # 姑苏区: a dental site warned, its case entered in the national system.
    parlour = f.subject(gusu, "观前牙科", institution_type=InstitutionType.DENTAL)
    f.inspection(parlour, dt.date(2024, 5, 1), by=by)
    c3 = f.case(parlour, dt.date(2024, 5, 2), by=by, national_entry_on=dt.date(2024, 5, 3))
    f.decision(c3, dt.date(2024, 5, 20), by=by, warning=True)
    return {"gusu": gusu, "chiefs": chiefs, "regions": {**regions, "gusu": gusu}, "by": by, "dental": dental}


def submit_all(world, code="S003-A1", accept=("wuzhong", "xiangcheng", "gusu"), reviewer=None):
    made = {}
    for name, chief in world["chiefs"].items():
        region = world["regions"][name]
        made[name] = submission_submit(actor=chief, code=code, scope=Scope(region, START, END))
        if name in accept:
            made[name] = submission_accept(actor=reviewer, submission=made[name])
    return made


def test_three_counties_rolled_up_equal_the_citys_direct_computation(world, regions, personas):
    submit_all(world, reviewer=personas["dave"])
    summary = rollup(code="S003-A1", scope=Scope(regions["city"], START, END))
    direct = get_form("S003-A1").compute(Scope(regions["city"], START, END))
    assert to_data(summary.result)["tables"] == to_data(direct)["tables"]
    assert summary.differences == []
    total = summary.result.table("main").cells["total"]
    assert (total["inspections"], total["penalised_units"], total["fine_count"]) == (4, 3, 2)
    assert total["fine_amount"] == Decimal("25000.50")
    assert total["system_entry"] == Ratio(2, 3)
    assert [c.state for c in summary.children] == ["已审核"] * 3


def test_city_submits_the_roll_up_upward_with_its_sources(world, regions, units, personas):
    made = submit_all(world, reviewer=personas["dave"])
    city = submission_submit(
        actor=personas["dave"], code="S003-A1", scope=Scope(regions["city"], START, END), rolled_up=True
    )
    assert city.rolled_up and set(city.sources.all()) == set(made.values())
    assert city.data["tables"]["main"]["total"]["fine_amount"] == "25000.50"
    # The province reviews the city's roll-up.
    province_unit = Unit.objects.create(
        name="江苏省卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=regions["province"]
    )
    accepted = submission_accept(actor=f.officer(province_unit, "js_leader", "leader"), submission=city)
    assert accepted.status == SubmissionStatus.ACCEPTED
    # A county's accepted form inside the city's live roll-up cannot be reopened.
    with pytest.raises(ValidationError, match="已汇总进江苏省苏州市第1版报表"):
        submission_return(actor=personas["dave"], submission=made["wuzhong"], reason="更正")


def test_partial_roll_up_lists_the_others_and_needs_a_note(world, regions, personas):
    made = submit_all(world, accept=("wuzhong", "gusu"), reviewer=personas["dave"])
    submission_return(actor=personas["dave"], submission=made["gusu"], reason="请核实警告数")
    city = Scope(regions["city"], START, END)
    summary = rollup(code="S003-A1", scope=city)
    states = {c.region.name: c.state for c in summary.children}
    assert states == {"吴中区": "已审核", "相城区": "已上报待审核", "姑苏区": "已退回"}
    assert summary.result.table("main").cells["total"]["inspections"] == 2  # 吴中区 only
    differences = {(d.row, d.column): (d.submitted, d.live) for d in summary.differences}
    assert differences[("合计", "监督户次数")] == (2, 4)
    assert differences[("西医", "罚款金额（万元）")] == (0, Decimal("5000.50"))
    with pytest.raises(ValidationError) as caught:
        submission_submit(actor=personas["dave"], code="S003-A1", scope=city, rolled_up=True)
    assert caught.value.message_dict["note"] == [
        "请在填报说明中说明：江苏省苏州市相城区：已上报待审核，未计入汇总",
        "请在填报说明中说明：江苏省苏州市姑苏区：已退回，未计入汇总",
    ]
    done = submission_submit(
        actor=personas["dave"], code="S003-A1", scope=city, rolled_up=True, note="相城区、姑苏区待补报"
    )
    assert list(done.sources.all()) == [made["wuzhong"]]


def test_missing_and_late_counties_against_the_campaign_deadline(world, regions, units, personas):
    campaign = f.campaign_requiring(
        units["city"], "S003-A1", starts_on=START, ends_on=dt.date(2024, 12, 31), due_on=dt.date(2024, 7, 10)
    )
    on_time = submission_submit(
        actor=world["chiefs"]["wuzhong"], code="S003-A1", scope=Scope(regions["wuzhong"], START, END)
    )
    Submission.objects.filter(pk=on_time.pk).update(submitted_at=f.at(dt.date(2024, 7, 8)))
    late = submission_submit(
        actor=world["chiefs"]["gusu"], code="S003-A1", scope=Scope(world["gusu"], START, END)
    )
    Submission.objects.filter(pk=late.pk).update(submitted_at=f.at(dt.date(2024, 7, 12)))
    assert late.due_on == dt.date(2024, 7, 10) and campaign.requirements.count() == 1

    city = Scope(regions["city"], START, END)
    before = {
        c.region.name: (c.state, c.overdue)
        for c in rollup(code="S003-A1", scope=city, today=dt.date(2024, 7, 9)).children
    }
    assert before == {
        "吴中区": ("已上报待审核", False),
        "相城区": ("未上报", False),
        "姑苏区": ("已上报待审核", True),
    }
    after = rollup(code="S003-A1", scope=city, today=dt.date(2024, 7, 15))
    assert {c.region.name: c.overdue for c in after.children} == {
        "吴中区": False,
        "相城区": True,
        "姑苏区": True,
    }
    assert {c.region.name: c.due_on for c in after.children}["相城区"] == dt.date(2024, 7, 10)
    assert after.counts["逾期"] == 2 and after.counts["未上报"] == 1


def test_lists_are_concatenated_and_renumbered(world, regions, personas):
    for region, name in (
        (regions["village"], "金星黑诊所"),
        (regions["xc_village"], "三埂游医"),
        (world["gusu"], "观前黑诊所"),
    ):
        f.subject(
            region,
            name,
            kind=SubjectKind.UNLICENSED_CLINIC,
            found_on=dt.date(2024, 3, 1),
            needs_joint_action=True,
        )
    submit_all(world, code="S001-A2", reviewer=personas["dave"])
    summary = rollup(code="S001-A2", scope=Scope(regions["city"], START, END))
    names = summary.result.table("joint_list").items
    assert [item["no"] for item in names] == [1, 2, 3]
    assert summary.differences == []
    assert (
        summary.result.table("main").cells["total"]["loc_rural"]
        == summary.live.table("main").cells["total"]["loc_rural"]
    )


def test_only_cities_and_provinces_roll_up_summable_forms(world, regions):
    with pytest.raises(ValidationError, match="只有市、省可以汇总"):
        rollup(code="S003-A1", scope=Scope(regions["wuzhong"], START, END))
    with pytest.raises(ValidationError, match="不能逐级汇总"):
        rollup(code="S003-WS", scope=Scope(regions["city"], START, END))


# --- pages --------------------------------------------------------------------------------------

CITY = {"form": "S003-A1", "region": "320500", "start": "2024-01-01", "end": "2024-06-30"}


def test_roll_up_page_shows_states_overdue_badges_and_comparison(world, regions, units, personas, login):
    f.campaign_requiring(
        units["city"], "S003-A1", starts_on=START, ends_on=dt.date(2024, 12, 31), due_on=dt.date(2024, 7, 10)
    )
    submit_all(world, accept=("wuzhong",), reviewer=personas["dave"])
    text = login("dave").get("/reports/rollup/", CITY).content.decode()
    assert "苏州市姑苏区" in text and "已上报待审核" in text and "已审核" in text
    assert text.count('<span class="badge text-bg-danger">逾期</span>') == 3  # all submitted after 7-10
    assert "与直接计算比较" in text and 'id="differences"' in text
    assert 'id="rollup-submit-button"' in text


def test_roll_up_submitted_through_the_page(world, personas, login):
    submit_all(world, reviewer=personas["dave"])
    query = "&".join(f"{k}={v}" for k, v in CITY.items())
    response = login("dave").post(f"/reports/rollup/submit/?{query}", {"note": ""})
    city = Submission.objects.get(region_id="320500")
    assert response.status_code == 302 and city.rolled_up and city.sources.count() == 3


def test_county_cannot_roll_up_the_city(world, login):
    response = login("chief").get("/reports/rollup/", CITY)
    text = response.content.decode()
    assert "不在您的辖区内" in text and 'id="children"' not in text
    assert (
        login("chief")
        .post("/reports/rollup/submit/?" + "&".join(f"{k}={v}" for k, v in CITY.items()))
        .status_code
        == 400
    )
    assert not Submission.objects.filter(region_id="320500").exists()


def test_roll_up_page_for_a_city_supervisor_has_no_submit_button(world, personas):
    client = Client()
    client.force_login(
        f.officer(Unit.objects.get(name="苏州市卫生健康委员会"), "sz_supervisor", "supervisor")
    )
    text = client.get("/reports/rollup/", CITY).content.decode()
    assert 'id="children"' in text and 'id="rollup-submit-button"' not in text


# --- a site handled in two counties ---------------------------------------------------------------


@pytest.fixture
def mover(world, regions):
    """流动牙医 (口腔) fined by 吴中区 in February, then moved to 相城区 and fined there in April."""
    by = world["by"]
    site = f.subject(regions["village"], "流动牙医", institution_type=InstitutionType.DENTAL)
    first = f.case(site, dt.date(2024, 2, 1), by=by)
    f.decision(first, dt.date(2024, 2, 10), by=by, fine="1000")
    site = f.changed(site, dt.date(2024, 3, 1), region=regions["xc_village"])
    second = f.case(site, dt.date(2024, 4, 1), by=by)
    f.decision(second, dt.date(2024, 4, 10), by=by, fine="2000")
    return site


def test_site_penalised_in_two_counties_is_explained_and_named(mover, world, regions, personas):
    submit_all(world, reviewer=personas["dave"])
    summary = rollup(code="S003-A1", scope=Scope(regions["city"], START, END))
    # 吴中区 counts 金星牙科 and 流动牙医, 相城区 三埂诊所 and 流动牙医, 姑苏区 观前牙科: 5 in the sum;
    # the city counts 流动牙医 once: 4. Fines are counted in 户次 and add up either way.
    differences = {(d.row, d.column): (d.submitted, d.live) for d in summary.differences}
    assert differences == {("口腔", "行政处罚单位数"): (4, 3), ("合计", "行政处罚单位数"): (5, 4)}
    notes = {(n.row, n.column): n for n in summary.split_notes}
    assert set(notes) == set(differences)
    for note in notes.values():
        assert note.text == "同一监管对象在两个以上下级区划被查处时，直接统计只计1户，下级汇总各计1户"
        assert [(s.subject_id, s.name, s.regions) for s in note.sites] == [(mover.pk, "流动牙医", 2)]


def test_the_sites_are_found_with_one_aggregate_query(
    mover, world, regions, personas, django_assert_num_queries
):
    submit_all(world, reviewer=personas["dave"])
    summary = rollup(code="S003-A1", scope=Scope(regions["city"], START, END))
    with django_assert_num_queries(1):
        assert len(summary.split_notes) == 2


def test_site_counted_in_two_counties_on_s001_a3(mover, world, regions, personas):
    submit_all(world, code="S001-A3", reviewer=personas["dave"])
    summary = rollup(code="S001-A3", scope=Scope(regions["city"], START, END))
    # 查处户数 (cases opened) and 处罚户数 (decisions): 5 summed against 4 counted directly.
    differences = {d.column: (d.submitted, d.live) for d in summary.differences}
    assert differences == {"查处户数": (5, 4), "处罚户数": (5, 4)}
    assert {n.column: [s.name for s in n.sites] for n in summary.split_notes} == {
        "查处户数": ["流动牙医"],
        "处罚户数": ["流动牙医"],
    }


def test_no_note_where_a_missing_county_explains_the_difference(world, regions, personas):
    submit_all(world, accept=("wuzhong", "xiangcheng"), reviewer=personas["dave"])  # 姑苏区 awaits review
    summary = rollup(code="S003-A1", scope=Scope(regions["city"], START, END))
    differences = {(d.row, d.column): (d.submitted, d.live) for d in summary.differences}
    assert differences[("合计", "行政处罚单位数")] == (2, 3)
    assert summary.split_notes == []


def test_records_at_the_city_itself_are_no_second_county(world, regions, personas):
    from qingyuan.cases.models import Case

    # A case the city handled itself is in no county's form: the site is not counted twice.
    site = f.subject(regions["village"], "市查牙科", institution_type=InstitutionType.DENTAL)
    f.decision(
        f.case(site, dt.date(2024, 2, 1), by=world["by"]), dt.date(2024, 2, 2), by=world["by"], fine="1"
    )
    later = f.case(site, dt.date(2024, 3, 1), by=world["by"])
    Case.objects.filter(pk=later.pk).update(region=regions["city"])
    f.decision(later, dt.date(2024, 3, 2), by=world["by"], fine="1")
    submit_all(world, reviewer=personas["dave"])
    summary = rollup(code="S003-A1", scope=Scope(regions["city"], START, END))
    assert summary.split_notes == []


def test_roll_up_page_shows_the_note_next_to_the_difference(mover, world, personas, login):
    submit_all(world, reviewer=personas["dave"])
    html = login("dave").get("/reports/rollup/", CITY).content.decode()
    table = html.split('id="differences"')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]  # after the header
    assert len(rows) == 2
    for row in rows:
        assert "行政处罚单位数" in row
        assert "同一监管对象在两个以上下级区划被查处时，直接统计只计1户，下级汇总各计1户" in row
        assert f'<a href="/subjects/{mover.pk}/" data-subject="{mover.pk}">流动牙医</a>（2个下级区划）' in row


def test_roll_up_page_uses_the_shared_scope_form(world, login):
    html = login("dave").get("/reports/rollup/", {**CITY, "campaign": ""}).content.decode()
    assert html.count('<form method="get"') == 1 and 'id="scope-form"' in html
    for name in ("form", "campaign", "operation"):
        assert f'name="{name}" id="id_{name}" form="scope-form"' in html
    assert '<option value="320500" selected>' in html and 'value="2024-06-30"' in html
    # The page's own query comes back whole through that form.
    response = login("dave").get("/reports/rollup/", {**CITY, "form": "S003-A2"})
    assert response.context["summary"].definition.code == "S003-A2"
