from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    gender = models.CharField(_("性别"), max_length=2, blank=True, choices=[("男", "男"), ("女", "女")])
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=True)

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

    def can(self, perm: str) -> bool:
        return has_perm(self, perm)

    @property
    def region(self):
        return self.unit.region if self.unit_id else None
