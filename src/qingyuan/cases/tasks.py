"""Scheduled jobs of cases (core.schedule)."""

from qingyuan.core.schedule import Report, scheduled

from . import rechecks, services


@scheduled("cases.overdue_notify", "超期案件提醒（立案、办案、缴款期限已过，每个期限提醒一次）", "5 7 * * *")
def overdue_notify():
    # First the stored 办案期限 of every running clock, so a corrected time limit counts today.
    refreshed = services.cases_refresh_decide_due()
    announced = services.cases_overdue_notify()
    return Report(count=announced, summary=f"新提醒超期案件 {announced} 件；更新办案期限 {refreshed} 件")


@scheduled(
    "cases.rechecks_remind",
    f"复查、回头看提醒（{rechecks.REMIND_DAYS}日内到期和已超期的）",
    "10 7 * * *",
)
def rechecks_remind():
    sent = rechecks.rechecks_remind()
    return Report(count=sent, summary=f"发送复查提醒 {sent} 条")
