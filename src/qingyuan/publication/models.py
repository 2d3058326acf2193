"""Publication of penalty decisions (行政处罚法 第48条; 双公示): one entry per served general-procedure
penalty decision, with the text the public reads, and the record of its later changes and withdrawal.

The public pages read only the entry's own text fields, never the case: the text is prepared from the
decision with personal data cleared (portal.redaction) and checked again when an officer publishes it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingyuan.core.scoping import ScopedQuerySet


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("待公示")
    PUBLISHED = "published", _("已公示")
    WITHDRAWN = "withdrawn", _("已撤回")


class EntryQuerySet(ScopedQuerySet):
    region_lookup = "decision__case__region__code"

    def public(self):
        """What the public site lists: entries once published, including those since withdrawn (shown
        as the bare fact of the withdrawal)."""
        return self.filter(
            status__in=[EntryStatus.PUBLISHED, EntryStatus.WITHDRAWN], published_at__isnull=False
        )


class PublicationEntry(models.Model):
    decision = models.OneToOneField(
        "cases.PenaltyDecision",
        verbose_name=_("处罚决定"),
        on_delete=models.PROTECT,
        related_name="publication",
    )
    # The county, for the public area filter: the case's own region may be a village, too precise.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.PENDING, db_index=True
    )
    # The public text, as the decision document prints it, personal data cleared.
    number = models.CharField(_("决定书文号"), max_length=100)
    case_number = models.CharField(_("案件编号"), max_length=60, blank=True)
    party = models.CharField(_("当事人"), max_length=200)
    facts = models.TextField(_("主要违法事实"))
    legal_basis = models.TextField(_("处罚依据"))
    penalty = models.TextField(_("处罚内容"))
    authority = models.CharField(_("处罚机关"), max_length=200)
    decided_on = models.DateField(_("处罚决定日期"), db_index=True)
    served_on = models.DateField(_("送达日期"))
    due_on = models.DateField(_("公示期限"))
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公示人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # For partners syncing the published decisions since a cursor.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("处罚决定公示")
        verbose_name_plural = _("处罚决定公示")
        ordering = ["-published_at", "-decided_on", "-pk"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("publication:detail", args=[self.pk])

    def get_public_url(self):
        return reverse("publication_public:detail", args=[self.pk])


class ChangeKind(models.TextChoices):
    CHANGE = "change", _("变更")
    WITHDRAW = "withdraw", _("撤回")


class Ground(models.TextChoices):
    """Why a published decision changes (第48条第2款: 变更、撤销、确认违法或者确认无效)."""

    REVOKED_BY_AUTHORITY = "revoked", _("本机关撤销处罚决定")
    CHANGED_BY_AUTHORITY = "changed", _("本机关变更处罚决定")
    REVIEW_CHANGED = "review_changed", _("行政复议决定变更")
    REVIEW_REVOKED = "review_revoked", _("行政复议决定撤销")
    REVIEW_ILLEGAL = "review_illegal", _("行政复议决定确认违法")
    COURT_CHANGED = "court_changed", _("人民法院判决变更")
    COURT_REVOKED = "court_revoked", _("人民法院判决撤销")
    COURT_ILLEGAL = "court_illegal", _("人民法院判决确认违法")
    INVALID = "invalid", _("确认无效")
    ERROR = "error", _("公示内容有误")


class EntryChange(models.Model):
    """One change or withdrawal of a published entry: its date, ground and note stay public; the text
    before the change stays here for the officers (the audit row holds it too)."""

    entry = models.ForeignKey(PublicationEntry, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("类型"), max_length=16, choices=ChangeKind.choices)
    ground = models.CharField(_("事由"), max_length=24, choices=Ground.choices)
    ground_on = models.DateField(_("事由发生日期"), help_text=_("撤销、复议决定或判决的日期"))
    changed_on = models.DateField(_("变更/撤回日期"))
    note = models.CharField(_("说明"), max_length=500)
    before = models.JSONField(_("变更前文本"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("公示变更记录")
        verbose_name_plural = _("公示变更记录")
        ordering = ["changed_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.changed_on}"
