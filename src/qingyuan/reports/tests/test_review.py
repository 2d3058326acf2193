"""The forms checked against their definitions in FORMS.md on one rich set of records: every figure
of every grid form equals what its drill-down lists, for a county, a city, the province, a campaign
and a joint operation; time-zone edges; labels as printed; the files of every form; roll-up and
validation (period 2024-01-01 … 2024-06-30 unless a test says otherwise)."""

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest

from qingyuan.cases.models import RecheckKind, RecheckResult
from qingyuan.inspections.models import InspectionKind
from qingyuan.reports import drill as drill_lists
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import RATIO, Scope
from qingyuan.subjects.models import InstitutionType, PracticeContent, SubjectKind

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
BEFORE, AFTER = START - dt.timedelta(days=1), END + dt.timedelta(days=1)
UTC = dt.UTC


@pytest.fixture
def rich(regions, units, personas):
    """Records of every kind the forms count, in two counties, with events on and around the period's
    first and last moments (as UTC timestamps), a campaign with a county plan and a joint operation."""
    by = personas["alice"]
    v, community, xc = regions["village"], regions["community"], regions["xc_village"]
    campaign = f.campaign(units["city"], "打击无证行医专项行动", START, END)
    plan = f.campaign(units["wuzhong"], "吴中区实施方案", START, END, parent=campaign)

    s = {}
    s["west"] = f.subject(v, "金星诊所", institution_type=InstitutionType.WESTERN)
    s["tcm"] = f.subject(
        community, "山塘中医馆", institution_type=InstitutionType.TCM, practice_content=PracticeContent.TCM
    )
    s["beauty"] = f.subject(
        v,
        "丽人美容",
        kind=SubjectKind.BEAUTY_SALON,
        institution_type=InstitutionType.AESTHETIC,
        practice_content=PracticeContent.AESTHETIC,
        needs_joint_action=True,
    )
    s["dental"] = f.subject(
        v, "金星牙科", institution_type=InstitutionType.DENTAL, practice_content=PracticeContent.DENTAL
    )
    s["other"] = f.subject(xc, "三埂游医", kind=SubjectKind.ITINERANT)
    # In 吴中区 through the period, moved to 相城区 after it: 吴中区's site on the forms of the period.
    s["moved"] = f.subject(v, "搬走诊所", institution_type=InstitutionType.WESTERN)

    # Inspections: UTC timestamps either side of midnight in Shanghai at both ends of the period.
    first = dt.datetime(2023, 12, 31, 16, 0, tzinfo=UTC)  # 2024-01-01 00:00 Shanghai: in
    last = dt.datetime(2024, 6, 30, 15, 59, 59, tzinfo=UTC)  # 2024-06-30 23:59:59 Shanghai: in
    early = dt.datetime(2023, 12, 31, 15, 59, 59, tzinfo=UTC)  # 2023-12-31 23:59:59 Shanghai: out
    late = dt.datetime(2024, 6, 30, 16, 0, tzinfo=UTC)  # 2024-07-01 00:00 Shanghai: out
    f.inspection_at(s["west"], first, by=by, officers=3, vehicles=1, campaign=plan)
    f.inspection_at(s["west"], last, by=by, kind=InspectionKind.RECHECK, officers=2, vehicles=2)
    f.inspection_at(s["west"], early, by=by, officers=9, vehicles=9)
    f.inspection_at(s["west"], late, by=by, kind=InspectionKind.RECHECK, officers=9, vehicles=9)
    f.inspection(s["tcm"], dt.date(2024, 2, 2), by=by, kind=InspectionKind.RECHECK, campaign=campaign)
    f.inspection(s["tcm"], dt.date(2024, 2, 3), by=by, kind=InspectionKind.RECHECK, officers=4)
    f.inspection(s["beauty"], dt.date(2024, 3, 1), by=by, kind=InspectionKind.COVERT, vehicles=0)
    f.inspection(s["dental"], dt.date(2024, 4, 1), by=by, campaign=plan)
    f.inspection(s["other"], dt.date(2024, 4, 1), by=personas["carol"], officers=5, vehicles=3)
    f.inspection(s["moved"], dt.date(2024, 5, 1), by=by)

    # Cases, decisions with every measure, referrals (twice for one case), judgments.
    c_west = f.case(s["west"], START, by=by, national_entry_on=dt.date(2024, 1, 5), campaign=plan)
    f.decision(c_west, dt.date(2024, 2, 1), by=by, fine="30000", confiscate_income="1234.56", ban=True)
    c_west2 = f.case(s["west"], dt.date(2024, 3, 1), by=by)
    f.decision(c_west2, END, by=by, fine="250", warning=True)
    c_tcm = f.case(s["tcm"], dt.date(2023, 11, 1), by=by, campaign=campaign)
    f.decision(c_tcm, START, by=by, warning=True, ban=True)
    f.referral(c_tcm, dt.date(2024, 3, 3), by=by)
    f.referral(c_tcm, dt.date(2024, 3, 4), by=by)  # the same case handed over again: 1 移送案件
    f.referral(c_tcm, dt.date(2024, 3, 5), by=by, target="market")
    f.judgment(c_tcm, dt.date(2024, 5, 1), by=by, persons=["张某", "李某"])
    f.judgment(c_tcm, dt.date(2024, 6, 1), by=by, persons=["王某"])  # appeal: still 1 判决案件
    c_beauty = f.case(s["beauty"], dt.date(2024, 4, 1), by=by, national_entry_on=dt.date(2024, 4, 2))
    f.decision(c_beauty, dt.date(2024, 4, 20), by=by, confiscate_income="8000", fine="2000")
    f.referral(c_beauty, dt.date(2024, 4, 25), by=by)
    c_dental = f.case(s["dental"], END, by=by, campaign=plan)
    f.decision(c_dental, AFTER, by=by, fine="99999")  # after the period
    c_other = f.case(s["other"], dt.date(2024, 5, 5), by=by, national_entry_on=dt.date(2024, 5, 6))
    f.decision(c_other, dt.date(2024, 5, 20), by=by, fine="5000", ban=True)
    f.referral(c_other, dt.date(2024, 5, 21), by=by)
    f.judgment(c_other, dt.date(2024, 6, 20), by=by, persons=["钱某"])
    c_moved = f.case(s["moved"], dt.date(2024, 5, 2), by=by)
    f.decision(c_moved, dt.date(2024, 5, 10), by=by, ban=True)
    f.recheck(c_west, dt.date(2024, 3, 1), kind=RecheckKind.RECHECK, result=RecheckResult.CLEAN)

    # 回头看: west found again (twice), beauty found again, dental clean.
    n_west = f.case(s["west"], dt.date(2024, 3, 10), by=by, party_name="王五", title="回头看发现再次行医")
    f.recheck(c_west, dt.date(2024, 3, 9), result=RecheckResult.REOFFENDED, new_case=n_west)
    f.recheck(c_west2, dt.date(2024, 6, 29), result=RecheckResult.REOFFENDED)
    f.decision(n_west, dt.date(2024, 3, 20), by=by, warning=True, fine="20000", confiscate_income="3000.5")
    f.referral(n_west, dt.date(2024, 3, 25), by=by)
    n_beauty = f.case(s["beauty"], dt.date(2024, 5, 3), by=by, party_name="王五", campaign=campaign)
    f.recheck(c_beauty, dt.date(2024, 5, 1), result=RecheckResult.REOFFENDED, new_case=n_beauty)
    f.decision(n_beauty, dt.date(2024, 5, 15), by=by, fine="1000")
    f.referral(n_beauty, dt.date(2024, 5, 16), by=by)  # 王五 again: one person
    f.recheck(c_dental, dt.date(2024, 6, 1), result=RecheckResult.CLEAN)
    n_other = f.case(s["other"], dt.date(2024, 6, 2), by=by, party_name="钱七")
    f.recheck(c_other, dt.date(2024, 6, 1), result=RecheckResult.REOFFENDED, new_case=n_other)
    f.decision(n_other, dt.date(2024, 6, 10), by=by, warning=True)

    # Outreach and media.
    f.outreach(v, START, 100, by=by, campaign=plan)
    f.outreach(community, END, 50, by=by)
    f.outreach(xc, dt.date(2024, 3, 1), 70, by=by)
    f.outreach(v, BEFORE, 999, by=by)
    f.media(v, START, 2, by=by, campaign=campaign)
    f.media(xc, dt.date(2024, 5, 1), 1, by=by)
    f.media(v, AFTER, 5, by=by)

    operation = f.operation(
        regions["city"],
        by=personas["dave"],
        periods=[(dt.date(2024, 2, 1), dt.date(2024, 2, 7)), (dt.date(2024, 6, 25), dt.date(2024, 7, 5))],
        targets=[s["west"], s["tcm"]],
    )
    s["moved"] = f.changed(s["moved"], dt.date(2024, 7, 10), region=xc)
    return {"subjects": s, "campaign": campaign, "plan": plan, "operation": operation}


