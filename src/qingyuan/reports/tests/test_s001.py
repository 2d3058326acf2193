"""S001-A1 … S001-A4 against figures worked out by hand from the records below
(period: 2024-01-01 … 2024-06-30)."""

import datetime as dt
from decimal import Decimal

import pytest

from qingyuan.cases.models import RecheckKind, RecheckResult
from qingyuan.inspections.models import InspectionKind
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.serialize import to_json
from qingyuan.subjects.models import PracticeContent, SubjectKind

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
BEFORE, AFTER = START - dt.timedelta(days=1), END + dt.timedelta(days=1)


def compute(code, region, start=START, end=END, **extra):
    return get_form(code).compute(Scope(region, start, end, **extra))


# -- S001-A1 ---------------------------------------------------------------------------------------


@pytest.fixture
def roster(regions, personas):
    dave = personas["dave"]
    op = f.operation(regions["city"], by=dave, periods=[(dt.date(2024, 6, 1), dt.date(2024, 6, 7))])
    other = f.operation(regions["city"], by=dave, name="另一次行动")
    for name, gender, ethnicity, phone in [
        ("alice", "女", "汉族", "13800000001"),
        ("bob", "男", "回族", "13800000002"),
        ("carol", "女", "汉族", "13800000003"),
    ]:
        user = personas[name]
        user.gender, user.ethnicity, user.phone = gender, ethnicity, phone
        user.save()
        f.nomination(op, user, by=dave)
    f.nomination(other, personas["chief"], by=dave)  # another operation: never on this roster
    return op


def test_roster_lists_the_supervisors_the_county_nominated(roster, regions):
    result = compute("S001-A1", regions["wuzhong"], operation=roster)
    items = result.table("roster").items
    assert [(i["name"], i["gender"], i["ethnicity"], i["unit"], i["phone"]) for i in items] == [
        ("李爱丽", "女", "汉族", "吴中区卫生监督所", "13800000001"),
        ("王博", "男", "回族", "吴中区卫生监督所", "13800000002"),
    ]
    assert result.header["单位"] == "吴中区卫生监督所"
    data = to_json(result)["tables"]["参加集中执法行动医疗执法监督员回执"]
    assert list(data[0]) == ["姓名", "性别", "民族", "单位", "手机号"]


def test_city_roster_holds_every_county_and_an_operation_is_required(roster, regions):
    names = [i["name"] for i in compute("S001-A1", regions["city"], operation=roster).table("roster").items]
    assert names == ["李爱丽", "王博", "陈可"]
    with pytest.raises(ValueError, match="联动执法行动"):
        compute("S001-A1", regions["city"])


# -- S001-A2 ---------------------------------------------------------------------------------------


@pytest.fixture
def sites(regions, personas):
    by = personas["alice"]
    v, community, xc = regions["village"], regions["community"], regions["xc_village"]
    s = {}
    s["dental"] = f.subject(
        v, "金星牙诊所", practice_content=PracticeContent.DENTAL, found_on=dt.date(2024, 3, 1)
    )
    s["std"] = f.subject(
        community,
        "山塘游医",
        kind=SubjectKind.ITINERANT,
        practice_content=PracticeContent.STD,
        needs_joint_action=True,
        border_area=True,
    )
    f.person(s["std"], "李四", role="operator")
    f.person(s["std"], "张三", role="practitioner")  # the one practising is named, not the landlord
    s["late"] = f.subject(v, "发现太晚", found_on=AFTER)  # found after the end: not yet known
    s["beauty"] = f.subject(
        v,
        "丽人美容",
        kind=SubjectKind.BEAUTY_SALON,
        practice_content=PracticeContent.AESTHETIC,
        location_type="fringe",
        found_on=END,  # found on the last day: known
    )
    s["beauty"] = f.changed(s["beauty"], dt.date(2024, 5, 1), needs_joint_action=True)
    f.subject(v, "持证诊所", kind=SubjectKind.LICENSED)  # licensed: not unlicensed practice
    # Moved from 相城区 into 吴中区 before the end: 吴中区's at the end.
    s["moved_in"] = f.subject(xc, "搬来诊所", practice_content=PracticeContent.INTERNAL)
    s["moved_in"] = f.changed(s["moved_in"], dt.date(2024, 6, 1), region=v)
    # Moved from 吴中区 to 相城区 the day after the end: still 吴中区's at the end.
    s["moved_out"] = f.subject(v, "搬走诊所", practice_content=PracticeContent.TCM)
    s["moved_out"] = f.changed(s["moved_out"], AFTER, region=xc)
    # Banned, rechecked clean and closed: cleared.
    s["cleared"] = f.subject(v, "已销号接生点", practice_content=PracticeContent.MIDWIFERY)
    c = f.case(s["cleared"], dt.date(2024, 2, 1), by=by)
    f.recheck(c, dt.date(2024, 3, 5), kind=RecheckKind.RECHECK, result=RecheckResult.CLEAN)
    f.closed(c, dt.date(2024, 3, 10))
    # Cleared in February, found practising again in May: counts again from May.
    s["relapsed"] = f.subject(v, "复燃计生点", practice_content=PracticeContent.FAMILY_PLANNING)
    c = f.case(s["relapsed"], dt.date(2024, 1, 10), by=by)
    f.recheck(c, dt.date(2024, 2, 5), kind=RecheckKind.RECHECK, result=RecheckResult.CLEAN)
    f.closed(c, dt.date(2024, 2, 10))
    f.recheck(c, dt.date(2024, 5, 5), kind=RecheckKind.LOOKBACK, result=RecheckResult.REOFFENDED)
    # Rechecked clean but the case is closed only after the end: not yet cleared.
    s["open_case"] = f.subject(v, "未结案点", kind=SubjectKind.OTHER)
    c = f.case(s["open_case"], dt.date(2024, 2, 1), by=by)
    f.recheck(c, dt.date(2024, 3, 1), kind=RecheckKind.RECHECK, result=RecheckResult.CLEAN)
    f.closed(c, AFTER)
    # Flagged for joint action only after the end: handled by the county itself at the end.
    s["flagged_late"] = f.subject(v, "后补联合点", practice_content=PracticeContent.DENTAL)
    s["flagged_late"] = f.changed(s["flagged_late"], dt.date(2024, 7, 5), needs_joint_action=True)
    s["xc"] = f.subject(xc, "三埂诊所")
    return s


