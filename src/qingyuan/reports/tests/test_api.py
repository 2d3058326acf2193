"""Forms over the REST API: the same JSON as the download, with a token, scoped like the pages."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.subjects.models import InstitutionType

from . import factories as f

PARAMS = {"region": "320506", "start": "2024-01-01", "end": "2024-06-30"}
URL = "/api/v1/reports/forms/S003-A1/"


@pytest.fixture
def world(regions, personas):
    by = personas["alice"]
    dental = f.subject(regions["village"], "金星牙科", institution_type=InstitutionType.DENTAL)
    f.inspection(dental, dt.date(2024, 3, 1), by=by)
    case = f.case(dental, dt.date(2024, 3, 5), by=by)
    f.decision(case, dt.date(2024, 4, 1), by=by, fine="20000")


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_token_holder_gets_the_form_as_json(world, personas):
    data = api(personas["chief"]).get(URL, PARAMS).json()
    table = data["tables"]["打击无证行医及非法医疗美容专项行动情况汇总表"]
    assert table["口腔"]["监督户次数"] == 1
    assert table["合计"]["罚款金额（万元）"] == "20000.00"
    assert data["period"] == {"from": "2024-01-01", "to": "2024-06-30"}


def test_catalogue_lists_every_form(world, personas):
    codes = [form["code"] for form in api(personas["alice"]).get("/api/v1/reports/forms/").json()]
    assert codes == ["S001-A1", "S001-A2", "S001-A3", "S001-A4", "S003-A1", "S003-A2", "S003-WS", "S004-Q"]


def test_outside_the_jurisdiction_and_bad_input_are_named(world, personas):
    response = api(personas["carol"]).get(URL, PARAMS)
    body = response.json()
    assert response.status_code == 400 and body["field"] == "region" and "不在您的辖区内" in body["message"]
    response = api(personas["chief"]).get(URL, {**PARAMS, "start": "2024-07-01"})
    assert response.json()["field"] == "end" and "统计期止不能早于统计期起" in response.json()["message"]
    response = api(personas["chief"]).get("/api/v1/reports/forms/S001-A1/", PARAMS)
    assert response.status_code == 400 and response.json()["field"] == "operation"


def test_without_token_or_reports_role_no_form(world, personas):
    assert APIClient().get(URL, PARAMS).status_code == 401
    # A business role without the reports permission is refused; administrators' tokens are not
    # accepted at all (api/authentication.py).
    liaison = make_user("liaison", personas["alice"].unit, Role.LIAISON, "公安联络员")
    assert api(liaison).get(URL, PARAMS).status_code == 403
    assert api(personas["sam"]).get(URL, PARAMS).status_code == 401
