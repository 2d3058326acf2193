"""The steps of the penalty procedure after 立案, as records: the proposed penalty served with the
事先告知书, the party's statement and hearing, 法制审核 and 集体讨论, the investigation records
officers serve on site (询问笔录, 卫生监督意见书/责令改正通知书, 先行登记保存), and enforcement of an
unpaid fine (催告, 申请人民法院强制执行, 延期/分期缴纳).

The case's state moves through cases.workflow; these rows are what each step records. Imported
by cases.models, so they are part of the cases app."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingyuan.core.crypto import EncryptedTextField

USER = settings.AUTH_USER_MODEL


class Discretion(models.TextChoices):
    NORMAL = "normal", _("一般")
    HEAVIER = "heavier", _("从重")
    LIGHTER = "lighter", _("从轻")
    MITIGATED = "mitigated", _("减轻")
    NONE = "none", _("不予处罚")


class PenaltyProposal(models.Model):
    """拟处罚: the penalty the unit proposes, recorded before the 事先告知书 is served (行政处罚法 第44条).

    A new version is recorded whenever the proposal changes; the decision may not be harsher than the
    version the party was last told of without a new notice. `notified_on` is the day the notice for
    this version was served."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="proposals")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    offence = models.ForeignKey(
        "rules.Offence", verbose_name=_("适用条款"), on_delete=models.PROTECT, related_name="+"
    )
    facts = models.TextField(_("违法事实及证据"))
    discretion = models.CharField(
        _("裁量情节"), max_length=16, choices=Discretion.choices, default=Discretion.NORMAL
    )
    discretion_reason = models.TextField(_("裁量理由"), blank=True)
    # The article relied on for 从轻/减轻 (行政处罚法 第32条) or 不予处罚 (第33条 etc.).
    discretion_basis = models.CharField(_("裁量依据"), max_length=300, blank=True)
    hearing_right = models.BooleanField(_("告知听证权利"), default=False, help_text=_("行政处罚法 第63条"))
    notice_number = models.CharField(_("告知书文号"), max_length=60, blank=True)
    notified_on = models.DateField(_("告知书送达日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("拟定人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("拟定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("拟处罚意见")
        verbose_name_plural = _("拟处罚意见")
        ordering = ["case", "version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="proposal_version_once")]

    def __str__(self):
        return f"{self.case} 拟处罚（第{self.version}版）"


class ProposedMeasure(models.Model):
    proposal = models.ForeignKey(PenaltyProposal, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("处罚种类"), max_length=24)  # cases.models.MeasureKind
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("拟处罚措施")
        verbose_name_plural = _("拟处罚措施")
        constraints = [models.UniqueConstraint(fields=["proposal", "kind"], name="proposed_measure_once")]

    def __str__(self):
        return self.kind


class StatementRecord(models.Model):
    """陈述申辩笔录 and the unit's review of what the party said (行政处罚法 第45条)."""

    class Adoption(models.TextChoices):
        ADOPTED = "adopted", _("采纳")
        PARTLY = "partly", _("部分采纳")
        REJECTED = "rejected", _("不予采纳")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="statements")
    taken_at = models.DateTimeField(_("陈述申辩时间"))
    place = models.CharField(_("地点"), max_length=200)
    speaker = models.CharField(_("陈述申辩人"), max_length=100)
    content = models.TextField(_("陈述申辩内容"))
    officers = models.ManyToManyField(USER, verbose_name=_("承办人"), related_name="+")
    adoption = models.CharField(_("复核意见"), max_length=16, choices=Adoption.choices, blank=True)
    adoption_reason = models.TextField(_("复核理由"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("陈述申辩笔录")
        verbose_name_plural = _("陈述申辩笔录")
        ordering = ["taken_at"]

    def __str__(self):
        return f"{self.speaker} {self.taken_at:%Y-%m-%d}"


class Hearing(models.Model):
    """A hearing the party asked for (行政处罚法 第64条): notice at least 7 days before, held by a
    host who did not investigate the case, and the host's report."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="hearings")
    requested_on = models.DateField(_("申请听证日期"))
    notice_served_on = models.DateField(_("听证通知书送达日期"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("听证时间"), null=True, blank=True)
    place = models.CharField(_("听证地点"), max_length=200, blank=True)
    public = models.BooleanField(_("公开举行"), default=True)
    host = models.ForeignKey(
        USER, verbose_name=_("听证主持人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        USER, verbose_name=_("记录员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("举行日期"), null=True, blank=True)
    report = models.TextField(_("听证报告"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("听证")
        verbose_name_plural = _("听证")
        ordering = ["requested_on", "pk"]

    def __str__(self):
        return f"{self.case} 听证 {self.requested_on}"


class ReviewConclusion(models.TextChoices):
    AGREE = "agree", _("同意")
    AMEND = "amend", _("建议修改")
    SUPPLEMENT = "supplement", _("退回补充调查")
    DISAGREE = "disagree", _("不同意")


class LegalReview(models.Model):
    """法制审核 before the decision (行政处罚法 第58条): who reviewed which proposal, their opinion."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="legal_reviews")
    proposal = models.ForeignKey(PenaltyProposal, on_delete=models.PROTECT, related_name="legal_reviews")
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("送审人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("送审时间"), auto_now_add=True)
    reviewers = models.ManyToManyField(USER, verbose_name=_("法制审核人员"), related_name="+", blank=True)
    reviewed_on = models.DateField(_("审核日期"), null=True, blank=True)
    opinion = models.TextField(_("审核意见"), blank=True)
    conclusion = models.CharField(_("审核结论"), max_length=16, choices=ReviewConclusion.choices, blank=True)

    class Meta:
        verbose_name = _("法制审核")
        verbose_name_plural = _("法制审核")
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return f"{self.case} 法制审核"


class DiscussionConclusion(models.TextChoices):
    AS_PROPOSED = "as_proposed", _("同意拟处罚意见")
    CHANGED = "changed", _("变更处罚意见")
    NO_PENALTY = "no_penalty", _("不予行政处罚")
    REINVESTIGATE = "reinvestigate", _("补充调查")
    REFER = "refer", _("移送司法机关")


class CollectiveDiscussion(models.Model):
    """集体讨论 by the unit's heads for complex or serious cases (行政处罚法 第57条第2款)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="discussions")
    proposal = models.ForeignKey(PenaltyProposal, on_delete=models.PROTECT, related_name="discussions")
    held_on = models.DateField(_("讨论日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    chair = models.ForeignKey(USER, verbose_name=_("主持人"), on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(USER, verbose_name=_("参加人员"), related_name="+")
    other_participants = models.CharField(_("其他参加人员"), max_length=300, blank=True)
    recorder = models.ForeignKey(
        USER, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opinions = models.TextField(_("讨论意见"))
    conclusion = models.CharField(_("讨论结论"), max_length=16, choices=DiscussionConclusion.choices)
    conclusion_text = models.TextField(_("决定内容"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("集体讨论")
        verbose_name_plural = _("集体讨论")
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.case} 集体讨论 {self.held_on}"


class Inquiry(models.Model):
    """询问笔录: one interview of the party, a witness or a patient, in a case or an inspection."""

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="inquiries"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection", null=True, blank=True, on_delete=models.CASCADE, related_name="inquiries"
    )
    person_name = models.CharField(_("被询问人"), max_length=100)
    person_id_number = EncryptedTextField(_("身份证号"), blank=True)
    person_phone = EncryptedTextField(_("联系电话"), blank=True)
    person_address = models.CharField(_("住址"), max_length=300, blank=True)
    relation = models.CharField(
        _("与案件关系"), max_length=100, help_text=_("如：当事人、法定代表人、证人、就诊者")
    )
    started_at = models.DateTimeField(_("询问开始时间"))
    ended_at = models.DateTimeField(_("询问结束时间"), null=True, blank=True)
    place = models.CharField(_("询问地点"), max_length=200)
    officers = models.ManyToManyField(USER, verbose_name=_("询问人"), related_name="+")
    content = models.TextField(_("询问内容"), help_text=_("问：…… 答：……"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("询问笔录")
        verbose_name_plural = _("询问笔录")
        ordering = ["started_at", "pk"]

    def __str__(self):
        return f"询问{self.person_name} {self.started_at:%Y-%m-%d}"


class OrderKind(models.TextChoices):
    OPINION = "opinion", _("卫生监督意见书")
    CORRECTION = "correction", _("责令改正通知书")


class SupervisionOrder(models.Model):
    """卫生监督意见书 or 责令改正通知书 served on site: what must change, on what basis, by when."""

    kind = models.CharField(_("文书"), max_length=16, choices=OrderKind.choices)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="orders"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection", null=True, blank=True, on_delete=models.CASCADE, related_name="orders"
    )
    number = models.CharField(_("文书编号"), max_length=60, blank=True)
    issued_on = models.DateField(_("出具日期"))
    content = models.TextField(_("意见或违法事实及改正要求"))
    basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    correct_by = models.DateField(_("改正期限"), null=True, blank=True)
    officers = models.ManyToManyField(USER, verbose_name=_("卫生监督员"), related_name="+")
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("卫生监督意见书/责令改正通知书")
        verbose_name_plural = _("卫生监督意见书/责令改正通知书")
        ordering = ["issued_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class HoldDecision(models.TextChoices):
    RELEASE = "release", _("解除先行登记保存")
    CONFISCATE = "confiscate", _("依法没收")
    TEST = "test", _("送检验、检测或鉴定")
    TRANSFER = "transfer", _("移送有关部门处理")


class EvidenceHold(models.Model):
    """先行登记保存 of evidence that may be lost (行政处罚法 第56条): approved by the head, reported
    within 24 hours, decided within 7 days."""

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="holds"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection", null=True, blank=True, on_delete=models.CASCADE, related_name="holds"
    )
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("文书编号"), max_length=60, blank=True)
    held_at = models.DateTimeField(_("保存时间"))
    items = models.TextField(_("物品清单"), help_text=_("名称、规格、数量，一行一项"))
    place = models.CharField(_("保存地点"), max_length=200)
    keeper = models.CharField(_("保存人"), max_length=100, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("批准负责人"), on_delete=models.PROTECT, related_name="+"
    )
    officers = models.ManyToManyField(USER, verbose_name=_("执法人员"), related_name="+")
    decided_on = models.DateField(_("处理决定日期"), null=True, blank=True)
    decision = models.CharField(_("处理决定"), max_length=16, choices=HoldDecision.choices, blank=True)
    decision_text = models.TextField(_("处理决定内容"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("先行登记保存")
        verbose_name_plural = _("先行登记保存")
        ordering = ["held_at", "pk"]

    def __str__(self):
        return f"先行登记保存 {self.number}"


class Demand(models.Model):
    """催告书 before applying for court enforcement (行政强制法 第54条): the party has 10 days after it
    is served to pay."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="demands")
    number = models.CharField(_("文书编号"), max_length=60, blank=True)
    issued_on = models.DateField(_("催告日期"))
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    amount = models.DecimalField(_("催告金额（元）"), max_digits=14, decimal_places=2)
    surcharge = models.DecimalField(_("其中加处罚款（元）"), max_digits=14, decimal_places=2, default=0)
    due_on = models.DateField(_("履行期限"), null=True, blank=True)
    statement = models.TextField(_("当事人陈述申辩及处理"), blank=True)
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("催告")
        verbose_name_plural = _("催告")
        ordering = ["issued_on", "pk"]

    def __str__(self):
        return f"催告 {self.issued_on}"


class CourtRuling(models.TextChoices):
    PENDING = "pending", _("待裁定")
    ENFORCE = "enforce", _("裁定准予执行")
    REFUSE = "refuse", _("裁定不予执行")


class CourtOutcome(models.TextChoices):
    PENDING = "pending", _("执行中")
    EXECUTED = "executed", _("执行完毕")
    TERMINATED = "terminated", _("终结执行")


class CourtApplication(models.Model):
    """申请人民法院强制执行 (行政强制法 第53、55条) and what the court did."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="court_applications")
    number = models.CharField(_("文书编号"), max_length=60, blank=True)
    court = models.CharField(_("人民法院"), max_length=200)
    applied_on = models.DateField(_("申请日期"))
    amount = models.DecimalField(_("申请执行金额（元）"), max_digits=14, decimal_places=2)
    other_measures = models.CharField(_("申请执行的其他事项"), max_length=300, blank=True)
    accepted_on = models.DateField(_("法院受理日期"), null=True, blank=True)
    ruling = models.CharField(
        _("裁定"), max_length=16, choices=CourtRuling.choices, default=CourtRuling.PENDING
    )
    ruling_no = models.CharField(_("裁定书文号"), max_length=100, blank=True)
    ruled_on = models.DateField(_("裁定日期"), null=True, blank=True)
    outcome = models.CharField(
        _("执行结果"), max_length=16, choices=CourtOutcome.choices, default=CourtOutcome.PENDING
    )
    outcome_on = models.DateField(_("执行结果日期"), null=True, blank=True)
    outcome_note = models.TextField(_("说明"), blank=True)
    applied_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申请法院强制执行")
        verbose_name_plural = _("申请法院强制执行")
        ordering = ["applied_on", "pk"]

    def __str__(self):
        return f"申请{self.court}强制执行"


class PlanKind(models.TextChoices):
    DEFER = "defer", _("延期缴纳")
    INSTALMENTS = "instalments", _("分期缴纳")


class PaymentPlan(models.Model):
    """延期或分期缴纳罚款 (行政处罚法 第66条第2款), approved on the party's application."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="payment_plans")
    kind = models.CharField(_("方式"), max_length=16, choices=PlanKind.choices)
    requested_on = models.DateField(_("申请日期"))
    reason = models.TextField(_("申请理由"))
    approved_by = models.ForeignKey(
        USER, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("批准日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("延期/分期缴纳")
        verbose_name_plural = _("延期/分期缴纳")
        ordering = ["approved_on", "pk"]

    def __str__(self):
        return self.get_kind_display()

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.case_id])


class Instalment(models.Model):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("缴纳期限"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("分期")
        verbose_name_plural = _("分期")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.due_on} {self.amount}"
