from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command

from qingyuan.core.models import AuditEvent
from qingyuan.leads.models import Attachment, Lead

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _eml(
    folder,
    name,
    *,
    subject="举报黑诊所",
    body="金星村有人无证行医。\n地点：苏州市吴中区木渎镇金星村12号\n",
    html=None,
    msgid="<a1@mail.example.cn>",
    date="Sat, 01 Mar 2025 09:30:00 +0800",
    attachments=(),
):
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = "王举报 <wang.jubao@example.cn>"
    msg["To"] = "jubao@wjw.example.gov.cn"
    if date:
        msg["Date"] = date
    if msgid:
        msg["Message-ID"] = msgid
    if html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
    for filename, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    path = folder / name
    path.write_bytes(bytes(msg))
    return path


def test_email_becomes_a_real_name_lead_routed_by_the_place_line(tmp_path, units, capsys):
    path = _eml(tmp_path, "a.eml", attachments=[("现场.png", PNG, "image", "png")])
    call_command("import_eml", str(path))
    lead = Lead.objects.get()
    assert lead.channel == "email" and lead.handling_unit == units["wuzhong"]
    assert lead.place == "苏州市吴中区木渎镇金星村12号"
    assert lead.content.startswith("举报黑诊所\n\n金星村有人无证行医。")
    assert lead.received_at.isoformat() == "2025-03-01T01:30:00+00:00"
    assert not lead.is_anonymous and lead.reporter.email == "wang.jubao@example.cn"
    assert lead.reporter.name == "王举报" and lead.created_by is None
    assert Attachment.objects.get().content_type == "image/png"
    out = capsys.readouterr().out
    assert lead.number in out and "wang.jubao" not in out
    assert AuditEvent.objects.filter(target_id=str(lead.pk), actor_name="import_eml").exists()


def test_running_twice_changes_nothing(tmp_path, units, capsys):
    _eml(tmp_path, "a.eml")
    _eml(tmp_path, "b.eml", msgid="<b2@mail.example.cn>", body="地址：相城区黄埭镇三埂村东头\n有游医")
    call_command("import_eml", str(tmp_path))
    assert Lead.objects.count() == 2
    call_command("import_eml", str(tmp_path))
    assert Lead.objects.count() == 2
    assert capsys.readouterr().out.count("已导入过，跳过") == 2
    assert Lead.objects.filter(handling_unit=units["xiangcheng"]).count() == 1


def test_html_only_mail_is_stripped_and_subject_is_the_place(tmp_path, units):
    html = "<html><body><p>有人在<b>吴中区木渎镇金星村</b>卖假药</p></body></html>"
    _eml(tmp_path, "h.eml", subject="苏州市吴中区木渎镇金星村", html=html, msgid=None)
    call_command("import_eml", str(tmp_path / "h.eml"))
    lead = Lead.objects.get()
    assert "<b>" not in lead.content and "有人在吴中区木渎镇金星村卖假药" in lead.content
    assert lead.place == "苏州市吴中区木渎镇金星村" and lead.handling_unit == units["wuzhong"]


def test_bad_attachment_is_skipped_and_reported(tmp_path, units, capsys):
    _eml(
        tmp_path,
        "x.eml",
        attachments=[
            ("病毒.exe", b"MZ\x90\x00" * 20, "application", "octet-stream"),
            ("图.png", PNG, "image", "png"),
        ],
    )
    call_command("import_eml", str(tmp_path))
    lead = Lead.objects.get()
    assert [a.original_name for a in lead.attachments.all()] == ["图.png"]
    assert "病毒.exe" in capsys.readouterr().out


def test_a_bad_file_is_not_imported_and_others_are(tmp_path, units, capsys):
    _eml(tmp_path, "good.eml")
    _eml(tmp_path, "nodate.eml", msgid="<c3@mail.example.cn>", date=None)
    with pytest.raises(CommandError, match="失败 1 封"):
        call_command("import_eml", str(tmp_path))
    assert Lead.objects.count() == 1
    assert "nodate.eml：未导入，缺少或无法识别 Date" in capsys.readouterr().err


def test_unit_option_is_the_fallback_when_nothing_resolves(tmp_path, units):
    _eml(tmp_path, "m.eml", subject="举报", body="火星基地有人行医")
    with pytest.raises(CommandError):
        call_command("import_eml", str(tmp_path))
    assert not Lead.objects.exists()
    call_command("import_eml", str(tmp_path), "--unit", str(units["xiangcheng"].pk))
    # routing sends an unresolved place to the city office above the fallback unit
    assert Lead.objects.get().handling_unit == units["city"]
