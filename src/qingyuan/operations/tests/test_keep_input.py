"""A refused action on the operation and spot-check pages comes back (200) with what was typed or
ticked and the reason beside the field, in Chinese; nothing is saved."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent
from qingyuan.operations import services
from qingyuan.operations.models import Population

from .conftest import make_site


@pytest.fixture
def operation(personas):
    return services.operation_create(
        actor=personas["dave"],
        name="联动执法行动",
        nomination_deadline=dt.date.today() + dt.timedelta(days=10),
        periods=[(dt.date.today() + dt.timedelta(days=20), dt.date.today() + dt.timedelta(days=26))],
    )


def test_a_bad_new_deadline_keeps_what_was_typed(login, operation):
    before = operation.nomination_deadline
    response = login("dave").post(
        reverse("operations:action", args=[operation.pk, "reopen"]), {"deadline": "2026-13-45"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'value="2026-13-45"' in page
    assert "有效的日期" in page  # Django's own message, in Chinese
    operation.refresh_from_db()
    assert operation.nomination_deadline == before


def test_targets_with_nothing_ticked_stay_on_the_page_with_the_message(login, regions, operation):
    make_site(regions["village"], "金星村黑诊所")
    response = login("dave").post(reverse("operations:action", args=[operation.pk, "targets"]), {})
    page = response.content.decode()
    assert response.status_code == 200 and "请勾选要列入的点位" in page and 'id="targets-form"' in page
    assert not operation.targets.exists()


def test_an_empty_evaluation_keeps_the_form(login, operation):
    dave = login("dave")
    events = AuditEvent.objects.count()
    response = dave.post(reverse("operations:action", args=[operation.pk, "evaluate"]), {"text": ""})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="evaluation-form"' in page and "必填" in page
    assert not operation.evaluations.exists() and AuditEvent.objects.count() == events


def test_a_spot_check_result_without_text_keeps_the_chosen_conclusion(personas, units, regions):
    from qingyuan.registry.models import Institution

    Institution.objects.create(
        name="甲诊所", category="clinic", licence_no="L1", address="某路", region=regions["village"]
    )
    for i in range(2):  # the pool the inspectors are drawn from
        make_user(f"s{i}", units["city"], Role.SUPERVISOR, f"督查员{i}", f"320500010{i}")
    plan = services.spotcheck_create(
        actor=personas["dave"],
        region=regions["wuzhong"],
        name="市级抽查",
        population=Population.INSTITUTIONS,
        seed=1,
    )
    services.spotcheck_draw(actor=personas["dave"], plan=plan)
    item = plan.items.get()
    client = Client()
    client.force_login(plan.inspectors.first())  # permission follows the draw
    response = client.post(
        reverse("operations:spotcheck_record", args=[plan.pk, item.pk]), {"result": "  ", "compliant": "0"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="refused-result"' in page
    assert '<option value="0" selected>不合格</option>' in page and "必填" in page
    item.refresh_from_db()
    assert item.recorded_at is None
