"""The departments' side of cooperation: referrals addressed to a unit, leads a department hands to
the health side, drug sources referred to the drug regulator, and 情况通报 with read receipts.

Referral steps go through the one referral workflow (cases.referral_workflow, via cases.referrals):
a 联络员 of the receiving unit takes the receiving side's steps there. A lead handed over is
registered by the leads service (channel 部门移送) and routed by place like every other lead."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from qingyuan.cases import referrals
from qingyuan.cases.models import Case, Referral, ReferralTarget
from qingyuan.cases.referral_workflow import DELIVERED
from qingyuan.core import audit
from qingyuan.core.notifications import notify
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.leads.models import Channel, Lead, TransferSource
from qingyuan.regions.models import Level, Unit, UnitKind

from .models import Notice, NoticeAttachment, NoticeReceipt

# --- referrals addressed to the user's unit -------------------------------------------------------


def addressed_to(user):
    """The referrals handed over to the user's unit: by the unit on the referral, never by region."""
    if not user.unit_id or not user.can("liaison.receive"):
        return Referral.objects.none()
    return Referral.objects.filter(receiving_unit_id=user.unit_id, status__in=DELIVERED)


def referral_or_404(user, pk) -> Referral:
    referral = (
        addressed_to(user)
        .select_related("case__unit", "case__subject", "case__region", "receiving_unit")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404
    return referral


# --- leads handed to the health side --------------------------------------------------------------

# The lead's 移送单位类型 follows the sending unit's kind.
SOURCE_BY_KIND = {UnitKind.POLICE: TransferSource.POLICE, UnitKind.MARKET_REGULATION: TransferSource.MARKET}


def transferred_leads(user):
    """Leads the user's unit handed over: their number, state and conclusion, never the reporter."""
    if not user.unit_id:
        return Lead.objects.none()
    return Lead.objects.filter(channel=Channel.TRANSFER, created_by__unit_id=user.unit_id).select_related(
        "handling_unit"
    )


def lead_transfer(
    *,
    actor,
    content: str,
    place: str,
    category: str,
    practice_content: str,
    reported_person: str = "",
    transfer_document: str = "",
) -> Lead:
    """A department hands a lead (or a case of its own) to the health side: registered as a lead of
    channel 部门移送 and routed by place; a place that cannot be placed goes to the city office."""
    from qingyuan.leads import services as leads
    from qingyuan.regions.addresses import jurisdiction_unit

    if not actor.can("liaison.receive"):
        raise PermissionDenied("您没有向卫生健康部门移送线索的权限")
    if not (place or "").strip():
        raise ValidationError({"place": "请填写地点，平台据此确定承办的卫生健康部门"})
    _region, unit, _note = leads.route(place=place, fallback_unit=jurisdiction_unit(actor.unit.region))
    return leads.lead_register(
        actor=actor,
        channel=Channel.TRANSFER,
        content=content,
        place=place,
        category=category,
        practice_content=practice_content,
        reported_person=reported_person,
        transfer_source=SOURCE_BY_KIND.get(actor.unit.kind, TransferSource.OTHER),
        transfer_document=(transfer_document or f"{actor.unit.name}移送").strip()[:200],
        handling_unit=unit,
    )


# --- drug sources to the drug regulator -----------------------------------------------------------


def drug_source_refer(
    *,
    actor,
    case: Case,
    receiving_unit=None,
    target_unit: str = "",
    supplier: str,
    drugs: str,
    quantities: str,
    reason: str,
) -> Referral:
    """药品来源移送药监 (seed 004): a referral to the drug regulator carrying the drug source facts,
    through the same referral steps (head's approval, transfer, the regulator's answer)."""
    if not (drugs or "").strip():
        raise ValidationError({"drugs": "请填写药品名称"})
    return referrals.referral_propose(
        actor=actor,
        case=case,
        target=ReferralTarget.DRUG,
        target_unit=target_unit,
        receiving_unit=receiving_unit,
        reason=reason,
        drug_supplier=supplier,
        drug_names=drugs,
        drug_quantities=quantities,
    )


# --- 情况通报 ---------------------------------------------------------------------------------------

# Departments that exchange notices: the health side and the law-enforcement departments.
NOTICE_KINDS = [
    UnitKind.HEALTH_COMMISSION,
    UnitKind.SUPERVISION_INSTITUTE,
    UnitKind.POLICE,
    UnitKind.MARKET_REGULATION,
    UnitKind.TCM_BUREAU,
    UnitKind.OTHER,
]


def notice_units(user):
    """Units a notice may go to: departments at county level or above in the sender's area or above it
    (a county's police write to the county's and the city's health units), not the sender itself."""
    if not user.unit_id:
        return Unit.objects.none()
    region = user.unit.region
    ancestors = [r.code for r in region.ancestors()]
    from django.db.models import Q

    return (
        Unit.objects.filter(
            Q(region__code__startswith=region.prefix) | Q(region__code__in=ancestors),
            kind__in=NOTICE_KINDS,
            is_active=True,
            region__level__lte=Level.COUNTY,
        )
        .exclude(pk=user.unit_id)
        .select_related("region")
        .order_by("region__code", "name")
    )


@transaction.atomic
def notice_send(*, actor, title: str, body: str, units, files=None) -> Notice:
    from qingyuan.accounts.models import User
    from qingyuan.leads.uploads import check_files

    if not actor.can("notices.send") or not actor.unit_id:
        raise PermissionDenied("您没有发送情况通报的权限")
    if not (title or "").strip():
        raise ValidationError({"title": "请填写标题"})
    if not (body or "").strip():
        raise ValidationError({"body": "请填写内容"})
    units = list(units or [])
    if not units:
        raise ValidationError({"units": "请选择至少一个接收单位"})
    allowed = set(notice_units(actor).values_list("pk", flat=True))
    outside = [u.name for u in units if u.pk not in allowed]
    if outside:
        raise ValidationError({"units": f"不能向以下单位通报：{'、'.join(outside)}"})
    checked = check_files(files or [])
    notice = Notice.objects.create(
        from_unit=actor.unit, title=title.strip(), body=body.strip(), sent_by=actor
    )
    NoticeReceipt.objects.bulk_create([NoticeReceipt(notice=notice, unit=u) for u in units])
    for item in checked:
        NoticeAttachment.objects.create(
            notice=notice,
            file=item["file"],
            original_name=item["original_name"],
            content_type=item["content_type"],
            size=item["size"],
            sha256=item["sha256"],
        )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=notice,
        after={**audit.snapshot(notice), "units": [u.name for u in units]},
        region_code=actor.unit.region_id,
    )
    readers = [
        u
        for u in User.objects.filter(unit__in=units, is_active=True).select_related("unit")
        if u.can("notices.view")
    ]
    text, url = f"{actor.unit.name}情况通报：{notice.title}", notice.get_absolute_url()
    transaction.on_commit(lambda: notify(readers, text, url))
    return notice


def notice_or_404(user, pk) -> Notice:
    return get_visible_or_404(Notice.objects.select_related("from_unit", "sent_by"), user, pk=pk)


@transaction.atomic
def notice_read(*, actor, notice: Notice) -> NoticeReceipt | None:
    """Opening a notice is reading it: the first reader of each receiving unit is recorded with the time
    (later readers of that unit do not overwrite it). The sender's own unit records nothing."""
    receipt = (
        NoticeReceipt.objects.select_for_update()
        .filter(notice=notice, unit_id=actor.unit_id, read_at__isnull=True)
        .first()
    )
    if receipt is None:
        return None
    receipt.read_by, receipt.read_at = actor, timezone.now()
    receipt.save(update_fields=["read_by", "read_at"])
    audit.record(
        actor=actor,
        action=audit.AuditAction.UPDATE,
        target=notice,
        after={"read_by_unit": actor.unit.name, "read_at": receipt.read_at.isoformat()},
        region_code=actor.unit.region_id,
    )
    return receipt