A2_LOCATIONS = ["城市社区", "城乡结合部", "农村"]
A2_CONTENTS = ["性病", "医学美容", "牙科", "内科", "接生", "计生技术服务", "中医", "其他"]


def a2_json(region, end=END):
    return to_json(compute("S001-A2", region, end=end))["tables"]


def test_situation_counts_sites_by_location_and_content_at_the_end_date(sites, regions):
    data = a2_json(regions["wuzhong"])["本辖区无证行医存在情况的梳理分析情况表"]
    assert list(data) == ["本区自行查处", "需要联合查处", "合计"]
    assert list(data["合计"]) == A2_LOCATIONS + A2_CONTENTS
    local, joint, total = data["本区自行查处"], data["需要联合查处"], data["合计"]
    # dental, moved_in, moved_out, relapsed, open_case, flagged_late: all in villages (rural)
    assert [local[c] for c in A2_LOCATIONS] == [0, 0, 6]
    assert [local[c] for c in A2_CONTENTS] == [0, 0, 2, 1, 0, 1, 1, 1]
    assert [joint[c] for c in A2_LOCATIONS] == [1, 1, 0]  # std (community), beauty (fringe)
    assert [joint[c] for c in A2_CONTENTS] == [1, 1, 0, 0, 0, 0, 0, 0]
    assert [total[c] for c in A2_LOCATIONS] == [1, 1, 6]
    # Each column group sums to 合计 (8 sites).
    for row in data.values():
        assert sum(row[c] for c in A2_LOCATIONS) == sum(row[c] for c in A2_CONTENTS)
    assert sum(total[c] for c in A2_CONTENTS) == 8


def test_a_site_counts_where_it_was_and_as_it_stood_on_the_end_date(sites, regions):
    city = a2_json(regions["city"])["本辖区无证行医存在情况的梳理分析情况表"]["合计"]
    xc = a2_json(regions["xiangcheng"])["本辖区无证行医存在情况的梳理分析情况表"]["合计"]
    assert sum(xc[c] for c in A2_LOCATIONS) == 1  # only 三埂诊所: moved_in left before, moved_out came after
    assert sum(city[c] for c in A2_LOCATIONS) == 9
    # On 30 April: beauty not yet found, moved_in still in 相城区, relapsed cleared in February.
    early = dt.date(2024, 4, 30)
    wz = a2_json(regions["wuzhong"], early)["本辖区无证行医存在情况的梳理分析情况表"]
    assert sum(wz["合计"][c] for c in A2_CONTENTS) == 5  # dental, std, moved_out, open_case, flagged_late
    assert wz["合计"]["计生技术服务"] == 0 and wz["需要联合查处"]["医学美容"] == 0
    xc = a2_json(regions["xiangcheng"], early)["本辖区无证行医存在情况的梳理分析情况表"]["合计"]
    assert xc["内科"] == 1 and sum(xc[c] for c in A2_CONTENTS) == 2


