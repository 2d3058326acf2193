"""The checks on a form's figures: errors block a submission, warnings need the submitter's note, and
each message names the row and the column (period 2024-01-01 … 06-30)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from qingyuan.reports.forms import FORM_CLASSES, get_form
from qingyuan.reports.forms.base import Ratio, Scope
from qingyuan.reports.models import Submission
from qingyuan.reports.submissions import submission_submit
from qingyuan.reports.validation import RULES, validate
from qingyuan.subjects.models import InstitutionType

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


def blank(code, region):
    """The form computed over no records: every figure zero, every check passes."""
    result = get_form(code).compute(Scope(region, START, END))
    assert validate(result) == []
    return result


def messages(result):
    return [(x.level, x.message) for x in validate(result)]


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_names_a_column_the_form_has(code, regions):
    assert code in FORM_CLASSES
    blank(code, regions["wuzhong"])  # a rule naming a missing table or column raises RuleError here


def test_fine_count_without_amount_is_an_error_naming_row_and_column(regions):
    result = blank("S003-A1", regions["wuzhong"])
    cells = result.table("main").cells
    cells["dental"]["fine_count"] = cells["total"]["fine_count"] = 1
    cells["dental"]["penalised_units"] = cells["total"]["penalised_units"] = 1
    assert messages(result) == [
        ("error", "“口腔”行：罚款户次为1而罚款金额为0.00元，有罚款户次必须有罚款金额，反之亦然"),
        ("error", "“合计”行：罚款户次为1而罚款金额为0.00元，有罚款户次必须有罚款金额，反之亦然"),
    ]


def test_amount_without_count_and_total_not_the_sum_of_rows_are_errors(regions):
    result = blank("S003-A1", regions["wuzhong"])
    cells = result.table("main").cells
    cells["western"]["confiscation_amount"] = Decimal("1200.00")
    cells["western"]["system_entry"] = Ratio(3, 2)
    found = messages(result)
    assert ("error", "合计行“没收违法所得金额（万元）”为0.00元，与各机构类型之和1200.00元不符") in found
    assert (
        "error",
        "合计行“信息系统录入情况”为已录入 0 / 共 0，与各机构类型之和已录入 3 / 共 2不符",
    ) in found
    assert (
        "error",
        "“西医”行：没收违法所得户次为0而没收违法所得金额为1200.00元，有户次必须有金额，反之亦然",
    ) in found
    assert ("error", "“西医”行：信息系统录入情况中已录入数3大于案件总数2") in found


def test_a_site_banned_twice_is_only_a_warning(regions):
    result = blank("S003-A1", regions["wuzhong"])
    cells = result.table("main").cells
    for row in ("other", "total"):
        cells[row].update(ban_count=2, penalised_units=1)
    assert messages(result) == [
        (
            "warning",
            "“其他”行：取缔户次2多于行政处罚单位数1（同一单位本期被多次取缔？请在填报说明中说明）",
        ),
        (
            "warning",
            "“合计”行：取缔户次2多于行政处罚单位数1（同一单位本期被多次取缔？请在填报说明中说明）",
        ),
    ]


def test_look_back_warnings_cannot_exceed_penalties(regions):
    result = blank("S003-A2", regions["wuzhong"])
    table = result.tables[0]
    row = table.rows[0].key
    table.cells[row].update(warnings=2, decisions=1, reoffended_sites=1)
    assert messages(result) == [
        ("error", "“数量”行：警告数2多于行政处罚户（人）次1，每个警告都属于一次行政处罚")
    ]


def test_unlicensed_site_groups_must_agree(regions):
    result = blank("S001-A2", regions["wuzhong"])
    cells = result.table("main").cells
    for row in ("joint", "total"):
        cells[row]["loc_rural"] = 2
        cells[row]["content_dental"] = 1
    assert messages(result) == [
        (
            "error",
            "“需要联合查处”行：按地点统计的户数2与按行医内容统计的户数1不等，每户只有一个地点类型和一个主要行医内容",
        ),
        (
            "error",
            "“合计”行：按地点统计的户数2与按行医内容统计的户数1不等，每户只有一个地点类型和一个主要行医内容",
        ),
    ]


def test_more_penalised_than_investigated_sites_is_a_warning(regions):
    result = blank("S001-A3", regions["wuzhong"])
    table = result.table("main")
    table.cells[table.rows[0].key].update(penalised=3, investigated=1)
    assert messages(result) == [
        ("warning", "处罚户数3多于查处户数1（本期处罚的案件是否在上期立案？请在填报说明中说明）")
    ]


# --- on submission ---------------------------------------------------------------------------------


@pytest.fixture
def fine_without_amount(regions, personas):
    by = personas["alice"]
    site = f.subject(regions["village"], "金星诊所", institution_type=InstitutionType.WESTERN)
    f.decision(f.case(site, dt.date(2024, 2, 1), by=by), dt.date(2024, 2, 10), by=by, fine=True)
    return site


def test_errors_block_the_submission_and_list_every_message(fine_without_amount, regions, personas):
    with pytest.raises(ValidationError) as caught:
        submission_submit(
            actor=personas["chief"], code="S003-A1", scope=Scope(regions["wuzhong"], START, END)
        )
    assert caught.value.messages == [
        "“西医”行：罚款户次为1而罚款金额为0.00元，有罚款户次必须有罚款金额，反之亦然",
        "“合计”行：罚款户次为1而罚款金额为0.00元，有罚款户次必须有罚款金额，反之亦然",
    ]
    assert not Submission.objects.exists()


def test_errors_show_on_the_page_with_nothing_saved(fine_without_amount, login):
    query = "region=320506&start=2024-01-01&end=2024-06-30"
    client = login("chief")
    panel = client.get(f"/reports/form/S003-A1/submission/?{query}").content.decode()
    assert "错误：“西医”行：罚款户次为1而罚款金额为0.00元" in panel
    response = client.post(f"/reports/form/S003-A1/submit/?{query}", {"note": "请通过"})
    assert response.status_code == 400
    assert "不能上报" in response.content.decode() and not Submission.objects.exists()


@pytest.fixture
def banned_twice(regions, personas):
    by = personas["alice"]
    site = f.subject(regions["village"], "金星诊所", institution_type=InstitutionType.WESTERN)
    f.decision(f.case(site, dt.date(2024, 2, 1), by=by), dt.date(2024, 2, 10), by=by, ban=True)
    f.decision(f.case(site, dt.date(2024, 4, 1), by=by), dt.date(2024, 4, 10), by=by, ban=True)
    return site


def test_warnings_need_the_submitters_note_and_are_stored(banned_twice, regions, personas):
    scope = Scope(regions["wuzhong"], START, END)
    with pytest.raises(ValidationError) as caught:
        submission_submit(actor=personas["chief"], code="S003-A1", scope=scope)
    assert list(caught.value.message_dict) == ["note"]
    assert "取缔户次2多于行政处罚单位数1" in caught.value.message_dict["note"][0]
    s = submission_submit(
        actor=personas["chief"], code="S003-A1", scope=scope, note="金星诊所取缔后复开，4月再次取缔"
    )
    assert s.note == "金星诊所取缔后复开，4月再次取缔"
    assert s.warnings[0].startswith("“西医”行：取缔户次2多于行政处罚单位数1")


def test_page_asks_for_the_note_when_there_are_warnings(banned_twice, login):
    query = "region=320506&start=2024-01-01&end=2024-06-30"
    client = login("chief")
    response = client.post(f"/reports/form/S003-A1/submit/?{query}", {"note": ""})
    assert response.status_code == 400 and "请在填报说明中说明" in response.content.decode()
    response = client.post(f"/reports/form/S003-A1/submit/?{query}", {"note": "复开后再次取缔"})
    assert response.status_code == 302 and Submission.objects.get().warnings
