"""Joint operations (联动执法), jurisdiction disputes (指定管辖) and spot checks (督查抽查, 双随机).

Cross-county access exists only as AccessGrant rows: explicit, with a start, an end (or a
revocation), a reason and who granted it (SECURITY.md "Cross-jurisdiction access").
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyuan.core.scoping import ScopedQuerySet, jurisdiction_prefix

USER = settings.AUTH_USER_MODEL


def county_code(region_code: str) -> str:
    """The county (6-digit GB/T 2260 code) a region code lies in."""
    return (region_code or "")[:6]


class UpDownQuerySet(ScopedQuerySet):
    """Records run by an upper unit concern the units below it: a county sees the city's operations
    (ancestors) as well as its own subtree, never a neighbouring city's."""

    def visible_to(self, user):
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        ancestors = [prefix[:n] for n in (2, 4, 6, 9) if n < len(prefix)]
        path = self.region_lookup.removesuffix("__code")
        return self.filter(
            Q(**{f"{self.region_lookup}__startswith": prefix}) | Q(**{f"{path}__prefix__in": ancestors})
        )


class RegionAdjacency(models.Model):
    """Two counties that border each other, as entered by the city office (there is no map data).
    Stored once per pair with the smaller code first, so the relation is symmetric by construction."""

    a = models.ForeignKey(
        "regions.Region", verbose_name=_("区县甲"), on_delete=models.CASCADE, related_name="+"
    )
    b = models.ForeignKey(
        "regions.Region", verbose_name=_("区县乙"), on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("录入人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("区县相邻关系")
        verbose_name_plural = _("区县相邻关系")
        ordering = ["a_id", "b_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["a", "b"], name="adjacency_unique_pair", violation_error_message=_("该相邻关系已录入")
            ),
            models.CheckConstraint(
                condition=Q(a__lt=models.F("b")),
                name="adjacency_ordered_pair",
                violation_error_message=_("相邻关系的两个区县不能相同"),
            ),
        ]

    def __str__(self):
        return f"{self.a.name}—{self.b.name}"


class OperationStatus(models.TextChoices):
    PLANNING = "planning", _("筹备中")
    CONFIRMED = "confirmed", _("已部署")
    CLOSED = "closed", _("已结束")


class OperationQuerySet(UpDownQuerySet):
    region_lookup = "region__code"


class JointOperation(models.Model):
    """A city-wide joint operation against unlicensed practice (seed 001)."""

    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("行动名称"), max_length=200)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("所属专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joint_operations",
    )
    nomination_deadline = models.DateField(_("提名截止日期"))
    nominations_per_county = models.PositiveSmallIntegerField(_("每区县提名人数"), default=2)
    status = models.CharField(
        _("状态"), max_length=16, choices=OperationStatus.choices, default=OperationStatus.PLANNING
    )
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("部署时间"), null=True, blank=True)
    # Recorded when the city confirms a grouping that departs from seed 001 (every county in exactly
    # one group of 4–6): the departure stays visible on the page and in the audit row of the step.
    grouping_reason = models.TextField(_("分组不符合要求的原因"), blank=True)

    objects = OperationQuerySet.as_manager()

    class Meta:
        verbose_name = _("联动执法行动")
        verbose_name_plural = _("联动执法行动")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominations_per_county__gte=1),
                name="operation_nominations_positive",
                violation_error_message=_("每区县提名人数至少为1"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("operations:detail", args=[self.pk])

    @property
    def last_day(self):
        return max((p.ends_on for p in self.periods.all()), default=None)


class OperationPeriod(models.Model):
    """One week of concentrated action (e.g. one in June, one in October)."""

    operation = models.ForeignKey(
        JointOperation, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="periods"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # A period longer than the configured length (rules threshold JOINT_OPERATION_DAYS, seed 001:
    # 每次行动为期一周) is accepted only with this reason, shown on the page and audited.
    extended_reason = models.TextField(_("延长原因"), blank=True)

    class Meta:
        verbose_name = _("行动时段")
        verbose_name_plural = _("行动时段")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="period_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期"),
            ),
        ]

    def __str__(self):
        return f"{self.starts_on:%Y-%m-%d} 至 {self.ends_on:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class OperationGroup(models.Model):
    """A group of 4–6 counties acting together, led by the city office."""

    operation = models.ForeignKey(
        JointOperation, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("组名"), max_length=50)
    counties = models.ManyToManyField("regions.Region", verbose_name=_("区县"), related_name="+")

    class Meta:
        verbose_name = _("行动分组")
        verbose_name_plural = _("行动分组")
        ordering = ["id"]

    def __str__(self):
        return self.name


