"""Scheduled jobs of leads (core.schedule)."""

from qingyuan.core.schedule import Report, scheduled

from . import services


@scheduled("leads.overdue_notify", "超期线索提醒（受理/办结/反馈期限已过，每个期限提醒一次）", "0 7 * * *")
def overdue_notify():
    announced = services.leads_overdue_notify()
    return Report(count=announced, summary=f"新提醒超期线索 {announced} 条")
