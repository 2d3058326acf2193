"""The rules pages: every officer reads, only the system administrator adds a version."""

import datetime as dt

import pytest

from qingyuan.core.models import AuditEvent
from qingyuan.rules.models import Offence, TimeLimit


def _offence_post(**extra):
    data = {
        "name": "未取得《医疗机构执业许可证》擅自执业",
        "basis": "基本医疗卫生与健康促进法 第99条第1款",
        "measures": "责令停止执业活动；没收违法所得；并处罚款",
        "fine_kind": "multiple",
        "multiplier_min": "6",
        "multiplier_max": "20",
        "income_floor": "10000",
        "illegal_practice": "on",
        "effective_from": "2027-01-01",
        "note": "修法",
    }
    data.update(extra)
    return data


def test_anonymous_visitor_is_sent_to_login(client, regions):
    for path in (
        "/rules/",
        "/rules/offences/ZY-01/",
        "/rules/offences/ZY-01/new-version/",
        "/rules/limits/CASE_OPEN/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inspector_sees_the_rules_in_force(login):
    page = login("alice").get("/rules/").content.decode()
    assert "ZY-01" in page and "GG-02" in page and "CASE_OPEN" in page and "条文未核实" in page
    assert "新增版本" not in page


def test_rules_in_force_on_an_earlier_day(login):
    page = login("alice").get("/rules/", {"on": "2021-01-01"}).content.decode()
    assert "/rules/offences/ZY-01/" in page and "/rules/offences/YS-01/" not in page  # 医师法 2022-03-01


def test_liaison_without_the_permission_gets_404(personas, units, client):
    from qingyuan.accounts.roles import Role
    from qingyuan.conftest import make_user

    client.force_login(make_user("li", units["wuzhong"], Role.LIAISON, "刘联"))
    assert client.get("/rules/").status_code == 404


def test_offence_page_shows_versions(login):
    page = login("bob").get("/rules/offences/ZY-01/").content.decode()
    assert "第1版" in page and "基本医疗卫生与健康促进法" in page and "罚款计算" in page


def test_unknown_offence_is_404(login):
    assert login("alice").get("/rules/offences/ZZ-99/").status_code == 404


def test_fine_calculator_gives_the_range(login):
    page = login("alice").get("/rules/offences/ZY-01/", {"income": "0"}).content.decode()
    assert "50,000.00元 至 200,000.00元" in page and "违法所得不足1万元按1万元计" in page


def test_fine_calculator_as_htmx_partial(login):
    response = login("alice").get("/rules/offences/XC-01/", {"income": "6000"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="fine-result">') and "<html" not in page
    assert "6,000.00元 至 18,000.00元" in page


def test_fine_calculator_shows_every_provision_for_illegal_cosmetic_surgery(login):
    page = (
        login("alice").get("/rules/offences/MR-01/", {"income": "0"}, HTTP_HX_REQUEST="true").content.decode()
    )
    assert page.index("ZY-01") < page.index("YS-01") and "ZY-07" in page and "第29条" in page


def test_fine_calculator_refuses_negative_income_in_chinese(login):
    page = login("alice").get("/rules/offences/ZY-01/", {"income": "-5"}).content.decode()
    assert "违法所得不能为负数" in page


def test_fine_calculator_for_a_day_without_version(login):
    page = login("alice").get("/rules/offences/YS-01/", {"income": "0", "on": "2021-06-01"}).content.decode()
    assert "没有有效的条款版本" in page


def test_referral_offence_says_no_fine(login):
    page = login("alice").get("/rules/offences/GG-01/", {"income": "0"}).content.decode()
    assert "卫生健康部门不处罚款" in page


def test_inspector_gets_403_on_the_add_form(login):
    client = login("alice")
    assert client.get("/rules/offences/ZY-01/new-version/").status_code == 403
    assert client.post("/rules/offences/ZY-01/new-version/", _offence_post()).status_code == 403
    assert client.get("/rules/limits/CASE_OPEN/new-version/").status_code == 403
    assert Offence.objects.filter(code="ZY-01").count() == 1


def test_sysadmin_form_starts_from_the_current_version(login):
    page = login("sam").get("/rules/offences/ZY-01/new-version/").content.decode()
    assert "基本医疗卫生与健康促进法 第99条第1款" in page and 'value="5.00"' in page


def test_sysadmin_adds_a_version_that_ends_the_previous_one(login):
    response = login("sam").post("/rules/offences/ZY-01/new-version/", _offence_post())
    assert response.status_code == 302 and response["Location"] == "/rules/offences/ZY-01/"
    old, new = Offence.objects.filter(code="ZY-01").order_by("version")
    assert old.effective_to == dt.date(2026, 12, 31)
    assert (new.version, new.effective_from, new.multiplier_min) == (2, dt.date(2027, 1, 1), 6)
    events = AuditEvent.objects.filter(target_type="rules.offence")
    assert {(e.action, e.target_id, e.actor_name) for e in events} == {
        ("update", str(old.pk), "sam"),
        ("create", str(new.pk), "sam"),
    }


def test_bad_version_keeps_input_and_says_what_to_fix(login):
    response = login("sam").post(
        "/rules/offences/ZY-01/new-version/", _offence_post(multiplier_min="30", note="保留的说明")
    )
    page = response.content.decode()
    assert response.status_code == 200 and "最高倍数不能小于最低倍数" in page and "保留的说明" in page
    assert Offence.objects.filter(code="ZY-01").count() == 1


def test_version_starting_too_early_is_refused(login):
    page = login("sam").post("/rules/offences/ZY-01/new-version/", _offence_post(effective_from="2019-01-01"))
    assert "生效日期须晚于现行第1版的生效日期" in page.content.decode()
    assert Offence.objects.get(code="ZY-01").effective_to is None


def test_sysadmin_adds_a_time_limit_version(login):
    client = login("sam")
    response = client.post(
        "/rules/limits/FINE_PAYMENT/new-version/",
        {
            "name": "缴纳罚款",
            "amount": "20",
            "unit": "days",
            "basis": "行政处罚法 第67条",
            "effective_from": "2027-01-01",
        },
    )
    assert response.status_code == 302
    assert TimeLimit.objects.get(code="FINE_PAYMENT", version=1).effective_to == dt.date(2026, 12, 31)
    page = client.get("/rules/limits/FINE_PAYMENT/").content.decode()
    assert "第2版" in page and "20日" in page


@pytest.mark.parametrize("name", ["dave", "chief", "clerk"])
def test_other_officers_read_but_cannot_add(login, name):
    client = login(name)
    assert client.get("/rules/limits/CASE_OPEN/").status_code == 200
    assert client.get("/rules/limits/CASE_OPEN/new-version/").status_code == 403
