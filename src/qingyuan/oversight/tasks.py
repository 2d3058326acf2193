"""Scheduled jobs of oversight (core.schedule)."""

from qingyuan.core.schedule import Report, scheduled

from . import reminders


@scheduled("oversight.overdue_notify", "挂牌督办、督导整改逾期提醒（每个期限提醒一次）", "25 7 * * *")
def overdue_notify():
    announced = reminders.overdue_notify()
    return Report(count=announced, summary=f"新提醒逾期的挂牌督办和整改事项 {announced} 项")
