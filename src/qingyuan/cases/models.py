"""Cases: from 立案 to 结案, with penalty decisions, payments, referrals, judgments and re-inspections.

The workflow (states and transitions) is written once in workflow.py and enforced in services; this
module holds the data. Every case belongs to the region of its subject at the time it was opened,
so a subject that later moves does not take its old cases into another county's figures."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyuan.core.crypto import EncryptedTextField
from qingyuan.core.scoping import ScopedQuerySet


class CaseStatus(models.TextChoices):
    PROPOSED = "proposed", _("待立案审批")
    INVESTIGATING = "investigating", _("调查取证")
    REVIEW = "review", _("合议审理")
    NOTIFIED = "notified", _("已告知")
    HEARING = "hearing", _("听证")
    DECIDED = "decided", _("已决定")
    SERVED = "served", _("已送达")
    ENFORCING = "enforcing", _("执行中")
    # An unpaid fine: 催告 served (行政强制法 第54条), then an application to the court (第53条).
    DEMANDED = "demanded", _("已催告")
    COURT = "court", _("申请法院强制执行")
    CLOSED = "closed", _("已结案")
    NOT_OPENED = "not_opened", _("不予立案")
    REVOKED = "revoked", _("已撤销")
    TRANSFERRED = "transferred", _("已移送")


class CloseKind(models.TextChoices):
    """How a closed case ended; the forms count executed penalties by this."""

    EXECUTED = "executed", _("执行完毕")
    NO_PENALTY = "no_penalty", _("不予行政处罚")
    COURT_EXECUTED = "court_executed", _("法院强制执行完毕")
    TERMINATED = "terminated", _("强制执行终结")
    COURT_REFUSED = "court_refused", _("法院裁定不予执行")


class CaseSource(models.TextChoices):
    LEAD = "lead", _("线索")
    INSPECTION = "inspection", _("监督检查")
    DIRECT = "direct", _("直接立案")


class PartyKind(models.TextChoices):
    CITIZEN = "citizen", _("公民")
    ORGANISATION = "organisation", _("法人或其他组织")


class CaseQuerySet(ScopedQuerySet):
    region_lookup = "region__code"
    subject_lookup = "subject_id"
    subject_grant_reason = "designation"

    def overdue(self, today: dt.date | None = None):
        """Past the deadline of the case's current clock on `today` (default: today): computed from the
        deadlines (overdue_condition), never from a flag a job sets."""
        return self.filter(overdue_condition(today or timezone.localdate()))

    def not_overdue(self, today: dt.date | None = None):
        return self.exclude(overdue_condition(today or timezone.localdate()))


class CaseNumbering(models.Model):
    """How a unit numbers its cases: its short name in the pattern (某卫医罚〔2024〕12号).
    A unit without a row uses its own name and settings.QINGYUAN_CASE_NUMBER_PATTERN."""

    unit = models.OneToOneField("regions.Unit", verbose_name=_("单位"), on_delete=models.CASCADE)
    abbr = models.CharField(_("文号简称"), max_length=20, help_text=_("如“吴”“苏吴”"))
    pattern = models.CharField(
        _("编号格式"), max_length=60, blank=True, help_text=_("可用 {abbr} {year} {seq}；留空用系统默认")
    )

    class Meta:
        verbose_name = _("案件编号规则")
        verbose_name_plural = _("案件编号规则")

    def __str__(self):
        return f"{self.unit} {self.abbr}"


class Case(models.Model):
    number = models.CharField(_("案件编号"), max_length=60, unique=True, null=True, blank=True)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="cases"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name=_("监管对象"), on_delete=models.PROTECT, related_name="cases"
    )
    source = models.CharField(_("案件来源"), max_length=16, choices=CaseSource.choices)
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("来源线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("来源检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    title = models.CharField(_("案由"), max_length=200)
    facts = models.TextField(_("违法事实"), blank=True)
    # The party (当事人): a person for the crime criteria and the penalty history across regions.
    party_kind = models.CharField(_("当事人类型"), max_length=16, choices=PartyKind.choices)
    # Indexed: earlier penalties are found by name when a party has no ID number (crime criteria).
    party_name = models.CharField(_("当事人"), max_length=200, db_index=True)
    party_person = models.ForeignKey(
        "subjects.SubjectPerson",
        verbose_name=_("当事人（人员）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    party_id_number = EncryptedTextField(_("当事人身份证号/统一社会信用代码"), blank=True)
    # Blind index of party_id_number: finds the same person's cases in every region without decrypting.
    party_id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    party_address = models.CharField(_("当事人住址"), max_length=300, blank=True)
    offence_date = models.DateField(_("违法行为发生日期"), help_text=_("按该日有效的法条处理"))
    # 时效 (行政处罚法 第36条): counted from the end of a continuing act, five years where the act
    # endangered life and health with harmful consequences.
    act_ended_on = models.DateField(
        _("违法行为终了日期"), null=True, blank=True, help_text=_("违法行为有连续或者继续状态的填写")
    )
    endangers_health = models.BooleanField(
        _("涉及公民生命健康安全且有危害后果"), default=False, help_text=_("追责期限延长至五年")
    )
    time_bar_reason = models.TextField(_("超过追责期限仍立案的理由"), blank=True)
    time_bar_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准超期立案的负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    illegal_income = models.DecimalField(_("违法所得（元）"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.PROPOSED, db_index=True
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("承办人"), related_name="cases", blank=True
    )
    evidence = models.ManyToManyField(
        "inspections.Evidence", verbose_name=_("证据"), related_name="cases", blank=True
    )
    # Clocks (RULES.md "Time limits"); dates are the legal dates, not the moments of data entry.
    checked_on = models.DateField(
        _("线索核查完毕日期"), null=True, blank=True, help_text=_("立案时限的起算日")
    )
    open_due = models.DateField(_("立案期限"), null=True, blank=True)
    proposed_at = models.DateTimeField(_("提请立案时间"), auto_now_add=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提请人"), on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("立案日期"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("立案审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decide_due = models.DateField(_("办案期限"), null=True, blank=True, help_text=_("含延长，不含中止期间"))
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    # A party who waives 陈述申辩 and 听证 in writing need not be waited for (行政处罚法 第64条).
    statement_waived = models.BooleanField(_("当事人书面放弃陈述申辩和听证"), default=False)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    close_kind = models.CharField(_("结案方式"), max_length=16, choices=CloseKind.choices, blank=True)
    end_reason = models.TextField(_("不予立案/撤销/移送理由"), blank=True)
    # 解释 第1条: the party is "未取得医生执业资格的人".
    no_qualification = models.BooleanField(_("未取得或非法取得医师资格"), default=False)
    certificate_revoked = models.BooleanField(_("被吊销医师执业证书期间行医"), default=False)
    village_without_certificate = models.BooleanField(_("未取得乡村医生执业证书在乡村行医"), default=False)
    birth_attendant_beyond = models.BooleanField(_("家庭接生员从事家庭接生以外的医疗行为"), default=False)
    # 解释 第2条 (情节严重) other than (4), which is computed from the penalty history.
    harm_disability = models.BooleanField(
        _("造成就诊人轻度残疾、器官组织损伤导致一般功能障碍"), default=False
    )
    infectious_disease = models.BooleanField(_("造成甲类传染病传播、流行或者有传播、流行危险"), default=False)
    bad_drugs = models.BooleanField(_("使用假药、劣药或不符合标准的医用器材"), default=False)
    other_serious = models.CharField(_("其他情节严重的情形"), max_length=300, blank=True)
    serious_harm = models.BooleanField(_("严重损害就诊人身体健康"), default=False)
    patient_death = models.BooleanField(_("造成就诊人死亡"), default=False)
    # The last evaluation of the crime criteria (crime.py), kept so lists and forms can count it.
    crime_suspected = models.BooleanField(_("涉嫌非法行医罪"), default=False, db_index=True)
    crime_reasons = models.JSONField(_("涉嫌犯罪理由"), default=list, blank=True)
    crime_override_reason = models.TextField(_("未移送公安机关的理由"), blank=True)
    crime_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定不移送的领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The deadline whose passing the daily job has announced (cases.tasks): each deadline is announced
    # once, a new one (an extension, the next clock) again. Whether the case is overdue is computed.
    overdue_notified_for = models.DateField(_("已提醒超期的期限"), null=True, blank=True, editable=False)
    national_entry_on = models.DateField(_("录入全国信息系统日期"), null=True, blank=True)
    # The number the national reporting system gave the case's card (cases.national), and who
    # recorded it; national_entry_on above is the date it was entered there.
    national_no = models.CharField(_("国家系统编号"), max_length=60, blank=True, db_index=True)
    national_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("国家系统编号登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    earlier_case = models.ForeignKey(
        "self",
        verbose_name=_("前案（再次违法）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_cases",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["region", "status"], name="case_region_status"),
            models.Index(fields=["unit", "status"], name="case_unit_status"),
            models.Index(fields=["decided_on"], name="case_decided_on"),
            # The list filtered by status, newest first, and its counts (bench/RESULTS.md, 1M cases).
            models.Index(fields=["status", "-created_at"], name="case_status_created"),
            models.Index(
                fields=["status", "region"],
                name="case_status_region",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return self.number or f"{self.title}（待立案）"

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.pk])


class CaseOffence(models.Model):
    """An offence charged in the case, pinned to the version in force on the offence date. Where two
    provisions cover one act both are recorded and `applied` marks the one chosen (行政处罚法 第29条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="offences")
    offence = models.ForeignKey("rules.Offence", verbose_name=_("违法行为"), on_delete=models.PROTECT)
    applied = models.BooleanField(_("适用"), default=True)

    class Meta:
        verbose_name = _("案件违法行为")
        verbose_name_plural = _("案件违法行为")
        constraints = [models.UniqueConstraint(fields=["case", "offence"], name="case_offence_once")]

    def __str__(self):
        return f"{self.case} {self.offence.code}"


