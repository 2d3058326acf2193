"""The case list's 立案日期 range and 机构类型 filters, as an officer uses them: the list, its figures and
the XLSX export show exactly the cases asked for, within the user's jurisdiction.

Cases (当事人 names the case): 吴中区 甲 (牙科, 1-15), 乙 (美容, 3-01), 丙 (牙科, 3-31), 丁 (牙科,
4-01) and a proposal not yet opened; 相城区 戊 (西医, 3-10) and 己 (牙科, 3-20). All in 2024.
"""

import datetime as dt
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from qingyuan.cases.models import Case, CaseStatus
from qingyuan.core.models import AuditEvent
from qingyuan.reports.tests import factories as f
from qingyuan.subjects.models import InstitutionType

URL = "/cases/"


@pytest.fixture
def cases(regions, personas):
    alice, carol = personas["alice"], personas["carol"]
    dental = f.subject(regions["village"], "金星牙科", institution_type=InstitutionType.DENTAL)
    beauty = f.subject(regions["community"], "山塘美容", institution_type=InstitutionType.AESTHETIC)
    clinic = f.subject(regions["xc_village"], "三埂诊所", institution_type=InstitutionType.WESTERN)
    xc_dental = f.subject(regions["xc_village"], "三埂牙科", institution_type=InstitutionType.DENTAL)
    f.case(dental, dt.date(2024, 1, 15), by=alice, party_name="甲")
    f.case(beauty, dt.date(2024, 3, 1), by=alice, party_name="乙")
    f.case(dental, dt.date(2024, 3, 31), by=alice, party_name="丙")
    f.case(dental, dt.date(2024, 4, 1), by=alice, party_name="丁", status=CaseStatus.INVESTIGATING)
    proposal = f.case(dental, dt.date(2024, 3, 15), by=alice, party_name="待批", status=CaseStatus.PROPOSED)
    Case.objects.filter(pk=proposal.pk).update(opened_on=None)
    f.case(clinic, dt.date(2024, 3, 10), by=carol, party_name="戊")
    f.case(xc_dental, dt.date(2024, 3, 20), by=carol, party_name="己")


def parties(response) -> set[str]:
    assert response.status_code == 200
    return {obj.party_name for obj, _cells in response.context["rows"]}


def test_opened_date_range_includes_both_days(cases, login):
    listed = login("dave").get(URL, {"opened_from": "2024-03-01", "opened_to": "2024-03-31"})
    assert parties(listed) == {"乙", "丙", "戊", "己"}
    assert listed.context["page"].paginator.count == 4
    assert "共 4 条" in listed.content.decode()


def test_open_ended_range_leaves_out_proposals_without_a_date(cases, login):
    client = login("dave")
    assert parties(client.get(URL, {"opened_from": "2024-03-20"})) == {"丙", "丁", "己"}
    assert parties(client.get(URL, {"opened_to": "2024-03-01"})) == {"甲", "乙"}


def test_institution_type_with_dates_and_region(cases, login):
    client = login("dave")
    dental = {"institution_type": "dental"}
    assert parties(client.get(URL, dental)) == {"甲", "丙", "丁", "待批", "己"}
    march = {**dental, "opened_from": "2024-03-01", "opened_to": "2024-03-31"}
    assert parties(client.get(URL, march)) == {"丙", "己"}
    assert parties(client.get(URL, {**march, "region": "320506"})) == {"丙"}
    assert parties(client.get(URL, {"institution_type": "tcm"})) == set()


def test_figures_above_the_list_count_the_filtered_cases(cases, login):
    listed = login("dave").get(
        URL, {"opened_from": "2024-03-01", "opened_to": "2024-04-30", "institution_type": "dental"}
    )
    by_status = {code: n for code, _label, n in listed.context["figures"]["by_status"]}
    # 丙 and 己 closed, 丁 under investigation.
    assert (by_status["closed"], by_status["investigating"]) == (2, 1)


