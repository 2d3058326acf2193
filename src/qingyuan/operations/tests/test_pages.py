"""Every page with its personas: the public is sent to log in, outsiders get 404, roles are kept."""

import datetime as dt

import pytest
from django.urls import reverse

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.operations import services
from qingyuan.operations.models import (
    AccessGrant,
    JointOperation,
    JurisdictionDispute,
    Population,
    SpotCheckPlan,
)

from .conftest import make_site


@pytest.fixture
def operation(personas):
    return services.operation_create(
        actor=personas["dave"],
        name="联动执法行动",
        nomination_deadline=dt.date.today() + dt.timedelta(days=10),
        periods=[(dt.date.today() + dt.timedelta(days=20), dt.date.today() + dt.timedelta(days=26))],
    )


@pytest.fixture
def dispute(regions, personas):
    site = make_site(regions["village"], "交界诊所", border=True)
    return services.dispute_raise(
        actor=personas["chief"],
        subject=site,
        counties=[regions["wuzhong"], regions["xiangcheng"]],
        reason="争议",
    )


@pytest.fixture
def plan(personas, regions):
    return services.spotcheck_create(
        actor=personas["dave"],
        region=regions["wuzhong"],
        name="市级抽查",
        population=Population.INSTITUTIONS,
        seed=1,
    )


def _urls(operation, dispute, plan):
    return [
        reverse("operations:list"),
        reverse("operations:create"),
        reverse("operations:adjacency"),
        operation.get_absolute_url(),
        reverse("operations:nominate", args=[operation.pk]),
        reverse("operations:dispute_list"),
        reverse("operations:dispute_create"),
        dispute.get_absolute_url(),
        reverse("operations:spotcheck_list"),
        reverse("operations:spotcheck_create"),
        plan.get_absolute_url(),
        reverse("operations:spotcheck_published", args=[plan.pk]),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, operation, dispute, plan):
    for url in _urls(operation, dispute, plan):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_city_leader_opens_the_operation_pages(login, operation, dispute, plan):
    dave = login("dave")
    for url in [
        reverse("operations:list"),
        reverse("operations:create"),
        reverse("operations:adjacency"),
        operation.get_absolute_url(),
        reverse("operations:dispute_list"),
        dispute.get_absolute_url(),
        reverse("operations:spotcheck_list"),
        reverse("operations:spotcheck_create"),
        plan.get_absolute_url(),
    ]:
        assert dave.get(url).status_code == 200, url
    page = dave.get(operation.get_absolute_url()).content.decode()
    assert "吴中区" in page and "缺2名" in page and "确认小组并授权" in page


def test_county_chief_sees_the_city_operation_and_nominates(login, personas, operation):
    chief = login("chief")
    assert "联动执法行动" in chief.get(reverse("operations:list")).content.decode()
    url = reverse("operations:nominate", args=[operation.pk])
    page = chief.get(url).content.decode()
    assert "李爱丽" in page and "陈可" not in page and "提名截止日期" in page
    response = chief.post(url, {"users": [personas["alice"].pk, personas["bob"].pk]})
    assert response.status_code == 302
    assert set(operation.nominations.values_list("user__username", flat=True)) == {"alice", "bob"}
    response = chief.post(url, {"users": [personas["carol"].pk]})
    assert response.status_code == 200  # another county's officer is not a choice on this form
    assert set(operation.nominations.values_list("user__username", flat=True)) == {"alice", "bob"}


def test_inspector_cannot_nominate_or_manage(login, operation, plan):
    carol = login("carol")
    assert carol.get(operation.get_absolute_url()).status_code == 200
    for url in [
        reverse("operations:nominate", args=[operation.pk]),
        reverse("operations:create"),
        reverse("operations:adjacency"),
        reverse("operations:spotcheck_create"),
    ]:
        assert carol.get(url).status_code == 404, url
    assert carol.post(reverse("operations:action", args=[operation.pk, "confirm"])).status_code == 404
    assert carol.post(reverse("operations:spotcheck_action", args=[plan.pk, "draw"])).status_code == 404
    operation.refresh_from_db()
    assert operation.status == "planning"


def test_neighbouring_county_chief_cannot_see_another_countys_nominations_form(login, units, operation):
    make_user("xchief", units["xiangcheng"], Role.CHIEF, "顾长青")
    from django.test import Client

    from qingyuan.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="xchief"))
    page = client.get(reverse("operations:nominate", args=[operation.pk])).content.decode()
    assert "陈可" in page and "李爱丽" not in page


def test_other_city_cannot_see_the_operation(login, regions, operation, dispute, plan):
    from qingyuan.conftest import make_region
    from qingyuan.regions.models import Level, Unit, UnitKind

    wx = make_region("320200", "无锡市", Level.CITY, regions["province"])
    unit = Unit.objects.create(name="无锡市卫健委", kind=UnitKind.HEALTH_COMMISSION, region=wx)
    outsider = make_user("wxl", unit, Role.LEADER, "无锡领导")
    from django.test import Client

    client = Client()
    client.force_login(outsider)
    for url in [operation.get_absolute_url(), dispute.get_absolute_url(), plan.get_absolute_url()]:
        assert client.get(url).status_code == 404, url
    assert (
        client.get(reverse("operations:spotcheck_published", args=[plan.pk])).status_code == 404
    )  # not published


