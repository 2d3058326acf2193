"""Form submissions on the one workflow mechanism: 上报 creates a version, 退回 and 审核通过 are steps of
the unit one level up; a refused step (wrong state, wrong unit, rolled into a live roll-up) changes
nothing and writes no audit row; a taken one writes one, and tells whom it concerns."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qingyuan.core.models import AuditEvent, Notification
from qingyuan.core.workflow import NEW, table
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.models import Submission, SubmissionStatus
from qingyuan.reports.submissions import (
    SUBMISSION_WORKFLOW,
    available,
    submission_accept,
    submission_return,
    submission_submit,
)

from . import factories as f

START, END = dt.date(2024, 1, 1), dt.date(2024, 6, 30)


@pytest.fixture
def sent(regions, personas):
    """吴中区's S003-A1 for the first half of 2024, sent up by its chief (nothing recorded: all zero)."""
    return submission_submit(
        actor=personas["chief"], code="S003-A1", scope=Scope(regions["wuzhong"], START, END)
    )


def _events(submission=None):
    rows = AuditEvent.objects.filter(target_type="reports.submission")
    return rows.filter(target_id=str(submission.pk)) if submission is not None else rows


def test_the_steps_are_declared_once(sent):
    rows = {row["action"]: row for row in table(SUBMISSION_WORKFLOW)}
    assert rows["submit"]["sources"] == [NEW] and rows["submit"]["target"] == "submitted"
    assert (
        rows["return"]["sources"] == ["accepted", "submitted"] and rows["return"]["perm"] == "reports.review"
    )
    assert rows["accept"]["sources"] == ["submitted"] and rows["accept"]["target"] == "accepted"


def test_accepting_writes_one_transition_row_filed_under_the_county(sent, personas):
    before = _events().count()
    submission_accept(actor=personas["dave"], submission=sent)
    assert _events().count() == before + 1
    row = _events(sent).order_by("-id").first()
    assert row.action == "transition" and row.region_code == "320506"
    assert row.after["action"] == "accept" and row.after["status"] == "accepted"
    assert row.before["status"] == "submitted"


def test_accepting_a_returned_form_is_refused_and_writes_nothing(sent, personas):
    submission_return(actor=personas["dave"], submission=sent, reason="请补充说明")
    before = _events().count()
    with pytest.raises(ValidationError, match="报表当前为“已退回”，不能执行“审核通过”"):
        submission_accept(actor=personas["dave"], submission=sent)
    assert _events().count() == before
    assert Submission.objects.get(pk=sent.pk).status == SubmissionStatus.RETURNED


def test_a_neighbouring_county_may_not_review_and_nothing_is_written(sent, units):
    neighbour = f.officer(units["xiangcheng"], "xc_chief")
    before = _events().count()
    for step in (
        lambda: submission_accept(actor=neighbour, submission=sent),
        lambda: submission_return(actor=neighbour, submission=sent, reason="不对"),
    ):
        with pytest.raises(PermissionDenied, match="由上一级单位审核"):
            step()
    assert _events().count() == before
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.SUBMITTED and sent.reviewed_by is None


def test_an_inspector_without_review_permission_is_refused(sent, personas):
    with pytest.raises(PermissionDenied, match="您没有“审核通过”的权限"):
        submission_accept(actor=personas["alice"], submission=sent)
    assert available(sent, personas["alice"]) == []


def test_submitting_for_another_county_is_refused_before_anything_is_written(regions, personas):
    with pytest.raises(PermissionDenied, match="只能由"):
        submission_submit(
            actor=personas["chief"], code="S003-A1", scope=Scope(regions["xiangcheng"], START, END)
        )
    assert not Submission.objects.exists() and not _events().exists()


def test_the_workflow_itself_refuses_a_submission_by_another_countys_unit(sent, regions, personas):
    # A caller going straight to the workflow (an import) meets the same rule as the service.
    stray = Submission(
        form_code="S003-A1",
        region=regions["xiangcheng"],
        period_start=START,
        period_end=END,
        unit=personas["chief"].unit,
        data=sent.data,
        submitted_by=personas["chief"],
        submitted_at=sent.submitted_at,
    )
    before = _events().count()
    with pytest.raises(PermissionDenied, match="只能由江苏省苏州市相城区的单位上报"):
        SUBMISSION_WORKFLOW.apply(stray, "submit", actor=personas["chief"])
    assert stray.pk is None and Submission.objects.count() == 1 and _events().count() == before


def test_a_second_live_version_is_refused_by_the_condition(sent, regions, personas):
    before = _events().count()
    with pytest.raises(ValidationError, match="已上报（第1版，已上报待审核），请勿重复上报"):
        submission_submit(
            actor=personas["chief"], code="S003-A1", scope=Scope(regions["wuzhong"], START, END)
        )
    assert Submission.objects.count() == 1 and _events().count() == before


def test_a_return_without_a_reason_writes_nothing(sent, personas):
    before = _events().count()
    with pytest.raises(ValidationError):
        submission_return(actor=personas["dave"], submission=sent, reason="")
    assert _events().count() == before


def test_pages_are_offered_the_steps_the_workflow_allows(sent, personas):
    assert available(sent, personas["dave"]) == ["accept", "return"]
    assert available(sent, personas["chief"]) == []  # never its own form
    accepted = submission_accept(actor=personas["dave"], submission=sent)
    assert available(accepted, personas["dave"]) == ["return"]
    returned = submission_return(actor=personas["dave"], submission=accepted, reason="漏报")
    assert available(returned, personas["dave"]) == []


def test_reviewers_are_told_of_a_submission_and_the_county_of_a_return(
    regions, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = submission_submit(
            actor=personas["chief"], code="S003-A1", scope=Scope(regions["wuzhong"], START, END)
        )
    told = Notification.objects.get(user=personas["dave"])
    assert "吴中区上报了S003-A1" in told.text and told.url == sent.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(actor=personas["dave"], submission=sent, reason="口腔类罚款金额请核实")
    back = Notification.objects.filter(user=personas["chief"]).get()
    assert "被退回：口腔类罚款金额请核实" in back.text


def test_a_refused_step_tells_nobody(sent, personas, django_capture_on_commit_callbacks):
    submission_accept(actor=personas["dave"], submission=sent)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        submission_accept(actor=personas["dave"], submission=sent)
    assert not Notification.objects.exists()


def test_the_history_lists_every_step_of_every_version(sent, regions, personas, login):
    submission_return(actor=personas["dave"], submission=sent, reason="请核实")
    second = submission_submit(
        actor=personas["chief"],
        code="S003-A1",
        scope=Scope(regions["wuzhong"], START, END),
        note="已核实",
    )
    submission_accept(actor=personas["dave"], submission=second)
    page = login("dave").get(second.get_absolute_url()).content.decode()
    history = page[page.index("上报第1版") :]
    assert history.index("退回（请核实）") < history.index("上报第2版") < history.index("审核通过")


def test_review_posted_by_the_submitting_county_is_refused_with_nothing_written(sent, login):
    chief = login("chief")  # reviews, but never its own county's form
    before = _events().count()
    for name in ("reports:submission_accept", "reports:submission_return"):
        response = chief.post(reverse(name, args=[sent.pk]), {"reason": "自己退回"})
        assert response.status_code == 403
    assert _events().count() == before
    assert Submission.objects.get(pk=sent.pk).status == SubmissionStatus.SUBMITTED
