"""情况通报 between departments (seed 003: 双向咨询、情况通报、信息共享): one notice from a unit to
several, with a read receipt per receiving unit (who in that unit opened it first, and when)."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A notice is seen by the unit that sent it and the units it was sent to, nobody else:
        departments exchange it by address, not by region."""
        if user is None or not user.is_authenticated or not user.unit_id or not user.can("notices.view"):
            return self.none()
        return self.filter(
            models.Q(from_unit_id=user.unit_id) | models.Q(receipts__unit_id=user.unit_id)
        ).distinct()


class Notice(models.Model):
    from_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("通报单位"), on_delete=models.PROTECT, related_name="sent_notices"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("通报时间"), auto_now_add=True, db_index=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("情况通报")
        verbose_name_plural = _("情况通报")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("liaison:notice", args=[self.pk])


class NoticeReceipt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="notice_receipts"
    )
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("阅读人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通报回执")
        verbose_name_plural = _("通报回执")
        ordering = ["unit__region_id", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "unit"], name="notice_receipt_once_per_unit")
        ]

    def __str__(self):
        return f"{self.notice}：{self.unit}"


def attachment_path(instance, filename):
    # Generated names only: a typed file name may carry personal data or path tricks.
    return f"notices/{instance.notice_id}/{secrets.token_hex(16)}"


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("通报附件")
        verbose_name_plural = _("通报附件")

    def __str__(self):
        return self.original_name