def test_city_confirms_through_the_page_and_grants_appear(login, personas, regions, operation):
    site = make_site(regions["village"], "金星村黑诊所")
    dave = login("dave")
    dave.post(reverse("operations:action", args=[operation.pk, "targets"]), {"subjects": [site.pk]})
    dave.post(reverse("operations:action", args=[operation.pk, "propose"]))
    services.nominations_set(actor=personas["chief"], operation=operation, users=[personas["alice"]])
    carol_unit_chief = make_user("xchief", personas["carol"].unit, Role.CHIEF, "顾长青")
    services.nominations_set(actor=carol_unit_chief, operation=operation, users=[personas["carol"]])
    response = dave.post(reverse("operations:action", args=[operation.pk, "confirm"]), follow=True)
    assert "授予跨区执法权限1项" in response.content.decode()
    grant = AccessGrant.objects.get()
    assert grant.user == personas["carol"] and grant.subject == site
    assert JointOperation.objects.get().status == "confirmed"


def test_dispute_page_designation_by_city(login, units, dispute):
    page = login("chief").get(dispute.get_absolute_url()).content.decode()
    assert "作出管辖决定" not in page
    carol = login("carol")
    assert carol.get(dispute.get_absolute_url()).status_code == 200  # her county is a party
    response = login("dave").post(
        dispute.get_absolute_url(),
        {"designated": "1", "unit": units["xiangcheng"].pk, "decision": "指定相城区管辖"},
    )
    assert response.status_code == 302
    assert JurisdictionDispute.objects.get().status == "designated"


def test_dispute_form_refuses_sites_outside_border_areas(login, regions):
    site = make_site(regions["village"], "村中诊所", border=False)
    response = login("chief").post(
        reverse("operations:dispute_create"),
        {"subject": site.pk, "counties": [regions["wuzhong"].pk, regions["xiangcheng"].pk], "reason": "x"},
    )
    assert response.status_code == 200 and not JurisdictionDispute.objects.exists()


def test_spot_check_form_refuses_a_low_ratio_in_chinese(login, regions):
    response = login("dave").post(
        reverse("operations:spotcheck_create"),
        {
            "name": "抽查",
            "region": regions["wuzhong"].pk,
            "population": "institutions",
            "ratio": "0.20",
            "inspectors_count": 2,
        },
    )
    assert "不得低于30%" in response.content.decode()
    assert not SpotCheckPlan.objects.exists()


def test_published_page_hides_personal_data(login, personas, units, regions, plan):
    from django.test import Client

    from qingyuan.registry.models import Institution

    Institution.objects.create(
        name="甲诊所", category="clinic", licence_no="L1", address="某路", region=regions["village"]
    )
    for i in range(2):  # the pool the inspectors are drawn from
        make_user(f"s{i}", units["city"], Role.SUPERVISOR, f"督查员{i}", f"320500010{i}")
    services.spotcheck_draw(actor=personas["dave"], plan=plan)
    item = plan.items.get()
    drawn = plan.inspectors.first()
    services.spotcheck_record(actor=drawn, item=item, result="证照齐全", compliant=True)
    services.spotcheck_complete(actor=personas["dave"], plan=plan)
    services.spotcheck_publish(actor=personas["dave"], plan=plan)
    # The officers' old link leads to the public page, which needs no login.
    response = login("carol").get(reverse("operations:spotcheck_published", args=[plan.pk]))
    assert response.status_code == 302 and response["Location"] == f"/public/spotchecks/{plan.pk}/"
    page = Client().get(response["Location"]).content.decode()
    assert "甲诊所" in page and "证照齐全" in page and drawn.full_name not in page


def test_county_reports_results_after_confirmation_and_late_is_shown(login, personas, regions, operation):
    site = make_site(regions["village"], "金星村黑诊所")
    services.targets_add(actor=personas["dave"], operation=operation, subjects=[site])
    services.groups_propose(actor=personas["dave"], operation=operation)
    services.operation_confirm(actor=personas["dave"], operation=operation)
    target = operation.targets.get()
    url = reverse("operations:result", args=[operation.pk, target.pk])
    assert login("carol").get(url).status_code == 404
    chief = login("chief")
    # Typed figures are no longer taken: only the county's words are stored.
    assert chief.post(url, {"notes": "取缔1户", "educated": 500}).status_code == 302
    target.refresh_from_db()
    assert target.result.notes == "取缔1户" and not target.result.late
    page = chief.get(operation.get_absolute_url()).content.decode()
    assert "已上报" in page and "逾期上报" not in page


def test_city_edits_a_group_and_enters_adjacency_on_pages(login, regions, operation):
    dave = login("dave")
    dave.post(reverse("operations:action", args=[operation.pk, "propose"]))
    group = operation.groups.get()
    response = dave.post(
        reverse("operations:group_edit", args=[operation.pk, group.pk]),
        {"name": "东片", "counties": [regions["wuzhong"].pk]},
    )
    assert response.status_code == 302
    assert list(operation.groups.get().counties.values_list("code", flat=True)) == ["320506"]
    dave.post(reverse("operations:adjacency"), {"a": regions["xiangcheng"].pk, "b": regions["wuzhong"].pk})
    assert "吴中区 — 相城区" in dave.get(reverse("operations:adjacency")).content.decode()


def test_late_designation_is_shown_on_the_dispute_page(login, units, personas, dispute):
    services.dispute_resolve(
        actor=personas["dave"],
        dispute=dispute,
        unit=units["xiangcheng"],
        decision="指定",
        designated=True,
        decided_on=dispute.due_on + dt.timedelta(days=1),
    )
    assert "逾期决定" in login("dave").get(dispute.get_absolute_url()).content.decode()