class PauseKind(models.TextChoices):
    HEARING = "hearing", _("听证")
    TESTING = "testing", _("检测、检验")
    EXPERT = "expert", _("鉴定、专家论证")
    NOTICE = "notice", _("公告")


class CasePause(models.Model):
    """A period that does not count towards the 90-day limit (RULES.md)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("中止事由"), max_length=16, choices=PauseKind.choices)
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("不计入办案期限的期间")
        verbose_name_plural = _("不计入办案期限的期间")
        ordering = ["started_on"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_on}–{self.ended_on or ''}"


class ExtensionKind(models.TextChoices):
    OPEN = "open", _("延长立案期限")
    DECIDE = "decide", _("延长办案期限（负责人批准）")
    DECIDE_COLLECTIVE = "decide_collective", _("再次延长办案期限（集体讨论）")


class CaseExtension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    kind = models.CharField(_("延期类型"), max_length=24, choices=ExtensionKind.choices)
    reason = models.TextField(_("理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), auto_now_add=True)
    new_due = models.DateField(_("延长后期限"))

    class Meta:
        verbose_name = _("期限延长")
        verbose_name_plural = _("期限延长")
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="case_extension_once")]

    def __str__(self):
        return f"{self.get_kind_display()} 至{self.new_due}"


class CaseEvent(models.Model):
    """The case's own timeline, shown on its page (the audit log holds the full record)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def add(cls, case, actor, action, note="", from_status="", to_status=""):
        """The one writer of a timeline line: steps, referrals, crime checks and re-inspections all
        use it. A system actor (an import job, the scheduler) is shown as 系统."""
        return cls.objects.create(
            case=case,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            note=(note or "")[:2000],
            from_status=from_status,
            to_status=to_status,
        )


