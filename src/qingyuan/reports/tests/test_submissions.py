"""Submitting forms up the hierarchy: 上报, 退回 with a reason, 审核通过 and locking, differences after
acceptance, deadlines from the campaign, who may do what, and the pages (period 2024-01-01 … 06-30)."""

import datetime as dt
import json
import os
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qingyuan.core.models import AuditEvent
from qingyuan.regions.models import Level, Unit, UnitKind
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.models import Submission, SubmissionStatus
from qingyuan.reports.serialize import to_data
from qingyuan.reports.submissions import (
    submission_accept,
    submission_diff,
    submission_return,
    submission_submit,
)
from qingyuan.subjects.models import InstitutionType

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
PARAMS = {"region": "320506", "start": "2024-01-01", "end": "2024-06-30"}


@pytest.fixture
def world(regions, personas):
    by = personas["alice"]
    dental = f.subject(regions["village"], "金星牙科", institution_type=InstitutionType.DENTAL)
    f.inspection(dental, dt.date(2024, 3, 1), by=by)
    f.inspection(dental, dt.date(2024, 3, 2), by=by)
    c = f.case(dental, dt.date(2024, 3, 5), by=by, national_entry_on=dt.date(2024, 3, 6))
    f.decision(c, dt.date(2024, 4, 1), by=by, fine="20000")
    return {"dental": dental, "by": by}


def scope(region, **kw):
    return Scope(region, START, END, **kw)


def submit(actor, region, **kw):
    return submission_submit(actor=actor, code="S003-A1", scope=scope(region), **kw)


def test_county_submits_the_form_as_computed_now(world, regions, personas):
    s = submit(personas["chief"], regions["wuzhong"], note="按时上报")
    assert (s.status, s.version, s.unit.name) == (SubmissionStatus.SUBMITTED, 1, "吴中区卫生监督所")
    expected = to_data(get_form("S003-A1").compute(scope(regions["wuzhong"])))
    assert s.data["tables"] == expected["tables"]
    assert s.data["tables"]["main"]["dental"]["inspections"] == 2
    assert s.data["tables"]["main"]["dental"]["fine_amount"] == "20000.00"
    event = AuditEvent.objects.get(target_type="reports.submission", target_id=str(s.pk))
    # Each 上报 creates the next version: the workflow records it as a creation.
    assert event.action == "create" and event.after["status"] == "submitted"


def test_second_live_submission_is_refused_with_a_clear_message(world, regions, personas):
    submit(personas["chief"], regions["wuzhong"])
    with pytest.raises(ValidationError) as caught:
        submit(personas["chief"], regions["wuzhong"])
    assert "已上报（第1版，已上报待审核），请勿重复上报" in caught.value.messages[0]
    assert Submission.objects.count() == 1


def test_city_returns_with_a_reason_and_the_county_submits_version_two(world, regions, personas):
    first = submit(personas["chief"], regions["wuzhong"])
    returned = submission_return(actor=personas["dave"], submission=first, reason="口腔类罚款金额请核实")
    assert returned.status == SubmissionStatus.RETURNED
    assert returned.return_reason == "口腔类罚款金额请核实" and returned.reviewed_by == personas["dave"]
    second = submit(personas["chief"], regions["wuzhong"], note="已核实")
    assert second.version == 2 and second.status == SubmissionStatus.SUBMITTED
    events = AuditEvent.objects.filter(target_type="reports.submission")
    assert [e.after["status"] for e in events.order_by("id")] == ["submitted", "returned", "submitted"]


def test_return_needs_a_reason(world, regions, personas):
    s = submit(personas["chief"], regions["wuzhong"])
    with pytest.raises(ValidationError) as caught:
        submission_return(actor=personas["dave"], submission=s, reason="  ")
    assert caught.value.message_dict == {"reason": ["请填写退回理由"]}
    s.refresh_from_db()
    assert s.status == SubmissionStatus.SUBMITTED


def test_change_after_acceptance_shows_as_difference_while_the_stored_figures_stay(world, regions, personas):
    s = submit(personas["chief"], regions["wuzhong"])
    submission_accept(actor=personas["dave"], submission=s)
    stored = json.dumps(Submission.objects.get(pk=s.pk).data, sort_keys=True)
    f.inspection(world["dental"], dt.date(2024, 5, 1), by=world["by"])  # recorded after acceptance

    differences = submission_diff(s)
    cells = {(d.row, d.column): (d.submitted, d.live) for d in differences}
    assert cells == {("口腔", "监督户次数"): (2, 3), ("合计", "监督户次数"): (2, 3)}
    assert json.dumps(Submission.objects.get(pk=s.pk).data, sort_keys=True) == stored

    page = Client()
    page.force_login(personas["dave"])
    text = page.get(f"/reports/submissions/{s.pk}/").content.decode()
    assert "差异" in text and "共 2 处" in text and "（现 3）" in text
    assert "已审核通过，本表数字已锁定" in text


