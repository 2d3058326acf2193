"""Historical ledgers (台账): a county fills the platform's template for a past year, the platform
checks the whole file, imports it all or nothing, and the forms of that year come out right."""

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from qingyuan.accounts.roles import Role
from qingyuan.campaigns.models import MediaReport, OutreachEvent
from qingyuan.cases.models import (
    AccountablePerson,
    Case,
    CaseStatus,
    Judgment,
    PenaltyDecision,
    Recheck,
    RecheckKind,
    RecheckResult,
    Referral,
)
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent, Job
from qingyuan.inspections.models import Inspection
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Ratio, Scope
from qingyuan.reports.ledger import ledger_import, ledger_template
from qingyuan.reports.models import LedgerImport, LedgerKey
from qingyuan.subjects.models import Subject, SubjectPerson, SubjectStatus

YEAR_START, YEAR_END = dt.date(2019, 1, 1), dt.date(2019, 12, 31)


def workbook(sheets: dict[str, list[dict]], *, template: bytes | None = None) -> bytes:
    """The platform's template filled in as an officer would: rows by column name, sheet by sheet."""
    book = load_workbook(io.BytesIO(template or ledger_template()))
    for name, rows in sheets.items():
        sheet = book[name]
        headers = [c.value for c in sheet[1]]
        for row in rows:
            assert set(row) <= set(headers), set(row) - set(headers)
            sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def subject_row(key="WZ-001", **over):
    row = {
        "对象编号": key,
        "名称": "金星村无证牙科",
        "类型": "无证诊所",
        "地址": "木渎镇金星村三组12号",
        "区划代码": "320506100201",
        "机构类型": "口腔",
        "行医内容": "牙科",
        "发现日期": "2019-01-10",
    }
    return {**row, **over}


def good_ledger() -> dict[str, list[dict]]:
    return {
        "监管对象": [
            subject_row(经营者姓名="张某"),
            subject_row(
                "WZ-002",
                名称="丽人美容店",
                类型="生活美容场所",
                地址="木渎镇山塘社区8号",
                区划代码="320506100001",
                机构类型="医疗美容",
                行医内容="医学美容",
                发现日期=dt.datetime(2019, 2, 1),  # an Excel date cell
            ),
            subject_row(
                "WZ-003",
                名称="木渎游医",
                类型="游医",
                地址="木渎镇集市",
                区划代码="320506100",
                机构类型="西医",
                行医内容="内科",
                区域类型="城乡结合部",
                发现日期="2018-12-01",
                需联合查处="是",
                区县交界="是",
            ),
        ],
        "监督检查": [
            {
                "对象编号": "WZ-001",
                "检查日期": "2019-01-10",
                "检查方式": "明查",
                "出动人次": 2,
                "出动车辆": 1,
                "处理结果": "发现违法行为",
            },
            {
                "对象编号": "WZ-001",
                "检查日期": "2019/06/01",
                "检查方式": "复查",
                "出动人次": 3,
                "处理结果": "未发现违法",
            },
            {
                "对象编号": "WZ-002",
                "检查日期": "2019-02-01",
                "检查方式": "暗访",
                "出动人次": 2,
                "出动车辆": 0,
                "处理结果": "发现违法行为",
            },
            {
                "对象编号": "WZ-003",
                "检查日期": "2018-12-01",
                "检查方式": "巡查",
                "出动人次": 2,
                "出动车辆": 1,
                "处理结果": "发现违法行为",
            },
            {
                "对象编号": "WZ-003",
                "检查日期": "2019-12-31",
                "检查方式": "回头看",
                "出动人次": 2,
                "出动车辆": 1,
                "处理结果": "发现违法行为",
            },
        ],
        "案件": [
            {
                "案件编号": "A-001",
                "案件文号": "吴卫医罚〔2019〕1号",
                "对象编号": "WZ-001",
                "案由": "未取得医疗机构执业许可证擅自执业",
                "当事人": "张某",
                "立案日期": "2019-01-15",
                "录入全国信息系统日期": "2019-01-20",
                "结案日期": "2019-03-30",
            },
            {
                "案件编号": "A-002",
                "对象编号": "WZ-002",
                "案由": "非法医疗美容",
                "当事人": "李某",
                "立案日期": "2019-02-10",
            },
            {
                "案件编号": "A-003",
                "对象编号": "WZ-003",
                "案由": "非医师行医",
                "当事人": "王某",
                "立案日期": "2018-12-05",
                "录入全国信息系统日期": "2018-12-06",
                "结案日期": "2019年12月1日",
            },
            {
                "案件编号": "A-004",
                "对象编号": "WZ-003",
                "案由": "再次非法行医",
                "当事人": "王某",
                "立案日期": "2019-12-31",
            },
        ],
        "处罚决定": [
            {
                "案件编号": "A-001",
                "决定日期": "2019-02-20",
                "警告": "是",
                "罚款金额": 30000,
                "没收违法所得金额": 1234.56,
                "没收药品器械": "是",
                "取缔": "是",
            },
            {"案件编号": "A-002", "决定日期": "2019-03-01", "罚款金额": "5000.50"},
            {
                "案件编号": "A-003",
                "决定日期": "2019-01-05",
                "没收违法所得金额": "800",
                "取缔": "是",
                "适用条款": "XC-01",
            },
        ],
        "移送": [
            {
                "案件编号": "A-003",
                "移送日期": "2019-01-10",
                "移送对象": "公安机关",
                "接收单位": "苏州市公安局吴中分局",
                "结果": "已受理/立案",
            },
            {
                "案件编号": "A-002",
                "移送日期": "2019-03-05",
                "移送对象": "市场监管部门",
                "接收单位": "吴中区市场监管局",
            },
        ],
        "判决": [
            {
                "案件编号": "A-003",
                "判决日期": "2019-11-20",
                "法院": "苏州市吴中区人民法院",
                "判决结果": "犯非法行医罪，判处有期徒刑一年",
                "追责人员": "王某、赵某",
            }
        ],
        "回头看": [
            {
                "原案件编号": "A-003",
                "检查日期": "2019-12-31",
                "结果": "再次非法行医",
                "再次违法案件编号": "A-004",
            },
            {"原案件编号": "A-001", "检查日期": "2019-12-01", "结果": "未发现再次违法"},
        ],
        "宣教与媒体": [
            {
                "类型": "宣教",
                "日期": "2019-05-01",
                "区划代码": "320506",
                "名称/标题": "打击非法行医法制宣传",
                "人数或次数": 300,
            },
            {
                "类型": "媒体",
                "日期": "2019-05-02",
                "区划代码": "320506",
                "名称/标题": "吴中严打非法行医",
                "人数或次数": 2,
                "媒体名称": "苏州日报",
            },
        ],
    }


