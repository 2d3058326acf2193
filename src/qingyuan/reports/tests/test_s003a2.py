"""S003-A2 (回头看) against figures worked out by hand from the records below
(period: 2024-01-01 … 2024-06-30)."""

import datetime as dt
from decimal import Decimal

import pytest

from qingyuan.cases.models import RecheckKind, RecheckResult
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.serialize import to_json

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
BEFORE, AFTER = START - dt.timedelta(days=1), END + dt.timedelta(days=1)
TITLE = "无证场所“回头看”排查情况信息汇总表"
LABELS = [
    "“回头看”中发现再次开展无证行医户数",
    "行政处罚户（人）次",
    "警告数",
    "罚款金额（万元）",
    "没收违法所得（万元）",
    "移送司法机关数（人）",
]
REOFFENDED = RecheckResult.REOFFENDED


@pytest.fixture
def lookback(regions, personas):
    by = personas["alice"]
    v, xc = regions["village"], regions["xc_village"]
    p, q, s = f.subject(v, "甲黑诊所"), f.subject(v, "乙黑诊所"), f.subject(v, "丁黑诊所")
    r = f.subject(xc, "丙黑诊所")
    banned = {x.name: f.case(x, dt.date(2023, 3, 1), by=by) for x in (p, q, r, s)}
    # p: found on the first day, penalised, referred twice (one person); found again on the last day.
    n1 = f.case(p, dt.date(2024, 1, 2), by=by, party_name="王五", title="回头看发现再次无证行医")
    f.recheck(banned["甲黑诊所"], START, result=REOFFENDED, new_case=n1)
    f.recheck(banned["甲黑诊所"], END, result=REOFFENDED)
    f.decision(n1, dt.date(2024, 2, 1), by=by, warning=True, fine="20000", confiscate_income="3000.50")
    f.referral(n1, dt.date(2024, 2, 10), by=by)
    f.referral(n1, dt.date(2024, 3, 1), by=by)
    f.referral(n1, dt.date(2024, 3, 2), by=by, target="market")  # not to the judiciary
    # q: found on the last day without a case yet; found the day after the end (outside), with a case
    # decided after the end; a clean look-back and a re-offending 复查 are not look-back findings.
    f.recheck(banned["乙黑诊所"], END, result=REOFFENDED)
    n2 = f.case(q, AFTER, by=by)
    f.recheck(banned["乙黑诊所"], AFTER, result=REOFFENDED, new_case=n2)
    f.decision(n2, AFTER, by=by, fine="7777")
    f.recheck(banned["乙黑诊所"], dt.date(2024, 3, 1), result=RecheckResult.CLEAN)
    n6 = f.case(q, dt.date(2024, 3, 2), by=by)
    f.recheck(
        banned["乙黑诊所"], dt.date(2024, 3, 1), kind=RecheckKind.RECHECK, result=REOFFENDED, new_case=n6
    )
    f.decision(n6, dt.date(2024, 3, 5), by=by, fine="99999")
    # s: found before the period; its case is decided on the first day and referred on the last.
    n4 = f.case(s, dt.date(2023, 12, 25), by=by, party_name="赵六", title="再次擅自开展诊疗活动")
    f.recheck(banned["丁黑诊所"], dt.date(2023, 12, 20), result=REOFFENDED, new_case=n4)
    f.decision(n4, START, by=by, fine="10000")
    f.referral(n4, END, by=by)
    # r: 相城区
    n3 = f.case(r, dt.date(2024, 3, 2), by=by, party_name="钱七")
    f.recheck(banned["丙黑诊所"], dt.date(2024, 3, 1), result=REOFFENDED, new_case=n3)
    f.decision(n3, dt.date(2024, 3, 10), by=by, warning=True)
    return {"p": p, "q": q, "s": s, "n1": n1, "n4": n4}


def figures(region):
    data = to_json(get_form("S003-A2").compute(Scope(region, START, END)))["tables"]
    assert list(data) == [TITLE, "具体信息"]
    assert list(data[TITLE]) == ["数量"] and list(data[TITLE]["数量"]) == LABELS
    return [data[TITLE]["数量"][label] for label in LABELS], data["具体信息"]


def test_lookback_figures_of_the_county(lookback, regions):
    row, details = figures(regions["wuzhong"])
    # Sites p and q found again in the period; decisions on n1 and n4 (n4's finding came before the
    # period, its decision on the first day); 王五 referred twice is one person, 赵六 one more.
    assert row == [2, 2, 1, "30000.00", "3000.50", 2]
    assert details == [
        {"被处罚对象": "王五", "地址": lookback["p"].address, "案由": "回头看发现再次无证行医"},
        {"被处罚对象": "赵六", "地址": lookback["s"].address, "案由": "再次擅自开展诊疗活动"},
    ]


def test_lookback_figures_of_the_city_add_the_neighbouring_county(lookback, regions):
    row, details = figures(regions["city"])
    assert row == [3, 3, 2, "30000.00", "3000.50", 2]
    assert [d["被处罚对象"] for d in details] == ["王五", "赵六", "钱七"]
    main = get_form("S003-A2").compute(Scope(regions["city"], START, END)).table("main")
    assert main.cells["figures"]["fine_amount"] == Decimal("30000.00")


def test_lookback_drill_lists_the_records_behind_each_figure(lookback, regions):
    scope = Scope(regions["wuzhong"], START, END)
    form = get_form("S003-A2")
    found = form.drill(scope, "main", "figures", "reoffended_sites")
    assert found.kind == "recheck" and found.queryset.count() == 3  # 3 findings, 2 sites
    assert {r.subject_id for r in found.queryset} == {lookback["p"].pk, lookback["q"].pk}
    decisions = form.drill(scope, "main", "figures", "decisions").queryset
    assert {d.case_id for d in decisions} == {lookback["n1"].pk, lookback["n4"].pk}
    assert [d.case_id for d in form.drill(scope, "main", "figures", "warnings").queryset] == [
        lookback["n1"].pk
    ]
    assert form.drill(scope, "main", "figures", "fine_amount").queryset.count() == 2
    referred = form.drill(scope, "main", "figures", "referred_persons")
    assert referred.kind == "referral" and referred.queryset.count() == 3  # 3 referrals, 2 persons
    with pytest.raises(KeyError):
        form.drill(scope, "details", "figures", "decisions")


def test_header_names_the_county(lookback, regions):
    result = get_form("S003-A2").compute(Scope(regions["wuzhong"], START, END))
    assert result.header == {"县（区）": "江苏省苏州市吴中区", "单位（盖章）": ""}