# --- every figure equals what its drill-down lists --------------------------------------------------

# How a figure is counted from the records its drill-down lists, by (form, column key): "count" (one
# per record), "sum:<field>" (a sum over the records), "distinct:<path>" (distinct values of a path),
# "ratio" (已录入 N / 共 M over the cases listed). Money columns sum the measure of their kind.
DISTINCT_SUBJECT = {
    "case": "subject_id",
    "decision": "case__subject_id",
    "inspection": "subject_id",
    "recheck": "subject_id",
}
HOW = {
    ("S001-A2", None): "count",
    ("S001-A3", "educated"): "sum:people_reached",
    ("S001-A3", "investigated"): "distinct",
    ("S001-A3", "penalised"): "distinct",
    ("S001-A3", "rechecked"): "distinct",
    ("S001-A3", "officer_trips"): "sum:officer_count",
    ("S001-A3", "vehicle_trips"): "sum:vehicles",
    ("S001-A3", "media_reports"): "sum:count",
    ("S003-A1", "inspections"): "count",
    ("S003-A1", "penalised_units"): "distinct",
    ("S003-A1", "confiscation_count"): "count",
    ("S003-A1", "confiscation_amount"): "measure:confiscate_income",
    ("S003-A1", "fine_count"): "count",
    ("S003-A1", "fine_amount"): "measure:fine",
    ("S003-A1", "ban_count"): "count",
    ("S003-A1", "referred_cases"): "distinct:case_id",
    ("S003-A1", "judged_cases"): "distinct:case_id",
    ("S003-A1", "liable_persons"): "count",
    ("S003-A1", "system_entry"): "ratio",
    ("S003-A2", "reoffended_sites"): "distinct",
    ("S003-A2", "decisions"): "count",
    ("S003-A2", "warnings"): "count",
    ("S003-A2", "fine_amount"): "measure:fine",
    ("S003-A2", "confiscation_amount"): "measure:confiscate_income",
    ("S003-A2", "referred_persons"): "person",
}