def test_year_filter_still_works_alone_and_with_the_range(cases, login, personas, regions):
    f.case(
        f.subject(regions["village"], "旧牙科", institution_type=InstitutionType.DENTAL),
        dt.date(2023, 12, 30),
        by=personas["alice"],
        party_name="旧",
    )
    client = login("dave")
    assert parties(client.get(URL, {"year": "2023"})) == {"旧"}
    assert parties(client.get(URL, {"year": "2024", "opened_to": "2024-01-31"})) == {"甲"}


def test_county_inspector_sees_only_her_county_whatever_the_filters(cases, login):
    client = login("alice")
    march = {"opened_from": "2024-03-01", "opened_to": "2024-03-31"}
    assert parties(client.get(URL, march)) == {"乙", "丙"}
    assert parties(client.get(URL, {**march, "institution_type": "dental"})) == {"丙"}
    # Asking for the neighbouring county by its code shows nothing, not its cases.
    assert parties(client.get(URL, {**march, "region": "320507"})) == set()
    assert parties(login("carol").get(URL, {**march, "institution_type": "western"})) == {"戊"}


def test_filter_form_offers_the_new_fields_in_chinese(cases, login):
    html = login("alice").get(URL).content.decode()
    assert "立案日期起" in html and "立案日期止" in html and "机构类型" in html
    assert 'type="date" name="opened_from"' in html
    assert (
        '<option value="dental">口腔</option>' in html
        and '<option value="aesthetic">医疗美容</option>' in html
    )


def test_unreadable_date_is_named_under_its_field(cases, login):
    response = login("alice").get(URL, {"opened_from": "2024-02-30"})
    assert response.status_code == 400  # bad input, the page shown with the error beside the field
    form = response.context["filterset"].form
    assert form.errors["opened_from"] == ["输入一个有效的日期。"]
    assert "输入一个有效的日期。" in response.content.decode()


def test_end_before_start_is_an_error_of_the_end_date(cases, login):
    response = login("alice").get(URL, {"opened_from": "2024-03-31", "opened_to": "2024-03-01"})
    assert response.context["filterset"].form.errors["opened_to"] == ["立案日期止不能早于立案日期起"]
    assert "立案日期止不能早于立案日期起" in response.content.decode()


def test_unknown_institution_type_is_refused(cases, login):
    response = login("alice").get(URL, {"institution_type": "vet"})
    assert "institution_type" in response.context["filterset"].form.errors


def export_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_export_holds_exactly_the_filtered_cases(cases, login):
    query = {"opened_from": "2024-03-01", "opened_to": "2024-03-31", "institution_type": "dental"}
    rows = export_rows(login("dave").get(URL, {**query, "export": "xlsx"}))
    party = rows[0].index("当事人")
    assert sorted(r[party] for r in rows[1:]) == ["丙", "己"]
    # The date is a date cell (Excel sorts and filters it as a date), shown as 2024-03-31.
    opened = rows[0].index("立案日期")
    assert [r[opened] for r in rows[1:] if r[party] == "丙"] == [dt.datetime(2024, 3, 31)]
    event = AuditEvent.objects.filter(action="export", target_repr="案件").latest("id")
    assert event.after["filters"] == query


def test_export_link_on_the_page_carries_the_filters(cases, login):
    client = login("alice")
    html = client.get(URL, {"opened_from": "2024-03-01", "institution_type": "dental"}).content.decode()
    link = unescape(re.search(r'href="(\?[^"]*export=xlsx)"', html).group(1))
    assert link == "?opened_from=2024-03-01&institution_type=dental&export=xlsx"
    rows = export_rows(client.get(URL + link))
    assert sorted(r[rows[0].index("当事人")] for r in rows[1:]) == ["丁", "丙"]


def test_export_with_a_bad_date_returns_to_the_list_instead_of_exporting_everything(cases, login):
    client = login("alice")
    response = client.get(URL, {"opened_from": "2024-13-01", "export": "xlsx"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?opened_from=2024-13-01"
    assert not AuditEvent.objects.filter(action="export").exists()
    assert "输入一个有效的日期。" in client.get(response["Location"]).content.decode()
