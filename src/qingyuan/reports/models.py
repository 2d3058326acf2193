"""Submissions of official forms up the hierarchy (上报 / 退回 / 审核), and imports of historical ledgers."""

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyuan.campaigns.models import FormCode
from qingyuan.core.scoping import ScopedQuerySet, jurisdiction_prefix
from qingyuan.regions.models import PREFIX_LENGTH, Level


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已上报待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核通过（锁定）")


class SubmissionQuerySet(ScopedQuerySet):
    region_lookup = "region__code"


class Submission(models.Model):
    """One form for one region and period, as a unit sent it up. Its figures are frozen at
    submission; an accepted submission is locked and later changes to the records show as a
    difference against these figures, never as a silent change. The workflow (reports.submissions):
    上报 -> 退回 (with a reason) or 审核通过; an accepted one is reopened only by the upper unit
    returning it with a reason, and the unit then submits a new version."""

    form_code = models.CharField(_("报表"), max_length=8, choices=FormCode.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("填报区划"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    operation = models.ForeignKey(
        "operations.JointOperation",
        verbose_name=_("联动执法行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
        db_index=True,
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1, help_text=_("退回后重新上报加1"))
    data = models.JSONField(_("上报数据"), help_text=_("按行列代码保存的报表数字"))
    rolled_up = models.BooleanField(_("由下级汇总"), default=False)
    sources = models.ManyToManyField(
        "self", verbose_name=_("汇总的下级报表"), symmetrical=False, blank=True, related_name="rolled_into"
    )
    note = models.TextField(_("填报说明"), blank=True)
    warnings = models.JSONField(
        _("校验提示"), default=list, blank=True, help_text=_("上报时校验发现、经填报说明解释的提示")
    )
    due_on = models.DateField(_("报送期限"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("上报时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("报表上报")
        verbose_name_plural = _("报表上报")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(
                fields=["form_code", "period_start", "period_end", "region"], name="submission_lookup"
            ),
        ]
        constraints = [
            # One live (submitted or accepted) submission per form, region, period, campaign and operation;
            # a returned one may be followed by a new version.
            models.UniqueConstraint(
                "form_code",
                "region",
                "period_start",
                "period_end",
                Coalesce("campaign", Value(0)),
                Coalesce("operation", Value(0)),
                condition=~models.Q(status="returned"),
                name="submission_live_once",
                violation_error_message=_("该报表本期已上报，请勿重复上报"),
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="submission_period_order",
                violation_error_message=_("统计期止不能早于统计期起"),
            ),
        ]

    def __str__(self):
        return f"{self.form_code} {self.region_id} {self.period_start}～{self.period_end} v{self.version}"

    def get_absolute_url(self):
        return reverse("reports:submission_detail", args=[self.pk])

    @property
    def late(self) -> bool:
        """Submitted after its deadline, by the day in the platform's time zone (not UTC's)."""
        return bool(self.due_on and timezone.localdate(self.submitted_at) > self.due_on)


class LedgerImport(models.Model):
    """One historical ledger (台账) file imported whole: who, when, which file, what it created."""

    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("导入单位"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    counts = models.JSONField(_("导入数量"), default=dict, help_text=_("每张工作表导入的记录数"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-imported_at"]
        constraints = [
            # Two units importing the same file at the same moment both pass the check before
            # writing; the database lets only one of them through.
            models.UniqueConstraint(
                fields=["sha256"],
                name="ledgerimport_sha256_once",
                violation_error_message=_("同一文件不能重复导入"),
            ),
        ]

    def __str__(self):
        return f"{self.file_name}（{self.imported_at:%Y-%m-%d}）"


class LedgerKeyKind(models.TextChoices):
    SUBJECT = "subject", _("对象编号")
    CASE = "case", _("案件编号")


class LedgerKeyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Keys of the records in the user's subtree: the record's region decides, as for the record."""
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(
            models.Q(kind=LedgerKeyKind.SUBJECT, subject__region__code__startswith=prefix)
            | models.Q(kind=LedgerKeyKind.CASE, case__region__code__startswith=prefix)
        )


class LedgerKey(models.Model):
    """A ledger's own number of a subject (对象编号) or case (案件编号) that an import created, so that
    later ledgers of the county name the record by it. Kept apart from the record's text, which
    officers may edit; unique per county, the unit whose ledgers number their records."""

    ledger_import = models.ForeignKey(
        LedgerImport, verbose_name=_("台账导入"), on_delete=models.PROTECT, related_name="keys"
    )
    kind = models.CharField(_("编号类型"), max_length=8, choices=LedgerKeyKind.choices)
    key = models.CharField(_("台账编号"), max_length=60)
    county = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区县"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("记录所在区划的区县级代码"),
    )
    subject = models.ForeignKey(
        "subjects.Subject",
        verbose_name=_("监管对象"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ledger_keys",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ledger_keys",
    )

    objects = LedgerKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账编号")
        verbose_name_plural = _("台账编号")
        ordering = ["id"]
        indexes = [
            # Later ledgers look their references up by number; the county comes from the record.
            models.Index(fields=["kind", "key"], name="ledgerkey_lookup"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "county", "key"],
                name="ledgerkey_once_per_county",
                violation_error_message=_("该编号已在本区县之前导入的台账中登记"),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="subject", subject__isnull=False, case__isnull=True)
                | models.Q(kind="case", case__isnull=False, subject__isnull=True),
                name="ledgerkey_names_one_record",
                violation_error_message=_("对象编号只对应监管对象，案件编号只对应案件"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}「{self.key}」"

    @property
    def record(self):
        return self.subject if self.kind == LedgerKeyKind.SUBJECT else self.case

    @staticmethod
    def county_of(region_code: str) -> str:
        """The county-level code above a region (a region above county level stands for itself)."""
        return region_code[: PREFIX_LENGTH[Level.COUNTY]]
