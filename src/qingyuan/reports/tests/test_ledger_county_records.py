"""Ledgers as counties really keep them (issue 15): 发现日期 left blank or later than the first visit,
cross-sheet errors that say which key to fix where, a 回头看 visit without its 「回头看」 row, and the
one-sheet register (one row per visit or case, the site repeated) that the platform splits."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from qingyuan.accounts.roles import Role
from qingyuan.cases.models import Case, Recheck, RecheckResult
from qingyuan.conftest import make_user
from qingyuan.core.models import Job, JobStatus
from qingyuan.inspections.models import Inspection
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.ledger import ledger_flat_template, ledger_import
from qingyuan.reports.models import LedgerImport
from qingyuan.subjects.models import Subject

from .test_ledger import YEAR_END, YEAR_START, by_key, counts, good_ledger, subject_row, workbook


def refused(actor, content, file_name="台账.xlsx", kind=None) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        ledger_import(actor=actor, content=content, file_name=file_name, kind=kind)
    return caught.value.messages


def visit(key, day, kind="明查", outcome="发现违法行为", officers=2):
    return {"对象编号": key, "检查日期": day, "检查方式": kind, "出动人次": officers, "处理结果": outcome}


def case(key, subject, opened, **over):
    return {"案件编号": key, "对象编号": subject, "案由": "未取得医疗机构执业许可证擅自执业", "当事人": "张某",
            "立案日期": opened, **over}  # fmt: skip


def s003a2(region):
    return get_form("S003-A2").compute(Scope(region, YEAR_START, YEAR_END)).table("main").cells["figures"]


@pytest.fixture
def upload(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"

    def post(client, content, name="台账.xlsx", kind=""):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/reports/ledger/", {"file": SimpleUploadedFile(name, content), "kind": kind})

    return post


# -- 发现日期 --------------------------------------------------------------------------------------


def test_a_blank_found_on_takes_the_first_visit_or_case_of_the_site(regions, personas):
    ledger = {
        "监管对象": [subject_row("WZ-1", 发现日期=None), subject_row("WZ-2", 名称="河东诊所", 发现日期="")],
        "监督检查": [visit("WZ-1", "2019-03-05"), visit("WZ-1", "2019-02-20", kind="暗访")],
        "案件": [case("A-1", "WZ-1", "2019-03-10"), case("A-2", "WZ-2", "2019-04-01")],
    }
    record = ledger_import(actor=personas["clerk"], content=workbook(ledger), file_name="吴中2019.xlsx")
    assert by_key("subject", "WZ-1").found_on == dt.date(2019, 2, 20)  # the 暗访, the earliest
    assert by_key("subject", "WZ-2").found_on == dt.date(2019, 4, 1)  # its case
    assert record.warnings == []  # a blank is filled, not a warning


def test_a_blank_found_on_without_any_event_names_the_site_to_fix(regions, personas):
    ledger = {"监管对象": [subject_row("WZ-1", 发现日期=None)]}
    assert refused(personas["clerk"], workbook(ledger)) == [
        "工作表「监管对象」第2行「发现日期」：对象编号“WZ-1”在本文件中没有监督检查或案件，无法推定发现日期，请填写"
    ]


def test_a_late_found_on_is_accepted_with_the_first_event_and_one_warning_per_site(
    regions, personas, login, upload
):
    # The held-out county file: 发现日期 typed as the day the register was drawn up, after the visits
    # and cases of the year; before, every visit and case of those sites was an error (125 of them).
    sites = [subject_row(f"WZ-{n}", 名称=f"诊所{n}", 发现日期="2019-12-20") for n in range(1, 6)]
    visits = [
        visit(f"WZ-{n}", f"2019-{month:02d}-{n + 1:02d}") for n in range(1, 6) for month in range(1, 11)
    ]
    cases = [case(f"A-{n}", f"WZ-{n}", f"2019-0{n}-15") for n in range(1, 6)]
    ledger = {"监管对象": sites, "监督检查": visits, "案件": cases}

    client = login("clerk")
    upload(client, workbook(ledger), "吴中区2019年登记簿.xlsx")
    job, record = Job.objects.get(), LedgerImport.objects.get()
    assert job.status == JobStatus.DONE, job.errors
    assert record.counts == {"监管对象": 5, "监督检查": 50, "案件": 5}
    for n in range(1, 6):
        assert by_key("subject", f"WZ-{n}").found_on == dt.date(2019, 1, n + 1)
    assert job.result["warnings"][0] == (
        "对象编号“WZ-1”（工作表「监管对象」第2行）：发现日期2019-12-20晚于该对象最早的记录"
        "（工作表「监督检查」第2行，检查日期2019-01-02），已按2019-01-02导入"
    )
    assert [w.split("”")[0] for w in job.result["warnings"]] == [f"对象编号“WZ-{n}" for n in range(1, 6)]

    # The officer reads them where the import ends, and later on the import's page.
    page = client.get(job.get_absolute_url()).content.decode()
    assert "有5条提示" in page and "对象编号“WZ-3”（工作表「监管对象」第4行）" in page
    detail = client.get(f"/reports/ledger/{record.pk}/").content.decode()
    assert "导入提示（5 条）" in detail and "已按2019-01-06导入" in detail
    assert "台账所填发现日期2019-12-20晚于" in by_key("subject", "WZ-5").notes
    # The forms count the sites as known from their first visit.
    assert (
        get_form("S003-A1")
        .compute(Scope(regions["wuzhong"], YEAR_START, YEAR_END))
        .table("main")
        .cells["total"]["inspections"]
        == 50
    )


# -- messages between sheets -----------------------------------------------------------------------


def test_errors_between_sheets_name_the_key_and_the_sheet_and_row_to_fix(regions, personas):
    bad = good_ledger()
    bad["处罚决定"][0]["决定日期"] = "2019-01-12"  # A-001 was opened on 2019-01-15
    bad["移送"][0]["案件编号"] = "A-999"
    bad["判决"][0]["判决日期"] = "2018-12-01"  # before A-003 (line 4) was opened
    bad["回头看"][0]["检查日期"] = "2018-11-30"
    bad["回头看"][0]["再次违法案件编号"] = None
    bad["监督检查"][4]["检查方式"] = "复查"  # keep this test about messages, not the 回头看 rule
    messages = refused(personas["clerk"], workbook(bad))
    assert messages == [
        "工作表「处罚决定」第2行「决定日期」：“2019-01-12”早于案件编号“A-001”（工作表「案件」第2行）的立案日期2019-01-15",
        "工作表「移送」第2行「案件编号」：“A-999”在「案件」表和之前导入的台账中都找不到；"
        "请在「案件」表登记该案件，或改正本行的案件编号",
        "工作表「判决」第2行「判决日期」：“2018-12-01”早于案件编号“A-003”（工作表「案件」第4行）的立案日期2018-12-05",
        "工作表「回头看」第2行「检查日期」：“2018-11-30”早于原案件案件编号“A-003”（工作表「案件」第4行）的立案日期2018-12-05",
    ]
    assert Subject.objects.count() == 0


def test_a_visit_before_the_found_on_of_an_earlier_import_names_that_site(regions, personas):
    clerk = personas["clerk"]
    ledger_import(actor=clerk, content=workbook({"监管对象": [subject_row("WZ-7")]}), file_name="对象.xlsx")
    assert refused(clerk, workbook({"监督检查": [visit("WZ-7", "2019-01-02")]})) == [
        "工作表「监督检查」第2行「检查日期」：“2019-01-02”早于对象编号“WZ-7”在之前导入的台账中登记的发现日期"
        "2019-01-10；请改正本行日期"
    ]


# -- 回头看 ---------------------------------------------------------------------------------------


def test_a_lookback_visit_that_found_practising_needs_its_lookback_row(regions, personas):
    bad = good_ledger()
    bad["回头看"] = bad["回头看"][1:]  # the 回头看 of A-003 on 2019-12-31, found practising again
    before = counts()
    messages = refused(personas["clerk"], workbook(bad))
    assert messages == [
        "工作表「监督检查」第6行「检查方式」：对象编号“WZ-003”2019-12-31的“回头看”检查处理结果为“发现违法行为”"
        "（发现再次非法行医），但「回头看」表中没有该对象这一天的行，S003-A2 不会计入；请在「回头看」表添加一行："
        "原案件编号、检查日期2019-12-31、结果“再次非法行医”，已立案的填写再次违法案件编号"
    ]
    assert counts() == before

    # With its row the file goes in and S003-A2 counts the site.
    ledger_import(actor=personas["clerk"], content=workbook(good_ledger()), file_name="2019.xlsx")
    assert s003a2(regions["wuzhong"])["reoffended_sites"] == 1


# -- the one-sheet template ------------------------------------------------------------------------


def flat_book(rows: list[dict], template: bytes | None = None) -> bytes:
    book = load_workbook(io.BytesIO(template or ledger_flat_template()))
    sheet = book["一表式台账"]
    headers = [c.value for c in sheet[1]]
    for row in rows:
        assert set(row) <= set(headers), set(row) - set(headers)
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SITE = {
    "对象编号": "JX-01",
    "名称": "金星村无证牙科",
    "类型": "无证诊所",
    "地址": "木渎镇金星村三组12号",
    "区划代码": "320506100201",
    "机构类型": "口腔",
    "行医内容": "牙科",
    "经营者姓名": "张某",
}


def county_register() -> list[dict]:
    """A county's register: the site on every row (one row with it merged away), a visit and the case
    it opened with the ban, a clean 复查, a 回头看 that found it practising again with the new case and
    its fine, and another site's visit with nothing found."""
    return [
        {
            **SITE,
            **visit("JX-01", "2019-01-10"),
            "案件编号": "JX-A1",
            "案由": "未取得医疗机构执业许可证擅自执业",
            "当事人": "张某",
            "立案日期": "2019-01-12",
            "决定日期": "2019-02-01",
            "罚款金额": 20000,
            "取缔": "是",
            "结案日期": "2019-03-01",
        },  # fmt: skip
        {"对象编号": "JX-01", **visit("JX-01", "2019-06-01", kind="复查", outcome="未发现违法")},
        {
            **SITE,
            **visit("JX-01", "2019-10-08", kind="回头看"),
            "案件编号": "JX-A2",
            "案由": "再次非法行医",
            "当事人": "张某",
            "立案日期": "2019-10-09",
            "决定日期": "2019-10-20",
            "警告": "是",
            "罚款金额": 30000,
            "移送日期": "2019-10-25",
            "移送对象": "公安机关",
            "接收单位": "苏州市公安局吴中分局",
        },  # fmt: skip
        {
            **SITE,
            "对象编号": "HD-02",
            "名称": "河东诊所",
            "地址": "木渎镇河东街1号",
            "区划代码": "320506100",
            "机构类型": "西医",
            "行医内容": "内科",
            "经营者姓名": None,
            **visit("HD-02", "2019-05-05", outcome="未发现违法"),
        },  # fmt: skip
    ]