def test_accepted_form_cannot_be_accepted_again_but_can_be_reopened_by_return(world, regions, personas):
    s = submission_accept(actor=personas["dave"], submission=submit(personas["chief"], regions["wuzhong"]))
    with pytest.raises(ValidationError, match="不能执行“审核通过”"):
        submission_accept(actor=personas["dave"], submission=s)
    reopened = submission_return(actor=personas["dave"], submission=s, reason="发现漏报一起案件")
    assert reopened.status == SubmissionStatus.RETURNED
    assert submit(personas["chief"], regions["wuzhong"]).version == 2


def test_county_cannot_accept_its_own_form(world, regions, personas, login):
    s = submit(personas["chief"], regions["wuzhong"])
    with pytest.raises(PermissionDenied, match="由上一级单位审核"):
        submission_accept(actor=personas["chief"], submission=s)
    response = login("chief").post(f"/reports/submissions/{s.pk}/accept/")
    assert response.status_code == 403
    s.refresh_from_db()
    assert s.status == SubmissionStatus.SUBMITTED


def test_county_submits_only_for_its_own_region(world, regions, personas):
    with pytest.raises(PermissionDenied, match="只能由江苏省苏州市相城区的单位上报"):
        submit(personas["chief"], regions["xiangcheng"])
    with pytest.raises(PermissionDenied, match="只能由江苏省苏州市的单位上报"):
        submit(personas["chief"], regions["city"])