def s003a1(region, start=YEAR_START, end=YEAR_END):
    return get_form("S003-A1").compute(Scope(region, start, end)).table("main")


def counts():
    return (
        Subject.objects.count(),
        Inspection.objects.count(),
        Case.objects.count(),
        PenaltyDecision.objects.count(),
        OutreachEvent.objects.count(),
        LedgerImport.objects.count(),
        AuditEvent.objects.count(),
    )


def by_key(kind: str, key: str):
    """The record an import created for a ledger key (对象编号 / 案件编号)."""
    return LedgerKey.objects.get(kind=kind, key=key).record


def refused(actor, content, file_name="台账.xlsx", kind=None) -> list[str]:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        ledger_import(actor=actor, content=content, file_name=file_name, kind=kind)
    return caught.value.messages


# -- a good ledger ---------------------------------------------------------------------------------


def test_good_ledger_imports_and_s003a1_counts_that_past_year(regions, personas):
    clerk = personas["clerk"]
    record = ledger_import(actor=clerk, content=workbook(good_ledger()), file_name="吴中区2019年台账.xlsx")
    assert record.counts == {
        "监管对象": 3,
        "监督检查": 5,
        "案件": 4,
        "处罚决定": 3,
        "移送": 2,
        "判决": 1,
        "回头看": 2,
        "宣教与媒体": 2,
    }
    assert (record.unit, record.region_id, record.imported_by) == (clerk.unit, "320506", clerk)

    t = s003a1(regions["wuzhong"])
    dental, beauty, western, total = (t.cells[k] for k in ("dental", "aesthetic", "western", "total"))
    assert (dental["inspections"], beauty["inspections"], western["inspections"]) == (2, 1, 1)
    assert total["inspections"] == 4  # 2018-12-01 belongs to the year before
    assert (dental["penalised_units"], beauty["penalised_units"], western["penalised_units"]) == (1, 1, 1)
    assert (total["confiscation_count"], total["confiscation_amount"]) == (2, Decimal("2034.56"))
    assert (dental["fine_amount"], beauty["fine_amount"]) == (Decimal("30000.00"), Decimal("5000.50"))
    assert (total["fine_count"], total["fine_amount"]) == (2, Decimal("35000.50"))
    assert (dental["ban_count"], western["ban_count"], total["ban_count"]) == (1, 1, 2)
    assert (total["referred_cases"], western["referred_cases"]) == (
        1,
        1,
    )  # the market referral is not counted
    assert (western["judged_cases"], western["liable_persons"]) == (1, 2)
    # Opened in 2019: A-001 (entered), A-002 and A-004 (not entered); A-003 was opened in 2018.
    assert total["system_entry"] == Ratio(1, 3)
    assert dental["system_entry"] == Ratio(1, 1) and western["system_entry"] == Ratio(0, 1)

    before = s003a1(regions["wuzhong"], dt.date(2018, 1, 1), dt.date(2018, 12, 31)).cells["total"]
    assert (before["inspections"], before["system_entry"]) == (1, Ratio(1, 1))
    assert s003a1(regions["city"]).cells["total"]["inspections"] == 4
    assert s003a1(regions["xiangcheng"]).cells["total"]["inspections"] == 0


def test_imported_records_are_marked_and_linked_like_the_workflow_would(regions, personas):
    clerk = personas["clerk"]
    ledger_import(actor=clerk, content=workbook(good_ledger()), file_name="吴中区2019年台账.xlsx")
    mark = "历史台账导入（吴中区2019年台账.xlsx）"

    dental = Subject.objects.get(name="金星村无证牙科")
    assert dental.notes == mark
    assert by_key("subject", "WZ-001") == dental
    assert (dental.found_on, dental.status, dental.location_type) == (
        dt.date(2019, 1, 10),
        SubjectStatus.BANNED,
        "rural",
    )
    assert SubjectPerson.objects.get(subject=dental).name == "张某"
    beauty = Subject.objects.get(name="丽人美容店")
    assert (beauty.status, beauty.location_type) == (SubjectStatus.ACTIVE, "city")  # 111 主城区
    itinerant = Subject.objects.get(name="木渎游医")
    assert (itinerant.needs_joint_action, itinerant.border_area, itinerant.location_type) == (
        True,
        True,
        "fringe",
    )

    inspection = Inspection.objects.filter(subject=dental).earliest("started_at")
    assert (inspection.findings, inspection.officer_count, inspection.vehicles) == (mark, 2, 1)
    assert (inspection.unit, inspection.recorded_by, inspection.region_id) == (
        clerk.unit,
        clerk,
        "320506100201",
    )

    a1 = Case.objects.get(number="吴卫医罚〔2019〕1号")
    assert a1.facts == mark
    assert by_key("case", "A-001") == a1
    assert (a1.status, a1.decided_on, a1.closed_on) == (
        CaseStatus.CLOSED,
        dt.date(2019, 2, 20),
        dt.date(2019, 3, 30),
    )
    assert (a1.proposed_by, a1.opened_by, a1.offence_date) == (clerk, clerk, dt.date(2019, 1, 15))
    assert a1.decision.offence.code == "ZY-01"  # the default
    assert sorted(a1.decision.measures.values_list("kind", flat=True)) == sorted(
        ["warning", "fine", "confiscate_income", "confiscate_goods", "ban"]
    )
    a2 = by_key("case", "A-002")
    assert (a2.number, a2.status) == (None, CaseStatus.DECIDED)

    a3 = by_key("case", "A-003")
    assert a3.decision.offence.code == "XC-01"
    judgment = Judgment.objects.get(case=a3)
    assert judgment.referral == Referral.objects.get(case=a3)
    assert sorted(AccountablePerson.objects.filter(judgment=judgment).values_list("name", flat=True)) == [
        "王某",
        "赵某",
    ]

    a4 = by_key("case", "A-004")
    assert a4.earlier_case == a3
    lookback = Recheck.objects.get(case=a3)
    assert (lookback.kind, lookback.result, lookback.new_case, lookback.done_on) == (
        RecheckKind.LOOKBACK,
        RecheckResult.REOFFENDED,
        a4,
        dt.date(2019, 12, 31),
    )
    assert lookback.inspection == Inspection.objects.get(subject=itinerant, kind="lookback")
    assert Recheck.objects.get(case=a1).result == RecheckResult.CLEAN

    assert OutreachEvent.objects.get().people_reached == 300
    assert (MediaReport.objects.get().outlet, MediaReport.objects.get().count) == ("苏州日报", 2)

    # One audit row per record created, plus the import itself, all by the clerk.
    created = AuditEvent.objects.filter(action="import")
    assert created.filter(target_type="subjects.subject").count() == 3
    assert created.filter(target_type="cases.penaltymeasure").count() == 8
    assert created.filter(target_type="cases.accountableperson").count() == 2
    assert AuditEvent.objects.filter(action="create", target_type="reports.ledgerimport").count() == 1
    assert set(AuditEvent.objects.values_list("actor_name", flat=True)) == {"clerk"}
    assert (
        created.get(target_type="subjects.subject", target_id=str(dental.pk)).after["ledger_key"] == "WZ-001"
    )
    # Cases enter through the case workflow's import step: its audit row, and the ledger key on the
    # case's timeline.
    step = AuditEvent.objects.get(action="create", target_type="cases.case", target_id=str(a4.pk))
    assert step.after["action"] == "import" and step.after["status"] == CaseStatus.INVESTIGATING
    assert (
        a4.events.get(action="台账导入").note == "历史台账导入（吴中区2019年台账.xlsx）；台账案件编号 A-004"
    )

    # Every key of the file, once, in the county of its record, pointing to the import.
    keys = LedgerKey.objects.values_list("ledger_import__file_name", "kind", "key", "county_id")
    assert sorted(keys) == sorted(
        [("吴中区2019年台账.xlsx", "subject", k, "320506") for k in ("WZ-001", "WZ-002", "WZ-003")]
        + [("吴中区2019年台账.xlsx", "case", k, "320506") for k in ("A-001", "A-002", "A-003", "A-004")]
    )


