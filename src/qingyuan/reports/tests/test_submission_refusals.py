"""A refused 退回 keeps the reason the reviewer typed, with the refusal in Chinese next to the box."""

from django.urls import reverse

from qingyuan.reports.forms.base import Scope
from qingyuan.reports.models import SubmissionStatus
from qingyuan.reports.submissions import submission_submit

from .test_rollup import END, START, submit_all, world  # noqa: F401  (world is a fixture)


def test_refused_return_keeps_the_reason_next_to_the_error(world, regions, personas, login):  # noqa: F811
    made = submit_all(world, reviewer=personas["dave"])
    submission_submit(
        actor=personas["dave"], code="S003-A1", scope=Scope(regions["city"], START, END), rolled_up=True
    )
    county = made["wuzhong"]
    response = login("dave").post(
        reverse("reports:submission_return", args=[county.pk]), {"reason": "口腔类罚款金额请再核实"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    box = page[page.index('id="return-form"') :]
    box = box[: box.index("</form>")]
    assert "口腔类罚款金额请再核实" in box  # what was typed stays
    assert "已汇总进江苏省苏州市第1版报表" in box and "invalid-feedback" in box
    county.refresh_from_db()
    assert county.status == SubmissionStatus.ACCEPTED  # nothing half-done