def test_joint_action_list_names_the_practitioner_or_only_the_place(sites, regions):
    names = a2_json(regions["wuzhong"])["需要市区联合查处的无证行医地点或人员名单"]
    assert names == [
        {"序号": 1, "无证行医人": "张三", "无证行医地点": sites["std"].address, "是否为区县交界地区": "是"},
        {"序号": 2, "无证行医人": "", "无证行医地点": sites["beauty"].address, "是否为区县交界地区": "否"},
    ]


def test_situation_drill_lists_the_sites_behind_a_cell(sites, regions):
    scope = Scope(regions["wuzhong"], START, END)
    form = get_form("S001-A2")
    joint_city = form.drill(scope, "main", "joint", "loc_city")
    assert joint_city.kind == "subject" and list(joint_city.queryset) == [sites["std"]]
    dental = form.drill(scope, "main", "total", "content_dental").queryset
    assert set(dental) == {sites["dental"], sites["flagged_late"]}
    assert form.drill(scope, "main", "local", "loc_rural").queryset.count() == 6
    assert form.drill(scope, "main", "total", "content_other").queryset.get() == sites["open_case"]


# -- S001-A3 ---------------------------------------------------------------------------------------


@pytest.fixture
def enforcement(regions, personas):
    by = personas["alice"]
    v, community, xc = regions["village"], regions["community"], regions["xc_village"]
    a, b, d = f.subject(v, "甲诊所"), f.subject(v, "乙诊所"), f.subject(community, "丁诊所")
    c = f.subject(xc, "丙诊所")
    f.outreach(v, START, 100, by=by)
    f.outreach(community, END, 50, by=by)
    f.outreach(v, dt.date(2024, 3, 3), 30, by=by)
    f.outreach(v, BEFORE, 999, by=by)
    f.outreach(xc, dt.date(2024, 3, 1), 77, by=by)
    f.media(v, START, 2, by=by)
    f.media(community, dt.date(2024, 5, 1), 1, by=by)
    f.media(v, dt.date(2024, 6, 28), 1, by=by)
    f.media(v, AFTER, 5, by=by)
    ca1 = f.case(a, START, by=by)
    f.case(a, dt.date(2024, 3, 1), by=by)  # the same site again: still 1 户
    cb1 = f.case(b, END, by=by)
    f.case(b, AFTER, by=by)
    f.case(c, dt.date(2024, 3, 1), by=by)
    cd = f.case(d, dt.date(2023, 12, 1), by=by)
    f.decision(ca1, END, by=by, fine="1000")
    f.decision(cb1, AFTER, by=by, warning=True)
    f.decision(cd, START, by=by, warning=True)
    f.inspection(a, START, by=by, hour=0, kind=InspectionKind.RECHECK, officers=3, vehicles=1)
    f.inspection(a, dt.date(2024, 3, 1), by=by, kind=InspectionKind.RECHECK, officers=2, vehicles=1)
    f.inspection(b, END, by=by, hour=23, officers=4, vehicles=2)
    f.inspection(b, AFTER, by=by, hour=0, kind=InspectionKind.RECHECK, officers=9, vehicles=9)
    f.inspection(c, dt.date(2024, 3, 1), by=by, officers=5, vehicles=5)
    op = f.operation(
        regions["city"],
        by=personas["dave"],
        periods=[(dt.date(2024, 3, 1), dt.date(2024, 3, 7)), (dt.date(2024, 6, 25), dt.date(2024, 7, 5))],
        targets=[a],
    )
    return {"a": a, "b": b, "operation": op}


A3_LABELS = [
    "开展法制宣教人数",
    "查处户数",
    "处罚户数",
    "复查户数",
    "出动执法人次数",
    "出动执法车辆辆次",
    "媒体报道次数",
]


def a3_row(region, start=START, end=END, **extra):
    data = to_json(compute("S001-A3", region, start, end, **extra))["tables"][
        "打击无证行医联动执法工作情况汇总表"
    ]
    assert list(data) == ["数量"]
    return [data["数量"][label] for label in A3_LABELS]


def test_summary_of_a_period_counts_events_on_the_first_and_last_day(enforcement, regions):
    assert a3_row(regions["wuzhong"]) == [180, 2, 2, 1, 9, 4, 4]
    assert a3_row(regions["city"]) == [257, 3, 2, 1, 14, 9, 4]


def test_summary_of_an_operation_counts_its_days_and_its_target_sites(enforcement, regions):
    op = enforcement["operation"]
    # Days 3-1…3-7 and 6-25…6-30 (the part of the second period within the scope); site 甲 only.
    assert a3_row(regions["wuzhong"], operation=op) == [80, 1, 1, 1, 2, 1, 1]
    assert a3_row(regions["wuzhong"], dt.date(2024, 4, 1), dt.date(2024, 4, 30), operation=op) == [0] * 7
    result = compute("S001-A3", regions["wuzhong"], operation=op)
    assert result.header["联动执法行动"] == op.name and set(result.header) >= {"单位", "上报日期"}


