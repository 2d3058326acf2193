"""The enforcement steps on the pages: the case page's 执行 section links to the steps the user may
take, each step page keeps what was typed when refused, 403 without the permission, 404 outside the
jurisdiction; a case after 催告 shows on My work."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qingyuan.cases import enforcement
from qingyuan.cases.models import CaseStatus, Demand, PaymentPlan

from .test_enforcement import WINDOW_OPENS, demanded, fresh, served_case


@pytest.fixture
def today(monkeypatch):
    class Today:
        day = dt.date(2026, 9, 20)

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: Today.day)
    return Today


def step_url(case, action):
    return reverse("cases:enforcement_step", args=[case.pk, action])


def test_from_the_case_page_to_the_demand_page_and_back(personas, regions, login, today):
    case = served_case(personas, regions)
    alice = login("alice")
    page = alice.get(case.get_absolute_url()).content.decode()
    assert 'id="enforcement"' in page and step_url(case, "demand") in page
    # 批准延期/分期 needs cases.approve: not offered to an inspector.
    assert step_url(case, "plan_payment") not in page

    form = alice.get(step_url(case, "demand"))
    assert form.status_code == 200 and "催告日期" in form.content.decode()
    # A date before the payment period ended: refused beside the form, with the number typed kept.
    refused = alice.post(step_url(case, "demand"), {"issued_on": "2026-09-08", "number": "催〔2026〕7号"})
    text = refused.content.decode()
    assert refused.status_code == 200 and "缴款期限至2026年09月08日" in text
    assert 'value="催〔2026〕7号"' in text and not Demand.objects.exists()

    done = alice.post(step_url(case, "demand"), {"issued_on": "2026-09-20", "number": "催〔2026〕7号"})
    assert done.status_code == 302 and done["Location"] == case.get_absolute_url() + "#enforcement"
    page = alice.get(done["Location"]).content.decode()
    assert fresh(case).status == CaseStatus.DEMANDED
    assert "催告书尚未送达" in page and step_url(case, "serve_demand") in page
    assert step_url(case, "demand") not in page

    alice.post(step_url(case, "serve_demand"), {"served_on": "2026-09-20"})
    page = alice.get(case.get_absolute_url()).content.decode()
    assert "履行期限至 2026-09-30" in page and step_url(case, "serve_demand") not in page


def test_step_pages_refuse_without_permission_out_of_order_and_outside_the_jurisdiction(
    personas, regions, login, today
):
    case = served_case(personas, regions)
    alice, chief, carol = login("alice"), login("chief"), login("carol")
    assert alice.get(step_url(case, "plan_payment")).status_code == 403
    assert alice.post(step_url(case, "plan_payment"), {"kind": "defer"}).status_code == 403
    assert carol.get(step_url(case, "demand")).status_code == 404
    assert login("clerk").post(step_url(case, "demand"), {"issued_on": "2026-09-20"}).status_code == 403
    assert not Demand.objects.exists()
    assert alice.get(step_url(case, "no_such_step")).status_code == 404
    # Not yet demanded: the court page sends the user back to the case with the reason.
    back = chief.get(step_url(case, "apply_court"))
    assert back.status_code == 302 and back["Location"].endswith("#enforcement")
    assert "不能执行“申请法院强制执行”" in chief.get(back["Location"]).content.decode()
    demanded(personas, case, today)
    today.day = WINDOW_OPENS
    assert alice.get(step_url(case, "apply_court")).status_code == 403
    assert chief.get(step_url(case, "apply_court")).status_code == 200


def test_an_instalment_plan_refused_names_the_row_and_keeps_the_input(personas, regions, login, today):
    case = served_case(personas, regions)
    today.day = dt.date(2026, 9, 5)
    chief = login("chief")
    rows = "2026-10-01 20000\n2026-13-01 30000"
    data = {
        "kind": "instalments",
        "requested_on": "2026-09-01",
        "approved_on": "2026-09-05",
        "reason": "经营困难",
        "instalments": rows,
    }
    refused = chief.post(step_url(case, "plan_payment"), data)
    text = refused.content.decode()
    assert refused.status_code == 200 and "第2行：缴纳期限“2026-13-01”不是有效日期" in text
    assert "2026-10-01 20000" in text and not PaymentPlan.objects.exists()
    data["instalments"] = "2026-10-01 20000\n2026-11-01 20000"
    assert "须等于尚欠的罚没款50000.00元" in chief.post(step_url(case, "plan_payment"), data).content.decode()
    data["instalments"] = "2026-10-01 20000\n2026-11-01 30000"
    assert chief.post(step_url(case, "plan_payment"), data).status_code == 302
    page = chief.get(case.get_absolute_url()).content.decode()
    assert "2026-11-01 前缴纳 30000.00元" in page


def test_a_demanded_case_shows_on_my_work_with_its_clock(personas, regions, login, today):
    case = demanded(personas, served_case(personas, regions), today)
    home = login("alice").get(reverse("core:home")).content.decode()
    assert "已催告" in home and "催告履行期限" in home and case.get_absolute_url() in home
    today.day = dt.date(2026, 10, 5)
    home = login("alice").get(reverse("core:home")).content.decode()
    assert "申请强制执行期限" in home
    assert enforcement.court_problem(fresh(case), {}).startswith("当事人申请行政复议")
    assert Decimal(fresh(case).demands.get().amount) > 0


def test_the_court_result_page_records_the_money_and_the_case_closes_as_executed_by_the_court(
    personas, regions, login, today
):
    case = demanded(personas, served_case(personas, regions), today)
    today.day = WINDOW_OPENS
    case = enforcement.court_apply(
        actor=personas["chief"], case=case, court="吴中区人民法院", applied_on=today.day
    )
    alice, chief = login("alice"), login("chief")
    page = alice.get(case.get_absolute_url()).content.decode()
    assert "申请吴中区人民法院强制执行，金额 100000.00元" in page and step_url(case, "court_result") in page
    today.day = dt.date(2027, 4, 1)
    data = {
        "ruling": "pending",
        "outcome": "executed",
        "outcome_on": "2027-03-31",
        "collected": "100000",
        "ruling_no": "（2027）苏0506行审1号",
    }
    refused = alice.post(step_url(case, "court_result"), data)
    text = refused.content.decode()
    assert "法院裁定准予执行后才有执行结果" in text and 'value="（2027）苏0506行审1号"' in text
    assert not fresh(case).payments.exists()
    data.update(ruling="enforce", ruled_on="2027-03-10")
    assert alice.post(step_url(case, "court_result"), data).status_code == 302
    page = chief.get(case.get_absolute_url()).content.decode()
    assert "可以结案，结案方式：法院强制执行完毕" in page
    chief.post(reverse("cases:action", args=[case.pk, "close"]), {"on": "2027-04-01"})
    assert fresh(case).status == CaseStatus.CLOSED
    assert 'data-close-kind="court_executed"' in chief.get(case.get_absolute_url()).content.decode()
