"""Guidance pages for the public, one per region and topic, and every version ever published.

A page holds the draft its editors work on; publishing copies the draft into a new GuideVersion,
which is what the public reads. The versions are never edited, so the history shows what the
public was told, by whom and since when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingyuan.core.scoping import ScopedQuerySet


class Topic(models.TextChoices):
    """The topics in the order the public index lists them (seed 004: 告知辨识方法和投诉举报途径)."""

    BLACK_CLINIC = "black-clinic", _("如何识别黑诊所")
    ITINERANT = "itinerant", _("如何识别游医")
    AESTHETIC = "aesthetic", _("如何识别非法医疗美容")
    FAKE_TCM = "fake-tcm", _("如何识别假中医、假养生")
    NON_PHYSICIAN = "non-physician", _("如何识别非医师行医")
    LICENCE_LENDING = "licence-lending", _("出租、出借执业许可证")
    HOW_TO_REPORT = "how-to-report", _("怎样举报")
    REWARDS = "rewards", _("举报奖励")


class GuidePageQuerySet(ScopedQuerySet):
    region_lookup = "region__code"

    def published(self):
        return self.filter(current__isnull=False)


class GuidePage(models.Model):
    """One region's page on one topic: the draft being edited and the version the public reads."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("主题"), max_length=32, choices=Topic.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(
        _("正文"),
        max_length=20000,
        help_text=_("纯文本。空一行分段；以“## ”开头的行是小标题；以“- ”开头的行是列表项。"),
    )
    current = models.ForeignKey(
        "GuideVersion",
        verbose_name=_("公开的版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("为空表示未发布或已撤下"),
    )
    first_published_at = models.DateTimeField(_("首次发布"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后编辑人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("草稿修改时间"), auto_now=True)

    objects = GuidePageQuerySet.as_manager()

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        ordering = ["region_id", "topic"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "topic"],
                name="guidepage_one_per_region_topic",
                violation_error_message=_("该地区已有这一主题的指南，请直接修改"),
            )
        ]

    def __str__(self):
        return f"{self.region.name}·{self.title}"

    @property
    def draft_differs(self) -> bool:
        """The draft holds changes the public does not see yet."""
        return self.current is None or (self.current.title, self.current.body) != (self.title, self.body)


class GuideVersion(models.Model):
    """One published version of a page, kept as it was shown."""

    page = models.ForeignKey(
        GuidePage, verbose_name=_("指南"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("指南版本")
        verbose_name_plural = _("指南版本")
        ordering = ["page_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="guideversion_page_number")]

    def __str__(self):
        return f"{self.title} 第{self.number}版"
