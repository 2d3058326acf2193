"""Core's queue tasks: running a job (core.jobs) in a worker, and the platform's own scheduled jobs
(core.schedule): the queue's heartbeat, reaping stalled jobs and the nightly audit-chain check. The
apps declare their scheduled jobs in their own tasks.py."""

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


@scheduled("core.audit_verify", "校验审计日志哈希链", "0 3 * * *")
def audit_verify():
    """Nightly: walk the audit chain (manage.py audit_verify does the same by hand). A break is told
    to the audit and system administrators once per broken row and reason."""
    checked, broken, reason = audit.verify_chain()
    if broken is None:
        return Report(count=checked, summary=f"审计日志完好：共校验 {checked} 条")
    text = f"审计日志校验失败：第 {broken.pk} 条{reason}（此前 {checked} 条完好），请立即核查"
    notify_once(f"core.audit_verify:{broken.pk}:{reason}", holders("audit.view", "settings.manage"), text)
    return Report(count=checked, summary=text, alert=True)
