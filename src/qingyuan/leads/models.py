"""Leads: tips from the public and every other channel, their reporters (confidential), the
workflow from registration to closing, feedback to real-name reporters and rewards."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyuan.core.crypto import EncryptedTextField, mask_phone, phone_index
from qingyuan.core.scoping import ScopedQuerySet
from qingyuan.rules.models import VersionedRule
from qingyuan.subjects.models import PracticeContent


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    EMAIL = "email", _("电子邮件")
    LETTER_VISIT = "letter_visit", _("来信来访")
    TRANSFER = "transfer", _("部门移送")
    MONITORING = "monitoring", _("信息监测")
    INSPECTION = "inspection", _("检查发现")
    SUPERIOR = "superior", _("上级交办")
    PARTNER = "partner", _("对接系统")


class Category(models.TextChoices):
    UNLICENSED = "unlicensed", _("无证行医（黑诊所）")
    NON_PHYSICIAN = "non_physician", _("非医师行医")
    ITINERANT = "itinerant", _("游医")
    AESTHETIC = "aesthetic", _("非法医疗美容")
    TCM_WELLNESS = "tcm_wellness", _("以养生保健为名非法诊疗")
    LICENCE_RENTAL = "licence_rental", _("出租出借证照")
    SEX_SELECTION = "sex_selection", _("“两非”")
    ADVERTISING = "advertising", _("违法医疗广告")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    REGISTERED = "registered", _("登记")
    ACCEPTED = "accepted", _("受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("已分派")
    VERIFYING = "verifying", _("核查中")
    CONCLUDED = "concluded", _("已出结论")
    ANSWERED = "answered", _("已反馈")
    CLOSED = "closed", _("办结")


class Conclusion(models.TextChoices):
    TRUE = "true", _("属实")
    PARTLY_TRUE = "partly_true", _("部分属实")
    UNTRUE = "untrue", _("不属实")
    TRANSFERRED = "transferred", _("移交其他部门")
    CASE_OPENED = "case_opened", _("立案查处")


class TransferSource(models.TextChoices):
    POLICE = "police", _("公安机关")
    MARKET = "market", _("市场监管部门")
    DRUG = "drug", _("药品监管部门")
    OTHER_REGION = "other_region", _("其他地区卫生健康部门")
    OTHER = "other", _("其他部门")


class Reporter(models.Model):
    """The person who sent a tip. Identity encrypted at rest, never disclosed (信访工作条例 第30条)."""

    name = EncryptedTextField(_("姓名"), blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    email = EncryptedTextField(_("电子邮箱"), blank=True)
    address = EncryptedTextField(_("联系地址"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("举报人")
        verbose_name_plural = _("举报人")

    def __str__(self):
        return f"举报人#{self.pk}"  # never the name: this string can reach logs and audit rows


def overdue_condition(today: dt.date) -> Q:
    """Past the deadline of the lead's current step on `today` (services.current_due, as SQL): the
    lists' 已超期 filter, their counts and the dashboard all compute it from the deadlines now."""
    return (
        Q(status=Status.REGISTERED, accept_due__lt=today)
        | Q(status__in=[Status.ACCEPTED, Status.ASSIGNED, Status.VERIFYING], conclude_due__lt=today)
        | Q(status=Status.CONCLUDED, is_anonymous=False, feedback_due__lt=today)
    )


class LeadQuerySet(ScopedQuerySet):
    """A lead is visible in the region of the unit handling it (routing may move it)."""

    region_lookup = "handling_unit__region__code"

    def overdue(self, today: dt.date | None = None):
        return self.filter(overdue_condition(today or timezone.localdate()))

    def not_overdue(self, today: dt.date | None = None):
        return self.exclude(overdue_condition(today or timezone.localdate()))


