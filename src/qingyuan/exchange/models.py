"""Penalty-record exchange between regions' platforms (docs/exchange.md).

Export side: ExportEntry is an append-only log of every version of every exported record; its
autoincrement id is the feed's cursor. Only one writer appends at a time (export.refresh_log holds
the ExportLogState row lock), so ids are committed in increasing order and a reader that has seen
id N never later meets a newly committed id below N — the trap of cursors over timestamps, where a
row committed late carries an older time.

Import side: ExchangePeer is another platform we read; ExternalPenalty is one record it sent, unique
per (peer, source record id), updated in place when the source changes or revokes it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qingyuan.core.crypto import EncryptedTextField


class RecordStatus(models.TextChoices):
    EFFECTIVE = "effective", _("有效")
    CHANGED = "changed", _("已变更")
    REVOKED = "revoked", _("已撤销")


class ExchangeSubscription(models.Model):
    """A partner system (api.PartnerSystem) allowed to read this platform's penalty feed."""

    partner = models.OneToOneField(
        "api.PartnerSystem",
        verbose_name=_("对接系统"),
        on_delete=models.CASCADE,
        related_name="exchange_subscription",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_read_at = models.DateTimeField(_("最近读取时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("处罚信息订阅")
        verbose_name_plural = _("处罚信息订阅")

    def __str__(self):
        return str(self.partner)


class ExportLogState(models.Model):
    """One row: when the export log was last brought up to date (and the row whose lock serialises it)."""

    scanned_from = models.DateTimeField(null=True, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"共享日志（{self.scanned_at or '未更新'}）"


class ExportEntry(models.Model):
    """One version of one exported penalty record, as sent; never changed, never deleted."""

    id = models.BigAutoField(primary_key=True)
    record_id = models.CharField(_("记录编号"), max_length=40, db_index=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64)
    record = models.JSONField(_("记录"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共享记录版本")
        verbose_name_plural = _("共享记录版本")

    def __str__(self):
        return f"{self.record_id}#{self.pk}"


class ExchangePeer(models.Model):
    """Another region's platform whose penalty feed this platform pulls."""

    name = models.CharField(_("对方平台名称"), max_length=100, unique=True)
    base_url = models.URLField(_("对方平台地址"), help_text=_("如 https://qingyuan.example.gov.cn/"))
    # The key the other platform issued to us (its `partner_issue`); we must present it, so it is
    # stored encrypted, not hashed.
    partner_key = EncryptedTextField(_("对方签发给本平台的接口密钥"))
    public_key = models.CharField(_("对方签名公钥"), max_length=64, help_text=_("Ed25519 公钥，Base64"))
    is_active = models.BooleanField(_("启用"), default=True)
    cursor = models.CharField(_("读取位置"), max_length=40, blank=True, default="")
    last_pull_at = models.DateTimeField(_("最近拉取时间"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("最近成功时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    received = models.PositiveIntegerField(_("累计接收记录版本"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共享对方平台")
        verbose_name_plural = _("共享对方平台")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ExternalPenalty(models.Model):
    """An illegal-practice penalty another region decided, as its platform sent it. Matched to our
    parties by `identity_hash` only (HMAC of the ID number / credit code under the network's
    exchange index key); the ID number itself never arrives."""

    peer = models.ForeignKey(
        ExchangePeer, verbose_name=_("来源平台"), on_delete=models.PROTECT, related_name="records"
    )
    source_record_id = models.CharField(_("来源记录编号"), max_length=40)
    source_region_code = models.CharField(_("来源区划代码"), max_length=12)
    source_region_name = models.CharField(_("来源地区"), max_length=200)
    authority = models.CharField(_("处罚机关"), max_length=200)
    decision_number = models.CharField(_("决定书文号"), max_length=100, blank=True)
    decided_on = models.DateField(_("决定日期"), db_index=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    offence_code = models.CharField(_("违法行为代码"), max_length=16, blank=True)
    offence_name = models.CharField(_("违法行为"), max_length=200, blank=True)
    measures = models.JSONField(_("处罚措施"), default=list)
    status = models.CharField(_("状态"), max_length=12, choices=RecordStatus.choices)
    status_on = models.DateField(_("状态日期"), null=True, blank=True)
    party_kind = models.CharField(_("当事人类型"), max_length=16)
    party_name = models.CharField(_("当事人"), max_length=200, db_index=True)
    identity_hash = models.CharField(max_length=64, blank=True, db_index=True)
    source_entry = models.CharField(_("来源版本"), max_length=40)
    received_at = models.DateTimeField(_("首次接收时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("外地处罚记录")
        verbose_name_plural = _("外地处罚记录")
        ordering = ["-decided_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "source_record_id"],
                name="external_penalty_once_per_source",
                violation_error_message=_("同一来源的记录只保存一次"),
            )
        ]

    def __str__(self):
        return f"{self.source_region_name} {self.decision_number or self.source_record_id}"

    @property
    def counts(self) -> bool:
        """A revoked decision is no penalty (as cases.history treats local ones)."""
        return self.status != RecordStatus.REVOKED