class TargetSite(models.Model):
    """A site a county listed as needing joint action, picked by the city for this operation."""

    operation = models.ForeignKey(
        JointOperation, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="targets"
    )
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name=_("监管对象"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        OperationGroup,
        verbose_name=_("分组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )

    class Meta:
        verbose_name = _("重点点位")
        verbose_name_plural = _("重点点位")
        ordering = ["subject__region_id", "subject_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "subject"],
                name="target_unique_subject",
                violation_error_message=_("该点位已列入本次行动"),
            ),
        ]

    def __str__(self):
        return str(self.subject)

    @property
    def county_code(self):
        return county_code(self.subject.region_id)


class Nomination(models.Model):
    """A supervisor a county sends to the operation (S001-A1 roster)."""

    operation = models.ForeignKey(
        JointOperation, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="nominations"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("区县单位"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(USER, verbose_name=_("监督员"), on_delete=models.PROTECT, related_name="+")
    nominated_by = models.ForeignKey(
        USER, verbose_name=_("提名人"), on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField(_("提名时间"), default=timezone.now)

    class Meta:
        verbose_name = _("参加人员提名")
        verbose_name_plural = _("参加人员提名")
        ordering = ["unit_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "user"],
                name="nomination_unique_user",
                violation_error_message=_("该监督员已被提名"),
            ),
        ]

    def __str__(self):
        return f"{self.unit}：{self.user}"


class Team(models.Model):
    """The officers who act together in one group."""

    operation = models.ForeignKey(
        JointOperation, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="teams"
    )
    group = models.OneToOneField(
        OperationGroup, verbose_name=_("分组"), on_delete=models.CASCADE, related_name="team"
    )
    members = models.ManyToManyField(USER, verbose_name=_("队员"), related_name="+")
    leader = models.ForeignKey(
        USER, verbose_name=_("带队人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("行动小组")
        verbose_name_plural = _("行动小组")
        ordering = ["group_id"]

    def __str__(self):
        return f"{self.group.name}小组"


class GrantReason(models.TextChoices):
    JOINT_OPERATION = "joint_operation", _("联动执法")
    DESIGNATION = "designation", _("指定管辖")


class AccessGrantQuerySet(ScopedQuerySet):
    region_lookup = "subject__region__code"

    def active_at(self, at):
        return self.filter(revoked_at__isnull=True, starts_at__lte=at).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at)
        )


class AccessGrant(models.Model):
    """Explicit, logged, time-limited access to one site outside the holder's jurisdiction.
    Held by one user (joint operations) or by a whole unit (designated jurisdiction); `ends_at` is
    exclusive, and None means until revoked."""

    user = models.ForeignKey(
        USER,
        verbose_name=_("授权人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_grants",
    )
    unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("授权单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_grants",
    )
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name=_("监管对象"), on_delete=models.PROTECT, related_name="access_grants"
    )
    starts_at = models.DateTimeField(_("起始时间"))
    ends_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    reason = models.CharField(_("授权事由"), max_length=20, choices=GrantReason.choices)
    operation = models.ForeignKey(
        JointOperation,
        verbose_name=_("联动执法行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    dispute = models.ForeignKey(
        "JurisdictionDispute",
        verbose_name=_("管辖争议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    granted_by = models.ForeignKey(USER, verbose_name=_("授权人"), on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        USER, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("跨区授权")
        verbose_name_plural = _("跨区授权")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["user", "subject"], name="grant_user_subject"),
            models.Index(fields=["unit", "subject"], name="grant_unit_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True, unit__isnull=False) | Q(user__isnull=False, unit__isnull=True),
                name="grant_user_xor_unit",
                violation_error_message=_("授权对象须为一名人员或一个单位"),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="grant_ends_after_start",
                violation_error_message=_("截止时间须晚于起始时间"),
            ),
        ]

    def __str__(self):
        return f"{self.user or self.unit} → {self.subject}"

    @property
    def holder(self):
        return self.user or self.unit


class OperationResult(models.Model):
    """The county with jurisdiction's account of a target site (附件3), due a week after the
    operation's last period ends (seed 001 四(二)3). Only words: every figure of S001-A3 is computed
    from the records (inspections, cases, rechecks, outreach and media reports), never typed here."""

    operation = models.ForeignKey(
        JointOperation, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="results"
    )
    target = models.OneToOneField(
        TargetSite, verbose_name=_("点位"), on_delete=models.CASCADE, related_name="result"
    )
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("管辖区县"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("查处情况说明"))
    due_on = models.DateField(_("上报期限"))
    reported_on = models.DateField(_("上报日期"))
    reported_by = models.ForeignKey(
        USER, verbose_name=_("上报人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("联动执法结果")
        verbose_name_plural = _("联动执法结果")
        ordering = ["county_id", "id"]

    def __str__(self):
        return f"{self.target}的联动执法结果"

    @property
    def late(self):
        return self.reported_on > self.due_on


class CityEvaluation(models.Model):
    """The city office's evaluation of the operation's effect (seed 001 三(一)4)."""

    operation = models.ForeignKey(
        JointOperation, verbose_name=_("行动"), on_delete=models.CASCADE, related_name="evaluations"
    )
    text = models.TextField(_("评价意见"))
    by = models.ForeignKey(USER, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("市级评价")
        verbose_name_plural = _("市级评价")
        ordering = ["at"]

    def __str__(self):
        return f"{self.operation}的市级评价"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ASSIGNED = "assigned", _("已明确管辖")
    DESIGNATED = "designated", _("已指定管辖")


class DisputeQuerySet(UpDownQuerySet):
    region_lookup = "subject__region__code"

    def visible_to(self, user):
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        # A county that claims the site sees the dispute even when the site lies in its neighbour.
        return self.filter(
            Q(subject__region__code__startswith=prefix) | Q(counties__code__startswith=prefix)
        ).distinct()


class JurisdictionDispute(models.Model):
    """A border-area site two or more counties claim (or disclaim); the city decides (RULES.md: the
    level above decides within 7 working days, 程序规定 第10条)."""

    subject = models.ForeignKey(
        "subjects.Subject", verbose_name=_("监管对象"), on_delete=models.PROTECT, related_name="+"
    )
    counties = models.ManyToManyField("regions.Region", verbose_name=_("涉及区县"), related_name="+")
    reason = models.TextField(_("争议情况"))
    raised_by = models.ForeignKey(USER, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("提出日期"))
    due_on = models.DateField(_("指定期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    resolved_unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("管辖单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.TextField(_("决定内容"), blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("决定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("管辖争议")
        verbose_name_plural = _("管辖争议")
        ordering = ["-raised_on", "-id"]

    def __str__(self):
        return f"{self.subject}的管辖争议"

    def get_absolute_url(self):
        return reverse("operations:dispute_detail", args=[self.pk])

    @property
    def late(self):
        return self.decided_on is not None and self.decided_on > self.due_on


class Population(models.TextChoices):
    INSTITUTIONS = "institutions", _("医疗机构")
    CLOSED_CASES = "closed_cases", _("已结案件")


class SpotCheckStatus(models.TextChoices):
    """Where a spot check stands (operations.workflow): drawn may be redrawn from the same seed while
    no result is recorded; while drawn the drawn inspectors record results; ended, nobody records any
    more; once published the plan and results are public and stay as they are."""

    DRAFT = "draft", _("已创建")
    DRAWN = "drawn", _("已抽取")
    COMPLETED = "completed", _("已结束")
    PUBLISHED = "published", _("已公开")


class SpotCheckQuerySet(ScopedQuerySet):
    region_lookup = "unit__region__code"

    def visible_to(self, user):
        """The checking unit and those below it, the checked region, and the drawn inspectors."""
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(
            Q(unit__region__code__startswith=prefix) | Q(region__code__startswith=prefix) | Q(inspectors=user)
        ).distinct()


class SpotCheckPlan(models.Model):
    """An upper level's random spot check of a lower region (seed 003: no less than 30%)."""

    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("抽查单位"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("被抽查区划"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("抽查名称"), max_length=200)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("所属专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spot_checks",
    )
    population = models.CharField(_("抽查范围"), max_length=16, choices=Population.choices)
    ratio = models.DecimalField(_("抽查比例"), max_digits=3, decimal_places=2, default=Decimal("0.30"))
    inspectors_count = models.PositiveSmallIntegerField(_("抽取督查人员数"), default=2)
    seed = models.BigIntegerField(_("随机种子"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=SpotCheckStatus.choices,
        default=SpotCheckStatus.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    inspectors = models.ManyToManyField(USER, verbose_name=_("督查人员"), related_name="+", blank=True)
    completed_at = models.DateTimeField(_("检查结束时间"), null=True, blank=True)
    published = models.BooleanField(_("已公开"), default=False)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    objects = SpotCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查抽查")
        verbose_name_plural = _("督查抽查")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ratio__gte=Decimal("0.30"), ratio__lte=Decimal("1")),
                name="spotcheck_ratio_at_least_30",
                violation_error_message=_("抽查比例不得低于30%"),
            ),
            models.CheckConstraint(
                condition=Q(inspectors_count__gte=2),
                name="spotcheck_two_inspectors",
                violation_error_message=_("督查人员至少2名"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("operations:spotcheck_detail", args=[self.pk])

    def clean(self):
        if self.ratio is not None and not (Decimal("0.30") <= Decimal(str(self.ratio)) <= 1):
            raise ValidationError({"ratio": _("抽查比例不得低于30%，且不超过100%")})


class SpotCheckItem(models.Model):
    """One sampled institution or closed case, and what the check found."""

    plan = models.ForeignKey(
        SpotCheckPlan, verbose_name=_("抽查"), on_delete=models.CASCADE, related_name="items"
    )
    institution = models.ForeignKey(
        "registry.Institution",
        verbose_name=_("医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区县"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("检查结果"), blank=True)
    compliant = models.BooleanField(_("是否合格"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查对象")
        verbose_name_plural = _("抽查对象")
        ordering = ["county_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=True, case__isnull=False)
                | Q(institution__isnull=False, case__isnull=True),
                name="spotcheck_item_one_target",
                violation_error_message=_("抽查对象须为一家机构或一件案件"),
            ),
        ]

    def __str__(self):
        return str(self.target)

    @property
    def target(self):
        return self.institution or self.case
