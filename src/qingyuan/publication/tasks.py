"""Scheduled jobs of publication (core.schedule)."""

from qingyuan.core.schedule import Report, scheduled

from . import services


@scheduled("publication.prepare_missing", "为已送达但尚无公示条目的处罚决定生成公示条目", "20 6 * * *")
def prepare_missing():
    count = services.prepare_missing()
    return Report(count=count, summary=f"生成处罚决定公示条目 {count} 条")
