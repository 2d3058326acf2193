"""What every form shows through style_fields (core.widgets), and the Chinese error pages."""

import datetime as dt
import json
import logging
import re

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone

from qingyuan import urls as site_urls
from qingyuan.accounts.models import User
from qingyuan.core.forms import DateInput, StyledForm
from qingyuan.core.logs import RequestContextFilter, TextFormatter
from qingyuan.portal.ratelimit import too_many_requests
from qingyuan.regions.models import Region


def _boom(request):
    raise RuntimeError("数据库连接中断")


def _refuse(request):
    raise PermissionDenied


# This module is also the URL configuration of the error-page tests: the site's URLs plus two that fail.
urlpatterns = [path("test-boom/", _boom), path("test-refuse/", _refuse), *site_urls.urlpatterns]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


class ChoicesForm(StyledForm):
    offences = forms.MultipleChoiceField(
        label="违法行为",
        choices=[
            ("a", "未取得医疗机构执业许可证擅自执业"),
            ("b", "使用非卫生技术人员"),
            ("c", "出租承包科室"),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(label="检查方式", choices=[("site", "现场检查"), ("desk", "书面检查")])
    on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date(2026, 12, 3)
    )
    found_on = forms.DateField(label="发现日期", widget=DateInput, initial=dt.date(2026, 1, 9))
    at = forms.DateTimeField(label="时间")


def test_checkbox_list_renders_one_form_check_per_option():
    html = str(ChoicesForm()["offences"])
    assert html.count('class="form-check"') == 3
    assert 'class="choice-list"' in html and "form-check-input" not in html.split(">", 1)[0]
    for index in range(3):
        assert re.search(
            rf'<input type="checkbox" name="offences" value="\w" class="form-check-input" id="id_offences_{index}"',
            html,
        )
        assert f'<label class="form-check-label" for="id_offences_{index}">' in html


def test_radio_list_renders_form_checks():
    class RadioForm(StyledForm):
        pick = forms.ChoiceField(choices=[("1", "甲"), ("2", "乙")], widget=forms.RadioSelect)

    html = str(RadioForm()["pick"])
    assert html.count('class="form-check"') == 2 and 'type="radio"' in html


def test_date_fields_render_iso_whatever_widget_the_form_declared():
    form = ChoicesForm()
    assert 'type="date"' in str(form["on"]) and 'value="2026-12-03"' in str(form["on"])
    assert 'value="2026-01-09"' in str(form["found_on"])


def test_datetime_renders_datetime_local_iso_and_parses_back():
    at = timezone.make_aware(dt.datetime(2026, 12, 3, 9, 5))
    html = str(ChoicesForm(initial={"at": at})["at"])
    assert 'type="datetime-local"' in html and 'value="2026-12-03T09:05"' in html
    form = ChoicesForm(
        {
            "offences": ["a"],
            "kind": "site",
            "on": "2026-12-03",
            "found_on": "2026-01-09",
            "at": "2026-12-03T09:05",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == dt.date(2026, 12, 3)
    assert timezone.localtime(form.cleaned_data["at"]).replace(tzinfo=None) == dt.datetime(2026, 12, 3, 9, 5)


def test_choice_without_default_starts_blank_and_is_required():
    form = ChoicesForm()
    assert '<option value="" selected>请选择</option>' in str(form["kind"])
    bound = ChoicesForm(
        {"offences": ["a"], "on": "2026-12-03", "found_on": "2026-01-09", "at": "2026-12-03T09:05"}
    )
    assert not bound.is_valid() and "kind" in bound.errors
    # A default the form gives is kept.
    assert "请选择" not in str(ChoicesForm(initial={"kind": "desk"})["kind"])


@pytest.mark.django_db
def test_region_picker_offers_only_the_fields_regions(regions):
    class SiteForm(StyledForm):
        region = forms.ModelChoiceField(
            label="区划", queryset=Region.objects.filter(code__startswith="320506")
        )

    html = str(SiteForm()["region"])
    assert "data-region-picker" in html and "黄埭镇" not in html
    tree = json.loads(
        re.search(r'<script id="id_region-tree" type="application/json">(.*?)</script>', html).group(1)
    )
    selectable = {code for code, node in tree.items() if node["s"]}
    assert selectable == {"320506", "320506100", "320506100201", "320506100001"}
    # The levels above the jurisdiction name the path but cannot be chosen.
    assert tree["320000"] == {"n": "江苏省", "p": None, "l": 1, "s": 0} and tree["320500"]["s"] == 0
    assert "320507" not in tree
    bound = SiteForm({"region": "320507100"})
    assert not bound.is_valid() and "region" in bound.errors


@pytest.mark.django_db
def test_people_are_offered_by_name_and_unit(personas):
    class AssignForm(StyledForm):
        officer = forms.ModelChoiceField(label="承办人", queryset=User.objects.none())
        helpers = forms.ModelMultipleChoiceField(
            label="协办", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
        )

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["officer"].queryset = User.objects.filter(unit__name="吴中区卫生监督所")
            self.fields["helpers"].queryset = User.objects.filter(unit__name="吴中区卫生监督所")

    form = AssignForm()
    html = str(form["officer"]) + str(form["helpers"])
    assert "李爱丽（吴中区卫生监督所）" in html and "王博（吴中区卫生监督所）" in html
    assert "alice" not in html and "bob" not in html
    assert '<option value="" selected>请选择</option>' in str(form["officer"])


@pytest.mark.django_db
def test_person_filter_shows_full_name(personas):
    out = Template("{% load people %}{{ u|person }}|{{ e|actor }}|{{ none|actor }}").render(
        Context({"u": personas["alice"], "e": type("E", (), {"actor": personas["bob"]})(), "none": object()})
    )
    assert out == "李爱丽|王博|系统"


# --- error pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_404_is_chinese_with_navigation_for_a_logged_in_user(login):
    response = login("alice").get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in body
    assert "李爱丽" in body and "退出" in body  # the site's navigation
    assert "Not Found" not in body


@pytest.mark.django_db
@pytest.mark.urls("qingyuan.core.tests.test_widgets")
def test_403_is_chinese(login):
    response = login("alice").get("/test-refuse/")
    assert response.status_code == 403 and "无权操作" in response.content.decode()
    assert "退出" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("qingyuan.core.tests.test_widgets")
def test_500_shows_the_reference_id_the_log_line_carries(login, caplog):
    client = login("alice")
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test-boom/", HTTP_X_REQUEST_ID="ref-0123456789ab")
    body = response.content.decode()
    assert response.status_code == 500 and "系统出错" in body
    assert "ref-0123456789ab" in body and response["X-Request-ID"] == "ref-0123456789ab"
    assert "数据库连接中断" not in body
    record = next(r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR)
    RequestContextFilter().filter(record)
    line = TextFormatter("%(levelname)s [%(request_id)s] %(message)s").format(record)
    assert "[ref-0123456789ab]" in line


def test_500_page_needs_no_database():
    from qingyuan.core.errors import server_error

    request = RequestFactory().get("/")
    request.request_id = "abc12345"
    response = server_error(request)  # no db fixture: a query would fail the test
    assert response.status_code == 500 and "abc12345" in response.content.decode()


@pytest.mark.django_db
def test_400_is_chinese(personas):
    from qingyuan.core.errors import bad_request

    request = RequestFactory().get("/")
    request.user = personas["alice"]
    request.request_id = "r-400-test"
    response = bad_request(request)
    assert response.status_code == 400 and "请求有误" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_is_chinese(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["alice"])
    response = client.post("/accounts/password/", {})
    body = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in body and "CSRF" not in body


@pytest.mark.django_db
def test_rate_limited_pages_are_chinese(personas):
    request = RequestFactory().get("/public/")
    request.user = personas["alice"]
    response = too_many_requests(request, "tip")
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "bob", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    locked = Client().post(
        "/accounts/login/", {"username": "bob", "password": "wrong"}, REMOTE_ADDR="10.9.9.8"
    )
    assert (
        locked.status_code == 429 and "锁定" in locked.content.decode() and "清源" in locked.content.decode()
    )


def test_checkbox_list_added_after_styling_still_renders_form_checks():
    # A form that adds a list in its own __init__, after style_fields, and puts a class on it.
    class LateForm(StyledForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["who"] = forms.MultipleChoiceField(
                choices=[("1", "甲"), ("2", "乙")], widget=forms.CheckboxSelectMultiple
            )
            self.fields["who"].widget.attrs["class"] = "form-check-input"

    html = str(LateForm()["who"])
    assert html.count('class="form-check"') == 2
    assert '<div id="id_who" class="choice-list">' in html


@pytest.mark.django_db
def test_model_form_blank_choice_is_chinese():
    from qingyuan.subjects.forms import SubjectForm

    form = SubjectForm(
        actor=type(
            "A", (), {"unit": type("U", (), {"region": Region(code="320506", level=3, prefix="320506")})()}
        )()
    )
    assert "---------" not in str(form["kind"]) and "请选择" in str(form["kind"])
