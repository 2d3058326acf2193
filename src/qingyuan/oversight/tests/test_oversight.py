"""挂牌督办 and 督导 as the people doing them see it: the city leader puts a 吴中区 case under
supervision from the case page, the county chief reports progress and the result from the home page,
the leader returns it and then accepts it; a county cannot supervise; another county sees nothing;
an overdue item shows on the list, the dashboard, the home page and in the daily reminder; a 督导
finding's rectification items are tracked to closure."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.cases.models import Case, CaseEvent, CaseSource, CaseStatus, PartyKind
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent, Notification
from qingyuan.oversight import reminders, services
from qingyuan.oversight.models import (
    RectificationItem,
    RectificationStatus,
    SupervisedItem,
    SupervisionStatus,
    SupervisionVisit,
)
from qingyuan.subjects.models import Subject, SubjectKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(regions, units, personas):
    subject = Subject.objects.create(
        name="金星村黑诊所",
        kind=SubjectKind.UNLICENSED_CLINIC,
        address="金星村12号",
        region=regions["village"],
    )
    found = Case.objects.create(
        number="吴卫医罚〔2026〕7号",
        unit=units["wuzhong"],
        region=subject.region,
        subject=subject,
        source=CaseSource.DIRECT,
        title="非医师行医致人损害",
        party_kind=PartyKind.CITIZEN,
        party_name="张三",
        offence_date=dt.date(2026, 6, 1),
        status=CaseStatus.INVESTIGATING,
        proposed_by=personas["alice"],
        opened_on=dt.date(2026, 6, 1),
    )
    found.officers.set([personas["alice"]])
    return found


@pytest.fixture
def xc_chief(units):
    return make_user("xcchief", units["xiangcheng"], Role.CHIEF, "蒋志远")


def _deadline(days=20):
    return timezone.localdate() + dt.timedelta(days=days)


def _supervise(case, leader, days=20):
    return services.supervise_case(
        actor=leader, case=case, requirements="查清药品来源，依法从重处理", deadline=_deadline(days)
    )


def _texts(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_city_leader_supervises_the_county_reports_leader_returns_then_accepts(
    case, personas, login, django_capture_on_commit_callbacks
):
    leader, chief = login("dave"), login("chief")
    page = leader.get(case.get_absolute_url()).content.decode()
    assert f"/oversight/new/?case={case.pk}" in page

    deadline = _deadline()
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(
            f"/oversight/new/?case={case.pk}",
            {"requirements": "查清药品来源，依法从重处理", "deadline": deadline.isoformat()},
        )
    item = SupervisedItem.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.status == SupervisionStatus.ACTIVE and item.supervised_unit == case.unit
    assert any("挂牌督办" in t for t in _texts(personas["chief"]))
    # The case page carries the badge with the deadline, and no second button.
    page = leader.get(case.get_absolute_url()).content.decode()
    assert f"挂牌督办 · 期限 {deadline:%Y-%m-%d}" in page
    assert f"/oversight/new/?case={case.pk}" not in page

    home = chief.get("/").content.decode()
    assert "挂牌督办 待报送办理结果" in home and item.get_absolute_url() in home
    detail = chief.get(item.get_absolute_url()).content.decode()
    assert "报送进展" in detail and "验收办结" not in detail

    assert chief.post(f"/oversight/{item.pk}/progress/", {"progress-text": "已调取证据"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        chief.post(f"/oversight/{item.pk}/report/", {"report-text": "已作出处罚决定，移送公安"})
    item.refresh_from_db()
    assert item.status == SupervisionStatus.REPORTED and item.result == "已作出处罚决定，移送公安"
    assert any("待验收" in t for t in _texts(personas["dave"]))
    assert "挂牌督办 待验收" in leader.get("/").content.decode()

    # A return needs a reason, named beside the field, the page kept.
    refused = leader.post(f"/oversight/{item.pk}/return/", {"return-note": ""})
    assert refused.status_code == 400 and 'id="id_return-note"' in refused.content.decode()
    assert SupervisedItem.objects.get().status == SupervisionStatus.REPORTED
    with django_capture_on_commit_callbacks(execute=True):
        leader.post(f"/oversight/{item.pk}/return/", {"return-note": "未说明药品来源"})
    item.refresh_from_db()
    assert item.status == SupervisionStatus.ACTIVE
    assert any("退回" in t for t in _texts(personas["chief"]))

    chief.post(f"/oversight/{item.pk}/report/", {"report-text": "药品来源已查明，已移送市场监管"})
    assert leader.post(f"/oversight/{item.pk}/accept/", {"accept-note": "同意办结"}).status_code == 302
    item.refresh_from_db()
    assert item.status == SupervisionStatus.CLOSED and item.closed_on == timezone.localdate()
    assert item.reports.count() == 3
    detail = leader.get(item.get_absolute_url()).content.decode()
    assert "未说明药品来源" in detail and "药品来源已查明" in detail
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "挂牌督办",
        "验收办结",
    ]
    actions = [
        e.after.get("action") for e in AuditEvent.objects.filter(target_type__contains="superviseditem")
    ]
    assert actions == ["open", "progress", "report", "return", "report", "accept"]


def test_a_county_cannot_supervise(case, personas, login):
    chief = login("chief")
    assert f"/oversight/new/?case={case.pk}" not in chief.get(case.get_absolute_url()).content.decode()
    assert chief.get(f"/oversight/new/?case={case.pk}").status_code == 403
    assert chief.get("/oversight/new/").status_code == 403
    assert chief.get("/oversight/visits/new/").status_code == 403
    with pytest.raises(PermissionDenied):
        _supervise(case, personas["chief"])
    # An inspector holds no oversight.manage at all: refused as well.
    with pytest.raises(PermissionDenied):
        _supervise(case, personas["alice"])
    assert not SupervisedItem.objects.exists()


def test_another_county_gets_404_and_the_wrong_side_is_refused(case, personas, xc_chief, login):
    item = _supervise(case, personas["dave"])
    other = login("carol")
    other.force_login(xc_chief)
    assert other.get(item.get_absolute_url()).status_code == 404
    assert other.post(f"/oversight/{item.pk}/report/", {"report-text": "冒报"}).status_code == 404
    assert item.title not in other.get("/oversight/").content.decode()
    # The supervisor cannot report for the county, the county cannot accept its own result.
    assert login("dave").post(f"/oversight/{item.pk}/progress/", {"progress-text": "代报"}).status_code == 403
    services.report_result(actor=personas["chief"], item=item, text="已办结")
    assert login("chief").post(f"/oversight/{item.pk}/accept/", {"accept-note": ""}).status_code == 403
    # An inspector of the county sees the item but may not report.
    assert login("alice").post(f"/oversight/{item.pk}/withdraw/", {"withdraw-note": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.status == SupervisionStatus.REPORTED


def test_a_deadline_in_the_past_is_refused_with_the_input_kept(case, login):
    response = login("dave").post(
        f"/oversight/new/?case={case.pk}", {"requirements": "依法从重处理", "deadline": "2020-01-01"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "办结期限不能早于今天" in page and "依法从重处理" in page
    assert not SupervisedItem.objects.exists()


def test_overdue_supervision_shows_everywhere_and_is_reminded_once(case, personas, login):
    item = _supervise(case, personas["dave"])
    late = timezone.localdate() - dt.timedelta(days=3)
    SupervisedItem.objects.filter(pk=item.pk).update(deadline=late)
    leader = login("dave")
    listed = leader.get("/oversight/?overdue=true").content.decode()
    assert item.title in listed and "已逾期" in listed
    dashboard = leader.get("/reports/dashboard/").content.decode()
    assert 'data-figure="supervised-overdue"><strong>1</strong>' in dashboard
    assert item.get_absolute_url() in dashboard
    home = login("chief").get("/").content.decode()
    overdue_section = home.split('data-section="overdue"')[1].split('data-section="near"')[0]
    assert "挂牌督办 待报送办理结果" in overdue_section
    Notification.objects.all().delete()
    assert reminders.overdue_notify() == 1
    assert any("挂牌督办已逾期" in t for t in _texts(personas["chief"]))
    assert reminders.overdue_notify() == 0


def test_supervision_visit_finding_items_tracked_to_closure(regions, units, personas, xc_chief, login):
    leader, chief = login("dave"), login("chief")
    response = leader.post(
        "/oversight/visits/new/",
        {
            "region": regions["wuzhong"].code,
            "visited_on": timezone.localdate().isoformat(),
            "summary": "抽查台账",
        },
    )
    visit = SupervisionVisit.objects.get()
    assert response.status_code == 302
    leader.post(f"/oversight/visits/{visit.pk}/findings/", {"finding-text": "排查台账不完整"})
    finding = visit.findings.get()
    refused = leader.post(
        f"/oversight/visits/{visit.pk}/items/",
        {
            "item-finding": finding.pk,
            "item-text": "补齐台账",
            "item-unit": units["xiangcheng"].pk,
            "item-due_on": _deadline(5),
        },
    )
    # A unit of another county is not offered, and refused when posted anyway.
    assert refused.status_code == 400 and not RectificationItem.objects.exists()
    assert units["xiangcheng"].name not in refused.content.decode()
    leader.post(
        f"/oversight/visits/{visit.pk}/items/",
        {
            "item-finding": finding.pk,
            "item-text": "补齐台账",
            "item-unit": units["wuzhong"].pk,
            "item-due_on": _deadline(5),
        },
    )
    fix = RectificationItem.objects.get()
    assert "督导整改：补齐台账" in chief.get("/").content.decode()
    other = login("carol")
    other.force_login(xc_chief)
    assert other.get(visit.get_absolute_url()).status_code == 404

    step = f"/oversight/visits/{visit.pk}/items/{fix.pk}"
    assert chief.post(f"{step}/rectify/", {f"rectify-{fix.pk}-note": "已补齐"}).status_code == 302
    assert chief.post(f"{step}/verify/", {f"verify-{fix.pk}-note": ""}).status_code == 403
    leader.post(f"{step}/return/", {f"return-{fix.pk}-note": "缺少排查日期"})
    fix.refresh_from_db()
    assert fix.status == RectificationStatus.OPEN
    chief.post(f"{step}/rectify/", {f"rectify-{fix.pk}-note": "已补齐排查日期"})
    assert "督导整改待验收" in leader.get("/").content.decode()
    leader.post(f"{step}/verify/", {f"verify-{fix.pk}-note": "合格"})
    fix.refresh_from_db()
    assert fix.status == RectificationStatus.VERIFIED
    page = leader.get(visit.get_absolute_url()).content.decode()
    assert "整改已全部销号" in page and "已补齐排查日期" in page


def test_a_lagging_region_is_supervised_from_its_page(regions, units, personas, login):
    leader = login("dave")
    page = leader.get(regions["wuzhong"].get_absolute_url()).content.decode()
    assert "/oversight/new/?region=320506" in page
    form = leader.get("/oversight/new/?region=320506").content.decode()
    assert f'value="{units["wuzhong"].pk}" selected' in form
    response = leader.post(
        "/oversight/new/",
        {
            "unit": units["wuzhong"].pk,
            "title": "吴中区打击非法行医工作进展滞后",
            "requirements": "一个月内完成全部村（社区）排查",
            "deadline": _deadline(30).isoformat(),
        },
    )
    item = SupervisedItem.objects.get()
    assert response.status_code == 302 and item.kind == "region" and item.region == regions["wuzhong"]
    assert "挂牌督办中 1 项" in leader.get(regions["wuzhong"].get_absolute_url()).content.decode()
    # The county's own page offers the county chief no button to supervise itself.
    assert "/oversight/new/" not in login("chief").get(regions["wuzhong"].get_absolute_url()).content.decode()
    assert "吴中区打击非法行医工作进展滞后" in login("chief").get("/").content.decode()
