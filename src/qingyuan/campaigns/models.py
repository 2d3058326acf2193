"""Campaigns (专项行动): issued by a unit for its region, with phases, required forms and deadlines,
the cascade of implementation plans (实施方案), member units' duties, the village sweep, outreach
and media records.

Who sees a campaign (jurisdiction, SECURITY.md):
- A campaign belongs to the region of its issuing unit (`region`, copied from `unit.region`).
- A user whose jurisdiction is region J sees
  (a) every campaign issued for J or for a region above J (J's ancestors): a city campaign applies
      to each of its counties, so 相城区 works under the 苏州市 campaign; and
  (b) every campaign issued inside J (a lower plan): the city sees each county's 实施方案.
- A sibling's plan is neither: 相城区 does not see 吴中区's plan, and gets 404 for it.
- Ancestry is a prefix test on region codes (`Region.prefix`): J's ancestors are the regions whose
  prefix is a leading part of J's prefix, so (a) is `region__prefix__in=[…]` and (b) is one indexed
  `region__code__startswith`.
- Figures on a campaign page (plan coverage, duties, sweep) are cut to the part of the campaign's
  region the viewer may see: a county officer opening the city campaign sees their own county's
  figures, not the neighbour's.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingyuan.core.scoping import ScopedQuerySet, jurisdiction_prefix
from qingyuan.leads.models import Category
from qingyuan.regions.models import PREFIX_LENGTH, Level

# Focus categories are the lead categories, so a lead tagged to a campaign matches its focus.
FOCUS_CHOICES = Category.choices


def ancestor_prefixes(prefix: str) -> list[str]:
    """The prefixes of a region and of every region above it ("320506" -> "32", "3205", "320506")."""
    return [prefix[:n] for n in sorted(set(PREFIX_LENGTH.values())) if n <= len(prefix)]


class CampaignQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(region__prefix__in=ancestor_prefixes(prefix)) | self.filter(
            region__code__startswith=prefix
        )

    def applying_to(self, region):
        """Campaigns issued for this region or a region above it (the ones its officers work under)."""
        return self.filter(region__prefix__in=ancestor_prefixes(region.prefix))

    def in_force(self, on: dt.date):
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class Campaign(models.Model):
    """A campaign, or an implementation plan of a lower unit under a higher campaign (`parent` set)."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="campaigns"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("名称"), max_length=200)
    doc_number = models.CharField(
        _("文号"), max_length=100, blank=True, help_text=_("如：国卫办监督发〔2014〕16号")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    focus = models.JSONField(_("整治重点"), default=list, blank=True)
    hotline = models.CharField(_("举报电话"), max_length=32, blank=True)
    email = models.EmailField(_("举报邮箱"), blank=True)
    office = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("领导小组办公室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_offices",
    )
    notes = models.TextField(_("说明"), blank=True)
    published = models.BooleanField(_("在公众网站公布"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-starts_on", "region_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def is_plan(self) -> bool:
        return self.parent_id is not None

    def focus_labels(self) -> list[str]:
        labels = dict(FOCUS_CHOICES)
        return [str(labels.get(code, code)) for code in self.focus or []]

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "结束日期不能早于开始日期"
        unknown = [c for c in self.focus or [] if c not in dict(FOCUS_CHOICES)]
        if unknown:
            errors["focus"] = f"整治重点中有未知类别：{'、'.join(unknown)}"
        if errors:
            raise ValidationError(errors)


class GroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")


class LeadingGroupMember(models.Model):
    """A member of the campaign's leading group (领导小组)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="group_members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=100, blank=True)
    role = models.CharField(_("小组职务"), max_length=8, choices=GroupRole.choices, default=GroupRole.MEMBER)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["campaign_id", "pk"]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"


class PhaseKind(models.TextChoices):
    MOBILISATION = "mobilisation", _("动员部署")
    SWEEP = "sweep", _("摸底排查")
    CRACKDOWN = "crackdown", _("集中整治")
    CENSUS = "census", _("普查治理")
    SUPERVISION = "supervision", _("督查")
    SUMMARY = "summary", _("总结")


class Phase(models.Model):
    """A phase of a campaign; a plan's copy of its parent's phase points to it in `inherited_from`."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="phases"
    )
    kind = models.CharField(_("阶段"), max_length=16, choices=PhaseKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.CharField(_("工作要求"), max_length=300, blank=True)
    inherited_from = models.ForeignKey(
        "self",
        verbose_name=_("继承自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["campaign_id", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="phase_ends_after_start",
                violation_error_message=_("阶段结束日期不能早于开始日期"),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.starts_on:%Y-%m-%d}至{self.ends_on:%Y-%m-%d}）"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "阶段结束日期不能早于开始日期"})


class FormCode(models.TextChoices):
    S001_A1 = "S001-A1", _("S001-A1 参加集中执法行动医疗执法监督员回执")
    S001_A2 = "S001-A2", _("S001-A2 本辖区无证行医存在情况的梳理分析情况表")
    S001_A3 = "S001-A3", _("S001-A3 打击无证行医联动执法工作情况汇总表")
    S001_A4 = "S001-A4", _("S001-A4 联动执法查处个案情况表")
    S003_A1 = "S003-A1", _("S003-A1 专项行动情况汇总表")
    S003_A2 = "S003-A2", _("S003-A2 无证场所“回头看”排查情况信息汇总表")
    S003_WS = "S003-WS", _("S003-WS 专项行动工作总结")
    S004_Q = "S004-Q", _("S004-Q 季度工作进展报告和汇总表")


class Schedule(models.TextChoices):
    ONCE = "once", _("限期一次")
    QUARTERLY = "quarterly", _("每季度最后一个月某日前")
    AFTER_OPERATION = "after_operation", _("每次联动执法行动后N日内")
    AT_END = "at_end", _("专项行动结束时")


QUARTER_END_MONTHS = (3, 6, 9, 12)


class FormRequirement(models.Model):
    """A form the campaign requires, and the rule that gives its deadlines (FORMS.md)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="requirements"
    )
    form_code = models.CharField(_("报表"), max_length=8, choices=FormCode.choices)
    schedule = models.CharField(_("报送规则"), max_length=16, choices=Schedule.choices)
    due_on = models.DateField(_("报送期限"), null=True, blank=True, help_text=_("限期一次时填写"))
    day_of_month = models.PositiveSmallIntegerField(
        _("每季度末月截止日"), null=True, blank=True, help_text=_("按季度报送时填写，如20")
    )
    days_after = models.PositiveSmallIntegerField(
        _("行动结束后天数"), null=True, blank=True, help_text=_("每次联动执法行动后报送时填写，如7（一周内）")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    inherited_from = models.ForeignKey(
        "self",
        verbose_name=_("继承自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )

    class Meta:
        verbose_name = _("报表要求")
        verbose_name_plural = _("报表要求")
        ordering = ["campaign_id", "form_code", "pk"]

    def __str__(self):
        return f"{self.form_code} {self.rule_text()}"

    def rule_text(self) -> str:
        if self.schedule == Schedule.ONCE and self.due_on:
            return f"{self.due_on.month}月{self.due_on.day}日前"
        if self.schedule == Schedule.QUARTERLY:
            return f"每季度最后一个月{self.day_of_month}日前"
        if self.schedule == Schedule.AFTER_OPERATION:
            return f"每次联动执法行动结束后{self.days_after}日内"
        if self.schedule == Schedule.AT_END:
            return "专项行动结束时"
        return self.get_schedule_display()

    def clean(self):
        errors = {}
        if self.schedule == Schedule.ONCE and not self.due_on:
            errors["due_on"] = "限期一次的报表须填写报送期限"
        if self.schedule == Schedule.QUARTERLY and not (self.day_of_month and 1 <= self.day_of_month <= 28):
            errors["day_of_month"] = "按季度报送的截止日须在1至28之间"
        if self.schedule == Schedule.AFTER_OPERATION and not self.days_after:
            errors["days_after"] = "请填写联动执法行动结束后的报送天数"
        if errors:
            raise ValidationError(errors)


def due_dates(requirement: FormRequirement, *, until: dt.date) -> list[dt.date]:
    """Every deadline of a requirement up to `until` (inclusive), in order.

    Quarterly: the given day of March, June, September and December inside the campaign period
    (国卫办监督发〔2014〕16号: "每季度最后一个月20日前"). After each joint operation: the dates depend on
    the operations, so none here; `due_after_operation` gives one from an operation's end date.
    """
    campaign = requirement.campaign
    if requirement.schedule == Schedule.ONCE:
        dates = [requirement.due_on] if requirement.due_on else []
    elif requirement.schedule == Schedule.AT_END:
        dates = [campaign.ends_on]
    elif requirement.schedule == Schedule.QUARTERLY:
        last = min(campaign.ends_on, until)
        dates = [
            day
            for year in range(campaign.starts_on.year, last.year + 1)
            for month in QUARTER_END_MONTHS
            if campaign.starts_on <= (day := dt.date(year, month, requirement.day_of_month)) <= last
        ]
    else:
        dates = []
    return [d for d in dates if d <= until]


def due_after_operation(requirement: FormRequirement, operation_ends_on: dt.date) -> dt.date:
    """The deadline for one joint operation: its end date plus the requirement's days (S001-A3: 一周内)."""
    if requirement.schedule != Schedule.AFTER_OPERATION:
        raise ValueError("该报表不是按联动执法行动报送的")
    return operation_ends_on + dt.timedelta(days=requirement.days_after)


def next_due(requirement: FormRequirement, today: dt.date) -> dt.date | None:
    """The first deadline on or after today, or None when none is left (or it depends on operations)."""
    upcoming = [d for d in due_dates(requirement, until=dt.date.max) if d >= today]
    return upcoming[0] if upcoming else None


class Duty(models.Model):
    """A task of a member unit in a campaign (职责分工), with its due date and completion record."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="duties"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="campaign_duties"
    )
    phase = models.ForeignKey(
        Phase, verbose_name=_("阶段"), null=True, blank=True, on_delete=models.SET_NULL, related_name="duties"
    )
    task = models.TextField(_("任务"))
    due_on = models.DateField(_("完成期限"))
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    completion_note = models.TextField(_("完成情况"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("职责分工")
        verbose_name_plural = _("职责分工")
        ordering = ["campaign_id", "due_on", "pk"]

    def __str__(self):
        return f"{self.unit}：{self.task[:40]}"

    def is_late(self, today: dt.date) -> bool:
        return self.completed_on is None and self.due_on < today


class SweepQuerySet(ScopedQuerySet):
    region_lookup = "village__code"


class Sweep(models.Model):
    """One village swept in the 摸底排查 phase ("不留死角"): who, when, and how many sites were found."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="sweeps"
    )
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="sweeps"
    )
    swept_on = models.DateField(_("排查日期"))
    swept_by = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("排查人员"), related_name="+")
    sites_found = models.PositiveIntegerField(_("发现场所数"), default=0)
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = SweepQuerySet.as_manager()

    class Meta:
        verbose_name = _("村居排查")
        verbose_name_plural = _("村居排查")
        ordering = ["campaign_id", "village_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "village"],
                name="sweep_unique_village_per_campaign",
                violation_error_message=_("该村（社区）在本专项行动中已登记排查"),
            )
        ]

    def __str__(self):
        return f"{self.village} {self.swept_on:%Y-%m-%d}"

    @property
    def region_id(self):
        return self.village_id

    def clean(self):
        if self.village_id and self.village.level != Level.VILLAGE:
            raise ValidationError({"village": "排查须登记到村（社区）"})


class OutreachEvent(models.Model):
    """A 法制宣教 event; S001-A3 sums its people reached as 开展法制宣教人数."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_events",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("活动名称"), max_length=200)
    people_reached = models.PositiveIntegerField(_("宣教人数"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("法制宣教")
        verbose_name_plural = _("法制宣教")
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return self.title


class MediaReport(models.Model):
    """A 媒体报道; S001-A3 counts them (媒体报道次数) by `count`, for a report carried several times."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_reports",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    published_on = models.DateField(_("报道日期"))
    outlet = models.CharField(_("媒体"), max_length=100)
    title = models.CharField(_("标题"), max_length=200)
    link = models.URLField(_("链接"), blank=True, max_length=500)
    count = models.PositiveIntegerField(_("报道次数"), default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("媒体报道")
        verbose_name_plural = _("媒体报道")
        ordering = ["-published_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1),
                name="media_report_count_positive",
                violation_error_message=_("报道次数至少为1"),
            )
        ]

    def __str__(self):
        return f"{self.outlet}：{self.title}"
