"""manage.py report: the forms from the command line, as JSON on standard output or as files."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from qingyuan.core.models import AuditEvent

from .test_exports import make_world

ARGS = ["--region", "320506", "--from", "2024-01-01", "--to", "2024-06-30"]


@pytest.fixture
def world(regions, personas):
    return make_world(regions, personas)


def run(*args):
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_json_goes_to_standard_output_with_the_printed_labels(world):
    data = json.loads(run("S003-A1", *ARGS))
    assert data["form"] == "S003-A1"
    assert data["region"] == {"code": "320506", "name": "江苏省苏州市吴中区"}
    table = data["tables"]["打击无证行医及非法医疗美容专项行动情况汇总表"]
    assert table["口腔"]["监督户次数"] == 2
    assert table["口腔"]["罚款金额（万元）"] == "80000.00"
    assert table["合计"]["信息系统录入情况"] == "已录入 1 / 共 2"
    assert AuditEvent.objects.filter(action="export", target_repr="S003-A1 json", actor=None).exists()


def test_xlsx_written_to_the_current_directory(world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = run("S003-A1", *ARGS, "--format", "xlsx")
    path = tmp_path / "S003-A1_吴中区_20240101-20240630.xlsx"
    assert "已生成 S003-A1_吴中区_20240101-20240630.xlsx" in out
    ws = load_workbook(path).active
    assert ws["A1"].value == "打击无证行医及非法医疗美容专项行动情况汇总表"
    assert ws["A10"].value == "口腔" and ws["G10"].value == 8.0


def test_output_file_named(world, tmp_path):
    target = tmp_path / "q2.pdf"
    run(
        "S004-Q",
        "--region",
        "320506",
        "--from",
        "2024-04-01",
        "--to",
        "2024-06-30",
        "--format",
        "pdf",
        "-o",
        str(target),
    )
    assert target.read_bytes().startswith(b"%PDF-")
    target = tmp_path / "a1.json"
    run("S003-A1", *ARGS, "-o", str(target))
    assert json.loads(target.read_text())["form"] == "S003-A1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["S003-A1", "--region", "999999", "--from", "2024-01-01", "--to", "2024-06-30"],
            "--region（区划代码）：区划代码“999999”不存在",
        ),
        (
            ["S003-A1", "--region", "320506100", "--from", "2024-01-01", "--to", "2024-06-30"],
            "--region（区划代码）：报表按省、市、县（区）统计",
        ),
        (
            ["S003-A1", "--region", "320506", "--from", "2024-13-01", "--to", "2024-06-30"],
            "--from（统计期起）：",
        ),
        (
            ["S003-A1", "--region", "320506", "--from", "2024-07-01", "--to", "2024-06-30"],
            "--to（统计期止）：统计期止不能早于统计期起",
        ),
        (["S003-A1", *ARGS, "--campaign", "9999"], "--campaign（专项行动）：专项行动（编号9999）不存在"),
        (["S003-A1", *ARGS, "--campaign", "abc"], "--campaign（专项行动）："),
        (["S009", *ARGS], "报表编号“S009”不存在"),
        (["S001-A1", *ARGS], "S001-A1：S001-A1 须选择联动执法行动"),
        (["S003-A1", *ARGS, "--format", "docx"], "S003-A1：该报表没有Word格式"),
    ],
)
def test_bad_arguments_are_named_in_chinese(regions, args, message):
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert message in str(raised.value)


def test_bad_date_message_is_chinese(regions):
    with pytest.raises(CommandError) as raised:
        run("S003-A1", "--region", "320506", "--from", "2024/1/1x", "--to", "2024-06-30")
    text = str(raised.value)
    assert text.startswith("--from（统计期起）：")
    assert "Enter a valid date" not in text