class Procedure(models.TextChoices):
    GENERAL = "general", _("一般程序")
    SIMPLIFIED = "simplified", _("简易程序")


class DecisionKind(models.TextChoices):
    PENALTY = "penalty", _("行政处罚决定")
    NO_PENALTY = "no_penalty", _("不予行政处罚决定")


class PenaltyDecision(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    kind = models.CharField(
        _("决定类型"), max_length=16, choices=DecisionKind.choices, default=DecisionKind.PENALTY
    )
    proposal = models.ForeignKey(
        "cases.PenaltyProposal",
        verbose_name=_("所据拟处罚意见"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    discretion = models.CharField(_("裁量情节"), max_length=16, blank=True)  # models_procedure.Discretion
    discretion_basis = models.CharField(_("裁量依据"), max_length=300, blank=True)
    procedure = models.CharField(
        _("程序"), max_length=16, choices=Procedure.choices, default=Procedure.GENERAL
    )
    offence = models.ForeignKey(
        "rules.Offence", verbose_name=_("适用条款"), on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("决定日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    discretion_reason = models.TextField(_("自由裁量理由"), blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    payment_due = models.DateField(_("缴款期限"), null=True, blank=True)
    # 简易程序: filed with the agency within 7 days (RULES.md "Procedure facts").
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The API's sync cursor (api/pagination.py) reads changes by this time.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("行政处罚决定")
        verbose_name_plural = _("行政处罚决定")
        indexes = [models.Index(fields=["updated_at", "id"], name="decision_sync")]

    def __str__(self):
        return f"{self.case} 处罚决定"


class MeasureKind(models.TextChoices):
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    CONFISCATE_INCOME = "confiscate_income", _("没收违法所得")
    CONFISCATE_GOODS = "confiscate_goods", _("没收药品器械")
    BAN = "ban", _("取缔/责令停止执业活动")
    SUSPEND = "suspend", _("暂停执业/停业整顿")
    REVOKE = "revoke", _("吊销许可证或执业证书")


MONEY_MEASURES = {MeasureKind.FINE, MeasureKind.CONFISCATE_INCOME}


class PenaltyMeasure(models.Model):
    decision = models.ForeignKey(PenaltyDecision, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("处罚种类"), max_length=24, choices=MeasureKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True, help_text=_("没收物品清单等"))

    class Meta:
        verbose_name = _("处罚措施")
        verbose_name_plural = _("处罚措施")
        constraints = [models.UniqueConstraint(fields=["decision", "kind"], name="measure_kind_once")]

    def __str__(self):
        return self.get_kind_display()


class PaymentKind(models.TextChoices):
    FINE = "fine", _("罚款")
    CONFISCATED_INCOME = "confiscated_income", _("没收违法所得")
    SURCHARGE = "surcharge", _("加处罚款")


class Payment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("款项"), max_length=24, choices=PaymentKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("缴款日期"))
    receipt_no = models.CharField(_("票据号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("缴款记录")
        verbose_name_plural = _("缴款记录")
        ordering = ["paid_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}元"


class DocumentKind(models.TextChoices):
    """The documents officers serve (卫生行政执法文书), in the order a case meets them."""

    SITE_RECORD = "site_record", _("现场笔录")
    INQUIRY = "inquiry", _("询问笔录")
    HOLD_NOTICE = "hold_notice", _("先行登记保存证据通知书")
    HOLD_DECISION = "hold_decision", _("先行登记保存证据处理决定书")
    SUPERVISION_OPINION = "supervision_opinion", _("卫生监督意见书")
    CORRECTION_ORDER = "correction_order", _("责令改正通知书")
    OPENING_APPROVAL = "opening_approval", _("立案报告")
    PRIOR_NOTICE = "prior_notice", _("行政处罚事先告知书")
    HEARING_RIGHTS = "hearing_rights", _("听证告知书")
    HEARING_NOTICE = "hearing_notice", _("听证通知书")
    STATEMENT_RECORD = "statement_record", _("陈述申辩笔录")
    LEGAL_REVIEW = "legal_review", _("法制审核意见书")
    DISCUSSION = "discussion", _("重大案件集体讨论记录")
    DECISION = "decision", _("行政处罚决定书")
    NO_PENALTY_DECISION = "no_penalty_decision", _("不予行政处罚决定书")
    SERVICE_RECEIPT = "service_receipt", _("送达回证")
    DEMAND = "demand", _("催告书")
    COURT_APPLICATION = "court_application", _("强制执行申请书")
    CRIME_REFERRAL = "crime_referral", _("涉嫌犯罪案件移送书")
    CLOSING_REPORT = "closing_report", _("结案报告")


class DocumentTemplate(models.Model):
    """A replacement .docx template uploaded by an administrator; without one the shipped default
    (cases/doc_templates/<kind>.docx) is used."""

    kind = models.CharField(_("文书"), max_length=24, choices=DocumentKind.choices, unique=True)
    content = models.BinaryField(_("模板文件"))
    original_name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")

    def __str__(self):
        return self.get_kind_display()


class ReferralTarget(models.TextChoices):
    POLICE = "police", _("公安机关")
    MARKET = "market", _("市场监管部门")
    DRUG = "drug", _("药品监管部门")
    REGION = "region", _("其他地区卫生健康部门")
    OTHER = "other", _("其他部门")


class ReferralOutcome(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已受理/立案")
    REFUSED = "refused", _("不予受理/不予立案")
    DECLINED = "declined", _("负责人决定不移送")


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("待负责人审批")
    DECLINED = "declined", _("负责人决定不移送")
    APPROVED = "approved", _("已批准待移送")
    TRANSFERRED = "transferred", _("已移送")
    RECEIVED = "received", _("已接收")
    ACCEPTED = "accepted", _("已受理/立案")
    REFUSED = "refused", _("不予受理/不予立案")
    REVIEW_REQUESTED = "review_requested", _("已提请复议")
    REVIEWED = "reviewed", _("复议完毕")


class InvestigationResult(models.TextChoices):
    FILED = "filed", _("立案")
    NOT_FILED = "not_filed", _("不立案")
    PROSECUTION = "prosecution", _("移送起诉")
    JUDGMENT = "judgment", _("判决")


class ReferralQuerySet(ScopedQuerySet):
    region_lookup = "case__region__code"
    subject_lookup = "case__subject_id"
    subject_grant_reason = "designation"


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    target = models.CharField(_("移送对象"), max_length=16, choices=ReferralTarget.choices)
    target_unit = models.CharField(_("接收单位"), max_length=200)
    # The receiving body when it is on the platform: its 联络员 then see the referral and record
    # receipt, acceptance and the investigation's result themselves (liaison app). target_unit keeps
    # the name for bodies that are not on the platform.
    receiving_unit = models.ForeignKey(
        "regions.Unit",
        verbose_name=_("接收单位（平台内）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_referrals",
    )
    reason = models.TextField(_("移送理由"))
    # 药品来源移送药监 (seed 004): the drug source facts taken from the case, as the officers wrote them.
    drug_supplier = models.CharField(_("药品供货来源"), max_length=300, blank=True)
    drug_names = models.TextField(_("药品名称"), blank=True)
    drug_quantities = models.TextField(_("药品数量"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PROPOSED,
        db_index=True,
    )
    proposed_on = models.DateField(_("提请移送日期"))
    approved_on = models.DateField(_("负责人批准日期"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transferred_at = models.DateTimeField(_("移送时间"), null=True, blank=True)
    receipt_no = models.CharField(_("回执编号"), max_length=60, blank=True)
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    outcome = models.CharField(
        _("接收结果"), max_length=16, choices=ReferralOutcome.choices, default=ReferralOutcome.PENDING
    )
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True)
    review_requested_on = models.DateField(_("提请复议日期"), null=True, blank=True)
    review_outcome = models.TextField(_("复议结果"), blank=True)
    # The receiving body's latest result after acceptance (立案 → 移送起诉 → 判决); each result and
    # progress note is a row of liaison.ReferralUpdate.
    investigation_result = models.CharField(
        _("办理结果"), max_length=16, choices=InvestigationResult.choices, blank=True
    )
    investigation_result_on = models.DateField(_("办理结果日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The API's sync cursor (api/pagination.py) reads changes by this time.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件移送")
        verbose_name_plural = _("案件移送")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["updated_at", "id"], name="referral_sync")]

    def __str__(self):
        return f"移送{self.get_target_display()}：{self.target_unit}"


class ReferralUpdate(models.Model):
    """A progress note or a result the receiving body reports after accepting a referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    result = models.CharField(_("办理结果"), max_length=16, choices=InvestigationResult.choices, blank=True)
    on = models.DateField(_("日期"))
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("移送办理情况")
        verbose_name_plural = _("移送办理情况")
        ordering = ["on", "pk"]

    def __str__(self):
        return self.get_result_display() or "办理进展"


class Judgment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="judgments")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="judgments"
    )
    court = models.CharField(_("法院"), max_length=200)
    document_no = models.CharField(_("判决书文号"), max_length=100, blank=True)
    judged_on = models.DateField(_("判决日期"))
    verdict = models.TextField(_("判决结果"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("法院判决")
        verbose_name_plural = _("法院判决")

    def __str__(self):
        return f"{self.court} {self.document_no}"


class LiabilityKind(models.TextChoices):
    CRIMINAL = "criminal", _("刑事责任")
    ADMINISTRATIVE = "administrative", _("行政责任")
    DISCIPLINARY = "disciplinary", _("党纪政务处分")


class AccountablePerson(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="accountable")
    judgment = models.ForeignKey(
        Judgment, null=True, blank=True, on_delete=models.PROTECT, related_name="persons"
    )
    name = models.CharField(_("姓名"), max_length=50)
    liability = models.CharField(_("责任类型"), max_length=16, choices=LiabilityKind.choices)
    outcome = models.CharField(_("处理结果"), max_length=300, help_text=_("如：判处有期徒刑一年，并处罚金"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("追责人员")
        verbose_name_plural = _("追责人员")

    def __str__(self):
        return self.name


class LookBackQuerySet(ScopedQuerySet):
    region_lookup = "region__code"


class LookBack(models.Model):
    """A 回头看 over every subject banned in a period within a region."""

    name = models.CharField(_("名称"), max_length=200)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    banned_from = models.DateField(_("取缔日期自"))
    banned_to = models.DateField(_("取缔日期至"))
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LookBackQuerySet.as_manager()

    class Meta:
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class RecheckKind(models.TextChoices):
    RECHECK = "recheck", _("复查")
    LOOKBACK = "lookback", _("回头看")


class RecheckResult(models.TextChoices):
    PENDING = "pending", _("待检查")
    CLEAN = "clean", _("未发现再次违法")
    REOFFENDED = "reoffended", _("再次非法行医")


class RecheckQuerySet(ScopedQuerySet):
    # The region answerable for the re-inspection (指定管辖 moves it), not the site's address.
    region_lookup = "region__code"
    subject_lookup = "subject_id"
    subject_grant_reason = "designation"


class Recheck(models.Model):
    """A re-inspection owed after a ban (复查), or one site of a look-back (回头看)."""

    kind = models.CharField(_("类型"), max_length=16, choices=RecheckKind.choices)
    case = models.ForeignKey(
        Case, verbose_name=_("原案件"), on_delete=models.PROTECT, related_name="rechecks"
    )
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="rechecks")
    # Set by the services to operations.access.responsible_region on the day of the event (scheduled,
    # then done); the forms count the re-inspection there.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("负责区划"), on_delete=models.PROTECT, related_name="+"
    )
    lookback = models.ForeignKey(
        LookBack, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    due_on = models.DateField(_("应检查日期"))
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("检查记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rechecks",
    )
    result = models.CharField(
        _("结果"), max_length=16, choices=RecheckResult.choices, default=RecheckResult.PENDING, db_index=True
    )
    new_case = models.ForeignKey(
        Case,
        verbose_name=_("再次违法案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_on = models.DateField(_("检查日期"), null=True, blank=True)

    objects = RecheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("复查/回头看")
        verbose_name_plural = _("复查/回头看")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["lookback", "case"],
                name="lookback_case_once",
                condition=models.Q(lookback__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id} {self.due_on}"

    def save(self, *args, **kwargs):
        # A caller that does not say (fixtures, one-off scripts) gets the region responsible for the
        # site on the day the re-inspection is due; the services always say.
        if self.region_id is None and self.subject_id is not None:
            from qingyuan.operations.access import responsible_region

            self.region = responsible_region(self.subject, self.done_on or self.due_on)
        super().save(*args, **kwargs)


# --- overdue, computed from the deadlines -----------------------------------------------------------

DECIDING = (CaseStatus.INVESTIGATING, CaseStatus.REVIEW, CaseStatus.NOTIFIED, CaseStatus.HEARING)
PAYING = (CaseStatus.SERVED, CaseStatus.ENFORCING)


def _total(queryset, group: str, field: str = "amount"):
    """The sum of `field` over `queryset` rows of the outer case, 0 when there are none."""
    summed = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")
    # A plain integer 0: SQLite would compare a decimal literal as text.
    return Coalesce(Subquery(summed), Value(0), output_field=DecimalField(max_digits=16, decimal_places=2))


def overdue_condition(today: dt.date) -> Q:
    """The clocks of cases.deadlines.current_due as SQL, on `today`:
    - 待立案审批 past open_due;
    - deciding (立案 to 决定) past the stored decide_due, unless a pause (hearing, test, expert review,
      notice: 行政处罚法 第60条) that began on or before that day is still open, which stops the clock;
      decide_due counts the ended pauses and the extensions (services keep it current);
    - served or enforcing past the decision's payment_due while the fine or confiscated income is not
      paid in full (行政处罚法 第67条; the surcharge that follows is shown on the case page);
    - under an approved 延期/分期 plan (第66条第2款), or after 催告 (行政强制法 第53、54条): the clock
      of deadlines.current_due itself, run over those few cases (cases.deadlines.late_by_clock), as
      their dates (the next unpaid instalment, the last day to apply to the court, counted in months)
      do not reduce to a comparison of stored columns.
    """
    from .deadlines import late_by_clock  # deadlines imports this module

    open_pause = CasePause.objects.filter(
        case=OuterRef("pk"), ended_on__isnull=True, started_on__lte=OuterRef("decide_due")
    )
    owed = _total(
        PenaltyMeasure.objects.filter(decision__case=OuterRef("pk"), kind__in=MONEY_MEASURES),
        "decision__case",
    )
    paid = _total(
        Payment.objects.filter(
            case=OuterRef("pk"), kind__in=[PaymentKind.FINE, PaymentKind.CONFISCATED_INCOME]
        ),
        "case",
    )
    return (
        Q(status=CaseStatus.PROPOSED, open_due__lt=today)
        | (Q(status__in=DECIDING, decide_due__lt=today) & ~Exists(open_pause))
        | (
            Q(status__in=PAYING, decision__payment_due__lt=today)
            & GreaterThan(owed, paid)
            & ~Exists(PaymentPlan.objects.filter(case=OuterRef("pk")))
        )
        | Q(pk__in=late_by_clock(today))
    )


# The procedure's step records live in their own module; importing them here registers them with
# the cases app.
from .models_crime import CrimeMatchReview, MatchVerdict  # noqa: E402, F401
from .models_procedure import (  # noqa: E402, F401
    CollectiveDiscussion,
    CourtApplication,
    CourtOutcome,
    CourtRuling,
    Demand,
    Discretion,
    DiscussionConclusion,
    EvidenceHold,
    Hearing,
    HoldDecision,
    Inquiry,
    Instalment,
    LegalReview,
    OrderKind,
    PaymentPlan,
    PenaltyProposal,
    PlanKind,
    ProposedMeasure,
    ReviewConclusion,
    StatementRecord,
    SupervisionOrder,
)
