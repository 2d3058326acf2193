"""The licence registry: licensed or filed medical institutions and registered practitioners."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyuan.core.crypto import EncryptedTextField
from qingyuan.core.scoping import ScopedQuerySet


class InstitutionCategory(models.TextChoices):
    HOSPITAL = "hospital", _("医院")
    OUTPATIENT = "outpatient", _("门诊部")
    CLINIC = "clinic", _("诊所")
    TOWNSHIP_HOSPITAL = "township_hospital", _("卫生院")
    COMMUNITY_CENTRE = "community_centre", _("社区卫生服务中心")
    COMMUNITY_STATION = "community_station", _("社区卫生服务站")
    VILLAGE_CLINIC = "village_clinic", _("村卫生室")
    AESTHETIC = "aesthetic", _("医疗美容机构")
    TCM_CLINIC = "tcm_clinic", _("中医诊所")
    DENTAL = "dental", _("口腔诊所")
    MATERNAL = "maternal", _("妇幼保健机构")
    OTHER = "other", _("其他")


class LicenceKind(models.TextChoices):
    LICENCE = "licence", _("执业许可证")
    FILING = "filing", _("诊所备案")


class InstitutionStatus(models.TextChoices):
    VALID = "valid", _("有效")
    CANCELLED = "cancelled", _("注销")
    REVOKED = "revoked", _("吊销")
    EXPIRED = "expired", _("过期")


def normalize_number(value: str) -> str:
    """Licence and certificate numbers compare without surrounding or inner blanks and case."""
    return "".join((value or "").split()).upper()


class InstitutionQuerySet(ScopedQuerySet):
    region_lookup = "region__code"


class Institution(models.Model):
    """A medical institution holding a 执业许可证 or a clinic filing (备案)."""

    name = models.CharField(_("机构名称"), max_length=200, db_index=True)
    category = models.CharField(_("机构类别"), max_length=32, choices=InstitutionCategory.choices)
    licence_kind = models.CharField(
        _("许可/备案"), max_length=16, choices=LicenceKind.choices, default=LicenceKind.LICENCE
    )
    licence_no = models.CharField(_("许可证号/备案号"), max_length=64, unique=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    legal_representative = models.CharField(_("法定代表人/负责人"), max_length=50, blank=True)
    departments = models.TextField(_("诊疗科目"), blank=True, help_text=_("以顿号或逗号分隔"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=InstitutionStatus.choices,
        default=InstitutionStatus.VALID,
        db_index=True,
    )
    # The public look-up shows 注销/吊销 with their date (卫生健康监督 公示: the date a licence ended matters
    # to a patient treated there); set by the services when the status changes, importable.
    status_changed_on = models.DateField(
        _("状态变更日期"), null=True, blank=True, help_text=_("状态改变时留空则记为保存当日")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("医疗机构")
        verbose_name_plural = _("医疗机构")
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["region", "status"], name="institution_region_status")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:institution_detail", args=[self.pk])

    @property
    def effective_status(self) -> str:
        """A licence past its 有效期 is expired whatever the recorded status still says."""
        if (
            self.status == InstitutionStatus.VALID
            and self.valid_until
            and self.valid_until < timezone.localdate()
        ):
            return InstitutionStatus.EXPIRED
        return self.status

    @property
    def effective_status_label(self) -> str:
        return InstitutionStatus(self.effective_status).label

    @property
    def is_valid(self) -> bool:
        return self.effective_status == InstitutionStatus.VALID

    @property
    def status_date(self):
        """Since when the licence is no longer valid: its 有效期 for 过期, the recorded date otherwise."""
        status = self.effective_status
        if status == InstitutionStatus.VALID:
            return None
        if status == InstitutionStatus.EXPIRED and self.valid_until:
            return self.valid_until
        return self.status_changed_on


class PractitionerKind(models.TextChoices):
    PHYSICIAN = "physician", _("执业医师")
    ASSISTANT = "assistant", _("执业助理医师")
    VILLAGE_DOCTOR = "village_doctor", _("乡村医生")
    NURSE = "nurse", _("护士")
    TCM_EXPERT = "tcm_expert", _("中医（专长）医师")
    OTHER = "other", _("其他卫生技术人员")


class PractitionerStatus(models.TextChoices):
    VALID = "valid", _("有效")
    CANCELLED = "cancelled", _("注销")
    REVOKED = "revoked", _("吊销")
    SUSPENDED = "suspended", _("暂停")


class PractitionerQuerySet(ScopedQuerySet):
    region_lookup = "region__code"


class Practitioner(models.Model):
    """A registered practitioner with qualification and practising certificates."""

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_index = models.CharField(
        _("身份证号索引"), max_length=64, blank=True, db_index=True, editable=False
    )
    qualification_no = models.CharField(_("医师资格证书编码"), max_length=64, blank=True)
    certificate_no = models.CharField(_("执业证书编码"), max_length=64, unique=True)
    kind = models.CharField(_("人员类型"), max_length=32, choices=PractitionerKind.choices)
    practice_category = models.CharField(
        _("执业类别"), max_length=32, blank=True, help_text=_("临床、中医、口腔、公共卫生")
    )
    practice_scope = models.CharField(_("执业范围"), max_length=200, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("注册执业机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practitioners",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("注册区划"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PractitionerStatus.choices,
        default=PractitionerStatus.VALID,
        db_index=True,
    )
    status_changed_on = models.DateField(
        _("状态变更日期"), null=True, blank=True, help_text=_("状态改变时留空则记为保存当日")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PractitionerQuerySet.as_manager()

    class Meta:
        verbose_name = _("执业人员")
        verbose_name_plural = _("执业人员")
        ordering = ["region_id", "name"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def get_absolute_url(self):
        return reverse("registry:practitioner_detail", args=[self.pk])

    @property
    def is_valid(self) -> bool:
        return self.status == PractitionerStatus.VALID

    @property
    def status_date(self):
        return None if self.is_valid else self.status_changed_on


class ImportKind(models.TextChoices):
    INSTITUTIONS = "institutions", _("医疗机构")
    PRACTITIONERS = "practitioners", _("执业人员")