def test_summary_drill_lists_the_records_behind_each_figure(enforcement, regions):
    scope = Scope(regions["wuzhong"], START, END)
    form = get_form("S001-A3")
    cases = form.drill(scope, "main", "figures", "investigated")
    assert cases.kind == "case" and cases.queryset.count() == 3
    assert cases.queryset.values("subject").distinct().count() == 2
    trips = form.drill(scope, "main", "figures", "officer_trips").queryset
    assert sum(i.officer_count for i in trips) == 9
    assert form.drill(scope, "main", "figures", "rechecked").queryset.count() == 2  # 2 visits, 1 户
    assert sum(e.people_reached for e in form.drill(scope, "main", "figures", "educated").queryset) == 180
    assert sum(m.count for m in form.drill(scope, "main", "figures", "media_reports").queryset) == 4
    assert form.drill(scope, "main", "figures", "penalised").queryset.count() == 2


# -- S001-A4 ---------------------------------------------------------------------------------------


@pytest.fixture
def case_list(regions, personas):
    by = personas["alice"]
    v, community, xc = regions["village"], regions["community"], regions["xc_village"]
    a = f.subject(v, "甲牙诊所", practice_content=PracticeContent.DENTAL)
    b = f.subject(community, "乙性病诊所", practice_content=PracticeContent.STD)
    d = f.subject(v, "丁诊所", location_type="fringe")
    k1 = f.case(a, START, by=by, party_name="张甲")
    f.decision(k1, dt.date(2024, 2, 1), by=by, ban=True, confiscate_income="1200.50", fine="3000")
    f.referral(k1, dt.date(2024, 3, 1), by=by)
    f.recheck(k1, dt.date(2024, 3, 10), kind=RecheckKind.RECHECK, result=RecheckResult.CLEAN)
    f.recheck(k1, dt.date(2024, 6, 1), kind=RecheckKind.LOOKBACK, result=RecheckResult.REOFFENDED)
    k2 = f.case(b, END, by=by, party_name="李乙")
    f.decision(k2, AFTER, by=by, warning=True)  # decided after the end: not yet shown
    f.referral(k2, END, by=by, target="market")  # not to the police
    f.recheck(k2, None, kind=RecheckKind.RECHECK, result=RecheckResult.PENDING)
    k5 = f.case(d, dt.date(2024, 4, 1), by=by, party_name="王丁")
    f.decision(k5, dt.date(2024, 4, 10), by=by, warning=True, fine="500")
    f.referral(k5, AFTER, by=by)  # transferred after the end
    f.recheck(k5, AFTER, kind=RecheckKind.RECHECK, result=RecheckResult.CLEAN)
    f.case(a, BEFORE, by=by)  # opened before the period
    f.case(f.subject(xc, "丙诊所"), dt.date(2024, 3, 1), by=by)  # 相城区
    return {"a": a, "b": b, "d": d}


def test_case_list_has_one_line_per_case_opened_with_its_outcome_by_the_end(
    case_list, regions, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):  # header, cases with their figures, measures: no query per case
        result = compute("S001-A4", regions["wuzhong"])
    data = to_json(result)["tables"]["联动执法查处个案情况表"]
    assert [line["序号"] for line in data] == [1, 2, 3]
    first, second, third = data
    assert first == {
        "序号": 1,
        "当事人": "张甲",
        "地址": case_list["a"].address,
        "区域类型": "农村",
        "行医内容": "牙科",
        "立案日期": "2024-01-01",
        "处罚种类": "罚款、没收违法所得、取缔/责令停止执业活动",
        "罚没金额（元）": "4200.50",
        "是否取缔": "是",
        "是否移送公安": "是",
        "复查情况": "再次非法行医",
    }
    assert (second["当事人"], second["区域类型"], second["处罚种类"], second["罚没金额（元）"]) == (
        "王丁",
        "城乡结合部",
        "警告、罚款",
        "500.00",
    )
    assert (second["是否取缔"], second["是否移送公安"], second["复查情况"]) == ("否", "否", "未复查")
    assert (third["当事人"], third["区域类型"], third["行医内容"], third["立案日期"]) == (
        "李乙",
        "城市社区",
        "性病",
        "2024-06-30",
    )
    assert (third["处罚种类"], third["罚没金额（元）"], third["是否移送公安"], third["复查情况"]) == (
        "",
        "0.00",
        "否",
        "未复查",
    )
    assert result.table("cases").items[0]["amount"] == Decimal("4200.50")


def test_city_case_list_adds_the_neighbouring_county(case_list, regions):
    assert len(compute("S001-A4", regions["city"]).table("cases").items) == 4
