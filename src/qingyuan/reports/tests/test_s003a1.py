"""S003-A1 against figures worked out by hand from the records below (period: 2024-01-01 … 2024-06-30)."""

import datetime as dt
from decimal import Decimal

import pytest

from qingyuan.inspections.models import InspectionKind
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Ratio, Scope
from qingyuan.reports.serialize import to_json
from qingyuan.subjects.models import InstitutionType

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


@pytest.fixture
def world(regions, personas):
    by = personas["alice"]
    v, xc = regions["village"], regions["xc_village"]
    dental = f.subject(v, "金星牙科", institution_type=InstitutionType.DENTAL)
    beauty = f.subject(v, "丽人美容", institution_type=InstitutionType.AESTHETIC)
    other = f.subject(xc, "三埂诊所", institution_type=InstitutionType.WESTERN)
    # Inspections: first and last day of the period count, the days around them do not.
    f.inspection(dental, START, by=by, hour=0)  # 00:00 on the first day
    f.inspection(dental, END, by=by, hour=23)  # 23:00 on the last day
    f.inspection(dental, START - dt.timedelta(days=1), by=by, hour=23)  # outside
    f.inspection(dental, END + dt.timedelta(days=1), by=by, hour=0)  # outside
    f.inspection(beauty, dt.date(2024, 3, 1), by=by, kind=InspectionKind.RECHECK)
    f.inspection(other, dt.date(2024, 3, 1), by=by)
    # Cases and decisions
    c1 = f.case(dental, dt.date(2024, 2, 1), by=by, national_entry_on=dt.date(2024, 2, 3))
    f.decision(c1, dt.date(2024, 2, 20), by=by, fine="30000", confiscate_income="1234.56", ban=True)
    c2 = f.case(dental, dt.date(2024, 4, 1), by=by)  # same site again: 2 户次, still 1 单位
    f.decision(c2, END, by=by, fine="50000")
    c3 = f.case(beauty, dt.date(2023, 12, 1), by=by, national_entry_on=dt.date(2023, 12, 5))  # opened before
    f.decision(c3, START, by=by, warning=True, ban=True)
    c4 = f.case(beauty, END + dt.timedelta(days=1), by=by)  # opened after: not in 信息系统录入
    f.decision(c4, END + dt.timedelta(days=1), by=by, fine="99999")  # decided after: not counted
    f.referral(c3, dt.date(2024, 3, 3), by=by)
    f.judgment(c3, dt.date(2024, 6, 1), by=by, persons=["张某", "李某"])
    c5 = f.case(other, dt.date(2024, 5, 5), by=by)
    f.referral(c5, dt.date(2024, 5, 6), by=by, target="market")  # not to the police: not counted
    return {"dental": dental, "beauty": beauty, "other": other, "c1": c1}


def compute(region, start=START, end=END):
    return get_form("S003-A1").compute(Scope(region, start, end))


def test_county_figures_by_institution_type(world, regions):
    t = compute(regions["wuzhong"]).table("main")
    dental, beauty, total = t.cells["dental"], t.cells["aesthetic"], t.cells["total"]
    assert dental["inspections"] == 2
    assert dental["penalised_units"] == 1
    assert (dental["fine_count"], dental["fine_amount"]) == (2, Decimal("80000.00"))
    assert (dental["confiscation_count"], dental["confiscation_amount"]) == (1, Decimal("1234.56"))
    assert dental["ban_count"] == 1
    assert dental["system_entry"] == Ratio(1, 2)
    assert beauty["inspections"] == 1 and beauty["ban_count"] == 1 and beauty["fine_count"] == 0
    assert (beauty["referred_cases"], beauty["judged_cases"], beauty["liable_persons"]) == (1, 1, 2)
    assert beauty["system_entry"] == Ratio(0, 0)
    assert total["inspections"] == 3 and total["penalised_units"] == 2 and total["ban_count"] == 2
    assert t.cells["western"]["inspections"] == 0  # 相城区's site is not in 吴中区


def test_city_counts_both_counties_and_json_uses_printed_labels(world, regions):
    result = compute(regions["city"])
    assert result.table("main").cells["total"]["inspections"] == 4
    data = to_json(result)["tables"]["打击无证行医及非法医疗美容专项行动情况汇总表"]
    assert data["口腔"]["罚款金额（万元）"] == "80000.00"  # exact yuan as a string
    assert data["口腔"]["信息系统录入情况"] == "已录入 1 / 共 2"
    assert data["合计"]["移送案件数"] == 1
    assert list(data) == ["西医", "中医", "医疗美容", "口腔", "其他", "合计"]


def test_subject_that_moved_counts_where_it_was_at_each_event(world, regions, personas):
    dental = world["dental"]
    dental.region = regions["xc_village"]
    dental.save()
    f.inspection(dental, dt.date(2024, 5, 1), by=personas["carol"])
    wz, xc = compute(regions["wuzhong"]).table("main"), compute(regions["xiangcheng"]).table("main")
    assert wz.cells["dental"]["inspections"] == 2  # before the move, in 吴中区
    assert xc.cells["dental"]["inspections"] == 1  # after the move, in 相城区


def test_drill_down_lists_the_records_behind_a_figure(world, regions):
    scope = Scope(regions["wuzhong"], START, END)
    found = get_form("S003-A1").drill(scope, "main", "dental", "fine_count")
    assert found.kind == "decision"
    assert sorted(d.decided_on for d in found.queryset) == [dt.date(2024, 2, 20), END]
    total = get_form("S003-A1").drill(scope, "main", "total", "inspections")
    assert total.queryset.count() == 3
