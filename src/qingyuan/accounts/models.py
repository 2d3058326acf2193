from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyuan.core.crypto import EncryptedTextField, mask_phone, phone_index
from qingyuan.core.scoping import ScopedQuerySet

from .roles import Role, has_perm


class UserQuerySet(ScopedQuerySet):
    region_lookup = "unit__region__code"


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """An officer's own account (no shared accounts), in one unit, with one role."""

    full_name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.INSPECTOR)
    credential_no = models.CharField(
        _("执法证号"), max_length=32, blank=True, help_text=_("监督员必填：卫生健康行政执法证件号")
    )
    # Encrypted at rest like every phone number (SECURITY.md); the index finds an account by number.
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    gender = models.CharField(_("性别"), max_length=2, blank=True, choices=[("男", "男"), ("女", "女")])
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=True)
    # Where a new notification is also sent (core.notifications), each the user's own choice.
    notify_by_email = models.BooleanField(_("通知同时发送电子邮件"), default=False)
    notify_by_sms = models.BooleanField(_("通知同时发送短信"), default=False)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["unit_id", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="inspector") | ~models.Q(credential_no=""),
                name="inspector_has_credential",
                violation_error_message=_("监督员必须填写执法证号"),
            )
        ]

    def __str__(self):
        return f"{self.full_name or self.username}（{self.username}）"

    def get_absolute_url(self):
        return reverse("accounts:user_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.phone_index = phone_index(self.phone or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_index"}
        super().save(*args, **kwargs)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")

    def can(self, perm: str) -> bool:
        return has_perm(self, perm)

    @property
    def region(self):
        return self.unit.region if self.unit_id else None


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class UserChangeRequest(models.Model):
    """A change of an administrator account, proposed by one administrator and put into effect only
    when an administrator of the other role approves it (三员分立, SECURITY.md)."""

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="change_requests"
    )
    # Field name -> value (foreign keys as primary keys), and the values they replace: approval is
    # refused if the account changed meanwhile, so nobody approves something other than what they saw.
    changes = models.JSONField(_("变更内容"))
    previous = models.JSONField(_("变更前"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("管理员账号变更申请")
        verbose_name_plural = _("管理员账号变更申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_change_per_user",
                violation_error_message=_("该账号已有待审批的变更"),
            )
        ]

    def __str__(self):
        return f"{self.user} 的变更申请（{self.get_status_display()}）"
