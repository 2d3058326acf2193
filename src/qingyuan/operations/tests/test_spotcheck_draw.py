"""双随机、一公开 as the people in it see it: whoever is drawn records the results (a 监督员 as well as a
督查员) until the check ends; nobody else does; inspectors who handled a drawn site's cases are not
drawn; the organising level publishes, and the public reads the plan and the results, redacted,
without logging in."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from qingyuan.accounts.roles import Role
from qingyuan.cases.models import CaseStatus
from qingyuan.cases.tests.test_followup_data import make_case
from qingyuan.conftest import make_region, make_user
from qingyuan.core.models import AuditEvent, Notification
from qingyuan.operations import services
from qingyuan.operations.models import Population, SpotCheckItem, SpotCheckStatus
from qingyuan.regions.models import Level, Unit, UnitKind
from qingyuan.registry.models import Institution
from qingyuan.subjects.models import Subject, SubjectKind


def _clinic(region, name, legal="王五"):
    return Institution.objects.create(
        name=name,
        category="clinic",
        licence_no=f"L{name}",
        address="某路",
        region=region,
        legal_representative=legal,
    )


@pytest.fixture
def erin(units):
    # With carol, the only credentialed officers outside the checked county: both 监督员, both drawn.
    return make_user("erin", units["xiangcheng"], Role.INSPECTOR, "蒋宁", "32050701002")


@pytest.fixture
def plan(personas, regions, erin, django_capture_on_commit_callbacks):
    _clinic(regions["village"], "金星诊所")
    _clinic(regions["village"], "木渎口腔诊所")
    plan = services.spotcheck_create(
        actor=personas["dave"],
        region=regions["wuzhong"],
        name="市级双随机抽查",
        population=Population.INSTITUTIONS,
        ratio="1.00",
        seed=11,
    )
    with django_capture_on_commit_callbacks(execute=True):  # the notices go out on commit
        return services.spotcheck_draw(actor=personas["dave"], plan=plan)


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def _record_url(plan, item):
    return reverse("operations:spotcheck_record", args=[plan.pk, item.pk])


def test_a_drawn_inspector_finds_the_plan_and_records_a_result(plan, personas, erin):
    carol = personas["carol"]
    assert set(plan.inspectors.all()) == {carol, erin} and carol.role == Role.INSPECTOR
    assert Notification.objects.filter(user=carol, text__contains="市级双随机抽查").exists()
    client = _as(carol)
    home = client.get(reverse("core:home")).content.decode()
    assert "待记录2个对象的检查结果" in home and plan.get_absolute_url() in home
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "您是本次抽查抽中的督查人员" in page and 'name="result"' in page
    item = plan.items.first()
    response = client.post(_record_url(plan, item), {"result": "证照齐全，执业范围相符", "compliant": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.recorded_by == carol and item.compliant is True and item.result == "证照齐全，执业范围相符"
    row = AuditEvent.objects.get(action="update", target_type="operations.spotcheckitem")
    assert row.actor == carol and row.after["as"] == "drawn_inspector"
    assert "待记录1个对象的检查结果" in client.get(reverse("core:home")).content.decode()


def test_who_was_not_drawn_cannot_record(plan, personas, units, regions):
    item = plan.items.first()
    # The checked county's own inspector sees the plan (it is about her county), but was not drawn.
    alice = personas["alice"]
    assert _as(alice).get(plan.get_absolute_url()).status_code == 200
    assert 'name="result"' not in _as(alice).get(plan.get_absolute_url()).content.decode()
    # A 督查员 of the planning unit holds the role but was not drawn either.
    sup = make_user("citysup", units["city"], Role.SUPERVISOR, "褚明", "32050001009")
    wx = make_region("320200", "无锡市", Level.CITY, regions["province"])
    outsider_unit = Unit.objects.create(name="无锡市卫健委", kind=UnitKind.HEALTH_COMMISSION, region=wx)
    outsider = make_user("wxi", outsider_unit, Role.INSPECTOR, "无锡监督员", "32020001001")
    for user in (alice, sup, outsider, personas["dave"]):
        response = _as(user).post(_record_url(plan, item), {"result": "合格", "compliant": "1"})
        assert response.status_code == 404, user.username
        with pytest.raises(PermissionDenied):
            services.spotcheck_record(actor=user, item=item, result="合格", compliant=True)
    assert _as(outsider).get(plan.get_absolute_url()).status_code == 404
    item.refresh_from_db()
    assert item.recorded_at is None
    assert not AuditEvent.objects.filter(target_type="operations.spotcheckitem").exists()


def test_the_permission_ends_when_the_check_ends(plan, personas, erin):
    carol, dave = personas["carol"], personas["dave"]
    first, second = plan.items.all()
    services.spotcheck_record(actor=carol, item=first, result="合格", compliant=True)
    with pytest.raises(ValidationError, match="还有1个抽查对象未记录检查结果"):
        services.spotcheck_complete(actor=dave, plan=plan)
    with pytest.raises(PermissionDenied):
        services.spotcheck_complete(actor=carol, plan=plan)  # the drawn record; the organiser ends
    services.spotcheck_record(actor=erin, item=second, result="超范围执业", compliant=False)
    # The organising level is told on its home page what is left to do: end, then publish.
    assert "结果已全部记录，待结束检查" in _as(dave).get(reverse("core:home")).content.decode()
    services.spotcheck_complete(actor=dave, plan=plan)
    assert "已结束，待公开" in _as(dave).get(reverse("core:home")).content.decode()
    plan.refresh_from_db()
    assert plan.status == SpotCheckStatus.COMPLETED and plan.completed_at is not None
    response = _as(carol).post(_record_url(plan, first), {"result": "改为不合格", "compliant": "0"})
    assert response.status_code == 403 and "已结束" in response.content.decode()
    with pytest.raises(PermissionDenied, match="已结束"):
        services.spotcheck_record(actor=erin, item=second, result="改", compliant=True)
    first.refresh_from_db()
    assert first.result == "合格" and first.compliant is True
    page = _as(carol).get(plan.get_absolute_url()).content.decode()
    assert 'name="result"' not in page
    assert "督查抽查" not in _as(carol).get(reverse("core:home")).content.decode()


def test_recusal_excludes_officers_of_the_drawn_sites_cases(personas, regions, units, erin):
    """carol handled a case about the site that is this institution: she is never drawn for it."""
    carol, dave = personas["carol"], personas["dave"]
    make_user("xc3", units["xiangcheng"], Role.INSPECTOR, "顾三", "32050701003")
    clinic = _clinic(regions["village"], "金星诊所")
    site = Subject.objects.create(
        name="金星诊所",
        kind=SubjectKind.LICENSED,
        institution=clinic,
        address="某路",
        region=regions["village"],
    )
    case = make_case(region=regions["village"], proposer=personas["chief"], subject=site)
    case.officers.set([carol])
    for seed in range(8):
        plan = services.spotcheck_create(
            actor=dave, region=regions["wuzhong"], name="抽查", population=Population.INSTITUTIONS, seed=seed
        )
        plan = services.spotcheck_draw(actor=dave, plan=plan)
        assert plan.items.filter(institution=clinic).exists()
        assert carol not in plan.inspectors.all(), seed
        assert set(plan.inspectors.values_list("username", flat=True)) == {"erin", "xc3"}
    # Without carol only two remain: asking for three is refused and names the recusal.
    plan = services.spotcheck_create(
        actor=dave,
        region=regions["wuzhong"],
        name="抽查",
        population=Population.INSTITUTIONS,
        inspectors_count=3,
        seed=1,
    )
    with pytest.raises(ValidationError, match="办理过抽中对象案件的人员后只有2名"):
        services.spotcheck_draw(actor=dave, plan=plan)


def test_recusal_for_closed_cases_covers_every_case_of_the_site(personas, regions, units, erin):
    carol, dave = personas["carol"], personas["dave"]
    make_user("xc3", units["xiangcheng"], Role.INSPECTOR, "顾三", "32050701003")
    closed = make_case(region=regions["village"], proposer=personas["chief"], status=CaseStatus.CLOSED)
    earlier = make_case(region=regions["village"], proposer=personas["chief"], subject=closed.subject)
    earlier.officers.set([carol])  # not the drawn case itself, but the same site
    plan = services.spotcheck_create(
        actor=dave, region=regions["wuzhong"], name="案件抽查", population=Population.CLOSED_CASES, seed=3
    )
    plan = services.spotcheck_draw(actor=dave, plan=plan)
    assert list(plan.items.values_list("case_id", flat=True)) == [closed.pk]
    assert carol not in plan.inspectors.all() and plan.inspectors.count() == 2


def _finish(plan, personas, texts):
    for item, (text, ok) in zip(plan.items.order_by("pk"), texts, strict=True):
        services.spotcheck_record(actor=plan.inspectors.first(), item=item, result=text, compliant=ok)
    services.spotcheck_complete(actor=personas["dave"], plan=plan)


def test_public_pages_show_the_published_plan_and_redacted_results(plan, personas):
    _finish(
        plan,
        personas,
        [
            ("负责人王五在场，证照齐全", True),
            ("王五无法出示执业证书，联系电话13912345678，身份证320506198001011234", False),
        ],
    )
    public = Client()
    url = reverse("portal:spotcheck_detail", args=[plan.pk])
    # Ended but not yet published: nothing for the public.
    assert public.get(url).status_code == 404
    assert "市级双随机抽查" not in public.get(reverse("portal:spotcheck_list")).content.decode()
    chief = _as(personas["chief"])  # the checked county cannot publish the city's check
    assert chief.post(reverse("operations:spotcheck_action", args=[plan.pk, "publish"])).status_code == 404
    response = _as(personas["dave"]).post(reverse("operations:spotcheck_action", args=[plan.pk, "publish"]))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="transition", after__action="publish", actor=personas["dave"]
    ).exists()

    home = public.get(reverse("portal:home")).content.decode()
    assert reverse("portal:spotcheck_list") in home
    listing = public.get(reverse("portal:spotcheck_list")).content.decode()
    assert "市级双随机抽查" in listing and url in listing
    page = public.get(url).content.decode()
    for shown in (
        "市级双随机抽查",
        "苏州市卫生健康委员会",
        "吴中区",
        "100%",
        str(plan.seed),
        "2个",
        "金星诊所",
    ):
        assert shown in page, shown
    assert "王某在场" in page and "不合格" in page and "（略）" in page
    for hidden in ("王五", "13912345678", "320506198001011234", "陈可", "蒋宁"):
        assert hidden not in page, hidden


def test_public_case_items_name_a_citizen_party_by_surname(personas, regions, erin):
    case = make_case(
        region=regions["village"], proposer=personas["chief"], party_name="张三丰", status=CaseStatus.CLOSED
    )
    dave = personas["dave"]
    plan = services.spotcheck_create(
        actor=dave, region=regions["wuzhong"], name="结案抽查", population=Population.CLOSED_CASES, seed=5
    )
    plan = services.spotcheck_draw(actor=dave, plan=plan)
    _finish(plan, personas, [("卷宗齐全，张三丰已缴清罚款", True)])
    services.spotcheck_publish(actor=dave, plan=plan)
    page = Client().get(reverse("portal:spotcheck_detail", args=[plan.pk])).content.decode()
    assert case.number in page and "张某某" in page and "张三丰" not in page


def test_an_unpublished_plan_is_404_for_the_public(plan):
    assert Client().get(reverse("portal:spotcheck_detail", args=[plan.pk])).status_code == 404
    assert SpotCheckItem.objects.filter(plan=plan).exists()


def test_demo_has_a_published_check_and_one_waiting_for_the_drawn(regions, monkeypatch):
    from qingyuan.core.tests.factories import load_demo_world
    from qingyuan.operations.demo import load_demo_spotchecks
    from qingyuan.operations.models import SpotCheckPlan

    load_demo_world(regions, monkeypatch)
    published, drawn = load_demo_spotchecks()  # again: nothing new
    assert SpotCheckPlan.objects.count() == 2
    assert published.status == SpotCheckStatus.PUBLISHED and published.items.exists()
    assert not published.items.filter(recorded_at=None).exists()
    assert drawn.status == SpotCheckStatus.DRAWN and drawn.inspectors.count() == 2
    page = Client().get(reverse("portal:spotcheck_detail", args=[published.pk])).content.decode()
    assert published.name in page and "不合格" in page
