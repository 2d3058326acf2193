"""S003-WS (work summary) and S004-Q (quarterly progress report): their tables are those of S003-A1 and
S003-A2, their drill-down is the underlying form's, and their Word drafts say the figures in words and
in tables. Expected figures are worked out by hand from test_exports.make_world and the lines below."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document

from qingyuan.campaigns.models import PhaseKind
from qingyuan.cases.models import Case
from qingyuan.reports.exports import render
from qingyuan.reports.exports.docx import quarter_name
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Ratio, Scope
from qingyuan.reports.serialize import to_json
from qingyuan.subjects.models import InstitutionType

from . import factories as f
from .test_exports import END, START, make_world

Q2 = dt.date(2024, 4, 1)


@pytest.fixture
def world(regions, personas):
    return make_world(regions, personas)


@pytest.fixture
def lookback(world, personas):
    """金星牙科, banned on 2-20, found practising again by a 回头看 on 5-01: a new case opened 5-02 and
    decided 5-20 with a warning and a fine of 2000."""
    by = personas["alice"]
    c5 = f.case(world["dental"], dt.date(2024, 5, 2), by=by, party_name="钱某")
    f.recheck(world["c1"], dt.date(2024, 5, 1), new_case=c5)
    f.decision(c5, dt.date(2024, 5, 20), by=by, warning=True, fine="2000")
    return c5


def docx_text(content: bytes):
    doc = Document(io.BytesIO(content))
    return doc, "\n".join(p.text for p in doc.paragraphs)


def row_texts(table, row):
    return [c.text for c in table.rows[row].cells]


# --- S004-Q ------------------------------------------------------------------------------------------


def test_s004q_quarter_and_year_to_date(world, regions):
    result = get_form("S004-Q").compute(Scope(regions["wuzhong"], Q2, END))
    quarter, ytd = result.table("quarter"), result.table("ytd")
    assert (quarter.title, ytd.title) == ("本季度", "本年累计")
    q = quarter.cells["total"]
    # Q2: the inspection at 23:00 on 30 June; case 2's fine of 50000 on 30 June; the judgment of 1 June
    # with two persons; case 2 opened on 1 April, not entered. The referral (3 March) is Q1.
    assert (q["inspections"], q["penalised_units"], q["fine_count"], q["fine_amount"]) == (
        1,
        1,
        1,
        Decimal("50000.00"),
    )
    assert (q["ban_count"], q["confiscation_count"], q["referred_cases"]) == (0, 0, 0)
    assert (q["judged_cases"], q["liable_persons"], q["system_entry"]) == (1, 2, Ratio(0, 1))
    # Year to date, 1 January to 30 June: the inspection of 31 December 2023 is last year's.
    y = ytd.cells["total"]
    assert (y["inspections"], y["penalised_units"], y["fine_count"], y["fine_amount"]) == (
        3,
        2,
        2,
        Decimal("80000.00"),
    )
    assert (y["confiscation_amount"], y["ban_count"], y["referred_cases"]) == (Decimal("1234.56"), 2, 1)
    assert y["system_entry"] == Ratio(1, 2)
    assert ytd.cells["dental"]["inspections"] == 2 and ytd.cells["aesthetic"]["inspections"] == 1
    assert result.notes == ["本季度：2024年4月1日至2024年6月30日", "本年累计：2024年1月1日至2024年6月30日"]
    data = to_json(result)["tables"]
    assert data["本季度"]["合计"]["罚款金额（万元）"] == "50000.00"
    assert data["本年累计"]["合计"]["监督户次数"] == 3


def test_s004q_drill_uses_the_matching_period(world, regions):
    scope = Scope(regions["wuzhong"], Q2, END)
    form = get_form("S004-Q")
    assert [d.decided_on for d in form.drill(scope, "quarter", "dental", "fine_count").queryset] == [END]
    ytd = form.drill(scope, "ytd", "dental", "fine_count").queryset
    assert sorted(d.decided_on for d in ytd) == [dt.date(2024, 2, 20), END]
    with pytest.raises(KeyError):
        form.drill(scope, "main", "dental", "fine_count")


def test_quarter_name():
    def name(start, end):
        return quarter_name(Scope(None, start, end))

    assert name(Q2, END) == "2024年第二季度"
    assert name(dt.date(2024, 10, 1), dt.date(2024, 12, 31)) == "2024年第四季度"
    assert name(dt.date(2024, 4, 1), dt.date(2024, 6, 29)) == "2024年4月1日至2024年6月29日"


# --- S003-WS -----------------------------------------------------------------------------------------


def test_s003ws_holds_the_tables_of_s003a1_and_s003a2(world, regions, lookback):
    scope = Scope(regions["wuzhong"], START, END)
    form = get_form("S003-WS")
    assert (form.mode, form.summable) == ("document", False)
    result = form.compute(scope)
    assert [t.key for t in result.tables] == ["a1_main", "a2_main", "a2_details"]
    assert result.table("a1_main").cells == get_form("S003-A1").compute(scope).table("main").cells
    a2 = result.table("a2_main").cells["figures"]
    assert (a2["reoffended_sites"], a2["decisions"], a2["warnings"], a2["fine_amount"]) == (
        1,
        1,
        1,
        Decimal("2000.00"),
    )
    assert result.table("a2_details").items == [
        {"party": "钱某", "address": world["dental"].address, "title": "未取得医疗机构执业许可证擅自执业"}
    ]
    # Drill-down is the underlying form's, by table.
    found = form.drill(scope, "a1_main", "dental", "fine_count")
    assert found.queryset.count() == 3
    assert form.drill(scope, "a2_main", "figures", "decisions").queryset.get().case == lookback
    with pytest.raises(KeyError):
        form.drill(scope, "main", "dental", "fine_count")


def test_s003ws_word_draft_says_the_figures(world, regions, lookback):
    result = get_form("S003-WS").compute(Scope(regions["wuzhong"], START, END))
    content, content_type, name = render(result, "docx")
    assert content_type.endswith("wordprocessingml.document")
    assert name == "S003-WS_吴中区_20240101-20240630.docx"
    doc, text = docx_text(content)
    assert doc.paragraphs[0].text == "吴中区打击无证行医及非法医疗美容专项行动工作总结"
    # S003-A1 with the 回头看 case added: fines 30000 + 50000 + 2000 in 3 decisions; 3 cases opened in
    # the period (cases 1, 2 and the new one), 1 entered.
    assert (
        "专项行动期间，共监督检查3户次，行政处罚2个单位，罚款8.20万元（3户次），没收违法所得0.12万元（1户次），"
        "取缔2户次，移送公安1件，法院判决1件，因无证行医追究刑事责任2人。本期立案3件，已录入国家卫生监督信息系统1件。"
    ) in text
    assert (
        "按机构类型分，医疗美容类监督检查1户次、行政处罚1个单位；口腔类监督检查2户次、行政处罚1个单位。"
        in text
    )
    assert (
        "发现再次开展无证行医1户，行政处罚1户（人）次，其中警告1次，罚款0.20万元，没收违法所得0.00万元，"
        "移送司法机关0人。具体名单见附件2。"
    ) in text
    # Without a campaign, the officer fills in the aims; without a published case, the typical cases.
    assert "【请补充本地专项行动的工作目标" in text
    assert "【本期暂无已公布的典型案例" in text
    for heading in (
        "一、工作目标和部署",
        "二、工作开展情况",
        "三、典型案例",
        "四、存在的问题",
        "五、下一步工作",
    ):
        assert heading in text
    a1, a2, details = doc.tables
    assert row_texts(a1, 0)[3:8] == ["行政处罚情况"] * 5  # merged over its five columns
    assert row_texts(a1, 0)[0] == row_texts(a1, 1)[0] == "机构类型"
    assert row_texts(a1, 1)[3:5] == ["没收违法所得户次", "没收违法所得金额（万元）"]
    assert row_texts(a1, 5) == [
        "口腔",
        "2",
        "1",
        "1",
        "0.12",
        "3",
        "8.20",
        "1",
        "0",
        "0",
        "0",
        "已录入 1 / 共 3",
    ]
    assert row_texts(a1, 7) == [
        "合计",
        "3",
        "2",
        "1",
        "0.12",
        "3",
        "8.20",
        "2",
        "1",
        "1",
        "2",
        "已录入 1 / 共 3",
    ]
    assert row_texts(a2, 1) == ["数量", "1", "1", "1", "0.20", "0.00", "0"]
    assert row_texts(details, 1) == ["钱某", world["dental"].address, "未取得医疗机构执业许可证擅自执业"]


def test_s003ws_word_draft_with_campaign_and_typical_cases(world, regions, units, personas):
    camp = f.campaign(
        units["wuzhong"],
        "2024年打击无证行医及非法医疗美容专项行动",
        dt.date(2024, 1, 1),
        dt.date(2024, 10, 31),
        phases=[
            (PhaseKind.MOBILISATION, dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
            (PhaseKind.CENSUS, dt.date(2024, 2, 1), dt.date(2024, 7, 31)),
        ],
    )
    camp.doc_number = "吴卫〔2024〕3号"
    camp.focus = ["unlicensed", "aesthetic"]
    camp.save()
    camp.phases.filter(kind=PhaseKind.CENSUS).update(note="全覆盖检查，依法查处")
    Case.objects.filter(pk__in=[world["c1"].pk, world["c2"].pk]).update(campaign=camp)
    alice, bob = personas["alice"], personas["bob"]
    f.published_case(world["c1"], dt.date(2024, 5, 8), by=alice, reviewer=bob, title="金星牙科无证行医案")
    f.published_case(world["c2"], dt.date(2024, 7, 2), by=alice, reviewer=bob, title="七月公布的案例")
    other = f.subject(regions["xc_village"], "三埂诊所", institution_type=InstitutionType.WESTERN)
    xc_case = f.case(other, dt.date(2024, 3, 1), by=personas["carol"], campaign=camp)
    f.published_case(xc_case, dt.date(2024, 5, 9), by=personas["carol"], reviewer=bob, title="相城区的案例")

    result = get_form("S003-WS").compute(Scope(regions["wuzhong"], START, END, campaign=camp))
    doc, text = docx_text(render(result, "docx")[0])
    assert (
        "根据《2024年打击无证行医及非法医疗美容专项行动》（吴卫〔2024〕3号）的部署，江苏省苏州市吴中区"
        "于2024年1月1日至2024年6月30日扎实开展2024年打击无证行医及非法医疗美容专项行动。"
    ) in text
    assert "本次专项行动的整治重点：无证行医（黑诊所）、非法医疗美容。" in text
    assert "1．动员部署阶段（2024年1月1日至2024年1月31日）" in text
    assert "2．普查治理阶段（2024年2月1日至2024年7月31日）：全覆盖检查，依法查处" in text
    # Only the campaign's records count: cases 1 and 2, no inspection tagged to it.
    assert (
        "共监督检查0户次，行政处罚1个单位，罚款8.00万元（2户次），没收违法所得0.12万元（1户次），取缔1户次"
        in text
    )
    # The typical case published in the period in 吴中区; not July's, not 相城区's.
    assert "（一）金星牙科无证行医案" in text
    assert "金星牙科无证行医案。当事人未取得医疗机构执业许可证擅自执业，已依法查处。" in text
    assert "七月公布的案例" not in text and "相城区的案例" not in text
    assert "【本期暂无已公布的典型案例" not in text


def test_s004q_word_report_for_the_quarter(world, regions, personas):
    result = get_form("S004-Q").compute(Scope(regions["wuzhong"], Q2, END))
    doc, text = docx_text(render(result, "docx")[0])
    assert doc.paragraphs[0].text == "吴中区打击无证行医及非法医疗美容专项行动2024年第二季度工作进展报告"
    assert (
        "本季度，共监督检查1户次，行政处罚1个单位，罚款5.00万元（1户次），没收违法所得0.00万元（0户次）"
        in text
    )
    assert "2024年1月1日至2024年6月30日，共监督检查3户次，行政处罚2个单位，罚款8.00万元（2户次）" in text
    quarter, ytd = doc.tables
    assert row_texts(quarter, 7) == [
        "合计",
        "1",
        "1",
        "0",
        "0.00",
        "1",
        "5.00",
        "0",
        "0",
        "1",
        "2",
        "已录入 0 / 共 1",
    ]
    assert row_texts(ytd, 7)[:3] == ["合计", "3", "2"]
    assert "附表1  本季度汇总表" in text and "附表2  本年累计汇总表" in text


def test_word_only_for_the_two_reports(world, regions):
    result = get_form("S003-A1").compute(Scope(regions["wuzhong"], START, END))
    with pytest.raises(ValueError, match="该报表没有Word格式"):
        render(result, "docx")


def test_word_download_from_the_form_page(world, login):
    params = {"region": "320506", "start": "2024-04-01", "end": "2024-06-30"}
    response = login("chief").get("/reports/form/S004-Q/export/docx/", params)
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    _doc, text = docx_text(response.content)
    assert "本季度，共监督检查1户次" in text