def test_flat_template_round_trip_splits_into_the_linked_records_and_s003a2_counts_the_lookback(
    regions, personas, login, upload
):
    client = login("clerk")
    page = client.get("/reports/ledger/").content.decode()
    assert 'href="/reports/ledger/template-flat.xlsx"' in page
    template = client.get("/reports/ledger/template-flat.xlsx")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["说明", "一表式台账"]
    headers = [c.value for c in book["一表式台账"][1]]
    assert (
        headers[:3] == ["对象编号", "名称", "类型"]
        and "回头看原案件编号" in headers
        and "移送结果" in headers
    )

    response = upload(client, flat_book(county_register(), template.content), "吴中区2019登记簿.xlsx")
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.status == JobStatus.DONE, job.errors
    record = LedgerImport.objects.get()
    assert record.counts == {"监管对象": 2, "监督检查": 4, "案件": 2, "处罚决定": 2, "移送": 1, "回头看": 1}
    assert "导入完成：监管对象 2，监督检查 4，案件 2" in client.get(job.get_absolute_url()).content.decode()

    site = by_key("subject", "JX-01")
    assert (site.found_on, site.status, site.persons.get().name) == (dt.date(2019, 1, 10), "banned", "张某")
    first, again = by_key("case", "JX-A1"), by_key("case", "JX-A2")
    assert (first.subject, again.subject, again.earlier_case) == (site, site, first)
    assert Inspection.objects.filter(subject=site).count() == 3
    lookback = Recheck.objects.get()
    assert (lookback.case, lookback.new_case, lookback.result, lookback.done_on) == (
        first,
        again,
        RecheckResult.REOFFENDED,
        dt.date(2019, 10, 8),
    )
    assert lookback.inspection == Inspection.objects.get(subject=site, kind="lookback")
    assert by_key("subject", "HD-02").found_on == dt.date(2019, 5, 5)

    figures = s003a2(regions["wuzhong"])
    assert (figures["reoffended_sites"], figures["decisions"], figures["warnings"]) == (1, 1, 1)
    assert figures["referred_persons"] == 1


