"""Scheduled jobs of the penalty-record exchange (core.schedule)."""

from django.conf import settings

from qingyuan.core.schedule import Report, scheduled

from . import export, importing


@scheduled("exchange.log_refresh", "处罚信息共享：把新作出、变更、撤销的处罚记录写入共享日志", "*/10 * * * *")
def log_refresh():
    if not settings.QINGYUAN_EXCHANGE_ENABLED:
        return Report(summary="未开启处罚信息共享")
    added = export.refresh_log()
    return Report(count=added, summary=f"新增共享记录版本 {added} 条")


@scheduled("exchange.log_full_scan", "处罚信息共享：全量核对共享日志（补漏）", "40 2 * * *")
def log_full_scan():
    if not settings.QINGYUAN_EXCHANGE_ENABLED:
        return Report(summary="未开启处罚信息共享")
    added = export.refresh_log(full=True)
    return Report(count=added, summary=f"全量核对新增共享记录版本 {added} 条")


@scheduled("exchange.pull", "处罚信息共享：拉取外地平台的处罚记录（逐页验签）", "25 * * * *")
def pull():
    if not settings.QINGYUAN_EXCHANGE_ENABLED:
        return Report(summary="未开启处罚信息共享")
    results = importing.pull_all()
    stored = sum(r["created"] + r["updated"] for _peer, r in results)
    failed = [peer.name for peer, r in results if r["error"]]
    summary = f"拉取 {len(results)} 个平台，保存记录 {stored} 条"
    if failed:
        summary += f"；失败：{'、'.join(failed)}"
    return Report(count=stored, summary=summary, alert=bool(failed))
