"""挂牌督办 (an upper level's supervision of a major case or a lagging region, with a deadline) and
督导 (a supervision visit's findings, each with rectification items tracked to closure). Seed 004:
“加强对重大案件的挂牌督办”.

Both kinds of record belong to the supervised (lower) region: the jurisdiction scoping then lets the
supervised unit and every level above it see them, and no neighbouring county."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyuan.core.scoping import ScopedQuerySet

USER = settings.AUTH_USER_MODEL


class SupervisionKind(models.TextChoices):
    CASE = "case", _("重大案件")
    REGION = "region", _("工作滞后地区")


class SupervisionStatus(models.TextChoices):
    ACTIVE = "active", _("督办中")
    REPORTED = "reported", _("已报结果")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤销督办")


# Still running: the deadline counts (the list's 逾期 filter, the dashboard, the reminders).
OPEN_STATES = (SupervisionStatus.ACTIVE, SupervisionStatus.REPORTED)


class SupervisionQuerySet(ScopedQuerySet):
    region_lookup = "region__code"

    def open(self):
        return self.filter(status__in=OPEN_STATES)

    def overdue(self, today=None):
        """Past the deadline with no result reported yet (a reported result waits on the supervisor)."""
        today = today or timezone.localdate()
        return self.filter(status=SupervisionStatus.ACTIVE, deadline__lt=today)


class SupervisedItem(models.Model):
    kind = models.CharField(_("督办类型"), max_length=8, choices=SupervisionKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("督办案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    title = models.CharField(_("督办事项"), max_length=200)
    # The supervised unit's region (for a case, its handling unit's), which the scoping reads.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("被督办地区"), on_delete=models.PROTECT, related_name="+"
    )
    supervising_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("督办单位"), on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(USER, verbose_name=_("督办领导"), on_delete=models.PROTECT, related_name="+")
    supervised_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    requirements = models.TextField(_("督办要求"))
    deadline = models.DateField(_("办结期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=SupervisionStatus.choices, default=SupervisionStatus.ACTIVE
    )
    result = models.TextField(_("办理结果"), blank=True)
    reported_on = models.DateField(_("报结日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结（撤销）日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("挂牌人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("挂牌时间"), auto_now_add=True)

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("挂牌督办事项")
        verbose_name_plural = _("挂牌督办事项")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="region") | Q(case__isnull=False),
                name="supervision_case_has_case",
                violation_error_message=_("重大案件督办须指定案件"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("oversight:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def overdue(self) -> bool:
        return self.status == SupervisionStatus.ACTIVE and self.deadline < timezone.localdate()


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("进展情况")
    RESULT = "result", _("办理结果")


class ProgressReport(models.Model):
    """What the supervised unit reports: progress as often as it has something to say, then the result."""

    item = models.ForeignKey(SupervisedItem, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("类型"), max_length=8, choices=ReportKind.choices)
    text = models.TextField(_("报告内容"))
    reported_on = models.DateField(_("报告日期"))
    reported_by = models.ForeignKey(
        USER, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督办进展报告")
        verbose_name_plural = _("督办进展报告")
        ordering = ["reported_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reported_on:%Y-%m-%d}"


class SupervisionEvent(models.Model):
    """The item's own timeline, shown on its page (the audit log holds the full record)."""

    item = models.ForeignKey(SupervisedItem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=32)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


# --- 督导 -------------------------------------------------------------------------------------------


class VisitQuerySet(ScopedQuerySet):
    region_lookup = "region__code"


class SupervisionVisit(models.Model):
    """A supervision visit (督导) by an upper level to a region below it."""

    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("督导单位"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("被督导地区"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("督导日期"))
    leader = models.ForeignKey(USER, verbose_name=_("督导组长"), on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("督导情况"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导")
        verbose_name_plural = _("督导")
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.region.name}督导（{self.visited_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("oversight:visit_detail", args=[self.pk])


class Finding(models.Model):
    visit = models.ForeignKey(SupervisionVisit, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("发现的问题"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督导发现问题")
        verbose_name_plural = _("督导发现问题")
        ordering = ["pk"]

    def __str__(self):
        return self.text[:40]


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFIED = "rectified", _("已报整改")
    VERIFIED = "verified", _("已验收销号")


class RectificationQuerySet(ScopedQuerySet):
    region_lookup = "finding__visit__region__code"


class RectificationItem(models.Model):
    """整改事项: the lower unit reports it done, the visiting level verifies and closes or returns it."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="items")
    text = models.TextField(_("整改事项"))
    responsible_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    report_note = models.TextField(_("整改情况"), blank=True)
    reported_on = models.DateField(_("报告日期"), null=True, blank=True)
    verify_note = models.TextField(_("验收意见"), blank=True)
    verified_on = models.DateField(_("验收日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.text[:40]

    def get_absolute_url(self):
        return reverse("oversight:visit_detail", args=[self.finding.visit_id]) + f"#item-{self.pk}"

    @property
    def overdue(self) -> bool:
        return self.status == RectificationStatus.OPEN and self.due_on < timezone.localdate()