def counted(how: str, kind: str, queryset):
    """The figure the records of a drill-down make, counted as its column counts."""
    if how == "count":
        return queryset.count()
    if how == "distinct":
        return queryset.values(DISTINCT_SUBJECT[kind]).distinct().count()
    if how.startswith("distinct:"):
        return queryset.values(how.split(":")[1]).distinct().count()
    if how.startswith("sum:"):
        return sum(getattr(r, how.split(":")[1]) for r in queryset)
    if how.startswith("measure:"):
        measure = how.split(":")[1]
        amounts = [m.amount or 0 for d in queryset for m in d.measures.all() if m.kind == measure]
        return sum(amounts, Decimal("0.00"))
    if how == "ratio":
        return (queryset.exclude(national_entry_on=None).count(), queryset.count())
    if how == "person":
        return len({r.case.party_id_index or r.case.party_name for r in queryset})
    raise AssertionError(how)


def figure(value, column):
    if column.kind == RATIO:
        return (value.part, value.whole)
    return value


def source_form(code: str, table_key: str) -> str:
    """The form that counts a table: S004-Q and S003-WS quote the tables of S003-A1 and S003-A2."""
    if code == "S004-Q":
        return "S003-A1"
    if code == "S003-WS":
        return {"a1": "S003-A1", "a2": "S003-A2"}[table_key.split("_")[0]]
    return code