def test_a_flat_register_under_its_own_sheet_name_or_as_csv_is_recognised(regions, personas):
    book = load_workbook(io.BytesIO(flat_book(county_register())))
    book["一表式台账"].title = "2019年登记"
    del book["说明"]
    out = io.BytesIO()
    book.save(out)
    record = ledger_import(actor=personas["clerk"], content=out.getvalue(), file_name="登记.xlsx")
    assert record.counts["回头看"] == 1 and Case.objects.count() == 2

    # The same register saved as CSV, the sheet chosen on upload.
    rows = [
        ["" if c is None else str(c) for c in row] for row in book["2019年登记"].iter_rows(values_only=True)
    ]
    rows = [[cell.replace("JX-", "CSV-").replace("HD-", "CSVH-") for cell in row] for row in rows]
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    content = text.getvalue().encode("utf-8-sig")
    assert refused(personas["clerk"], content, "登记.csv") == [
        "CSV 文件只含一张表，请选择它是哪一张表（如“监管对象”）"
    ]
    record = ledger_import(actor=personas["clerk"], content=content, file_name="登记.csv", kind="flat")
    assert record.counts["回头看"] == 1 and Case.objects.count() == 4


def test_conflicting_site_rows_are_errors_naming_both_rows_and_nothing_is_written(regions, personas):
    rows = county_register()
    rows[2]["地址"] = "木渎镇金星村四组1号"  # line 4, against line 2
    rows[2]["机构类型"] = "中医"
    rows[3]["案件编号"] = "JX-A1"  # line 5: the same case on another site
    before = counts()
    messages = refused(personas["clerk"], flat_book(rows))
    assert messages == [
        "工作表「一表式台账」第4行「地址」：对象编号“JX-01”的地址“木渎镇金星村四组1号”与第2行的“木渎镇金星村三组12号”不一致（同一对象各行应相同）",
        "工作表「一表式台账」第4行「机构类型」：对象编号“JX-01”的机构类型“中医”与第2行的“口腔”不一致（同一对象各行应相同）",
        "工作表「一表式台账」第5行「案件编号」：案件编号“JX-A1”在第2行属于对象编号“JX-01”，本行却是“HD-02”；"
        "同一案件只能属于一个监管对象",
    ]
    assert counts() == before


