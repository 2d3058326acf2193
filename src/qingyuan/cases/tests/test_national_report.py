"""The national reporting system: a period's case cards exported as the sheet a clerk uploads, in
the user's jurisdiction only, and the numbers that system gives back recorded on the cases, one on
the case page or many from a sheet (all or nothing, every bad line named)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from qingyuan.cases import national
from qingyuan.cases.models import Case, CaseEvent, PaymentKind
from qingyuan.cases.services import payment_record
from qingyuan.core.models import AuditEvent, Job, JobStatus

from .test_case_data import propose, served

TODAY = dt.date(2026, 11, 23)
AUGUST = {"basis": "decided", "start": "2026-08-01", "end": "2026-08-31", "download": "1"}
HOSTILE = "& < > = 𠮷"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sheet(content: bytes) -> list[dict]:
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(content)).active.iter_rows()]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def headers(content: bytes) -> list:
    return [c.value for c in next(load_workbook(io.BytesIO(content)).active.iter_rows())]


def upload(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "编号.xlsx"
    return buffer


def carols_case(personas, regions, **kwargs):
    """An opened case of 相城区, the neighbouring county."""
    case = propose(personas, regions, actor="carol", region="xc_village", **kwargs)
    Case.objects.filter(pk=case.pk).update(
        status="investigating", opened_on=dt.date(2026, 6, 1), number="相卫医罚〔2026〕1号"
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def decided_case(personas, regions):
    case = served(personas, regions)
    payment_record(
        actor=personas["alice"], case=case, kind=PaymentKind.FINE, amount=Decimal("20000"), paid_on=TODAY
    )
    return Case.objects.get(pk=case.pk)


def test_a_decided_case_is_one_row_with_the_cards_fields_in_its_form(decided_case, login):
    response = login("clerk").get("/cases/national/", AUGUST)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    content = response.content
    assert headers(content) == [c.label for c in national.FIELDS]
    for name in (
        "被查处单位（个人）",
        "行政区划代码",
        "案件来源",
        "罚款（元）",
        "没收违法所得（元）",
        "结案日期",
    ):
        assert name in headers(content)
    (row,) = sheet(content)
    assert row["本平台案件编号"] == decided_case.number
    assert row["国家系统编号"] is None
    assert row["被查处单位（个人）"] == "张三" and row["当事人类别"] == "个人"
    assert row["行政区划代码"] == "320506"  # the county's six digits, not the village's twelve
    assert row["单位类别"] == "其他（无证诊所）"
    assert row["案件来源"] == "其他"
    assert row["立案日期"] == "2026-06-01" and row["处罚决定日期"] == "2026-08-20"
    assert row["送达日期"] == "2026-08-24" and row["结案日期"] is None
    assert row["处罚程序"] == "一般程序" and row["是否作出行政处罚"] == "是"
    assert row["行政处罚决定书文号"] == decided_case.number
    assert row["罚款（元）"] == 50000 and row["没收违法所得（元）"] == 3000  # numbers, in 元
    assert row["罚没款实缴金额（元）"] == 20000
    assert (
        row["警告"] == "否" and row["取缔/责令停止执业活动"] == "是" and row["吊销许可证或执业证书"] == "否"
    )
    assert row["执行情况"].startswith("未执行完毕")
    assert row["移送司法机关"] == "否"
    assert row["报告单位"] == "吴中区卫生监督所"
    # The party's ID number is in the case (encrypted) but never in the file.
    assert not any("320506198001011234" in str(v) for v in row.values())
    asked = AuditEvent.objects.get(action="export", target_type="cases.case")
    assert asked.after["rows"] == 1 and asked.after["basis"] == "decided"


def test_the_period_and_its_basis_choose_the_cases(decided_case, login):
    client = login("chief")
    july = {**AUGUST, "start": "2026-07-01", "end": "2026-07-31"}
    assert sheet(client.get("/cases/national/", july).content) == []
    by_opening = {**july, "basis": "opened", "start": "2026-06-01", "end": "2026-06-30"}
    assert [r["本平台案件编号"] for r in sheet(client.get("/cases/national/", by_opening).content)] == [
        decided_case.number
    ]
    page = client.get("/cases/national/", {k: v for k, v in AUGUST.items() if k != "download"})
    assert "本辖区共 <strong>1</strong> 个案件" in page.content.decode()


def test_another_countys_cases_are_never_in_the_file(decided_case, personas, regions, login):
    theirs = carols_case(personas, regions, party_name="相城某甲")
    opening = {**AUGUST, "basis": "opened", "start": "2026-06-01", "end": "2026-06-30"}
    mine = [r["本平台案件编号"] for r in sheet(login("chief").get("/cases/national/", opening).content)]
    assert mine == [decided_case.number]
    carols = [r["本平台案件编号"] for r in sheet(login("carol").get("/cases/national/", opening).content)]
    assert carols == [theirs.number]
    # The city sees both of its counties.
    assert len(sheet(login("dave").get("/cases/national/", opening).content)) == 2


def test_only_cases_not_yet_entered_unless_asked(decided_case, personas, regions, login):
    other = served(personas, regions, party_name="李四")
    national.national_record(actor=personas["chief"], case=other, number="GJ2026-001", entered_on=TODAY)
    client = login("chief")
    pending = sheet(client.get("/cases/national/", {**AUGUST, "pending_only": "on"}).content)
    assert [r["被查处单位（个人）"] for r in pending] == ["张三"]
    every = sheet(client.get("/cases/national/", AUGUST).content)
    assert {r["被查处单位（个人）"]: r["国家系统编号"] for r in every} == {"张三": None, "李四": "GJ2026-001"}


def test_hostile_party_names_survive_in_the_file_as_text(personas, regions, login):
    served(personas, regions, party_name=HOSTILE)
    served(personas, regions, party_name='=HYPERLINK("http://evil.example","点此")')
    content = login("chief").get("/cases/national/", AUGUST).content
    names = sorted(r["被查处单位（个人）"] for r in sheet(content))
    assert names == sorted([HOSTILE, '\'=HYPERLINK("http://evil.example","点此")'])
    book = load_workbook(io.BytesIO(content))
    assert not [c for row in book.active.iter_rows() for c in row if c.data_type == "f"]


def test_a_bad_period_is_named_and_kept(decided_case, login):
    response = login("chief").get("/cases/national/", {**AUGUST, "start": "2026-09-01", "end": "2026-08-01"})
    page = response.content.decode()
    assert response.status_code == 400 and "截止日期不能早于起始日期" in page
    assert 'value="2026-09-01"' in page and not AuditEvent.objects.filter(action="export").exists()
    assert login("chief").get("/cases/national/", {**AUGUST, "basis": HOSTILE}).status_code == 400


def test_a_big_export_runs_as_a_job_in_the_users_scope(
    decided_case, personas, regions, login, media, settings, django_capture_on_commit_callbacks
):
    carols_case(personas, regions)
    settings.QINGYUAN_EXPORT_INLINE_ROWS = 0
    client = login("chief")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/cases/national/", {**AUGUST, "basis": "opened", "start": "2026-01-01"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "national_export" and job.status == JobStatus.DONE, job.errors
    content = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content)
    assert [r["本平台案件编号"] for r in sheet(content)] == [decided_case.number]
    assert login("carol").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_who_may_open_the_export(decided_case, client, login):
    assert "/accounts/login/" in client.get("/cases/national/", AUGUST)["Location"]
    assert login("aud").get("/cases/national/", AUGUST).status_code == 404
    page = login("chief").get("/cases/").content.decode()
    assert 'href="/cases/national/"' in page and "导出国家系统报送文件" in page


# --- recording the number back -------------------------------------------------------------------------


def test_a_number_is_recorded_on_the_case_page_and_audited(decided_case, login):
    client = login("chief")
    page = client.get(decided_case.get_absolute_url()).content.decode()
    assert "国家系统录入" in page and f'action="/cases/{decided_case.pk}/national/"' in page
    response = client.post(
        f"/cases/{decided_case.pk}/national/",
        {"national_no": "GJ-320506-2026-0001", "entered_on": "2026-11-20"},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=decided_case.pk)
    assert case.national_no == "GJ-320506-2026-0001" and case.national_entry_on == dt.date(2026, 11, 20)
    assert case.national_recorded_by.username == "chief"
    change = AuditEvent.objects.filter(action="update", target_type="cases.case").latest("pk")
    assert change.after["national_no"] == "GJ-320506-2026-0001"
    assert CaseEvent.objects.filter(case=case, action="登记国家系统编号").exists()
    assert "编号 <strong>GJ-320506-2026-0001</strong>" in client.get(case.get_absolute_url()).content.decode()
    # The list's filter: 已录入 holds it, 未录入 no longer does.
    assert case.number in client.get("/cases/", {"national": "entered"}).content.decode()
    assert case.number not in client.get("/cases/", {"national": "pending"}).content.decode()


def test_a_bad_number_is_refused_with_the_field_named_and_kept(decided_case, personas, regions, login):
    client = login("chief")
    url = f"/cases/{decided_case.pk}/national/"
    response = client.post(url, {"national_no": HOSTILE, "entered_on": "2026-11-20"})
    page = response.content.decode()
    assert response.status_code == 400 and "国家系统编号只能包含" in page
    assert "&amp; &lt; &gt; = 𠮷" in page  # what was typed, escaped
    response = client.post(url, {"national_no": "GJ1", "entered_on": "2026-12-01"})
    assert response.status_code == 400 and "录入日期不能晚于今天" in response.content.decode()
    other = served(personas, regions, party_name="李四")
    national.national_record(actor=personas["chief"], case=other, number="GJ1", entered_on=TODAY)
    response = client.post(url, {"national_no": "GJ1", "entered_on": "2026-11-20"})
    assert response.status_code == 400 and f"已登记在案件 {other.number}" in response.content.decode()
    assert Case.objects.get(pk=decided_case.pk).national_no == ""


def test_only_the_case_editors_in_the_county_record_a_number(decided_case, client, login):
    url = f"/cases/{decided_case.pk}/national/"
    data = {"national_no": "GJ9", "entered_on": "2026-11-20"}
    assert "/accounts/login/" in client.post(url, data)["Location"]
    assert login("carol").post(url, data).status_code == 404  # another county's case
    assert login("clerk").post(url, data).status_code in (403, 404)  # reads cases, edits none
    assert 'id="national"' not in login("clerk").get(decided_case.get_absolute_url()).content.decode()
    assert Case.objects.get(pk=decided_case.pk).national_no == ""


def test_a_sheet_with_bad_lines_records_nothing_and_names_every_line(decided_case, personas, regions, login):
    second = served(personas, regions, party_name="李四")
    recorded = served(personas, regions, party_name="王五")
    national.national_record(actor=personas["chief"], case=recorded, number="GJ-OLD", entered_on=TODAY)
    theirs = carols_case(personas, regions)
    rows = [
        ["本平台案件编号", "国家系统编号", "录入日期"],
        [decided_case.number, "GJ-A", "2026-11-20"],  # line 2: fine
        ["吴卫医罚〔2026〕999号", "GJ-B", None],  # 3: no such case
        [theirs.number, "GJ-C", None],  # 4: 相城区's
        [decided_case.number, "GJ-D", None],  # 5: the case of line 2 again
        [second.number, "GJ-A", None],  # 6: the number of line 2 again
        [recorded.number, "GJ-NEW", None],  # 7: already recorded with another number
        [second.number, "GJ E", None],  # 8: a blank inside the number
    ]
    response = login("chief").post("/cases/national/import/", {"file": upload(rows)})
    page = response.content.decode()
    assert response.status_code == 400 and "未登记任何编号" in page
    assert "第3行：本平台没有编号为 吴卫医罚〔2026〕999号 的案件" in page
    assert f"第4行：案件 {theirs.number} 不在您的管辖范围内" in page
    assert f"第5行：案件 {decided_case.number} 与第2行重复" in page
    assert "第6行：国家系统编号 GJ-A 与第2行重复" in page
    assert f"第7行：案件 {recorded.number} 已登记国家系统编号 GJ-OLD，与本行的 GJ-NEW 不同" in page
    assert "第8行：国家系统编号只能包含" in page
    assert "第2行" not in page.split("第3行")[0]
    assert not Case.objects.filter(national_no__in=["GJ-A", "GJ-D", "GJ-C"]).exists()
    assert Case.objects.get(pk=recorded.pk).national_no == "GJ-OLD"


def test_a_good_sheet_records_every_number(decided_case, personas, regions, login):
    second = served(personas, regions, party_name="李四")
    client = login("chief")
    # The exported file itself, with the national numbers filled in, is what a clerk uploads back.
    exported = load_workbook(io.BytesIO(client.get("/cases/national/", AUGUST).content)).active
    rows = [[c.value for c in row] for row in exported.iter_rows()]
    column = rows[0].index("国家系统编号")
    for i, row in enumerate(rows[1:], start=1):
        row[column] = f"GJ-{i:04d}"
    response = client.post("/cases/national/import/", {"file": upload(rows)})
    assert response.status_code == 302 and response["Location"] == "/cases/?national=entered"
    numbers = dict(Case.objects.filter(pk__in=[decided_case.pk, second.pk]).values_list("pk", "national_no"))
    assert sorted(numbers.values()) == ["GJ-0001", "GJ-0002"]
    assert Case.objects.get(pk=second.pk).national_entry_on == TODAY  # no date column: today
    # The same file again changes nothing and says so.
    again = client.post("/cases/national/import/", {"file": upload(rows)}, follow=True)
    assert (
        "已登记 0 个案件" in again.content.decode() and "2 个案件此前已登记相同编号" in again.content.decode()
    )


def test_an_unreadable_or_headless_file_is_refused_in_chinese(decided_case, login):
    client = login("chief")
    fake = io.BytesIO(b"not a workbook")
    fake.name = "编号.xlsx"
    response = client.post("/cases/national/import/", {"file": fake})
    assert response.status_code == 400 and "不是有效的 Excel" in response.content.decode()
    response = client.post("/cases/national/import/", {"file": upload([["案件", "编号"], ["x", "y"]])})
    assert response.status_code == 400 and "缺少“本平台案件编号”“国家系统编号”列" in response.content.decode()
    assert login("clerk").post("/cases/national/import/", {"file": upload([["a"]])}).status_code in (403, 404)
