"""The legal rules as data (RULES.md): offences with their penalty formula, and time limits.

Both are versioned: a correction or a change of law adds a row with a new effective date instead
of editing history, and a case is judged by the version in force on the date of the offence."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InForceQuerySet(models.QuerySet):
    def in_force(self, on):
        """Rows whose effective period contains the date `on`."""
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on)


class FineKind(models.TextChoices):
    NONE = "none", _("无罚款")
    MULTIPLE = "multiple", _("违法所得倍数")
    FIXED = "fixed", _("固定数额区间")
    THRESHOLD = "threshold", _("按违法所得分档")


class Offence(models.Model):
    """One version of an offence (ZY-01 …) with its legal basis and fine formula.

    MULTIPLE: fine = income × [multiplier_min, multiplier_max], income below `income_floor` counted
    as the floor (ZY-01: 5–20 ×, under 10,000 counted as 10,000).
    FIXED: fine in [fine_min, fine_max] ("3万元以下" is 0–30,000).
    THRESHOLD: income ≥ `income_threshold` → income × multipliers; otherwise [fine_min, fine_max]
    (XC-01: ≥ 5,000 → 1–3 ×, else 1,000–3,000).
    `fine_optional` marks "可处": no fine at all is also lawful."""

    code = models.CharField(_("代码"), max_length=16, db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("违法行为"), max_length=200)
    basis = models.CharField(_("法律依据"), max_length=300)
    measures = models.TextField(_("处罚种类"), help_text=_("依法可采取的处罚和措施，按法条原文概括"))
    fine_kind = models.CharField(_("罚款计算方式"), max_length=16, choices=FineKind.choices)
    multiplier_min = models.DecimalField(_("最低倍数"), max_digits=5, decimal_places=2, null=True, blank=True)
    multiplier_max = models.DecimalField(_("最高倍数"), max_digits=5, decimal_places=2, null=True, blank=True)
    income_floor = models.DecimalField(
        _("违法所得不足时按此计"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    income_threshold = models.DecimalField(
        _("分档违法所得界限"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fine_min = models.DecimalField(
        _("罚款下限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fine_max = models.DecimalField(
        _("罚款上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fine_optional = models.BooleanField(_("可不处罚款"), default=False, help_text=_("法条为“可处”时勾选"))
    illegal_practice = models.BooleanField(
        _("属非法行医"), default=False, help_text=_("计入“因非法行医受过行政处罚”的次数（刑事立案标准）")
    )
    referral_only = models.BooleanField(
        _("移送其他部门处理"), default=False, help_text=_("卫生健康部门不处罚，移送主管部门")
    )
    applies_codes = models.CharField(
        _("按事实适用"),
        max_length=100,
        blank=True,
        help_text=_("本条不单独处罚时，按事实适用的违法行为代码，逗号分隔"),
    )
    unverified = models.BooleanField(_("条文未核实"), default=False)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = _("违法行为")
        verbose_name_plural = _("违法行为")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="offence_code_version")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = _("失效日期不能早于生效日期")
        uses_multiplier = self.fine_kind in (FineKind.MULTIPLE, FineKind.THRESHOLD)
        uses_fixed = self.fine_kind in (FineKind.FIXED, FineKind.THRESHOLD)
        if uses_multiplier:
            if self.multiplier_min is None or self.multiplier_max is None:
                errors["multiplier_max"] = _("按倍数计算须填写最低和最高倍数")
            elif self.multiplier_min > self.multiplier_max:
                errors["multiplier_max"] = _("最高倍数不能小于最低倍数")
        if uses_fixed:
            if self.fine_min is None or self.fine_max is None:
                errors["fine_max"] = _("须填写罚款下限和上限")
            elif self.fine_min > self.fine_max:
                errors["fine_max"] = _("罚款上限不能小于下限")
        if self.fine_kind == FineKind.THRESHOLD and self.income_threshold is None:
            errors["income_threshold"] = _("分档计算须填写违法所得界限")
        if errors:
            raise ValidationError(errors)


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    DAYS = "days", _("日")
    HOURS = "hours", _("小时")
    MONTHS = "months", _("个月")


class VersionedRule(models.Model):
    """What every versioned rule row has: a stable code services name, a version number, the legal
    basis and the period it is in force. A correction adds a version; history is never edited."""

    code = models.CharField(_("代码"), max_length=40, db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    unverified = models.BooleanField(_("条文未核实"), default=False)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    objects = InForceQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code", "-version"]

    def clean(self):
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("失效日期不能早于生效日期")})


class TimeLimit(VersionedRule):
    """One version of a time limit (RULES.md "Time limits"), looked up by a stable code such as
    CASE_OPEN or HEARING_REQUEST that services name."""

    name = models.CharField(_("时限事项"), max_length=200)
    amount = models.PositiveIntegerField(_("期限"))
    unit = models.CharField(_("单位"), max_length=16, choices=LimitUnit.choices)

    class Meta(VersionedRule.Meta):
        verbose_name = _("法定时限")
        verbose_name_plural = _("法定时限")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="timelimit_code_version")]

    def __str__(self):
        return f"{self.name}：{self.amount}{self.get_unit_display()}"


class Threshold(VersionedRule):
    """One version of a threshold or list the procedure depends on (docs/procedure.md): the
    amounts that make a fine 较大数额 (a hearing right, 法制审核), the measures that need 集体讨论,
    the number of earlier penalties that makes illegal practice a crime, the late-payment rate.

    `value` is a number, or a list of penalty kinds (cases.MeasureKind values) for the codes that
    name measures. Looked up by code, the version in force on the day it is applied."""

    name = models.CharField(_("事项"), max_length=200)
    value = models.JSONField(_("数值"), help_text=_('数额或次数；处罚种类写成列表，如 ["revoke", "suspend"]'))

    class Meta(VersionedRule.Meta):
        verbose_name = _("处罚程序标准")
        verbose_name_plural = _("处罚程序标准")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="threshold_code_version")]

    def __str__(self):
        return f"{self.name}：{self.value}"

    def clean(self):
        super().clean()
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float, str, list)):
            raise ValidationError({"value": _("数值须为数字或处罚种类列表")})
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                raise ValidationError({"value": _("数值须为数字或处罚种类列表")}) from None
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ValidationError({"value": _("处罚种类列表的每一项须为文字代码")})