SCOPES = {
    "county": lambda w, r: Scope(r["wuzhong"], START, END),
    "neighbour": lambda w, r: Scope(r["xiangcheng"], START, END),
    "city": lambda w, r: Scope(r["city"], START, END),
    "province": lambda w, r: Scope(r["province"], START, END),
    "campaign": lambda w, r: Scope(r["city"], START, END, campaign=w["campaign"]),
    "plan": lambda w, r: Scope(r["wuzhong"], START, END, campaign=w["plan"]),
    "operation": lambda w, r: Scope(r["wuzhong"], START, END, operation=w["operation"]),
    "empty": lambda w, r: Scope(r["wuzhong"], dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
    "one_day": lambda w, r: Scope(r["wuzhong"], END, END),
}
GRID_FORMS = ["S001-A2", "S001-A3", "S003-A1", "S003-A2", "S004-Q", "S003-WS"]


@pytest.mark.parametrize("scope_name", sorted(SCOPES))
@pytest.mark.parametrize("code", GRID_FORMS)
def test_every_figure_equals_what_its_drill_down_lists(rich, regions, code, scope_name):
    """For each cell of each grid: the records the drill-down lists (limited, as on the page, to the
    jurisdiction of a user of the scope's region) count to the figure; a zero lists nothing counted."""
    scope = SCOPES[scope_name](rich, regions)
    definition = get_form(code)
    result = definition.compute(scope)
    checked = 0
    for table in result.tables:
        if not table.is_grid:
            continue
        source = source_form(code, table.key)
        for row in table.rows:
            for column in table.columns:
                value = figure(table.cells[row.key][column.key], column)
                found = definition.drill(scope, table.key, row.key, column.key)
                _spec, queryset = drill_lists.rows_for(found.kind, found.queryset, scope.region.prefix)
                how = HOW.get((source, column.key)) or HOW[(source, None)]
                assert counted(how, found.kind, queryset) == value, (table.key, row.label, column.label)
                checked += value not in (0, Decimal("0.00"), (0, 0))
    if scope_name in ("county", "city", "province"):
        assert checked > 5, "the fixture should give this form figures to check"


def test_drill_page_lists_a_site_that_moved_away_after_the_date(rich, regions, login):
    """S001-A2 counts 搬走诊所 in 吴中区 on 30 June; it moved to 相城区 in July. 吴中区's officer opening the
    figure sees it listed, as counted, not an empty list under a figure of 1."""
    params = {"region": "320506", "start": "2024-01-01", "end": "2024-06-30"}
    result = get_form("S001-A2").compute(Scope(regions["wuzhong"], START, END))
    assert result.table("main").cells["local"]["loc_rural"] == 3
    page = (
        login("chief")
        .get("/reports/form/S001-A2/drill/", {**params, "row": "local", "col": "loc_rural"})
        .content.decode()
    )
    assert "共 3 条监管对象" in page and "搬走诊所" in page


# --- figures worked out by hand, with UTC timestamps at the period's edges ---------------------------


def test_county_figures_by_hand(rich, regions):
    """吴中区, first half of 2024: the inspections at 00:00 on 1 January and 23:59:59 on 30 June
    (Shanghai) count, those a second before and after do not."""
    a1 = get_form("S003-A1").compute(Scope(regions["wuzhong"], START, END)).table("main").cells
    assert a1["western"]["inspections"] == 3  # first, last and 搬走诊所's
    assert a1["total"]["inspections"] == 7
    assert (a1["western"]["penalised_units"], a1["total"]["penalised_units"]) == (2, 4)
    assert (a1["western"]["fine_count"], a1["western"]["fine_amount"]) == (3, Decimal("50250.00"))
    assert (a1["western"]["confiscation_amount"], a1["total"]["ban_count"]) == (Decimal("4235.06"), 3)
    assert (a1["tcm"]["referred_cases"], a1["tcm"]["judged_cases"], a1["tcm"]["liable_persons"]) == (1, 1, 3)
    assert (a1["aesthetic"]["referred_cases"], a1["total"]["referred_cases"]) == (2, 4)
    assert str(a1["total"]["system_entry"]) == "已录入 2 / 共 7"
    a3 = get_form("S001-A3").compute(Scope(regions["wuzhong"], START, END)).table("main").cells["figures"]
    assert list(a3.values()) == [150, 4, 4, 2, 17, 7, 2]
    # One day: only the inspection at 23:59:59 on 30 June and the records of that day.
    day = get_form("S001-A3").compute(Scope(regions["wuzhong"], END, END)).table("main").cells["figures"]
    assert list(day.values()) == [50, 1, 1, 1, 2, 2, 0]
    a2 = get_form("S003-A2").compute(Scope(regions["wuzhong"], START, END)).table("main").cells["figures"]
    assert list(a2.values()) == [2, 2, 1, Decimal("21000.00"), Decimal("3000.50"), 1]


def test_campaign_and_operation_scopes_by_hand(rich, regions):
    """The city's campaign counts the records tagged to it or to 吴中区's plan; the plan only its own;
    the joint operation its days (2-1…2-7, 6-25…6-30) and its target sites (金星诊所, 山塘中医馆)."""
    city = regions["city"]
    campaign = get_form("S003-A1").compute(Scope(city, START, END, campaign=rich["campaign"]))
    total = campaign.table("main").cells["total"]
    assert (total["inspections"], total["penalised_units"], total["fine_amount"]) == (
        3,
        3,
        Decimal("31000.00"),
    )
    plan = get_form("S003-A1").compute(Scope(regions["wuzhong"], START, END, campaign=rich["plan"]))
    assert plan.table("main").cells["total"]["inspections"] == 2
    a3 = get_form("S001-A3").compute(Scope(regions["wuzhong"], START, END, operation=rich["operation"]))
    assert list(a3.table("main").cells["figures"].values()) == [50, 0, 1, 2, 8, 4, 0]
    # The province holds the city; a county with none of these records is all zero.
    province = get_form("S003-A1").compute(Scope(regions["province"], START, END)).table("main")
    assert province.cells == get_form("S003-A1").compute(Scope(city, START, END)).table("main").cells
    empty = get_form("S003-A1").compute(Scope(regions["wuzhong"], dt.date(2022, 1, 1), dt.date(2022, 12, 31)))
    assert all(
        v in (0, Decimal("0.00")) or str(v) == "已录入 0 / 共 0"
        for v in empty.table("main").cells["total"].values()
    )


# --- labels as printed ------------------------------------------------------------------------------

PRINTED = {
    "S001-A2": (
        ["本区自行查处", "需要联合查处", "合计"],
        [
            "城市社区",
            "城乡结合部",
            "农村",
            "性病",
            "医学美容",
            "牙科",
            "内科",
            "接生",
            "计生技术服务",
            "中医",
            "其他",
        ],
    ),
    "S001-A3": (
        ["数量"],
        [
            "开展法制宣教人数",
            "查处户数",
            "处罚户数",
            "复查户数",
            "出动执法人次数",
            "出动执法车辆辆次",
            "媒体报道次数",
        ],
    ),
    "S003-A1": (
        ["西医", "中医", "医疗美容", "口腔", "其他", "合计"],
        [
            "监督户次数",
            "行政处罚单位数",
            "没收违法所得户次",
            "没收违法所得金额（万元）",
            "罚款户次",
            "罚款金额（万元）",
            "取缔户次",
            "移送案件数",
            "法院判决案件数",
            "因无证行医追责人数",
            "信息系统录入情况",
        ],
    ),
}
PRINTED_LISTS = {
    "S001-A1": ["姓名", "性别", "民族", "单位", "手机号"],
    "S001-A4": [
        "序号",
        "当事人",
        "地址",
        "区域类型",
        "行医内容",
        "立案日期",
        "处罚种类",
        "罚没金额（元）",
        "是否取缔",
        "是否移送公安",
        "复查情况",
    ],
}


def test_json_labels_are_the_printed_ones(rich, regions):
    from qingyuan.reports.serialize import to_json

    scope = Scope(regions["wuzhong"], START, END, operation=rich["operation"])
    for code, (rows, columns) in PRINTED.items():
        data = to_json(get_form(code).compute(scope))["tables"][get_form(code).title]
        assert list(data) == rows and all(list(line) == columns for line in data.values()), code
    for code, columns in PRINTED_LISTS.items():
        table = get_form(code).compute(scope).tables[0]
        assert [c.label for c in table.columns] == columns, code
    groups = get_form("S003-A1").compute(scope).table("main").groups()
    assert groups == [("", 1), ("", 1), ("行政处罚情况", 5), ("其他情况", 4)]
    a2 = get_form("S001-A2").compute(scope)
    assert [g for g, _n in a2.table("main").groups()] == ["无证行医（户数）", "无证行医内容（户数）"]
    assert [c.label for c in a2.table("joint_list").columns] == [
        "序号",
        "无证行医人",
        "无证行医地点",
        "是否为区县交界地区",
    ]
    assert a2.table("joint_list").title == "需要市区联合查处的无证行医地点或人员名单"


# --- the files of every form ------------------------------------------------------------------------


def long_names(regions, personas):
    """One site, case, operation and supervisor with names as long as their fields allow."""
    by = personas["alice"]
    long = "很长的名字" * 40
    site = f.subject(regions["village"], long[:200], address="木渎镇" * 100, needs_joint_action=True)
    f.person(site, long[:50], role="practitioner")
    banned = f.case(site, dt.date(2024, 3, 1), by=by, title=long[:200], party_name=long[:200])
    f.decision(banned, dt.date(2024, 3, 2), by=by, fine="999999999999.99", ban=True, warning=True)
    again = f.case(site, dt.date(2024, 3, 5), by=by, title=long[:200], party_name=long[:200])
    f.recheck(banned, dt.date(2024, 3, 4), new_case=again)
    f.decision(again, dt.date(2024, 3, 6), by=by, confiscate_income="99999999999.99")
    op = f.operation(
        regions["city"], by=personas["dave"], periods=[(START, END)], targets=[site], name=long[:200]
    )
    personas["bob"].full_name = long[:50]
    personas["bob"].save()
    f.nomination(op, personas["bob"], by=personas["dave"])
    return op


@pytest.mark.parametrize("case", ["rich", "empty", "long"])
@pytest.mark.parametrize(
    "code", ["S001-A1", "S001-A2", "S001-A3", "S001-A4", "S003-A1", "S003-A2", "S003-WS", "S004-Q"]
)
def test_every_form_renders_in_every_format(regions, units, personas, request, code, case):
    """Every format of every form opens: with records, over a period without any (lists of no item),
    and with names as long as the fields allow, in operation mode where the form has one."""
    from openpyxl import load_workbook

    from qingyuan.reports.exports import render

    operation = None
    if case == "rich":
        operation = request.getfixturevalue("rich")["operation"]
    elif case == "long":
        operation = long_names(regions, personas)
    else:
        operation = f.operation(regions["city"], by=personas["dave"])
    uses_operation = code in ("S001-A1", "S001-A3")
    scope = Scope(regions["wuzhong"], START, END, operation=operation if uses_operation else None)
    result = get_form(code).compute(scope)
    formats = ["json", "xlsx", "pdf"] + (["docx"] if code in ("S003-WS", "S004-Q") else [])
    for fmt in formats:
        content, _type, name = render(result, fmt)
        assert name.startswith(code) and name.endswith(fmt) and content
    sheet = load_workbook(io.BytesIO(render(result, "xlsx")[0])).active
    assert sheet["A1"].value == result.title
    if case == "empty" and code in ("S001-A1", "S001-A4"):
        assert "无" in [c.value for row in sheet.iter_rows() for c in row]


def test_money_in_wan_is_rounded_half_up_alike_in_every_file(rich, regions):
    """50,250 元 is 5.025 万元: 5.03 as every spreadsheet shows the XLSX cell, so the PDF and the Word
    draft say 5.03 too, not 5.02 (half to even)."""
    from docx import Document

    from qingyuan.reports.exports import render
    from qingyuan.reports.exports.xlsx import cell_text

    result = get_form("S003-A1").compute(Scope(regions["wuzhong"], START, END))
    table = result.table("main")
    column = table.column("fine_amount")
    assert table.cells["western"]["fine_amount"] == Decimal("50250.00")
    assert cell_text(Decimal("50250.00"), column) == "5.03"
    assert cell_text(Decimal("250.00"), column) == "0.03"
    assert cell_text(Decimal("149.99"), column) == "0.01"
    assert (
        cell_text(
            Decimal("250.00"),
            get_form("S001-A4").compute(Scope(regions["wuzhong"], START, END)).tables[0].column("amount"),
        )
        == "250.00"
    )
    sheet = load_sheet(render(result, "xlsx")[0])
    western = next(row for row in sheet.iter_rows() if row[0].value == "西医")
    assert sheet.cell(6, 7).value == "罚款金额（万元）"
    assert (western[6].value, western[6].number_format) == (5.025, "0.00")
    # The Word draft's sentence: 合计 罚款 53,250 元 = 5.325 万元.
    summary = get_form("S003-WS").compute(Scope(regions["wuzhong"], START, END))
    text = "\n".join(p.text for p in Document(io.BytesIO(render(summary, "docx")[0])).paragraphs)
    assert "罚款5.33万元（5户次）" in text
    pdf = pdf_text(render(result, "pdf")[0])
    if pdf is not None:
        assert "5.03" in pdf and "5.02" not in pdf


def load_sheet(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content)).active


