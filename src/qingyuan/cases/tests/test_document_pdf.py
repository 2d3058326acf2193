"""Documents as PDF: converted by LibreOffice with the Chinese font embedded, on A4, with the text
exact; a missing or failing LibreOffice answers with a page in Chinese, never an error 500."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from qingyuan.cases.documents import render
from qingyuan.cases.models import CaseNumbering

from .test_case_data import opened
from .test_documents_cases import HOSTILE, HOSTILE_FACTS, decide, propose_penalty

TODAY = dt.date(2026, 11, 23)
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdffonts") is None,
    reason="LibreOffice (libreoffice-writer-nogui) and poppler-utils are installed by .ci/run",
)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


@pytest.fixture
def case(personas, regions, units):
    CaseNumbering.objects.create(unit=units["wuzhong"], abbr="吴")
    case = opened(personas, regions, party_name=HOSTILE, party_address=HOSTILE, facts=HOSTILE_FACTS)
    propose_penalty(case, personas, facts=HOSTILE_FACTS)
    decide(case, personas)
    return case


def _tool(tool: str, pdf: bytes, tmp_path, *args) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    command = [shutil.which(tool), *args, str(path)]
    if tool == "pdftotext":
        command.append("-")
    return subprocess.run(command, capture_output=True, check=True).stdout.decode()  # noqa: S603


@needs_soffice
def test_decision_pdf_embeds_the_chinese_font_on_a4_with_the_text_exact(personas, case, login, tmp_path):
    response = login("alice").get(f"/cases/{case.pk}/documents/decision/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        "filename*=UTF-8''" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]
    )
    pdf = response.content

    fonts = _tool("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    assert any("CJK" in line for line in fonts)
    for line in fonts:
        # name type encoding emb sub uni …: every font embedded
        assert line.split()[-5] == "yes", line

    info = _tool("pdfinfo", pdf, tmp_path)
    assert "(A4)" in info

    # pdftotext puts spaces between CJK and Latin runs and breaks lines; compare without them.
    text = "".join(_tool("pdftotext", pdf, tmp_path).split())
    assert "".join(HOSTILE.split()) in text
    assert "吴卫罚决〔2026〕1号" in text
    assert "人民币壹万零伍元整" in text and "10,005.00元" in text
    assert "</w:t><w:t>x" in text


@needs_soffice
def test_prior_notice_pdf_shows_the_proposed_amounts(personas, case, login, tmp_path):
    response = login("alice").get(f"/cases/{case.pk}/documents/prior_notice/pdf/")
    assert response.status_code == 200
    text = "".join(_tool("pdftotext", response.content, tmp_path).split())
    assert "吴卫罚告〔2026〕1号" in text and "人民币壹拾万元零伍角" in text


def test_without_libreoffice_the_pdf_link_explains_in_chinese(personas, case, login, monkeypatch):
    monkeypatch.setattr(render, "_soffice", lambda: None)
    response = login("alice").get(f"/cases/{case.pk}/documents/decision/pdf/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "未安装 LibreOffice" in page and "Word 版本" in page
    # The Word file is unaffected.
    assert login("alice").get(f"/cases/{case.pk}/documents/decision/").status_code == 200


def test_a_failing_conversion_gives_a_page_not_an_error(personas, case, login, monkeypatch, tmp_path):
    failing = tmp_path / "soffice"
    failing.write_text("#!/bin/sh\necho 'source file could not be loaded' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr(render, "_soffice", lambda: str(failing))
    response = login("alice").get(f"/cases/{case.pk}/documents/decision/pdf/")
    assert response.status_code == 503 and "未能生成 PDF" in response.content.decode()


def test_a_stuck_conversion_is_stopped_after_the_timeout(personas, case, login, monkeypatch, tmp_path):
    stuck = tmp_path / "soffice"
    stuck.write_text("#!/bin/sh\nsleep 30\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(render, "_soffice", lambda: str(stuck))
    monkeypatch.setattr(render, "PDF_TIMEOUT_SECONDS", 1)
    started = timezone.now()
    response = login("alice").get(f"/cases/{case.pk}/documents/decision/pdf/")
    assert response.status_code == 503 and "超时" in response.content.decode()
    assert (timezone.now() - started).total_seconds() < 10


def test_the_conversion_uses_the_shipped_fontconfig_and_a_private_profile(monkeypatch, tmp_path):
    seen = {}

    class Recorder:
        def __init__(self, command, env, **kwargs):
            seen["command"], seen["env"] = command, env
            self.returncode, self.pid = 1, 0

        def communicate(self, timeout=None):
            return b"", b""

    monkeypatch.setattr(render, "_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(render.subprocess, "Popen", Recorder)
    with pytest.raises(render.ConversionError):
        render.to_pdf(b"docx")
    assert seen["env"]["FONTCONFIG_FILE"].endswith("deploy/fontconfig/qingyuan.conf")
    profile = next(arg for arg in seen["command"] if arg.startswith("-env:UserInstallation=file://"))
    assert "qingyuan-pdf-" in profile
    config = render.FONTCONFIG_FILE.read_text()
    assert "/etc/fonts/fonts.conf" in config
    for name in ("宋体", "SimSun", "仿宋", "FangSong"):
        assert f"<string>{name}</string>" in config
