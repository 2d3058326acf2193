from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.reports.demo import load_demo_reports
from qingyuan.reports.models import Submission, SubmissionStatus


def test_demo_has_an_accepted_and_a_waiting_county_form(regions, units):
    make_user("wz_chief", units["wuzhong"], Role.CHIEF, "孙志强")
    make_user("xc_chief", units["xiangcheng"], Role.CHIEF, "蒋志远")
    make_user("city_leader", units["city"], Role.LEADER, "赵大伟")
    load_demo_reports()
    load_demo_reports()  # a second call adds nothing
    states = dict(Submission.objects.values_list("region_id", "status"))
    assert states == {"320506": SubmissionStatus.ACCEPTED, "320507": SubmissionStatus.SUBMITTED}