def pdf_text(content: bytes) -> str | None:
    """The PDF's text (pdftotext), None where poppler or its Chinese mapping is not installed."""
    tool = shutil.which("pdftotext")
    if not tool:
        return None
    text = subprocess.run([tool, "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S603
    out = text.stdout.decode()
    return out if "打击" in out else None


# --- S001-A2: a cleared site found practising again ------------------------------------------------


def test_cleared_site_with_a_new_case_counts_again(regions, personas):
    """Banned, rechecked clean and closed in February: cleared. A lead finds it practising again and a
    case is opened in May (no 回头看 involved): at the end of June it is an unlicensed site again."""
    by = personas["alice"]
    site = f.subject(regions["village"], "复燃诊所", practice_content=PracticeContent.INTERNAL)
    banned = f.case(site, dt.date(2024, 1, 10), by=by)
    f.decision(banned, dt.date(2024, 1, 20), by=by, ban=True)
    f.recheck(banned, dt.date(2024, 2, 5), kind=RecheckKind.RECHECK, result=RecheckResult.CLEAN)
    f.closed(banned, dt.date(2024, 2, 10))
    form = get_form("S001-A2")

    def internal(end):
        return (
            form.compute(Scope(regions["wuzhong"], START, end))
            .table("main")
            .cells["total"]["content_internal"]
        )

    assert internal(dt.date(2024, 4, 30)) == 0  # cleared
    f.case(site, dt.date(2024, 5, 6), by=by, status="investigating")
    assert internal(dt.date(2024, 4, 30)) == 0  # the new case is not known yet on 30 April
    assert internal(END) == 1
    drill = form.drill(Scope(regions["wuzhong"], START, END), "main", "total", "content_internal")
    assert list(drill.queryset) == [site]


# --- validation and roll-up of every summable form --------------------------------------------------


def test_s004q_tables_are_held_to_the_rules_of_s003a1(regions):
    """S004-Q is S003-A1 for the quarter and the year to date: a 罚款户次 without its amount in either
    table, or a 合计 that is not the sum of the rows, is an error naming the table."""
    from qingyuan.reports.validation import validate

    result = get_form("S004-Q").compute(Scope(regions["wuzhong"], dt.date(2024, 4, 1), END))
    assert validate(result) == []
    quarter = result.table("quarter").cells
    quarter["dental"]["fine_count"] = quarter["total"]["fine_count"] = 1
    quarter["dental"]["penalised_units"] = quarter["total"]["penalised_units"] = 1
    result.table("ytd").cells["total"]["inspections"] = 5
    found = [(x.level, x.message) for x in validate(result)]
    assert found == [
        ("error", "本季度：“口腔”行：罚款户次为1而罚款金额为0.00元，有罚款户次必须有罚款金额，反之亦然"),
        ("error", "本季度：“合计”行：罚款户次为1而罚款金额为0.00元，有罚款户次必须有罚款金额，反之亦然"),
        ("error", "本年累计：合计行“监督户次数”为5，与各机构类型之和0不符"),
    ]


@pytest.mark.parametrize("code", ["S001-A1", "S001-A2", "S001-A3", "S001-A4", "S003-A1", "S003-A2", "S004-Q"])
def test_roll_up_of_both_counties_equals_the_citys_own_form(rich, regions, units, personas, code):
    """Each county submits, the city accepts; the sum is the city's form computed directly, every
    figure and every list line, and passes the form's rules."""
    from qingyuan.reports.rollup import rollup
    from qingyuan.reports.submissions import submission_accept, submission_submit
    from qingyuan.reports.validation import validate

    operation = rich["operation"] if code == "S001-A1" else None
    f.nomination(operation or rich["operation"], personas["alice"], by=personas["dave"])
    f.nomination(operation or rich["operation"], personas["carol"], by=personas["dave"])
    chiefs = {"wuzhong": personas["chief"], "xiangcheng": f.officer(units["xiangcheng"], "xc_chief")}
    for name, chief in chiefs.items():
        scope = Scope(regions[name], START, END, operation=operation)
        made = submission_submit(actor=chief, code=code, scope=scope, note="已核对")
        submission_accept(actor=personas["dave"], submission=made)
    summary = rollup(code=code, scope=Scope(regions["city"], START, END, operation=operation))
    assert summary.differences == []
    assert [c.state for c in summary.children] == ["已审核", "已审核"]
    assert validate(summary.result) == []


def test_s004q_roll_up_explains_a_site_penalised_in_two_counties(regions, units, personas):
    """流动牙医, fined by 吴中区 in February and, having moved, by 相城区 in April: in the second quarter's
    S004-Q the year to date counts it once for the city and once in each county's form, and the
    roll-up names it as for S003-A1; the quarter itself has it in 相城区 only."""
    from qingyuan.reports.rollup import rollup
    from qingyuan.reports.submissions import submission_accept, submission_submit

    by = personas["alice"]
    site = f.subject(regions["village"], "流动牙医", institution_type=InstitutionType.DENTAL)
    f.decision(f.case(site, dt.date(2024, 2, 1), by=by), dt.date(2024, 2, 10), by=by, fine="1000")
    site = f.changed(site, dt.date(2024, 3, 1), region=regions["xc_village"])
    f.decision(f.case(site, dt.date(2024, 4, 1), by=by), dt.date(2024, 4, 10), by=by, fine="2000")
    chiefs = {"wuzhong": personas["chief"], "xiangcheng": f.officer(units["xiangcheng"], "xc_chief")}
    quarter = (dt.date(2024, 4, 1), END)
    for name, chief in chiefs.items():
        made = submission_submit(
            actor=chief, code="S004-Q", scope=Scope(regions[name], *quarter), note="已核对"
        )
        submission_accept(actor=personas["dave"], submission=made)
    summary = rollup(code="S004-Q", scope=Scope(regions["city"], *quarter))
    differences = {(d.table, d.row, d.column): (d.submitted, d.live) for d in summary.differences}
    assert differences == {
        ("本年累计", "口腔", "行政处罚单位数"): (2, 1),
        ("本年累计", "合计", "行政处罚单位数"): (2, 1),
    }
    notes = {(n.table, n.row, n.column): [(s.name, s.regions) for s in n.sites] for n in summary.split_notes}
    assert notes == {key: [("流动牙医", 2)] for key in differences}


def test_drill_pages_list_decisions_newest_first_in_a_stable_order(regions, personas, login):
    """Penalty decisions have no order of their own: the drill-down paged them unordered (the same
    decision could come on two pages, another on none). They come newest first, like the other lists."""
    import warnings

    from django.core.paginator import UnorderedObjectListWarning

    by = personas["alice"]
    site = f.subject(regions["village"], "金星诊所", institution_type=InstitutionType.WESTERN)
    days = [dt.date(2024, 3, 1), dt.date(2024, 1, 5), dt.date(2024, 6, 30), dt.date(2024, 2, 2)] * 15
    for n, day in enumerate(days):
        f.decision(f.case(site, day, by=by, party_name=f"当事人{n}"), day, by=by, fine="100")
    params = {"region": "320506", "start": "2024-01-01", "end": "2024-06-30", "row": "western"}
    client = login("chief")
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        for page in (1, 2):
            response = client.get(
                "/reports/form/S003-A1/drill/", {**params, "col": "fine_count", "page": page}
            )
            seen += [cells[0] for _url, cells in response.context["rows"]]
    assert len(seen) == 60
    assert seen == sorted(seen, reverse=True)  # 决定日期, newest first, across both pages


def test_roster_prints_no_period_and_the_operation_summary_does(rich, regions, personas):
    """S001-A1 is the roster of one joint operation whatever the dates: its files print no 统计期 line;
    S001-A3 for the same operation counts the operation's days within the period, so it prints it."""
    from qingyuan.reports.exports import render
    from qingyuan.reports.exports.xlsx import header_lines

    f.nomination(rich["operation"], personas["alice"], by=personas["dave"])
    scope = Scope(regions["wuzhong"], START, END, operation=rich["operation"])
    roster = get_form("S001-A1").compute(scope)
    assert not any("统计期" in line for line in header_lines(roster))
    cells = [c.value for row in load_sheet(render(roster, "xlsx")[0]).iter_rows() for c in row if c.value]
    assert not any("统计期" in str(v) for v in cells) and "李爱丽" in cells
    summary = get_form("S001-A3").compute(scope)
    assert "统计期：2024年1月1日至2024年6月30日" in header_lines(summary)