def test_same_file_twice_is_refused_naming_the_earlier_import(regions, personas):
    content = workbook(good_ledger())
    first = ledger_import(actor=personas["clerk"], content=content, file_name="2019台账.xlsx")
    before = counts()
    messages = refused(personas["chief"], content, file_name="2019台账（副本）.xlsx")
    assert len(messages) == 1
    assert messages[0].startswith("该文件已于") and "吴中区卫生监督所周晓导入" in messages[0]
    assert f"文件名“2019台账.xlsx”，导入记录#{first.pk}" in messages[0]
    assert counts() == before


def test_keys_of_an_earlier_import_cannot_be_imported_again_but_can_be_referred_to(regions, personas):
    clerk = personas["clerk"]
    ledger_import(actor=clerk, content=workbook(good_ledger()), file_name="2019台账.xlsx")
    again = workbook({"监管对象": [subject_row("WZ-001", 名称="另一家")]})
    assert refused(clerk, again, "2020台账.xlsx") == [
        "工作表「监管对象」第2行「对象编号」：“WZ-001”已在之前导入的台账（2019台账.xlsx）中登记，不能重复导入；其他表可直接引用该编号"
    ]
    # The next year's ledger names last year's site and case by their ledger keys.
    next_year = workbook(
        {
            "监督检查": [
                {
                    "对象编号": "WZ-002",
                    "检查日期": "2020-03-01",
                    "检查方式": "复查",
                    "出动人次": 2,
                    "处理结果": "未发现违法",
                }
            ],
            "回头看": [
                {"原案件编号": "吴卫医罚〔2019〕1号", "检查日期": "2020-06-01", "结果": "未发现再次违法"}
            ],
        }
    )
    ledger_import(actor=clerk, content=next_year, file_name="2020台账.xlsx")
    numbered = workbook(
        {
            "案件": [
                {
                    "案件编号": "B-1",
                    "案件文号": "吴卫医罚〔2019〕1号",
                    "对象编号": "WZ-001",
                    "案由": "非法行医",
                    "当事人": "张某",
                    "立案日期": "2020-02-01",
                }
            ]
        }
    )
    assert refused(clerk, numbered) == [
        "工作表「案件」第2行「案件文号」：“吴卫医罚〔2019〕1号”在平台中已有案件使用"
    ]
    assert Inspection.objects.filter(subject__name="丽人美容店", started_at__year=2020).count() == 1
    assert Recheck.objects.filter(case__number="吴卫医罚〔2019〕1号", done_on=dt.date(2020, 6, 1)).exists()


def test_earlier_keys_still_resolve_after_officers_edit_the_notes_and_facts(regions, personas):
    clerk = personas["clerk"]
    ledger_import(actor=clerk, content=workbook(good_ledger()), file_name="2019台账.xlsx")
    # Officers rewrite the text the import left; the keys are not in it.
    Subject.objects.filter(name="丽人美容店").update(notes="2020年复查：已搬离，原址改作超市")
    Case.objects.filter(title="非法医疗美容").update(facts="当事人李某在丽人美容店内开展医学美容项目")
    later = workbook(
        {
            "监督检查": [
                {
                    "对象编号": "WZ-002",
                    "检查日期": "2020-03-01",
                    "检查方式": "复查",
                    "出动人次": 2,
                    "处理结果": "已停业/人去屋空",
                }
            ],
            "移送": [
                {
                    "案件编号": "A-002",
                    "移送日期": "2020-03-02",
                    "移送对象": "公安机关",
                    "接收单位": "苏州市公安局吴中分局",
                }
            ],
        }
    )
    ledger_import(actor=clerk, content=later, file_name="2020台账.xlsx")
    beauty = Subject.objects.get(name="丽人美容店")
    assert Inspection.objects.get(started_at__year=2020).subject == beauty
    assert Referral.objects.get(transferred_at__year=2020).case == Case.objects.get(title="非法医疗美容")
    # ...and still cannot be imported a second time.
    assert refused(clerk, workbook({"监管对象": [subject_row("WZ-002")]})) == [
        "工作表「监管对象」第2行「对象编号」：“WZ-002”已在之前导入的台账（2019台账.xlsx）中登记，不能重复导入；其他表可直接引用该编号"
    ]


def test_keys_are_unique_per_county_and_a_city_officer_is_told_which_counties_share_one(regions, personas):
    ledger_import(actor=personas["clerk"], content=workbook(good_ledger()), file_name="吴中2019.xlsx")
    xc_clerk = make_user("xcclerk", personas["carol"].unit, Role.CLERK, "相城录入员")
    # 相城区 numbers its own sites from WZ-001 too.
    xc_ledger = workbook({"监管对象": [subject_row("WZ-001", 名称="黄埭游医", 区划代码="320507100201")]})
    ledger_import(actor=xc_clerk, content=xc_ledger, file_name="相城2019.xlsx")
    assert sorted(LedgerKey.objects.filter(key="WZ-001").values_list("county_id", flat=True)) == [
        "320506",
        "320507",
    ]
    inspection = {
        "对象编号": "WZ-001",
        "检查日期": "2020-01-05",
        "检查方式": "复查",
        "出动人次": 2,
        "处理结果": "未发现违法",
    }
    city_clerk = make_user("cityclerk", personas["dave"].unit, Role.CLERK, "市录入员")
    assert refused(city_clerk, workbook({"监督检查": [inspection]})) == [
        "工作表「监督检查」第2行「对象编号」：“WZ-001”在辖区内多个区县之前导入的台账中都有（吴中区、相城区），"
        "无法确定所指，请由所属区县导入"
    ]
    # Each county's officer means its own site.
    ledger_import(actor=xc_clerk, content=workbook({"监督检查": [inspection]}), file_name="相城2020.xlsx")
    assert Inspection.objects.get(started_at__year=2020).subject.name == "黄埭游医"