def new_tracking_code() -> str:
    # 12 characters from an alphabet without look-alikes: hard to guess, easy to read out on the phone.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Lead(models.Model):
    """A lead: anything that points at possible illegal practice."""

    number = models.CharField(_("线索编号"), max_length=32, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    category = models.CharField(
        _("问题类别"), max_length=32, choices=Category.choices, default=Category.OTHER
    )
    received_at = models.DateTimeField(_("收到时间"), db_index=True)
    content = models.TextField(_("反映内容"))
    place = models.CharField(_("反映地点"), max_length=300, blank=True)
    reported_person = models.CharField(_("被反映人"), max_length=100, blank=True)
    # Personal data of someone not yet found to have done anything: encrypted, masked on pages, and
    # matched against subjects' phones through the blind index only.
    reported_phone = EncryptedTextField(_("被反映人电话"), blank=True)
    reported_phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # No default: a preset value was saved unread on forms; every form asks for it explicitly.
    practice_content = models.CharField(_("行医内容"), max_length=32, choices=PracticeContent.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    routing_note = models.CharField(_("地址识别"), max_length=300, blank=True)
    handling_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="leads"
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("承办人员"), blank=True, related_name="leads"
    )
    subject = models.ForeignKey(
        "subjects.Subject",
        verbose_name=_("监管对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("重复于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    is_anonymous = models.BooleanField(_("匿名"), default=True)
    reporter = models.OneToOneField(
        Reporter,
        verbose_name=_("举报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead",
    )
    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True, default=new_tracking_code)
    transfer_source = models.CharField(
        _("移送单位类型"), max_length=16, choices=TransferSource.choices, blank=True
    )
    transfer_document = models.CharField(_("移送文书/来源说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    reject_reason = models.TextField(_("不予受理理由"), blank=True)
    conclusion = models.CharField(_("核查结论"), max_length=16, choices=Conclusion.choices, blank=True)
    conclusion_note = models.TextField(_("核查情况"), blank=True)
    concluded_at = models.DateTimeField(_("结论时间"), null=True, blank=True)
    feedback = models.TextField(_("答复内容"), blank=True, help_text=_("举报人凭查询码可见"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # 可网上查询: the reporter may read the current answer with the tracking code (feedback.py).
    feedback_released_at = models.DateTimeField(_("可网上查询时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    accept_due = models.DateField(_("受理/分派期限"))
    conclude_due = models.DateField(_("办结期限"))
    feedback_due = models.DateField(_("反馈期限"), null=True, blank=True)
    extended = models.BooleanField(_("已延期"), default=False)
    # The deadline whose passing the daily job has announced (leads.tasks): a deadline is announced
    # once, and an extended one again when it passes. Whether the lead is overdue is computed.
    overdue_notified_for = models.DateField(_("已提醒超期的期限"), null=True, blank=True, editable=False)
    partner = models.ForeignKey(
        "api.PartnerSystem",
        verbose_name=_("来源对接系统"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    external_id = models.CharField(_("对方编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("线索")
        verbose_name_plural = _("线索")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["handling_unit", "status"], name="lead_unit_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"],
                condition=~models.Q(external_id=""),
                name="lead_unique_partner_reference",
                violation_error_message=_("该对接系统的编号已登记过"),
            ),
            models.CheckConstraint(
                condition=models.Q(is_anonymous=True) | models.Q(reporter__isnull=False),
                name="lead_real_name_has_reporter",
                violation_error_message=_("实名举报须登记举报人信息"),
            ),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        # Here rather than in each service, so that no path (portal, API, import) leaves it stale.
        self.reported_phone_index = phone_index(self.reported_phone or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "reported_phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "reported_phone_index"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("leads:detail", args=[self.pk])

    @property
    def reported_phone_masked(self) -> str:
        return mask_phone(self.reported_phone or "")

    @property
    def real_name(self) -> bool:
        return not self.is_anonymous


def attachment_path(instance, filename):
    # Generated names only: the reporter's file name may carry personal data or path tricks.
    return f"leads/{instance.lead_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.original_name


class LeadEvent(models.Model):
    """One step of the lead's timeline (shown on its page); the audit log keeps the full before/after."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("环节"), max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["id"]  # insertion order: clocks can disagree, ids cannot

    def __str__(self):
        return f"{self.lead} {self.action}"


class FeedbackTemplate(models.Model):
    """Editable answer templates per conclusion; {number} {received} {conclusion} are filled in."""

    conclusion = models.CharField(_("核查结论"), max_length=16, choices=Conclusion.choices, unique=True)
    text = models.TextField(_("答复模板"))

    class Meta:
        verbose_name = _("反馈模板")
        verbose_name_plural = _("反馈模板")

    def __str__(self):
        return self.get_conclusion_display()


class RewardDecision(models.TextChoices):
    GRANTED = "granted", _("给予奖励")
    REFUSED = "refused", _("不予奖励")


class RewardStatus(models.TextChoices):
    """Where a reward stands (leads.rewards.REWARD_WORKFLOW moves it)."""

    PROPOSED = "proposed", _("待领导审批")
    APPROVED = "approved", _("已批准待支付")
    REFUSED = "refused", _("审批未同意")
    NOT_GRANTED = "not_granted", _("不予奖励")
    PAID = "paid", _("已支付")


class RewardStandard(VersionedRule):
    """One version of a region's 举报奖励标准: the range and cap per tip and the amount above which a
    leader approves, for one category or (category blank) as the region's general scale. The
    standard that applies to a tip is the one in force in the nearest region above the tip's place
    that has one; `code` is "<region code>:<category or general>", so each scale keeps its history."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(
        _("问题类别"), max_length=32, choices=Category.choices, blank=True, help_text=_("留空为通用标准")
    )
    amount_min = models.DecimalField(_("每件最低金额（元）"), max_digits=10, decimal_places=2)
    amount_max = models.DecimalField(_("每件标准最高金额（元）"), max_digits=10, decimal_places=2)
    cap = models.DecimalField(
        _("单件封顶金额（元）"),
        max_digits=10,
        decimal_places=2,
        help_text=_("超过标准最高金额、不超过封顶金额的，须写明理由并经领导审批"),
    )
    approval_threshold = models.DecimalField(
        _("须领导审批的金额（元）"),
        max_digits=10,
        decimal_places=2,
        help_text=_("奖励金额超过此数的，由领导审批后方可支付"),
    )

    class Meta(VersionedRule.Meta):
        verbose_name = _("举报奖励标准")
        verbose_name_plural = _("举报奖励标准")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rewardstandard_code_version")
        ]

    def __str__(self):
        return f"{self.region.name}{self.get_category_display() or '通用'}奖励标准 第{self.version}版"

    def clean(self):
        super().clean()
        errors = {}
        if self.amount_min is not None and self.amount_min < 0:
            errors["amount_min"] = _("每件最低金额不能为负数")
        if None not in (self.amount_min, self.amount_max) and self.amount_max < self.amount_min:
            errors["amount_max"] = _("标准最高金额不能低于最低金额")
        if None not in (self.amount_max, self.cap) and self.cap < self.amount_max:
            errors["cap"] = _("封顶金额不能低于标准最高金额")
        if self.approval_threshold is not None and self.approval_threshold < 0:
            errors["approval_threshold"] = _("须领导审批的金额不能为负数")
        if errors:
            raise ValidationError(errors)


class RewardQuerySet(ScopedQuerySet):
    """A reward is visible where its lead is: in the region of the unit handling the lead."""

    region_lookup = "lead__handling_unit__region__code"


class Reward(models.Model):
    """有奖举报: the decision on a tip's reward, the leader's approval above the standard's threshold,
    and its payment."""

    lead = models.OneToOneField(Lead, verbose_name=_("线索"), on_delete=models.PROTECT, related_name="reward")
    decision = models.CharField(_("奖励决定"), max_length=16, choices=RewardDecision.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=RewardStatus.choices, default=RewardStatus.APPROVED, db_index=True
    )
    amount = models.DecimalField(_("奖励金额（元）"), max_digits=10, decimal_places=2, default=0)
    reason = models.TextField(_("理由"), blank=True)
    standard = models.ForeignKey(
        RewardStandard,
        verbose_name=_("适用标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rewards",
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    review_note = models.TextField(_("审批意见"), blank=True)
    paid_amount = models.DecimalField(
        _("实付金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    paid_at = models.DateField(_("支付日期"), null=True, blank=True)
    payment_reference = models.CharField(_("支付凭证号"), max_length=64, blank=True)

    objects = RewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报奖励")
        verbose_name_plural = _("举报奖励")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="reward_amount_not_negative",
                violation_error_message=_("奖励金额不能为负数"),
            ),
        ]

    def __str__(self):
        return f"{self.lead} {self.get_decision_display()}"

    def get_absolute_url(self):
        return self.lead.get_absolute_url()


class RewardClaim(models.Model):
    """The claimant of an anonymous tip's reward, who proved to be the reporter with the tip's 查询码.
    Identity encrypted at rest like the reporter's, shown only to holders of leads.reporter, each
    showing audited."""

    lead = models.OneToOneField(
        Lead, verbose_name=_("线索"), on_delete=models.PROTECT, related_name="reward_claim"
    )
    name = EncryptedTextField(_("姓名"))
    id_number = EncryptedTextField(_("身份证号"))
    phone = EncryptedTextField(_("联系电话"))
    bank_account = EncryptedTextField(_("收款银行账号"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("奖励申领人")
        verbose_name_plural = _("奖励申领人")

    def __str__(self):
        return f"申领人#{self.pk}"  # never the name: this string can reach logs and audit rows


class DeliveryMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    LETTER = "letter", _("信件")
    IN_PERSON = "in_person", _("当面")
    ONLINE = "online", _("网上查询")


class FeedbackDelivery(models.Model):
    """How and when an answer reached the reporter. Tied to the answer it carried (`answered_at`,
    `answer`): a corrected answer has to reach the reporter again to count as delivered."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="deliveries"
    )
    method = models.CharField(_("送达方式"), max_length=16, choices=DeliveryMethod.choices)
    delivered_at = models.DateTimeField(_("送达时间"))
    # None: the reporter read the released answer on the public tracking page.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    answered_at = models.DateTimeField(_("所送达答复的答复时间"))
    answer = models.TextField(_("送达的答复内容"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("答复送达")
        verbose_name_plural = _("答复送达")
        ordering = ["delivered_at", "id"]

    def __str__(self):
        return f"{self.lead} {self.get_method_display()}"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class RatingSource(models.TextChoices):
    ONLINE = "online", _("举报人网上评价")
    PHONE = "phone", _("电话回访")


class Satisfaction(models.Model):
    """The reporter's rating of how the tip was handled, once per lead (满意度)."""

    lead = models.OneToOneField(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="satisfaction"
    )
    rating = models.CharField(_("满意度"), max_length=16, choices=Rating.choices)
    comment = models.TextField(_("意见"), blank=True)
    source = models.CharField(_("评价方式"), max_length=16, choices=RatingSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("举报人满意度")
        verbose_name_plural = _("举报人满意度")

    def __str__(self):
        return f"{self.lead} {self.get_rating_display()}"
