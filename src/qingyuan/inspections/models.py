"""On-site inspections, their checklists (kept as data), and evidence stored as files with hashes and
a custody log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingyuan.core.scoping import ScopedQuerySet


class InspectionKind(models.TextChoices):
    OVERT = "overt", _("明查")
    COVERT = "covert", _("暗访")
    PATROL = "patrol", _("巡查")
    SPECIAL = "special", _("专项检查")
    RECHECK = "recheck", _("复查")
    LOOKBACK = "lookback", _("回头看")
    SPOT_CHECK = "spot_check", _("督查抽查")


class InspectionOutcome(models.TextChoices):
    NO_VIOLATION = "no_violation", _("未发现违法")
    VIOLATION = "violation", _("发现违法行为")
    RECTIFY = "rectify", _("责令整改")
    CLOSED = "closed", _("已停业/人去屋空")
    REFERRED = "referred", _("移交处理")


class ChecklistScope(models.TextChoices):
    PRIVATE_HOSPITAL = "private_hospital", _("民营医院")
    CLINIC = "clinic", _("诊所及其他行医场所")
    BEAUTY_SALON = "beauty_salon", _("生活美容场所")
    WELLNESS = "wellness", _("养生保健场所")
    OTHER = "other", _("其他")


class ChecklistTemplate(models.Model):
    """A checklist for one type of subject; 系统管理员 edits it, inspections keep the answers."""

    name = models.CharField(_("名称"), max_length=100)
    applies_to = models.CharField(_("适用对象"), max_length=32, choices=ChecklistScope.choices)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["applies_to", "id"]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    """One question of a checklist, with its legal or regulatory basis where there is one."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("检查表"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("检查内容"), max_length=200)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["template_id", "order", "id"]

    def __str__(self):
        return self.text


class InspectionQuerySet(ScopedQuerySet):
    region_lookup = "region__code"
    subject_lookup = "subject_id"


class Inspection(models.Model):
    """One on-site inspection by at least two officers holding enforcement credentials."""

    kind = models.CharField(_("检查方式"), max_length=16, choices=InspectionKind.choices)
    started_at = models.DateTimeField(_("检查开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("检查结束时间"), null=True, blank=True)
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name=_("监管对象"), on_delete=models.PROTECT, related_name="inspections"
    )
    # Copied from the subject when recorded: the record keeps the jurisdiction it was made in even if
    # the subject's region is corrected later.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="inspections"
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("执法人员"), related_name="inspections"
    )
    # 出动执法人次 (FORMS.md S001-A3): the officers on this inspection, kept as a number so the forms sum
    # one column, and so that ledgers of past years, whose officers have no accounts, can give it.
    officer_count = models.PositiveSmallIntegerField(_("出动人次"), default=0)
    persons_present = models.TextField(_("在场人员"), blank=True)
    vehicles = models.PositiveSmallIntegerField(_("出动车辆（辆次）"), default=0)
    findings = models.TextField(_("检查情况"), blank=True)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=InspectionOutcome.choices)
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("核查线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    checklist = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("检查表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    # The API's sync cursor (api/pagination.py) reads changes by this time.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Made by the phone when the form is first opened: a form resent after a lost connection carries
    # the same id, and the second submission finds the inspection the first one saved.
    client_id = models.UUIDField(_("表单标识"), null=True, blank=True, unique=True, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["region", "started_at"], name="inspection_region_started"),
            models.Index(fields=["updated_at", "id"], name="inspection_sync"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="inspection_ends_after_start",
                violation_error_message=_("检查结束时间不能早于开始时间"),
            ),
        ]

    def __str__(self):
        return f"{self.subject} {self.get_kind_display()} {self.started_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("inspections:detail", args=[self.pk])

    def clean(self):
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("检查结束时间不能早于开始时间")})


class AnswerResult(models.TextChoices):
    YES = "yes", _("符合")
    NO = "no", _("不符合")
    NA = "na", _("不适用")


class ChecklistAnswer(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("监督检查"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("检查项目"), on_delete=models.PROTECT, related_name="answers"
    )
    result = models.CharField(_("结果"), max_length=8, choices=AnswerResult.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                name="answer_unique_item",
                violation_error_message=_("同一检查项目只能记录一次"),
            )
        ]

    def __str__(self):
        return f"{self.item}：{self.get_result_display()}"


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    AUDIO = "audio", _("录音")
    VIDEO = "video", _("录像")
    DOCUMENT = "document", _("书证")
    SEIZED = "seized", _("扣押/先行登记保存物品")


class EvidenceQuerySet(ScopedQuerySet):
    region_lookup = "subject__region__code"
    subject_lookup = "subject_id"


class Evidence(models.Model):
    """A piece of evidence; its file lives outside the database and the web root, checked by SHA-256."""

    subject = models.ForeignKey(
        "subjects.Subject", verbose_name=_("监管对象"), on_delete=models.PROTECT, related_name="evidence"
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("监督检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    kind = models.CharField(_("证据类型"), max_length=16, choices=EvidenceKind.choices)
    description = models.TextField(_("说明"), blank=True)
    path = models.CharField(_("存储路径"), max_length=200, blank=True, editable=False)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    quantity = models.CharField(_("数量"), max_length=100, blank=True)
    storage_place = models.CharField(_("存放地点"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("证据")
        verbose_name_plural = _("证据")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(path="") | models.Q(kind="seized"),
                name="evidence_file_unless_seized",
                violation_error_message=_("除扣押物品外，证据须有文件"),
            ),
        ]

    def __str__(self):
        return f"证据#{self.pk} {self.get_kind_display()} {self.original_name or self.description[:30]}"

    def get_absolute_url(self):
        return reverse("inspections:evidence_detail", args=[self.pk])

    @property
    def region_id(self):
        return self.subject.region_id

    @property
    def has_file(self) -> bool:
        return bool(self.path)


class CustodyAction(models.TextChoices):
    UPLOAD = "upload", _("上传")
    VIEW = "view", _("查看")
    DOWNLOAD = "download", _("下载")
    VERIFY_OK = "verify_ok", _("校验完好")
    VERIFY_FAILED = "verify_failed", _("校验失败")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("证据保管记录只能追加，不能修改")

    def delete(self):
        raise PermissionError("证据保管记录只能追加，不能删除")


class CustodyEvent(models.Model):
    """Chain of custody: every upload, view, download and verification of a piece of evidence."""

    evidence = models.ForeignKey(
        Evidence, verbose_name=_("证据"), on_delete=models.PROTECT, related_name="custody"
    )
    action = models.CharField(_("操作"), max_length=16, choices=CustodyAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    client_address = models.CharField(_("客户端地址"), max_length=64, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("证据保管记录")
        verbose_name_plural = _("证据保管记录")
        ordering = ["id"]

    def __str__(self):
        return f"{self.evidence_id} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("证据保管记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("证据保管记录只能追加，不能删除")