def outreach_only() -> bytes:
    """A ledger without keys: nothing but the file itself can clash."""
    return workbook({"宣教与媒体": good_ledger()["宣教与媒体"]})


def test_the_database_refuses_the_same_file_when_the_checks_before_writing_missed_it(
    regions, personas, monkeypatch
):
    from qingyuan.reports.ledger import writing

    content = outreach_only()
    first = ledger_import(actor=personas["clerk"], content=content, file_name="宣教2019.xlsx")
    # As when two units import at the same moment: both pass the checks, neither sees the other.
    monkeypatch.setattr(writing, "refuse_same_file", lambda sha256: None)
    city_clerk = make_user("cityclerk", personas["dave"].unit, Role.CLERK, "市录入员")
    before = counts()
    messages = refused(city_clerk, content, "宣教2019（市）.xlsx")
    assert messages == [
        f"该文件已于{timezone.localtime(first.imported_at):%Y-%m-%d %H:%M}"
        f"由吴中区卫生监督所周晓导入（文件名“宣教2019.xlsx”，导入记录#{first.pk}），同一文件不能重复导入"
    ]
    assert counts() == before  # nothing of the second import is left


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: concurrent writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_units_importing_the_same_file_at_once_leave_one_import(regions, personas):
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    city_clerk = make_user("cityclerk", personas["dave"].unit, Role.CLERK, "市录入员")
    # Without decisions: an earlier transactional test may have flushed the rules the migrations load.
    content = workbook({**good_ledger(), "处罚决定": []})
    barrier, outcomes = threading.Barrier(2), []

    def attempt(actor, name):
        try:
            barrier.wait()
            outcomes.append(ledger_import(actor=actor, content=content, file_name=name))
        except ValidationError as error:
            outcomes.append(error.messages)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(personas["clerk"], "吴中2019.xlsx")),
        threading.Thread(target=attempt, args=(city_clerk, "吴中2019（市）.xlsx")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = LedgerImport.objects.get()
    assert [o for o in outcomes if isinstance(o, LedgerImport)] == [done]
    (messages,) = [o for o in outcomes if isinstance(o, list)]
    assert len(messages) == 1 and messages[0].startswith("该文件已于")
    assert f"（文件名“{done.file_name}”，导入记录#{done.pk}）" in messages[0]
    assert (Subject.objects.count(), Case.objects.count(), LedgerKey.objects.count()) == (3, 4, 7)


def test_keys_kept_in_the_text_by_earlier_imports_become_ledger_keys(regions, personas):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("qingyuan.reports.migrations.0004_ledger_keys_from_marks")
    clerk = personas["clerk"]
    year = ledger_import(actor=clerk, content=workbook(good_ledger()), file_name="2019台账.xlsx")
    # Two different files of one name: told apart by when each was imported.
    row = ["某诊所", "无证诊所", "木渎镇", "320506100", "西医", "内科", "", "2019-03-01", "", "", ""]
    one, two = (
        ledger_import(
            actor=clerk,
            content=csv_bytes(SUBJECT_HEADER, [[key, *row]]),
            file_name="对象.csv",
            kind="subjects",
        )
        for key in ("C-1", "C-2")
    )
    expected = set(LedgerKey.objects.values_list("ledger_import", "kind", "key", "county", "subject", "case"))
    assert len(expected) == 9

    # The database as the importer used to leave it: each key in its record's text only, the
    # import row written just after its records.
    written = timezone.now() - dt.timedelta(days=30)
    for n, record in enumerate((year, one, two)):
        at = written + dt.timedelta(days=n)
        for key in record.keys.all():
            label, model, field = (
                ("对象编号", Subject, "notes") if key.kind == "subject" else ("案件编号", Case, "facts")
            )
            text = f"历史台账导入（{record.file_name}）；{label}「{key.key}」"
            model.objects.filter(pk=key.record.pk).update(**{field: text, "created_at": at})
        LedgerImport.objects.filter(pk=record.pk).update(imported_at=at + dt.timedelta(seconds=2))
    LedgerKey.objects.all().delete()
    # An officer rewrote one site's notes: its key was out of reach before and stays so.
    itinerant = Subject.objects.get(name="木渎游医")
    Subject.objects.filter(pk=itinerant.pk).update(notes="已迁往外地")
    lost = {k for k in expected if k[4] == itinerant.pk}
    # A mark typed by hand, naming no import; a second site of the county marked with a key taken.
    typed = Subject.objects.get(name="金星村无证牙科")
    typed.pk = None
    typed.notes = "历史台账导入（某台账.xlsx）；对象编号「X-1」"
    typed.save()
    twin = Subject.objects.get(name="丽人美容店")
    twin.pk = None
    twin.notes = "历史台账导入（2019台账.xlsx）；对象编号「WZ-001」"
    twin.save()

    result = migration.ledger_keys_from_marks(apps)

    assert (
        set(LedgerKey.objects.values_list("ledger_import", "kind", "key", "county", "subject", "case"))
        == expected - lost
    )
    assert (result["subject"], result["case"]) == (4, 4)
    assert result["skipped"] == [
        f"监管对象#{typed.pk}「X-1」：没有文件名为“某台账.xlsx”的导入记录",
        f"监管对象#{twin.pk}「WZ-001」：区县320506已有同一编号",
    ]
    again = migration.ledger_keys_from_marks(apps)
    assert (again["subject"], again["case"], LedgerKey.objects.count()) == (0, 0, 8)

    # The converted keys serve the next ledger as before.
    later = workbook(
        {
            "监督检查": [
                {
                    "对象编号": "C-2",
                    "检查日期": "2020-03-01",
                    "检查方式": "复查",
                    "出动人次": 2,
                    "处理结果": "未发现违法",
                }
            ],
            "回头看": [{"原案件编号": "A-002", "检查日期": "2020-06-01", "结果": "未发现再次违法"}],
        }
    )
    ledger_import(actor=clerk, content=later, file_name="2020台账.xlsx")
    assert Inspection.objects.get(started_at__year=2020).subject == LedgerKey.objects.get(key="C-2").subject
    assert Recheck.objects.get(done_on=dt.date(2020, 6, 1)).case.title == "非法医疗美容"


def test_a_decision_on_an_earlier_imported_case_updates_that_case_and_bans_its_site(regions, personas):
    clerk = personas["clerk"]
    first = good_ledger()
    first["案件"].append(
        {
            "案件编号": "A-005",
            "对象编号": "WZ-002",
            "案由": "非法行医",
            "当事人": "李某",
            "立案日期": "2019-10-01",
        }
    )
    ledger_import(actor=clerk, content=workbook(first), file_name="2019台账.xlsx")
    later = workbook({"处罚决定": [{"案件编号": "A-005", "决定日期": "2020-01-10", "取缔": "是"}]})
    ledger_import(actor=clerk, content=later, file_name="2020补录.xlsx")
    case = by_key("case", "A-005")
    assert (case.decided_on, case.status) == (dt.date(2020, 1, 10), CaseStatus.DECIDED)
    assert case.subject.status == SubjectStatus.BANNED
    # The decision is a step of the case workflow: its own audit row and timeline line.
    (changed,) = AuditEvent.objects.filter(
        action="transition", target_type="cases.case", target_id=str(case.pk)
    )
    assert changed.after["action"] == "import_decision"
    assert (changed.after["decided_on"], changed.after["status"]) == ("2020-01-10", "decided")
    assert case.events.filter(action="台账导入处罚决定", note__contains="2020补录.xlsx").exists()
    assert refused(
        clerk, workbook({"处罚决定": [{"案件编号": "A-005", "决定日期": "2020-02-01", "警告": "是"}]})
    ) == ["工作表「处罚决定」第2行「案件编号」：案件“A-005”在平台中已有处罚决定"]


# -- bad ledgers -----------------------------------------------------------------------------------


def test_ledger_with_bad_rows_on_several_sheets_is_refused_whole_with_every_error(regions, personas):
    bad = good_ledger()
    bad["监管对象"].append(subject_row("WZ-001", 名称="重复编号"))  # line 5
    bad["监管对象"].append(
        subject_row("WZ-009", 区划代码="320507100201", 类型="黑诊所", 发现日期="2019-13-01")
    )  # line 6
    bad["监督检查"].append(
        {
            "对象编号": "WZ-404",
            "检查日期": "2031-01-01",
            "检查方式": "突击",
            "出动人次": -1,
            "处理结果": "发现违法行为",
        }
    )  # line 7
    bad["案件"][1]["案件文号"] = "吴卫医罚〔2019〕1号"  # line 3, the same number as line 2
    bad["处罚决定"].append(
        {"案件编号": "A-004", "决定日期": "2019-12-01", "罚款金额": "-5", "没收违法所得金额": "12.345"}
    )
    bad["处罚决定"].append(
        {"案件编号": "A-004", "决定日期": "2020-01-01"}
    )  # line 6: the second decision of A-004
    bad["宣教与媒体"][1]["媒体名称"] = None
    before = counts()

    messages = refused(personas["clerk"], workbook(bad))

    assert counts() == before
    expected = [
        "工作表「监管对象」第5行「对象编号」：“WZ-001”与第2行重复",
        "工作表「监管对象」第6行「类型」：“黑诊所”无效，应为无证诊所、游医、生活美容场所、养生保健场所、其他之一",
        "工作表「监管对象」第6行「区划代码」：“320507100201”不在您的辖区内",
        "工作表「监管对象」第6行「发现日期」：“2019-13-01”不是有效日期",
        "工作表「监督检查」第7行「对象编号」：“WZ-404”在「监管对象」表和之前导入的台账中都找不到；"
        "请在「监管对象」表登记该对象，或改正本行的对象编号",
        "工作表「监督检查」第7行「检查日期」：“2031-01-01”晚于今天",
        "工作表「监督检查」第7行「检查方式」：“突击”无效，应为明查、暗访、巡查、专项检查、复查、回头看、督查抽查之一",
        "工作表「监督检查」第7行「出动人次」：“-1”应为0至32767之间的整数",
        "工作表「案件」第3行「案件文号」：“吴卫医罚〔2019〕1号”与第2行重复",
        "工作表「处罚决定」第5行「决定日期」：“2019-12-01”早于案件编号“A-004”（工作表「案件」第5行）的立案日期2019-12-31",
        "工作表「处罚决定」第5行「罚款金额」：“-5”不能为负数",
        "工作表「处罚决定」第5行「没收违法所得金额」：“12.345”最多保留两位小数",
        "工作表「处罚决定」第6行「案件编号」：“A-004”与第5行重复",
        "工作表「处罚决定」第6行「警告」：至少应有一种处罚（警告、罚款、没收违法所得、没收药品器械或取缔）",
        "工作表「宣教与媒体」第3行「媒体名称」：类型为媒体时不能为空",
    ]
    assert messages == expected


def test_outside_jurisdiction_region_code_is_refused(regions, personas):
    ledger = {
        "监管对象": [subject_row(区划代码="320507100201")],
        "宣教与媒体": [
            {
                "类型": "宣教",
                "日期": "2019-05-01",
                "区划代码": "320500",
                "名称/标题": "全市宣传",
                "人数或次数": 10,
            }
        ],
    }
    assert refused(personas["clerk"], workbook(ledger)) == [
        "工作表「监管对象」第2行「区划代码」：“320507100201”不在您的辖区内",
        "工作表「宣教与媒体」第2行「区划代码」：“320500”不在您的辖区内",
    ]
    assert Subject.objects.count() == 0
    # An officer of the city may import for any county of the city.
    city = make_user("cityclerk", personas["dave"].unit, Role.CLERK, "市录入员")
    ledger_import(actor=city, content=workbook(ledger), file_name="市台账.xlsx")
    assert Subject.objects.get().region_id == "320507100201"


def test_references_and_dates_between_sheets_are_checked(regions, personas):
    bad = good_ledger()
    # A case before the site's 发现日期 is no error: test_ledger_county_records.py.
    bad["案件"][0]["结案日期"] = "2019-02-01"  # before its decision of 2019-02-20
    bad["移送"][0]["案件编号"] = "A-999"
    bad["判决"][0]["判决日期"] = "2018-12-01"  # before A-003 was opened
    bad["回头看"][0]["再次违法案件编号"] = "A-003"  # the case itself
    bad["回头看"][1]["再次违法案件编号"] = "A-002"  # with no re-offence found
    bad["处罚决定"][2]["适用条款"] = "YS-01"  # 医师法 2022, not in force in 2018
    messages = refused(personas["clerk"], workbook(bad))
    assert messages == [
        "工作表「处罚决定」第2行「决定日期」：“2019-02-20”晚于案件编号“A-001”（工作表「案件」第2行）的结案日期2019-02-01",
        "工作表「处罚决定」第4行「适用条款」：“YS-01”在2018-12-05（案件编号“A-003”（工作表「案件」第4行）"
        "的违法行为发生日期，即立案日期）不在有效期内",
        "工作表「移送」第2行「案件编号」：“A-999”在「案件」表和之前导入的台账中都找不到；"
        "请在「案件」表登记该案件，或改正本行的案件编号",
        "工作表「判决」第2行「判决日期」：“2018-12-01”早于案件编号“A-003”（工作表「案件」第4行）的立案日期2018-12-05",
        "工作表「回头看」第2行「再次违法案件编号」：再次违法案件不能是原案件本身",
        "工作表「回头看」第3行「再次违法案件编号」：结果为“未发现再次违法”时不应填写再次违法案件编号",
    ]


def test_a_renamed_sheet_gives_one_clear_message(regions, personas):
    book = load_workbook(io.BytesIO(workbook(good_ledger())))
    book["案件"].title = "案件登记"
    out = io.BytesIO()
    book.save(out)
    messages = refused(personas["clerk"], out.getvalue())
    assert len(messages) == 1
    assert messages[0].startswith(
        "工作簿缺少工作表「案件」（工作表可能被改名或删除）。请下载平台提供的台账导入模板填写"
    )


def test_a_renamed_header_gives_one_clear_message(regions, personas):
    book = load_workbook(io.BytesIO(workbook(good_ledger())))
    book["处罚决定"]["B1"] = "处罚日期"
    out = io.BytesIO()
    book.save(out)
    messages = refused(personas["clerk"], out.getvalue())
    assert len(messages) == 1
    assert messages[0].startswith("工作表「处罚决定」缺少列「决定日期」（表头可能被改名或删除）")
    assert Subject.objects.count() == 0


def test_a_file_that_is_not_an_xlsx_is_refused(regions, personas):
    clerk = personas["clerk"]
    assert refused(clerk, "这不是表格".encode(), "台账.xlsx") == [
        "文件不是 Excel（.xlsx）工作簿。请下载平台提供的台账导入模板填写，工作表名称和表头不可更改"
    ]
    assert refused(clerk, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "台账.xls")[0].startswith(
        "不支持旧版 Excel（.xls）文件"
    )
    assert refused(clerk, b"%PDF-1.4", "台账.pdf") == ["文件格式应为 .xlsx（整份台账）或 .csv（单张表）"]
    assert refused(clerk, workbook({}), "台账.xlsx") == ["文件中没有数据行（只有表头）"]


def test_a_workbook_of_another_shape_is_refused(regions, personas):
    book = Workbook()
    book.active.append(["名称", "地址"])
    out = io.BytesIO()
    book.save(out)
    messages = refused(personas["clerk"], out.getvalue())
    assert len(messages) == 1 and messages[0].startswith("工作簿缺少工作表「监管对象」「监督检查」「案件」")


# -- CSV of one sheet ------------------------------------------------------------------------------


def csv_bytes(header: list[str], rows: list[list[str]], encoding="utf-8-sig") -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


SUBJECT_HEADER = [
    "对象编号",
    "名称",
    "类型",
    "地址",
    "区划代码",
    "机构类型",
    "行医内容",
    "区域类型",
    "发现日期",
    "需联合查处",
    "区县交界",
    "经营者姓名",
]


def test_csv_of_one_sheet_is_imported_with_the_same_checks(regions, personas):
    clerk = personas["clerk"]
    content = csv_bytes(
        SUBJECT_HEADER,
        [
            [
                "C-1",
                "某诊所",
                "无证诊所",
                "木渎镇",
                "320506100",
                "西医",
                "内科",
                "",
                "2019-03-01",
                "否",
                "",
                "钱某",
            ]
        ],
        encoding="gb18030",
    )
    assert refused(clerk, content, "对象.csv") == ["CSV 文件只含一张表，请选择它是哪一张表（如“监管对象”）"]
    record = ledger_import(actor=clerk, content=content, file_name="对象.csv", kind="subjects")
    assert record.counts == {"监管对象": 1}
    assert Subject.objects.get().location_type == "rural"  # a township without an urban-rural class
    # The inspections of that site, in a second CSV, name it by its key.
    header = ["对象编号", "检查日期", "检查方式", "出动人次", "出动车辆", "处理结果"]
    bad = csv_bytes(
        header,
        [
            ["C-1", "2019-02-01", "明查", "2", "1", "发现违法行为"],
            ["C-2", "2019-04-01", "明查", "二", "", "发现违法行为"],
        ],
    )
    assert refused(clerk, bad, "检查.csv", kind="inspections") == [
        "工作表「监督检查」第2行「检查日期」：“2019-02-01”早于对象编号“C-1”在之前导入的台账中登记的发现日期"
        "2019-03-01；请改正本行日期",
        "工作表「监督检查」第3行「对象编号」：“C-2”在「监管对象」表和之前导入的台账中都找不到；"
        "请在「监管对象」表登记该对象，或改正本行的对象编号",
        "工作表「监督检查」第3行「出动人次」：“二”应为整数",
    ]
    good = csv_bytes(header, [["C-1", "2019-04-01", "明查", "2", "1", "发现违法行为"]])
    ledger_import(actor=clerk, content=good, file_name="检查.csv", kind="inspections")
    assert s003a1(regions["wuzhong"]).cells["western"]["inspections"] == 1


def test_another_county_cannot_refer_to_our_imported_keys(regions, personas):
    ledger_import(actor=personas["clerk"], content=workbook(good_ledger()), file_name="2019台账.xlsx")
    xc_clerk = make_user("xcclerk", personas["carol"].unit, Role.CLERK, "相城录入员")
    header = ["对象编号", "检查日期", "检查方式", "出动人次", "出动车辆", "处理结果"]
    content = csv_bytes(header, [["WZ-001", "2019-04-01", "明查", "2", "1", "发现违法行为"]])
    assert refused(xc_clerk, content, "检查.csv", kind="inspections") == [
        "工作表「监督检查」第2行「对象编号」：“WZ-001”在「监管对象」表和之前导入的台账中都找不到；"
        "请在「监管对象」表登记该对象，或改正本行的对象编号"
    ]


def test_template_and_docs_describe_every_sheet_and_column():
    from pathlib import Path

    from qingyuan.reports.ledger import SHEETS

    docs = (Path(__file__).resolve().parents[4] / "docs" / "ledger.md").read_text(encoding="utf-8")
    from qingyuan.reports.ledger import FLAT, ledger_flat_template

    described = {
        (row[0], row[1])
        for template in (ledger_template(), ledger_flat_template())
        for row in load_workbook(io.BytesIO(template))["说明"].iter_rows(values_only=True)
        if row[0] and row[1]
    }
    for sheet in (*SHEETS, FLAT):
        assert f"### {sheet.name}" in docs
        for column in sheet.columns:
            assert f"| {column.header} | {'是' if column.required else '否'} |" in docs, column.header
            assert (sheet.name, column.header) in described


# -- pages -----------------------------------------------------------------------------------------


@pytest.fixture
def upload(settings, tmp_path, django_capture_on_commit_callbacks):
    """upload(client, content, name, kind): the page's POST, with the job it queues run as the
    commit of the request queues it (the task queue's immediate mode in tests)."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def post(client, content, name="2019台账.xlsx", kind=""):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/reports/ledger/", {"file": SimpleUploadedFile(name, content), "kind": kind})

    return post


def test_clerk_downloads_the_template_uploads_a_ledger_and_sees_the_counts(regions, personas, login, upload):
    client = login("clerk")
    page = client.get("/reports/ledger/")
    assert page.status_code == 200 and "历史台账导入" in page.content.decode()
    template = client.get("/reports/ledger/template.xlsx")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == [
        "说明",
        "监管对象",
        "监督检查",
        "案件",
        "处罚决定",
        "移送",
        "判决",
        "回头看",
        "宣教与媒体",
    ]
    assert [c.value for c in book["案件"][1]][:3] == ["案件编号", "案件文号", "对象编号"]

    response = upload(client, workbook(good_ledger(), template=template.content))
    record, job = LedgerImport.objects.get(), Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    result = client.get(response["Location"]).content.decode()
    assert "导入完成：监管对象 3，监督检查 5" in result and "every 1s" not in result
    assert f'href="/reports/ledger/{record.pk}/"' in result
    detail = client.get(f"/reports/ledger/{record.pk}/").content.decode()
    assert "2019台账.xlsx" in detail and "监管对象" in detail and "导入完成" in detail
    listing = client.get("/reports/ledger/").content.decode()
    assert "2019台账.xlsx" in listing


def test_page_lists_every_error_and_writes_nothing(regions, personas, login, upload):
    bad = good_ledger()
    bad["处罚决定"][0]["决定日期"] = "2019-01-12"
    bad["监督检查"][0]["出动人次"] = "两人"
    client = login("chief")
    response = upload(client, workbook(bad))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "文件“2019台账.xlsx”未通过校验，未写入任何数据" in page and "every 1s" not in page
    assert "工作表「监督检查」第2行「出动人次」：“两人”应为整数" in page
    assert (
        "工作表「处罚决定」第2行「决定日期」：“2019-01-12”早于案件编号“A-001”（工作表「案件」第2行）的立案日期2019-01-15"
        in page
    )
    assert Subject.objects.count() == 0 and LedgerImport.objects.count() == 0


def test_page_takes_a_csv_of_the_chosen_sheet(regions, personas, login, upload):
    content = csv_bytes(
        SUBJECT_HEADER,
        [["C-1", "某诊所", "无证诊所", "木渎镇", "320506100", "西医", "内科", "", "2019-03-01", "", "", ""]],
    )
    response = upload(login("clerk"), content, "对象.csv", kind="subjects")
    assert response.status_code == 302
    assert Subject.objects.get().name == "某诊所"
    header = login("clerk").get("/reports/ledger/template/subjects.csv")
    assert header.content.decode("utf-8-sig").strip() == ",".join(SUBJECT_HEADER)


def test_ledger_pages_are_for_importers_of_the_jurisdiction_only(regions, personas, login):
    record = ledger_import(
        actor=personas["clerk"], content=workbook(good_ledger()), file_name="2019台账.xlsx"
    )
    for name in ("alice", "dave"):  # an inspector and a leader do not import
        assert login(name).get("/reports/ledger/").status_code == 404
    client = Client()
    client.force_login(make_user("xcclerk", personas["carol"].unit, Role.CLERK, "相城录入员"))
    assert client.get(f"/reports/ledger/{record.pk}/").status_code == 404
    assert "2019台账.xlsx" not in client.get("/reports/ledger/").content.decode()
    assert login("chief").get(f"/reports/ledger/{record.pk}/").status_code == 200


def test_detail_page_lists_the_keys_with_links_to_their_records_page_by_page(
    regions, personas, login, monkeypatch
):
    from qingyuan.reports import ledger_views

    monkeypatch.setattr(ledger_views, "KEYS_PER_PAGE", 4)
    record = ledger_import(
        actor=personas["clerk"], content=workbook(good_ledger()), file_name="2019台账.xlsx"
    )
    client = login("clerk")
    first = client.get(f"/reports/ledger/{record.pk}/").content.decode()
    second = client.get(f"/reports/ledger/{record.pk}/?page=2").content.decode()
    dental, a1, a4 = by_key("subject", "WZ-001"), by_key("case", "A-001"), by_key("case", "A-004")
    assert "共 7 个" in first and "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert f'<a href="/subjects/{dental.pk}/">金星村无证牙科</a>' in first and "<code>WZ-001</code>" in first
    assert f'<a href="/cases/{a1.pk}/">吴卫医罚〔2019〕1号</a>' in first and "<code>A-001</code>" in first
    assert f'<a href="/cases/{a4.pk}/">再次非法行医</a>' in second and "A-004" not in first
    # A site moved to another county since is no longer the county officer's to see.
    Subject.objects.filter(name="丽人美容店").update(region=regions["xc_village"])
    page = client.get(f"/reports/ledger/{record.pk}/").content.decode()
    assert "共 6 个" in page and "丽人美容店" not in page


# -- command ---------------------------------------------------------------------------------------


def test_command_imports_and_exits_non_zero_on_errors(regions, personas, tmp_path, capsys):
    good = tmp_path / "2019台账.xlsx"
    good.write_bytes(workbook(good_ledger()))
    call_command("import_ledger", str(good), "--user", "clerk")
    out = capsys.readouterr().out
    assert "导入完成" in out and "监管对象 3" in out
    assert LedgerImport.objects.count() == 1

    bad_ledger = good_ledger()
    bad_ledger["处罚决定"][0]["决定日期"] = "2019-01-12"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(bad_ledger))
    with pytest.raises(CommandError, match="未写入任何数据") as caught:
        call_command("import_ledger", str(bad), "--user", "clerk")
    assert caught.value.returncode == 1  # what manage.py exits with
    assert (
        "工作表「处罚决定」第2行「决定日期」：“2019-01-12”早于案件编号“A-001”（工作表「案件」第2行）的立案日期2019-01-15"
        in capsys.readouterr().err
    )

    with pytest.raises(CommandError, match="导入失败"):
        call_command("import_ledger", str(good), "--user", "clerk")  # the same file again
    assert "该文件已于" in capsys.readouterr().err
    csv_file = tmp_path / "对象.csv"
    csv_file.write_bytes(csv_bytes(SUBJECT_HEADER, [["C-1"]]))
    with pytest.raises(CommandError):
        call_command("import_ledger", str(csv_file), "--user", "clerk", "--kind", "subjects")
    assert "工作表「监管对象」第2行「名称」：不能为空" in capsys.readouterr().err
    with pytest.raises(CommandError, match="账号“nobody”不存在"):
        call_command("import_ledger", str(good), "--user", "nobody")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_ledger", str(tmp_path / "missing.xlsx"), "--user", "clerk")


@pytest.mark.parametrize("username", ["aud", "sam", "alice", "dave"])
def test_command_refuses_an_account_without_the_import_permission(regions, personas, tmp_path, username):
    good = tmp_path / "2019台账.xlsx"
    good.write_bytes(workbook(good_ledger()))
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="没有导入历史台账的权限"):
        call_command("import_ledger", str(good), "--user", username)
    assert not LedgerImport.objects.exists() and not Subject.objects.exists()
    assert AuditEvent.objects.count() == events


def test_ledger_job_refuses_the_auditor(personas):
    from django.core.exceptions import PermissionDenied

    from qingyuan.reports.ledger.jobs import ledger_job_create

    upload = SimpleUploadedFile("2019台账.xlsx", workbook(good_ledger()))
    with pytest.raises(PermissionDenied):
        ledger_job_create(actor=personas["aud"], upload=upload)
    assert not Job.objects.exists()


# -- the party's ID number, and imports through the case workflow ---------------------------------

ID_WANG = "320506198003151231"


def _repeat_offender_ledger(id_number=ID_WANG, kind=None) -> dict[str, list[dict]]:
    party = {"当事人": "王某", "当事人身份证号/统一社会信用代码": id_number}
    if kind:
        party["当事人类型"] = kind
    return {
        "监管对象": [subject_row("WZ-001", 发现日期="2018-01-02")],
        "案件": [
            {"案件编号": "R-1", "对象编号": "WZ-001", "案由": "非法行医", "立案日期": "2018-01-05", **party},
            {"案件编号": "R-2", "对象编号": "WZ-001", "案由": "非法行医", "立案日期": "2019-01-05", **party},
        ],
        "处罚决定": [
            {"案件编号": "R-1", "决定日期": "2018-02-01", "罚款金额": 5000},
            {"案件编号": "R-2", "决定日期": "2019-02-01", "罚款金额": 8000},
        ],
    }


def test_party_id_numbers_are_stored_encrypted_and_count_for_the_crime_check(regions, personas):
    from django.db import connection

    from qingyuan.cases.tests.test_followup_data import make_case
    from qingyuan.core.crypto import blind_index

    # A case in the platform today against the same person, who has no 医师资格.
    today_case = make_case(
        region=regions["village"],
        proposer=personas["alice"],
        party_name="王某",
        id_number=ID_WANG,
        no_qualification=True,
    )
    assert not today_case.crime_suspected

    ledger_import(actor=personas["clerk"], content=workbook(_repeat_offender_ledger()), file_name="王某.xlsx")

    r1 = by_key("case", "R-1")
    assert r1.party_id_number == ID_WANG and r1.party_id_index == blind_index(ID_WANG)
    with connection.cursor() as cursor:
        cursor.execute("SELECT party_id_number FROM cases_case WHERE id = %s", [r1.pk])
        (stored,) = cursor.fetchone()
    assert stored and ID_WANG not in stored
    # The second ledger case already had one earlier penalty (the first) in the same file.
    r2 = by_key("case", "R-2")
    assert any("受行政处罚1次" in reason for reason in r2.crime_reasons)
    # The two imported penalties make today's case a repeat offence (解释 第2条(4)), by ID number.
    today_case.refresh_from_db()
    assert today_case.crime_suspected
    assert any("受过2次行政处罚" in reason for reason in today_case.crime_reasons)


@pytest.mark.parametrize(
    ("id_number", "kind", "message"),
    [
        ("320506198003151232", None, "身份证号码校验位错误"),
        ("12345", None, "身份证号码应为18位"),
        ("9132050612345678IO", "法人或其他组织", "统一社会信用代码应为18位"),
        ("91320506MA1XXXXXX0", "法人或其他组织", "统一社会信用代码校验位错误"),
    ],
)
def test_a_bad_party_id_refuses_the_file_naming_row_and_column(regions, personas, id_number, kind, message):
    errors = refused(personas["clerk"], workbook(_repeat_offender_ledger(id_number, kind)))
    assert errors[0].startswith(
        f"工作表「案件」第2行「当事人身份证号/统一社会信用代码」：“{id_number}”：{message}"
    )
    assert len(errors) == 2  # both rows, and nothing written
    assert not Case.objects.exists()


def test_an_organisation_with_a_valid_credit_code_is_imported(regions, personas):
    code = "91320506MA1MXXXX4X"
    from qingyuan.reports.ledger.checking import USCC_CHARS, USCC_WEIGHTS

    total = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    code = code[:17] + USCC_CHARS[(31 - total % 31) % 31]
    ledger_import(
        actor=personas["clerk"],
        content=workbook(_repeat_offender_ledger(code, "法人或其他组织")),
        file_name="机构.xlsx",
    )
    assert by_key("case", "R-1").party_id_number == code


def test_an_imported_case_has_its_timeline_event_audit_row_and_deadlines(regions, personas):
    from qingyuan.cases.deadlines import first_decide_due, open_due

    ledger_import(actor=personas["clerk"], content=workbook(_repeat_offender_ledger()), file_name="王某.xlsx")
    r2 = by_key("case", "R-2")
    event = r2.events.get(action="台账导入")
    assert (event.actor, event.from_status, event.to_status) == (personas["clerk"], "", CaseStatus.DECIDED)
    audit_row = AuditEvent.objects.get(action="create", target_type="cases.case", target_id=str(r2.pk))
    assert audit_row.actor_name == "clerk" and audit_row.after["action"] == "import"
    assert r2.open_due == open_due(dt.date(2019, 1, 5))
    assert r2.decide_due == first_decide_due(dt.date(2019, 1, 5))


def test_an_account_without_the_import_permission_is_refused_by_the_workflow_too(regions, personas):
    from django.core.exceptions import PermissionDenied

    from qingyuan.cases.workflow import CASE_WORKFLOW

    with pytest.raises(PermissionDenied):
        CASE_WORKFLOW.check(None, "import", personas["alice"])
