import pytest
from django.core.management import CommandError, call_command

from qingyuan.leads.models import Lead

HEADER = "发现时间,来源平台,链接,内容,地点\n"
GOOD = (
    "2025-03-01 09:30,某短视频平台,https://v.example.cn/123,木渎镇有人直播推销“包治百病”针灸疗程,"
    "苏州市吴中区木渎镇金星村\n"
    "2025/03/02 10:00,本地论坛,https://bbs.example.cn/t/9,黄埭镇三埂村有游医摆摊拔牙,相城区黄埭镇三埂村\n"
)


def _csv(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "monitoring.csv"
    path.write_text(text, encoding=encoding)
    return str(path)


def test_monitoring_rows_become_leads_with_platform_and_link(tmp_path, units):
    call_command("import_monitoring", _csv(tmp_path, HEADER + GOOD, encoding="gb18030"))
    leads = {lead.handling_unit.name: lead for lead in Lead.objects.all()}
    assert set(leads) == {"吴中区卫生监督所", "相城区卫生监督所"}
    lead = leads["吴中区卫生监督所"]
    assert lead.channel == "monitoring" and lead.is_anonymous
    assert lead.transfer_document == "某短视频平台 https://v.example.cn/123"
    assert lead.received_at.isoformat() == "2025-03-01T01:30:00+00:00"
    call_command("import_monitoring", _csv(tmp_path, HEADER + GOOD))
    assert Lead.objects.count() == 2  # the second run registers nothing


def test_a_file_with_errors_registers_nothing_and_names_each_line(tmp_path, units, capsys):
    bad = GOOD + "昨天,,https://x.example.cn,,某地\n2999-01-01 00:00,微博,https://w.example.cn,内容,吴中区\n"
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_monitoring", _csv(tmp_path, HEADER + bad))
    err = capsys.readouterr().err
    assert "第4行：发现时间“昨天”无法识别" in err
    assert "第4行：来源平台不能为空" in err and "第4行：内容不能为空" in err
    assert "第5行：发现时间晚于现在" in err
    assert not Lead.objects.exists()


def test_missing_columns_are_named(tmp_path, units, capsys):
    with pytest.raises(CommandError):
        call_command("import_monitoring", _csv(tmp_path, "发现时间,内容\n2025-03-01,x\n"))
    assert "缺少列“来源平台、链接、地点”" in capsys.readouterr().err
