"""Typical cases (典型案例) published on the public site: a redacted text built from a decided case,
reviewed by someone other than the proposer, then published and, when needed, withdrawn."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingyuan.core.scoping import ScopedQuerySet


class PublishedStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    REVIEWED = "reviewed", _("已审核")
    PUBLISHED = "published", _("已公布")
    WITHDRAWN = "withdrawn", _("已撤回")


class PublishedCaseQuerySet(ScopedQuerySet):
    """Officers see the typical cases of their jurisdiction's cases; the public only `published()`."""

    region_lookup = "case__region__code"

    def published(self):
        return self.filter(status=PublishedStatus.PUBLISHED)


class PublishedCase(models.Model):
    """A case marked typical: the text the public sees (never the case's own fields)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="published_case"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), help_text=_("经脱敏的公开文本"))
    # The county, for the public list; the case's own region can be a village, too precise to publish.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PublishedStatus.choices,
        default=PublishedStatus.DRAFT,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = PublishedCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-published_at", "-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("proposed_by")),
                name="published_case_reviewer_not_proposer",
                violation_error_message=_("审核人不能是提出人"),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False, reviewed_by__isnull=False),
                name="published_case_published_is_reviewed",
                violation_error_message=_("典型案例须经审核后才能公布"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:typical_detail", args=[self.pk])

    def get_public_url(self):
        return reverse("portal:public_case", args=[self.pk])
