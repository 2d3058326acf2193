"""Logs carry no personal data (SECURITY.md: never in logs): with the production JSON format, a public
real-name tip, an officer's lead with the reporter's identity, and 404s and a 500 with the same data
in the query string leave none of it in the log, and every line is JSON with its request id."""

import io
import json
import logging
import sys
from urllib.parse import quote, quote_plus

import pytest
from django.conf import settings
from django.test import Client
from django.urls import include, path
from django.utils.module_loading import import_string

from qingyuan.leads.models import Lead, Reporter

NAME = "欧阳举报"
ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
PERSONAL = (NAME, ID_NUMBER, PHONE)


def boom(request):
    # A validation error's text quoting what the user typed: the formatter must not copy it.
    raise ValueError(f"无法处理 {request.GET.get('name', '')} {request.GET.get('id', '')}")


urlpatterns = [path("boom/", boom), path("", include("qingyuan.urls"))]


@pytest.fixture
def json_log():
    """The console handler of LOG_FORMAT=json (its formatter and filter from settings.LOGGING) on the
    root logger, at DEBUG so that nothing any library logs escapes the check."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(settings.LOGGING["formatters"]["json"]["()"])())
    handler.addFilter(import_string(settings.LOGGING["filters"]["request"]["()"])())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def captcha_test_mode(monkeypatch):
    monkeypatch.setattr("captcha.conf.settings.CAPTCHA_TEST_MODE", True)


def _lines(stream) -> list[dict]:
    text = stream.getvalue()
    for value in PERSONAL:
        for form in (value, quote(value), quote_plus(value)):
            assert form not in text, f"{value!r} reached the log"
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert entries, "nothing was logged"
    for entry in entries:
        assert entry["request_id"], entry
    return entries


def _public_tip(client):
    data = {
        "category": "unlicensed",
        "content": "金星村东头有人在家里给人挂水",
        "place": "吴中区木渎镇金星村12号",
        "practice_content": "internal",
        "anonymous": "0",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "reporter_id_number": ID_NUMBER,
    }
    first = client.post("/public/tip/", data)
    key = first.context["confirm_form"]["captcha"].field.widget._key
    return client.post("/public/tip/", {**data, "step": "confirm", "captcha_0": key, "captcha_1": "PASSED"})


@pytest.mark.urls("qingyuan.core.tests.test_logs")
def test_tips_leads_and_errors_leave_no_personal_data_in_the_json_log(
    login, units, captcha_test_mode, json_log, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    assert _public_tip(Client()).status_code == 302
    officer = login("clerk")
    response = officer.post(
        "/leads/new/",
        {
            "channel": "phone",
            "received_at": "2026-11-20T09:30",
            "category": "unlicensed",
            "content": "金星村有人开黑诊所",
            "place": "苏州市吴中区木渎镇金星村12号",
            "practice_content": "internal",
            "reporter_name": NAME,
            "reporter_phone": PHONE,
            "reporter_id_number": ID_NUMBER,
        },
    )
    assert response.status_code == 302
    assert Reporter.objects.filter(name=NAME).count() == 0  # stored encrypted: no plaintext match
    assert Lead.objects.count() == 2
    query = {"name": NAME, "id": ID_NUMBER, "phone": PHONE}
    assert Client().get("/public/no-such-page/", query).status_code == 404
    assert officer.get("/leads/999999/", query).status_code == 404
    failing = Client(raise_request_exception=False)
    assert failing.get("/boom/", query).status_code == 500

    entries = _lines(json_log)
    errors = [e for e in entries if e["logger"] == "django.request" and e["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["path"] == "/boom/" and errors[0]["exception"] == "ValueError"
    assert "test_logs.py" in errors[0]["stack"]  # the frames, for the developer
    assert "ValueError: " not in json_log.getvalue()  # but not the exception's text
    not_found = [e for e in entries if e["message"].startswith("Not Found")]
    assert {e["path"] for e in not_found} == {"/public/no-such-page/", "/leads/999999/"}


def test_lockout_warning_is_logged_with_its_request_id_and_without_the_username(personas, json_log):
    for _ in range(5):
        Client().post("/accounts/login/", {"username": PHONE, "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
    entries = _lines(json_log)
    assert any(e["logger"] == "django.request" and "Too Many Requests" in e["message"] for e in entries)


def test_plain_text_format_leaves_out_the_exception_text_too(settings):
    """LOG_FORMAT=text (the default when a deployment forgets json) keeps the frames, not the text."""
    formatter = import_string(settings.LOGGING["formatters"]["text"]["()"])(
        fmt=settings.LOGGING["formatters"]["text"]["fmt"]
    )
    try:
        raise ValueError(f"身份证号 {ID_NUMBER} 无效")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x/", (), sys.exc_info()
        )
        record.request_id = "abc"
    record.exc_text = "cached by another handler: " + ID_NUMBER
    settings.DEBUG = False
    text = formatter.format(record)
    assert ID_NUMBER not in text and "ValueError" in text and "test_logs.py" in text
    assert record.exc_text.startswith("cached by another handler")  # other handlers' cache untouched
    settings.DEBUG = True
    assert ID_NUMBER in formatter.format(record)  # a developer's own machine shows the text
