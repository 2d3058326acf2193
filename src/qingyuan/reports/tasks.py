"""Scheduled jobs of reports (core.schedule)."""

from qingyuan.core.schedule import Report, scheduled

from . import reminders


@scheduled("reports.forms_due", "报表报送提醒（期限前若干个工作日、逾期未报各提醒一次）", "15 7 * * *")
def forms_due():
    told = reminders.forms_due_remind()
    return Report(count=told, summary=f"提醒填报人员 {told} 人次")


@scheduled(
    "reports.reviews_waiting", "报表待审核提醒（上报后若干个工作日未审核的提醒上级一次）", "20 7 * * *"
)
def reviews_waiting():
    told = reminders.reviews_waiting_remind()
    return Report(count=told, summary=f"提醒审核人员 {told} 人次")
