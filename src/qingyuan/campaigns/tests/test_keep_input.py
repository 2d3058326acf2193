"""A refused phase, duty or completion comes back (200) with what was typed and the reason beside the
field, in Chinese; nothing is saved."""

from qingyuan.campaigns.models import Duty, Phase, PhaseKind


def test_a_phase_outside_the_campaign_keeps_the_input(login, county_plan):
    phases = Phase.objects.filter(campaign=county_plan).count()
    response = login("chief").post(
        f"{county_plan.get_absolute_url()}phases/new/",
        {"kind": PhaseKind.SWEEP, "starts_on": "2024-05-01", "ends_on": "2024-12-31", "note": "逐村排查"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "阶段须在专项行动期间内" in page
    assert 'value="2024-12-31"' in page and 'value="逐村排查"' in page
    assert Phase.objects.filter(campaign=county_plan).count() == phases


def test_a_duty_with_a_bad_date_keeps_the_task(login, county_plan, personas):
    response = login("chief").post(
        f"{county_plan.get_absolute_url()}duties/new/",
        {"unit": personas["chief"].unit_id, "task": "组织专项检查", "due_on": "2024-02-30"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "组织专项检查" in page and "有效的日期" in page
    assert not Duty.objects.filter(campaign=county_plan).exists()


def test_a_completion_without_a_note_keeps_the_date(login, county_plan, personas):
    from qingyuan.campaigns import services

    from .conftest import d

    duty = services.duty_add(
        actor=personas["chief"],
        campaign=county_plan,
        unit=personas["chief"].unit,
        task="排查",
        due_on=d(5, 1),
    )
    response = login("chief").post(
        f"/campaigns/duties/{duty.pk}/complete/", {"completed_on": "2024-04-20", "note": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'value="2024-04-20"' in page and "必填" in page
    duty.refresh_from_db()
    assert duty.completed_on is None
