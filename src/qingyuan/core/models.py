"""Shared models: the append-only, hash-chained audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    REVEAL = "reveal", _("查看敏感信息")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    LOGOUT = "logout", _("退出")
    PASSWORD = "password", _("修改密码")
    TRANSITION = "transition", _("状态变更")
    VERIFY = "verify", _("校验")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除")


class AuditEvent(models.Model):
    """One change, login or reveal: who, when, what (before/after), from which request. Append-only."""

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region_code = models.CharField(_("区划"), max_length=12, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    ip = models.CharField(_("客户端地址"), max_length=64, blank=True)
    result = models.CharField(_("结果"), max_length=16, default="ok")
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)
    # "sha256": plain SHA-256, the rows written before the chain was keyed; "hmac-sha256"/"hmac-sm3":
    # keyed with QINGYUAN_AUDIT_KEY (core.audit). Each row verifies with the scheme it was written with.
    hash_scheme = models.CharField(_("哈希算法"), max_length=16, default="sha256")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")


class Sequence(models.Model):
    """Named counters for document numbers (lead numbers, case numbers per unit and year)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    value = models.PositiveBigIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self):
        return f"{self.name}={self.value}"


class Notification(models.Model):
    """A message to one user (new lead, re-routing, overdue item), shown on their home page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.text


class WorkdayOverride(models.Model):
    """A day whose status an administrator sets by hand; it wins over the packaged holiday calendar."""

    # The chinese-calendar package only knows the years up to its release; each year the State
    # Council publishes the next year's holidays and make-up working days (调休) in November, and an
    # administrator enters them here (and can correct a single day, e.g. a locally declared day off).
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(
        _("是否工作日"), default=False, help_text=_("勾选表示当天上班（如调休上班的周末），不勾选表示放假")
    )
    note = models.CharField(
        _("说明"),
        max_length=100,
        blank=True,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知 春节"),
    )

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                name="workday_override_unique_date",
                violation_error_message=_("该日期已有工作日调整记录"),
            )
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'}"


from .models_jobs import Job, JobStatus  # noqa: E402, F401  (the job model, kept in its own module)
from .models_schedule import ScheduledNotice, ScheduledRun  # noqa: E402, F401  (core.schedule's memory)