def test_a_flat_lookback_whose_original_case_is_not_clear_asks_for_it(regions, personas):
    rows = [*county_register(), visit("HD-02", "2019-11-01", kind="回头看")]  # line 6: no case before
    assert refused(personas["clerk"], flat_book(rows)) == [
        "工作表「一表式台账」第6行「回头看原案件编号」：检查方式为“回头看”：对象编号“HD-02”在本表中没有此前立案的案件，"
        "请填写该次回头看所针对的原案件编号（本表、之前导入的台账或平台中的案件编号）"
    ]


def test_flat_errors_in_cells_name_the_row_and_header_of_the_one_sheet(regions, personas):
    rows = county_register()
    rows[1]["出动人次"] = "两人"
    rows[2]["立案日期"] = None
    messages = refused(personas["clerk"], flat_book(rows))
    assert messages == [
        "工作表「一表式台账」第3行「出动人次」：“两人”应为整数",
        "工作表「一表式台账」第4行「立案日期」：不能为空",
    ]


def test_another_countys_officer_cannot_import_our_sites_nor_read_our_import(regions, personas, login):
    xc_clerk = make_user("xcclerk", personas["carol"].unit, Role.CLERK, "相城录入员")
    assert refused(xc_clerk, flat_book(county_register()))[0] == (
        "工作表「一表式台账」第2行「区划代码」：“320506100201”不在您的辖区内"
    )
    record = ledger_import(
        actor=personas["clerk"], content=flat_book(county_register()), file_name="吴中.xlsx"
    )
    client = Client()
    client.force_login(xc_clerk)
    assert client.get(f"/reports/ledger/{record.pk}/").status_code == 404
    # A leader does not import: no template either.
    assert login("dave").get("/reports/ledger/template-flat.xlsx").status_code == 404


def test_next_years_flat_register_adds_to_the_sites_imported_before(regions, personas):
    clerk = personas["clerk"]
    ledger_import(actor=clerk, content=flat_book(county_register()), file_name="吴中2019.xlsx")
    next_year = [
        {
            **SITE,
            **visit("JX-01", "2020-04-02", kind="回头看", outcome="未发现违法"),
            "回头看原案件编号": "JX-A2",
        },
    ]
    record = ledger_import(actor=clerk, content=flat_book(next_year), file_name="吴中2020.xlsx")
    assert record.counts == {"监督检查": 1, "回头看": 1}
    site = by_key("subject", "JX-01")
    assert Subject.objects.count() == 2 and Inspection.objects.filter(subject=site).count() == 4
    clean = Recheck.objects.get(done_on=dt.date(2020, 4, 2))
    assert (clean.case, clean.result) == (by_key("case", "JX-A2"), RecheckResult.CLEAN)
    assert record.warnings == [
        "对象编号“JX-01”（工作表「一表式台账」第2行）已在之前导入的台账（吴中2019.xlsx）中登记：本文件中该对象的检查和案件"
        "记入平台中的该对象，场所各列以平台中的记录为准，未再导入"
    ]
