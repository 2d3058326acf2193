"""指定管辖 is real jurisdiction: from the designation date the designated county opens cases,
inspects, re-inspects and counts the site in its forms; the county of the address reads what it did
but adds nothing new; a third county sees nothing; grants are listed and revoked by the city only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qingyuan.accounts.roles import Role
from qingyuan.cases import rechecks
from qingyuan.cases import services as case_services
from qingyuan.cases.models import CaseStatus, PartyKind, Recheck, RecheckKind, RecheckResult
from qingyuan.cases.tests.test_followup_data import decide, make_case
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent, Notification
from qingyuan.inspections import services as inspection_services
from qingyuan.inspections.models import Inspection
from qingyuan.operations import access, grants, services
from qingyuan.operations.models import AccessGrant, GrantReason
from qingyuan.reports.forms import get_form
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.forms.s001 import S001A2
from qingyuan.reports.forms.s003a2 import S003A2

from .conftest import make_site

TODAY = timezone.localdate()
DESIGNATED_ON = TODAY - dt.timedelta(days=40)
BEFORE = DESIGNATED_ON - dt.timedelta(days=20)


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def world(city, regions, units, personas):
    """A border site in 吴中区 that 吴中区 inspected and banned before the city designated 相城区."""
    site = make_site(regions["village"], "木渎黄埭交界黑诊所", border=True)
    site.found_on = BEFORE - dt.timedelta(days=5)
    site.save()
    old_inspection = inspection_services.inspection_record(
        actor=personas["alice"],
        subject=site,
        kind="overt",
        started_at=_at(BEFORE),
        officers=[personas["alice"], personas["bob"]],
        outcome="violation",
    )
    old_case = make_case(
        region=regions["village"],
        proposer=personas["alice"],
        subject=site,
        offence_date=BEFORE,
        status=CaseStatus.DECIDED,
    )
    decision = decide(
        old_case, BEFORE + dt.timedelta(days=5), by=personas["chief"], status=CaseStatus.DECIDED
    )
    old_recheck = rechecks.schedule_after_decision(actor=personas["chief"], decision=decision)
    dispute = services.dispute_raise(
        actor=personas["chief"],
        subject=site,
        counties=[regions["wuzhong"], regions["xiangcheng"]],
        reason="两区均认为不属本辖区",
        raised_on=DESIGNATED_ON - dt.timedelta(days=3),
    )
    services.dispute_resolve(
        actor=personas["dave"],
        dispute=dispute,
        unit=units["xiangcheng"],
        decision="指定相城区管辖",
        designated=True,
        decided_on=DESIGNATED_ON,
    )
    return {
        "site": site,
        "old_inspection": old_inspection,
        "old_case": old_case,
        "old_recheck": old_recheck,
        "dispute": dispute,
        "grant": dispute.grants.get(),
        "xchief": city["chiefs"]["320507"],
        "erin": city["inspectors"]["320507"][1],
        "third": city["chiefs"]["320505"],
    }


def _propose(actor, site, officers):
    return case_services.case_propose(
        actor=actor,
        subject=site,
        source="direct",
        title="未取得医疗机构执业许可证擅自执业案",
        party_kind=PartyKind.CITIZEN,
        party_name="黄某",
        offence_date=TODAY - dt.timedelta(days=3),
        offence_codes=["ZY-01"],
        illegal_income=Decimal("1000"),
        officers=officers,
    )


def _client(client, user):
    client.force_login(user)
    return client


# --- the designated county acts ------------------------------------------------------------------


def test_designated_county_opens_a_case_counted_in_its_region(world, regions, personas):
    case = _propose(personas["carol"], world["site"], [personas["carol"], world["erin"]])
    assert case.region == regions["xiangcheng"]
    assert case.unit == personas["carol"].unit


def test_designated_county_opens_the_case_page_from_the_site(world, client, personas):
    c = _client(client, world["xchief"])
    page = c.get(reverse("subjects:detail", args=[world["site"].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert f"本对象自{DESIGNATED_ON:%Y年%-m月%-d日}起由相城区卫生监督所指定管辖" in text
    assert 'id="propose-case"' in text
    form = c.get(reverse("cases:create") + f"?subject={world['site'].pk}")
    assert form.status_code == 200 and "提请立案" in form.content.decode()


def test_designated_county_records_an_inspection_in_its_region(world, regions, personas):
    inspection = inspection_services.inspection_record(
        actor=personas["carol"],
        subject=world["site"],
        kind="overt",
        started_at=timezone.now() - dt.timedelta(hours=2),
        officers=[personas["carol"], world["erin"]],
    )
    assert inspection.region == regions["xiangcheng"]


def test_designated_county_completes_the_recheck_which_moves_to_it(world, regions, personas):
    inspection = inspection_services.inspection_record(
        actor=personas["carol"],
        subject=world["site"],
        kind="recheck",
        started_at=timezone.now() - dt.timedelta(hours=2),
        officers=[personas["carol"], world["erin"]],
    )
    recheck = rechecks.recheck_complete(
        actor=personas["carol"],
        recheck=world["old_recheck"],
        inspection=inspection,
        result=RecheckResult.CLEAN,
    )
    assert recheck.region == regions["xiangcheng"]
    # Scheduled before the designation, it was 吴中区's; done after it, 相城区's.
    assert Recheck.objects.visible_to(personas["carol"]).filter(pk=recheck.pk).exists()


def test_a_ban_by_the_designated_county_schedules_its_recheck(world, regions, personas):
    case = _propose(personas["carol"], world["site"], [personas["carol"], world["erin"]])
    case = case_services.case_approve_open(actor=world["xchief"], case=case, opened_on=TODAY)
    decision = decide(case, TODAY, by=world["xchief"], status=CaseStatus.DECIDED)
    recheck = rechecks.schedule_after_decision(actor=world["xchief"], decision=decision)
    assert recheck.region == regions["xiangcheng"]
    assert world["old_recheck"].region == regions["village"]


# --- the county of the address: reads, no longer writes ------------------------------------------


def test_address_county_is_refused_a_new_case_naming_the_designated_unit(world, personas):
    with pytest.raises(PermissionDenied) as refused:
        _propose(personas["alice"], world["site"], [personas["alice"], personas["bob"]])
    message = str(refused.value)
    assert "相城区卫生监督所" in message and f"{DESIGNATED_ON:%Y年%m月%d日}" in message


def test_address_county_case_form_shows_the_refusal_and_keeps_the_input(world, client, personas):
    c = _client(client, personas["alice"])
    page = c.post(
        reverse("cases:create"),
        {
            "subject": world["site"].pk,
            "source": "direct",
            "title": "吴中区想要立的案",
            "party_kind": PartyKind.CITIZEN,
            "party_name": "黄某",
            "offence_date": (TODAY - dt.timedelta(days=3)).isoformat(),
            "offence_codes": ["ZY-01"],
            "illegal_income": "0",
            "officers": [personas["alice"].pk, personas["bob"].pk],
        },
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "指定管辖" in text and "吴中区想要立的案" in text


def test_address_county_is_refused_an_inspection_and_a_recheck(world, personas):
    with pytest.raises(PermissionDenied, match="相城区卫生监督所"):
        inspection_services.inspection_record(
            actor=personas["alice"],
            subject=world["site"],
            kind="overt",
            started_at=timezone.now() - dt.timedelta(hours=1),
            officers=[personas["alice"], personas["bob"]],
        )
    assert not Inspection.objects.filter(recorded_by=personas["alice"], started_at__date=TODAY).exists()
    today_visit = Inspection.objects.create(
        kind="recheck",
        started_at=timezone.now() - dt.timedelta(hours=1),
        subject=world["site"],
        region=world["site"].region,
        unit=personas["alice"].unit,
        outcome="no_violation",
        recorded_by=personas["alice"],
    )
    with pytest.raises(PermissionDenied, match="指定管辖"):
        rechecks.recheck_complete(
            actor=personas["alice"],
            recheck=world["old_recheck"],
            inspection=today_visit,
            result=RecheckResult.CLEAN,
        )
    world["old_recheck"].refresh_from_db()
    assert world["old_recheck"].result == RecheckResult.PENDING


def test_address_county_still_reads_what_it_did(world, client, personas):
    c = _client(client, personas["alice"])
    site_page = c.get(reverse("subjects:detail", args=[world["site"].pk]))
    text = site_page.content.decode()
    assert site_page.status_code == 200
    assert "指定管辖" in text and "不能再为其立案、检查或复查" in text
    assert 'id="propose-case"' not in text
    assert c.get(world["old_case"].get_absolute_url()).status_code == 200
    assert c.get(world["old_inspection"].get_absolute_url()).status_code == 200


def test_address_county_does_not_see_the_designated_countys_new_case(world, client, personas):
    case = _propose(personas["carol"], world["site"], [personas["carol"], world["erin"]])
    assert _client(client, personas["alice"]).get(case.get_absolute_url()).status_code == 404


def test_the_city_may_still_act_on_the_site(world, personas):
    assert access.require_may_act(personas["dave"], world["site"]) is None


def test_an_inspection_dated_before_the_designation_stays_the_address_countys(world, regions, personas):
    # A visit made before the designation is 吴中区's work, recorded late: allowed, counted there.
    late = inspection_services.inspection_record(
        actor=personas["alice"],
        subject=world["site"],
        kind="overt",
        started_at=_at(DESIGNATED_ON - dt.timedelta(days=2)),
        officers=[personas["alice"], personas["bob"]],
    )
    assert late.region == regions["village"]


# --- a third county ------------------------------------------------------------------------------


def test_a_third_county_gets_404_on_the_site_the_cases_and_the_grant(world, client, personas):
    case = _propose(personas["carol"], world["site"], [personas["carol"], world["erin"]])
    c = _client(client, world["third"])
    assert c.get(reverse("subjects:detail", args=[world["site"].pk])).status_code == 404
    assert c.get(case.get_absolute_url()).status_code == 404
    assert c.get(world["old_case"].get_absolute_url()).status_code == 404
    assert c.get(reverse("cases:create") + f"?subject={world['site'].pk}").status_code == 404
    assert c.get(reverse("operations:grant_detail", args=[world["grant"].pk])).status_code == 404
    assert "木渎黄埭交界黑诊所" not in c.get(reverse("operations:grant_list")).content.decode()


# --- forms count by the region responsible on the event's date -----------------------------------


def test_forms_count_the_designated_countys_work_in_its_figures(world, regions, personas):
    site = world["site"]
    case = _propose(personas["carol"], site, [personas["carol"], world["erin"]])
    case = case_services.case_approve_open(actor=world["xchief"], case=case, opened_on=TODAY)
    decide(case, TODAY, by=world["xchief"], status=CaseStatus.DECIDED)
    visit = inspection_services.inspection_record(
        actor=personas["carol"],
        subject=site,
        kind="recheck",
        started_at=timezone.now() - dt.timedelta(hours=2),
        officers=[personas["carol"], world["erin"]],
    )
    lookback_item = Recheck.objects.create(
        kind=RecheckKind.LOOKBACK, case=world["old_case"], subject=site, due_on=TODAY
    )
    assert lookback_item.region == regions["xiangcheng"]  # due while designated
    rechecks.recheck_complete(
        actor=personas["carol"], recheck=lookback_item, inspection=visit, result=RecheckResult.REOFFENDED
    )

    def figures(region):
        scope = Scope(region, DESIGNATED_ON, TODAY)
        a1 = get_form("S003-A1").compute(scope).table("main").cells["total"]
        return {
            "inspections": a1["inspections"],
            "bans": a1["ban_count"],
            "reoffended": S003A2().findings(scope).count(),
            "sites": S001A2().sites(scope).count(),
        }

    assert figures(regions["xiangcheng"]) == {"inspections": 1, "bans": 1, "reoffended": 1, "sites": 1}
    assert figures(regions["wuzhong"]) == {"inspections": 0, "bans": 0, "reoffended": 0, "sites": 0}
    # Before the designation the site and 吴中区's ban were 吴中区's, and stay so in that period's forms.
    before = Scope(regions["wuzhong"], BEFORE - dt.timedelta(days=10), DESIGNATED_ON - dt.timedelta(days=1))
    assert S001A2().sites(before).count() == 1
    assert get_form("S003-A1").compute(before).table("main").cells["total"]["ban_count"] == 1
    assert get_form("S003-A1").compute(before).table("main").cells["total"]["inspections"] == 1


def test_a_revoked_designation_still_counts_the_time_it_was_in_force(world, regions, personas):
    grants.grant_revoke(actor=personas["dave"], grant=world["grant"], reason="争议已由上级重新决定")
    past = Scope(regions["xiangcheng"], DESIGNATED_ON, TODAY - dt.timedelta(days=1))
    assert S001A2().sites(past).count() == 1
    assert S001A2().sites(Scope(regions["wuzhong"], TODAY, TODAY)).count() == 1
    assert access.responsible_region(world["site"]) == world["site"].region


# --- grants listed, revoked by the granting level only -------------------------------------------


def test_grant_list_shows_the_designation_to_both_counties_and_the_city(world, client, personas):
    for user in (world["xchief"], personas["chief"], personas["dave"]):
        client.force_login(user)
        text = client.get(reverse("operations:grant_list")).content.decode()
        assert "木渎黄埭交界黑诊所" in text and "指定管辖" in text and "生效中" in text
    client.force_login(personas["chief"])
    detail = client.get(reverse("operations:grant_detail", args=[world["grant"].pk])).content.decode()
    assert "撤销授权" not in detail  # a county may not revoke: no form offered


def test_the_grant_list_is_reachable_from_operations_and_the_dispute(world, client, personas):
    c = _client(client, world["xchief"])
    url = reverse("operations:grant_list")
    assert url in c.get(reverse("operations:list")).content.decode()
    dispute_page = c.get(reverse("operations:dispute_detail", args=[world["dispute"].pk])).content.decode()
    assert reverse("operations:grant_detail", args=[world["grant"].pk]) in dispute_page


def test_a_county_may_not_revoke(world, client, units, personas):
    county_leader = make_user("wzleader", units["wuzhong"], Role.LEADER, "吴中区领导")
    with pytest.raises(PermissionDenied):
        grants.grant_revoke(actor=county_leader, grant=world["grant"], reason="本区要收回")
    with pytest.raises(PermissionDenied):
        grants.grant_revoke(actor=world["xchief"], grant=world["grant"], reason="不想管了")
    c = _client(client, county_leader)
    answer = c.post(reverse("operations:grant_revoke", args=[world["grant"].pk]), {"reason": "本区要收回"})
    assert answer.status_code == 403
    world["grant"].refresh_from_db()
    assert world["grant"].revoked_at is None
    assert access.granted(personas["carol"], world["site"])


def test_revoking_needs_a_reason(world, client, personas):
    c = _client(client, personas["dave"])
    page = c.post(reverse("operations:grant_revoke", args=[world["grant"].pk]), {"reason": "  "})
    assert page.status_code == 400 and "请填写撤销理由" in page.content.decode()
    with pytest.raises(ValidationError):
        grants.grant_revoke(actor=personas["dave"], grant=world["grant"], reason="")
    world["grant"].refresh_from_db()
    assert world["grant"].revoked_at is None


def test_the_city_revokes_audited_and_the_holder_told(
    world, client, personas, django_capture_on_commit_callbacks
):
    c = _client(client, personas["dave"])
    detail = c.get(reverse("operations:grant_detail", args=[world["grant"].pk])).content.decode()
    assert "撤销授权" in detail
    with django_capture_on_commit_callbacks(execute=True):
        answer = c.post(
            reverse("operations:grant_revoke", args=[world["grant"].pk]), {"reason": "争议已由上级重新决定"}
        )
    assert answer.status_code == 302
    grant = AccessGrant.objects.get(pk=world["grant"].pk)
    assert grant.revoked_by == personas["dave"] and grant.revoked_at is not None
    row = AuditEvent.objects.filter(target_type="operations.accessgrant", target_id=str(grant.pk)).latest(
        "at"
    )
    assert row.after["reason"] == "争议已由上级重新决定" and row.actor == personas["dave"]
    assert Notification.objects.filter(user=personas["carol"], text__contains="争议已由上级重新决定").exists()
    shown = c.get(reverse("operations:grant_detail", args=[grant.pk])).content.decode()
    assert "已撤销" in shown and "争议已由上级重新决定" in shown
    # The designated county loses the site; the address county acts on it again.
    assert not access.granted(personas["carol"], world["site"])
    client.force_login(personas["carol"])
    assert client.get(reverse("subjects:detail", args=[world["site"].pk])).status_code == 404
    assert access.require_may_act(personas["alice"], world["site"]) is None
    with pytest.raises(ValidationError, match="撤销"):
        grants.grant_revoke(actor=personas["dave"], grant=grant, reason="再撤一次")


def test_joint_operation_grants_keep_their_inspection_access(world, regions, personas):
    other_site = make_site(regions["village"], "金星村另一处黑诊所")
    for officer in (personas["carol"], world["erin"]):
        AccessGrant.objects.create(
            user=officer,
            subject=other_site,
            starts_at=timezone.now() - dt.timedelta(days=1),
            ends_at=timezone.now() + dt.timedelta(days=3),
            reason=GrantReason.JOINT_OPERATION,
            granted_by=personas["dave"],
        )
    visit = inspection_services.inspection_record(
        actor=personas["carol"],
        subject=other_site,
        kind="overt",
        started_at=timezone.now() - dt.timedelta(hours=1),
        officers=[personas["carol"], world["erin"]],
    )
    # No designation: the visit counts where the site is, as before.
    assert visit.region == regions["village"]


def test_demo_designation_is_loaded_once(city, regions, personas):
    from qingyuan.operations.demo import load_demo_designation

    site = make_site(regions["village"], "演示交界点位", border=True)
    names = {"leader_username": "dave", "chief_username": "chief", "designated_username": "xchief"}
    dispute = load_demo_designation(**names)
    assert dispute.subject == site and dispute.grants.get().unit == city["units"]["320507"]
    assert load_demo_designation(**names) == dispute
    assert access.responsible_region(site) == regions["xiangcheng"]