def test_inspector_without_submit_right_cannot_submit(world, login):
    response = login("alice").post(
        "/reports/form/S003-A1/submit/?" + "&".join(f"{k}={v}" for k, v in PARAMS.items())
    )
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_another_citys_leader_gets_404(world, regions, personas):
    from qingyuan.conftest import make_region

    wuxi = make_region("320200", "无锡市", Level.CITY, regions["province"])
    unit = Unit.objects.create(name="无锡市卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=wuxi)
    client = Client()
    client.force_login(f.officer(unit, "wx_leader", "leader"))
    s = submit(personas["chief"], regions["wuzhong"])
    assert client.get(f"/reports/submissions/{s.pk}/").status_code == 404
    assert client.post(f"/reports/submissions/{s.pk}/accept/").status_code == 404
    assert client.get(f"/reports/submissions/{s.pk}/export/json/").status_code == 404
    assert "苏州市吴中区" not in client.get("/reports/submissions/").content.decode()
    s.refresh_from_db()
    assert s.status == SubmissionStatus.SUBMITTED


def test_neighbouring_county_cannot_see_the_submission(world, regions, personas, login):
    s = submit(personas["chief"], regions["wuzhong"])
    assert login("carol").get(f"/reports/submissions/{s.pk}/").status_code == 404


def test_deadline_comes_from_the_campaign_and_a_late_submission_is_marked(world, regions, personas, units):
    f.campaign_requiring(
        units["city"], "S003-A1", starts_on=START, ends_on=dt.date(2024, 12, 31), due_on=dt.date(2024, 7, 10)
    )
    s = submit(personas["chief"], regions["wuzhong"])
    assert s.due_on == dt.date(2024, 7, 10)
    assert s.late  # submitted today, long after 2024-07-10
    Submission.objects.filter(pk=s.pk).update(submitted_at=f.at(dt.date(2024, 7, 10), 23))
    s.refresh_from_db()
    assert not s.late  # 23:00 Beijing time on the due day is still in time


def test_quarterly_deadline_is_the_next_one_after_the_period(world, regions, personas, units):
    from qingyuan.campaigns.models import FormRequirement, Schedule

    campaign = f.campaign_requiring(
        units["city"], "S003-A1", starts_on=START, ends_on=dt.date(2024, 12, 31), due_on=dt.date(2024, 1, 1)
    )
    FormRequirement.objects.filter(campaign=campaign).update(
        schedule=Schedule.QUARTERLY, day_of_month=20, due_on=None
    )
    s = submission_submit(
        actor=personas["chief"],
        code="S003-A1",
        scope=Scope(regions["wuzhong"], START, dt.date(2024, 6, 15), campaign=campaign),
    )
    assert s.due_on == dt.date(2024, 6, 20)


# --- pages --------------------------------------------------------------------------------------


def test_form_page_loads_the_submit_panel(world, login):
    page = login("chief").get("/reports/form/S003-A1/", PARAMS).content.decode()
    assert 'hx-get="/reports/form/S003-A1/submission/?region=320506' in page


def test_panel_offers_submission_to_the_county_chief(world, login):
    page = login("chief").get("/reports/form/S003-A1/submission/", PARAMS, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert "本期尚未上报" in text and 'id="submit-button"' in text and "校验通过" in text
    assert "<html" not in text  # a fragment for HTMX


def test_panel_shows_status_only_to_an_inspector(world, login, personas, regions):
    submit(personas["chief"], regions["wuzhong"])
    text = login("alice").get("/reports/form/S003-A1/submission/", PARAMS).content.decode()
    assert "第1版 · 已上报待审核" in text and 'id="submit-button"' not in text


def test_submitting_through_the_page_redirects_to_the_submission(world, login):
    client = login("chief")
    query = "&".join(f"{k}={v}" for k, v in PARAMS.items())
    response = client.post(f"/reports/form/S003-A1/submit/?{query}", {"note": ""})
    s = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/submissions/{s.pk}/"
    again = client.post(f"/reports/form/S003-A1/submit/?{query}", {"note": ""})
    assert again.status_code == 400 and "请勿重复上报" in again.content.decode()


def test_city_leader_reviews_from_the_list_and_the_detail_page(world, login, personas, regions):
    s = submit(personas["chief"], regions["wuzhong"])
    client = login("dave")
    listing = client.get("/reports/submissions/", {"to_review": "on"}).content.decode()
    assert "苏州市吴中区" in listing and "共 1 条" in listing
    detail = client.get(f"/reports/submissions/{s.pk}/").content.decode()
    assert 'id="accept-button"' in detail and 'id="return-button"' in detail
    assert client.post(f"/reports/submissions/{s.pk}/return/", {"reason": ""}).status_code == 400
    response = client.post(f"/reports/submissions/{s.pk}/return/", {"reason": "请补充填报说明"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == SubmissionStatus.RETURNED and s.return_reason == "请补充填报说明"
    history = client.get(f"/reports/submissions/{s.pk}/").content.decode()
    assert "退回（请补充填报说明）" in history and "上报第1版" in history


def test_county_chief_sees_own_submission_without_review_buttons(world, login, personas, regions):
    s = submit(personas["chief"], regions["wuzhong"])
    text = login("chief").get(f"/reports/submissions/{s.pk}/").content.decode()
    assert "上报的数字" in text and 'id="accept-button"' not in text
    assert "由上一级单位审核" in text


def test_download_gives_the_stored_figures(world, login, personas, regions):
    s = submit(personas["chief"], regions["wuzhong"])
    f.inspection(world["dental"], dt.date(2024, 5, 1), by=world["by"])
    data = json.loads(login("dave").get(f"/reports/submissions/{s.pk}/export/json/").content)
    assert data["tables"]["打击无证行医及非法医疗美容专项行动情况汇总表"]["口腔"]["监督户次数"] == 2
    assert AuditEvent.objects.filter(action="export", target_type="reports.submission").exists()


def test_xlsx_download_of_a_submission(world, login, personas, regions):
    pytest.importorskip("qingyuan.reports.exports.xlsx")
    s = submit(personas["chief"], regions["wuzhong"])
    response = login("dave").get(f"/reports/submissions/{s.pk}/export/xlsx/")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert quote("上报第1版.xlsx") in response["Content-Disposition"]


def test_index_links_to_submissions_and_rollup(world, login):
    text = login("alice").get("/reports/").content.decode()
    assert 'href="/reports/submissions/"' in text and 'href="/reports/rollup/"' in text


def test_public_cannot_open_submissions(world, personas, regions):
    s = submit(personas["chief"], regions["wuzhong"])
    response = Client().get(f"/reports/submissions/{s.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: concurrent writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_leave_one(regions, personas):
    import threading

    from django.db import connection

    barrier, outcomes = threading.Barrier(2), []

    def attempt():
        try:
            barrier.wait()
            outcomes.append(submit(personas["chief"], regions["wuzhong"]).version)
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Submission.objects.count() == 1
    assert sorted(outcomes, key=str)[0] == 1 and "请勿重复上报" in sorted(outcomes, key=str)[1]


def test_reviewers_are_told_of_a_submission_and_the_submitter_of_the_outcome(
    world, regions, personas, django_capture_on_commit_callbacks
):
    from qingyuan.core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        first = submit(personas["chief"], regions["wuzhong"])
    told = Notification.objects.filter(text__contains="上报了S003-A1")
    assert [n.user.username for n in told] == ["dave"]  # the city's leader, not the county's inspectors
    assert told.get().url == first.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(actor=personas["dave"], submission=first, reason="口腔类罚款金额请核实")
    answer = Notification.objects.get(user=personas["chief"])
    assert "被退回：口腔类罚款金额请核实" in answer.text
