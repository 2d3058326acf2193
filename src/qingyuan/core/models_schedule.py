"""What the schedule (core.schedule) remembers: each run of a scheduled job, and the reminders the
jobs already sent, so that a job run twice the same day tells nobody twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunOutcome(models.TextChoices):
    RUNNING = "running", _("运行中")
    OK = "ok", _("完成")
    ALERT = "alert", _("发现问题")
    FAILED = "failed", _("出错")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("定时")
    MANUAL = "manual", _("手动")


class ScheduledRun(models.Model):
    """One run of a scheduled job: when it started and ended, how it ended, what it did."""

    name = models.CharField(_("任务"), max_length=100)
    trigger = models.CharField(
        _("触发方式"), max_length=16, choices=RunTrigger.choices, default=RunTrigger.SCHEDULE
    )
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=16, choices=RunOutcome.choices, default=RunOutcome.RUNNING
    )
    count = models.PositiveIntegerField(_("处理数"), default=0)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("定时任务运行记录")
        verbose_name_plural = _("定时任务运行记录")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["name", "-started_at"], name="scheduled_run_latest")]

    def __str__(self):
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class ScheduledNotice(models.Model):
    """A reminder a scheduled job has sent; its key names what it was about (a form, a deadline, a
    broken file), and the unique key is what keeps a second run from sending it again."""

    key = models.CharField(_("提醒标识"), max_length=200)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("定时提醒记录")
        verbose_name_plural = _("定时提醒记录")
        constraints = [models.UniqueConstraint(fields=["key"], name="scheduled_notice_once")]

    def __str__(self):
        return self.key
