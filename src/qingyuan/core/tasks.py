"""Core's queue tasks: running a job (core.jobs) in a worker, and the platform's own scheduled jobs
(core.schedule): the queue's heartbeat, reaping stalled jobs, the audit chain's checkpoints and
its nightly check. The apps declare their scheduled jobs in their own tasks.py."""

from django.contrib.auth import get_user_model
from huey.contrib.djhuey import db_task, on_startup

from . import audit
from .schedule import Report, call_by_name, notify_once, scheduled


@db_task()
def run_job_task(pk: int) -> None:
    """One queued job (core.jobs.job_enqueue), run by whichever worker takes it."""
    from .jobs import run_job

    run_job(pk)


@on_startup()
def heartbeat_at_start():
    """A worker that starts beats at once, so /health/ sees the queue without waiting for the minute."""
    call_by_name("qingyuan.core.health.heartbeat")


@scheduled("core.heartbeat", "任务队列心跳（供健康检查判断队列是否运行）", "* * * * *")
def heartbeat():
    return call_by_name("qingyuan.core.health.heartbeat")


@scheduled("core.jobs_reap", "回收停滞的后台任务（工作进程中断后重试或标记失败）", "* * * * *")
def jobs_reap():
    counts = call_by_name("qingyuan.core.jobs.jobs_reap")
    summary = "重试 {retried} 个，重新排队 {requeued} 个，标记失败 {failed} 个".format(**counts)
    return Report(count=sum(counts.values()), summary=summary)


def holders(*perms) -> list:
    """Active users whose role grants any of `perms`. The roles are accounts' (a domain app core does
    not import), so the user model answers; called only when there is something to report."""
    users = get_user_model().objects.filter(is_active=True).select_related("unit__region")
    return [u for u in users if any(u.can(p) for p in perms)]


def _tell_break(broken) -> str:
    """A break is told to the audit and system administrators once per row and reason."""
    text = f"审计日志校验失败：{broken}，请立即核查"
    notify_once(
        f"core.audit_verify:{broken.pk}:{broken.reason}", holders("audit.view", "settings.manage"), text
    )
    return text


@scheduled("core.audit_verify", "校验审计日志哈希链", "0 3 * * *")
def audit_verify():
    """Nightly: walk the audit chain and compare it with every checkpoint, then anchor its head
    (manage.py audit_verify does the same by hand)."""
    checked, broken, _reason = audit.verify_and_anchor()
    if broken is None:
        return Report(count=checked, summary=f"审计日志完好：共校验 {checked} 条")
    return Report(count=checked, summary=_tell_break(broken), alert=True)


@scheduled("core.audit_checkpoint", "审计日志检查点（链头签名写入库外文件，防截断）", "*/10 * * * *")
def audit_checkpoint():
    """Every ten minutes: verify the rows written since the last checkpoint and anchor the new head
    outside the database, so rows deleted from the end of the chain later are noticed. Nothing is
    written when no row was added."""
    point, broken = audit.checkpoint()
    if broken is not None:
        return Report(summary=_tell_break(broken), alert=True)
    if point is None:
        return Report(summary="审计日志无新记录，检查点不变")
    return Report(count=1, summary=f"检查点：第 {point['id']} 条，共 {point['count']} 条")
