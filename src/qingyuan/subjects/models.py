"""Subjects: sites and persons under supervision (suspected 黑诊所, 游医, salons, licensed institutions)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyuan.core.crypto import EncryptedTextField
from qingyuan.core.scoping import ScopedQuerySet
from qingyuan.regions.models import LocationType


class SubjectKind(models.TextChoices):
    UNLICENSED_CLINIC = "unlicensed_clinic", _("无证诊所")
    ITINERANT = "itinerant", _("游医")
    BEAUTY_SALON = "beauty_salon", _("生活美容场所")
    WELLNESS = "wellness", _("养生保健场所")
    LICENSED = "licensed", _("持证机构")
    OTHER = "other", _("其他")


# FORMS.md S001-A2: the kinds counted as unlicensed practice sites.
UNLICENSED_KINDS = {
    SubjectKind.UNLICENSED_CLINIC,
    SubjectKind.ITINERANT,
    SubjectKind.BEAUTY_SALON,
    SubjectKind.WELLNESS,
    SubjectKind.OTHER,
}


class PracticeContent(models.TextChoices):
    STD = "std", _("性病")
    AESTHETIC = "aesthetic", _("医学美容")
    DENTAL = "dental", _("牙科")
    INTERNAL = "internal", _("内科")
    MIDWIFERY = "midwifery", _("接生")
    FAMILY_PLANNING = "family_planning", _("计生技术服务")
    TCM = "tcm", _("中医")
    OTHER = "other", _("其他")


class InstitutionType(models.TextChoices):
    WESTERN = "western", _("西医")
    TCM = "tcm", _("中医")
    AESTHETIC = "aesthetic", _("医疗美容")
    DENTAL = "dental", _("口腔")
    OTHER = "other", _("其他")


class SubjectStatus(models.TextChoices):
    ACTIVE = "active", _("在查")
    BANNED = "banned", _("已取缔")
    CLEARED = "cleared", _("已销号")


class SubjectQuerySet(ScopedQuerySet):
    region_lookup = "region__code"
    subject_lookup = "pk"


class Subject(models.Model):
    """A site or person under supervision, with its whole history (leads, inspections, cases)."""

    name = models.CharField(_("名称"), max_length=200, db_index=True, help_text=_("场所名称或人员姓名"))
    kind = models.CharField(_("类型"), max_length=32, choices=SubjectKind.choices)
    address = models.CharField(_("地址"), max_length=300, db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("尽量选到村/社区"),
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_type = models.CharField(
        _("区域类型"),
        max_length=16,
        choices=LocationType.choices,
        blank=True,
        help_text=_("留空则按村/社区的城乡分类代码确定"),
    )
    practice_content = models.CharField(
        _("行医内容"), max_length=32, choices=PracticeContent.choices, default=PracticeContent.OTHER
    )
    institution_type = models.CharField(
        _("机构类型"), max_length=16, choices=InstitutionType.choices, default=InstitutionType.OTHER
    )
    border_area = models.BooleanField(_("区县交界地区"), default=False)
    needs_joint_action = models.BooleanField(_("需联合查处"), default=False)
    institution = models.ForeignKey(
        "registry.Institution",
        verbose_name=_("对应持证机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subjects",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=SubjectStatus.choices, default=SubjectStatus.ACTIVE, db_index=True
    )
    notes = models.TextField(_("备注"), blank=True)
    # The forms count a site as known from this date (S001-A2 snapshot); ledgers of past years set it.
    found_on = models.DateField(_("发现日期"), default=timezone.localdate, db_index=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SubjectQuerySet.as_manager()

    # Fields whose value on a past date the forms need (FORMS.md: "the subject's region at the time of
    # the event"; S001-A2's 需要联合查处 at the period's end). Every change is kept in SubjectChange.
    TRACKED_FIELDS = ("region_id", "needs_joint_action")

    class Meta:
        verbose_name = _("监管对象")
        verbose_name_plural = _("监管对象")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["region", "status"], name="subject_region_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="subject_latitude_range",
                violation_error_message=_("纬度应在-90到90之间"),
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="subject_longitude_range",
                violation_error_message=_("经度应在-180到180之间"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.location_type and self.region_id:
            self.location_type = self.region.default_location_type or LocationType.RURAL
        changes = [
            (field, old, getattr(self, field))
            for field, old in getattr(self, "_tracked", {}).items()
            if old != getattr(self, field)
        ]
        super().save(*args, **kwargs)
        if changes:
            on = getattr(self, "_change_date", None) or timezone.localdate()
            SubjectChange.objects.bulk_create(
                SubjectChange(subject=self, field=f, old_value=_text(o), new_value=_text(n), changed_on=on)
                for f, o, n in changes
            )
            self._tracked.update({f: n for f, _o, n in changes})

    def get_absolute_url(self):
        return reverse("subjects:detail", args=[self.pk])

    def clean(self):
        if self.kind == SubjectKind.LICENSED and not self.institution_id:
            raise ValidationError({"institution": _("持证机构须关联登记的医疗机构")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("经纬度须同时填写")})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._tracked = {f: getattr(instance, f) for f in cls.TRACKED_FIELDS if f in instance.__dict__}
        return instance


class PersonRole(models.TextChoices):
    OPERATOR = "operator", _("经营者/负责人")
    PRACTITIONER = "practitioner", _("行医人员")
    OTHER = "other", _("其他相关人员")


class SubjectPersonQuerySet(ScopedQuerySet):
    region_lookup = "subject__region__code"
    subject_lookup = "subject_id"


class SubjectPerson(models.Model):
    """A person involved with a subject; ID number and phone are encrypted and searchable by blind index."""

    subject = models.ForeignKey(
        Subject, verbose_name=_("监管对象"), on_delete=models.CASCADE, related_name="persons"
    )
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    role = models.CharField(_("身份"), max_length=16, choices=PersonRole.choices, default=PersonRole.OPERATOR)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    practitioner = models.ForeignKey(
        "registry.Practitioner",
        verbose_name=_("对应执业人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SubjectPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("相关人员")
        verbose_name_plural = _("相关人员")

    def __str__(self):
        return self.name

    @property
    def region_id(self):
        return self.subject.region_id


def _text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


class SubjectChange(models.Model):
    """One change of a tracked field of a subject (region, needs-joint-action), so that the value on
    any past date can be read back: the old value of the first change after that date, or the current
    value when there is none."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=64, blank=True)
    new_value = models.CharField(max_length=64, blank=True)
    changed_on = models.DateField(_("变更日期"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("监管对象变更")
        verbose_name_plural = _("监管对象变更")
        ordering = ["subject_id", "changed_on", "id"]
        indexes = [models.Index(fields=["subject", "field", "changed_on"], name="subject_change_lookup")]

    def __str__(self):
        return f"{self.subject_id} {self.field}: {self.old_value} → {self.new_value} ({self.changed_on})"
