"""What happens to an answer after it is written: how it reaches the reporter, when the reporter may
read it online, and the reporter's rating of the handling (满意度).

The rules, in one place:
- An answer is *delivered* when a delivery (电话、短信、信件、当面、网上查询) is recorded for the answer as it
  now stands (same answered_at). Correcting an answer makes it undelivered until it reaches the
  reporter again. The 实名举报反馈率 counts delivered answers, not typed ones.
- An answer is *released* (可网上查询) when an officer marks it so; a correction withdraws the release
  unless the officer marks the corrected answer too. Anonymous reporters have no other way to learn
  the answer and online reporters look it up where they sent the tip, so for those leads the answer
  form comes ticked and a refusal at intake is released at once (`released_by_default`).
- The public tracking page shows the answer once it is delivered or released. The reporter's first
  reading of a released answer there is itself recorded as a delivery by 网上查询 (by no officer).
- The reporter rates the handling once per lead: online once the answer is visible to them, or an
  officer records a rating given on the phone once the answer has been delivered.
  满意度 = (满意 + 基本满意) / rated leads.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from qingyuan.core import audit

from . import workflow
from .models import Channel, DeliveryMethod, FeedbackDelivery, Lead, Rating, RatingSource, Satisfaction

COMMENT_MAX = 500


def delivered_expression():
    """True for a lead whose current answer has reached the reporter (for annotate/filter)."""
    return Exists(FeedbackDelivery.objects.filter(lead=OuterRef("pk"), answered_at=OuterRef("answered_at")))


def released_by_default(lead) -> bool:
    return lead.is_anonymous or lead.channel == Channel.WEB


def has_answer(lead) -> bool:
    return bool(lead.answered_at and lead.feedback)


def is_delivered(lead) -> bool:
    return has_answer(lead) and lead.deliveries.filter(answered_at=lead.answered_at).exists()


def is_released(lead) -> bool:
    return has_answer(lead) and lead.feedback_released_at is not None


def publicly_visible(lead) -> bool:
    return is_released(lead) or is_delivered(lead)


def _require_answerer(actor, lead) -> None:
    """Whoever may answer the reporter records how the answer reached them: the lead's officers,
    or holders of leads.answer within their jurisdiction."""
    from .services import _require

    if getattr(actor, "is_authenticated", False) and lead.officers.filter(pk=actor.pk).exists():
        return
    _require(actor, "leads.answer", "您没有答复举报人的权限", lead)


def check_answerer(*, actor, lead) -> None:
    """For views: refuse before any form is read."""
    _require_answerer(actor, lead)


def _event(lead, actor, action, note=""):
    from .services import _event as event

    event(lead, actor, action, note=note)


def _lock(lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


@transaction.atomic
def lead_release(*, actor, lead) -> Lead:
    """可网上查询: the reporter may read the current answer with the tracking code."""
    _require_answerer(actor, lead)
    lead = _lock(lead)
    if not has_answer(lead):
        raise workflow.TransitionNotAllowed("尚未答复，不能设为可网上查询")
    if lead.feedback_released_at is not None:
        return lead
    before = audit.snapshot(lead)
    lead.feedback_released_at = timezone.now()
    lead.save(update_fields=["feedback_released_at", "updated_at"])
    _event(lead, actor, "答复可网上查询")
    b, a = audit.diff(before, audit.snapshot(lead))
    audit.record(actor=actor, action=audit.AuditAction.UPDATE, target=lead, before=b, after=a)
    return lead


@transaction.atomic
def delivery_record(
    *, actor, lead, method: str, delivered_at: dt.datetime, note: str = ""
) -> FeedbackDelivery:
    """An officer records how and when the current answer reached the reporter."""
    _require_answerer(actor, lead)
    lead = _lock(lead)
    if not has_answer(lead):
        raise ValidationError({"method": "尚未答复举报人，不能登记送达"})
    if method not in DeliveryMethod.values or method == DeliveryMethod.ONLINE:
        # 网上查询 is recorded by the tracking page itself when the reporter reads the answer.
        raise ValidationError({"method": "请选择送达方式（电话、短信、信件或当面）"})
    if delivered_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"delivered_at": "送达时间不能晚于现在"})
    if delivered_at < lead.received_at.replace(second=0, microsecond=0):  # forms give minutes
        raise ValidationError({"delivered_at": "送达时间不能早于收到线索的时间"})
    delivery = FeedbackDelivery(
        lead=lead,
        method=method,
        delivered_at=delivered_at,
        recorded_by=actor,
        answered_at=lead.answered_at,
        answer=lead.feedback,
        note=note,
    )
    delivery.full_clean()
    delivery.save()
    when = timezone.localtime(delivered_at).strftime("%Y-%m-%d %H:%M")
    _event(
        lead, actor, "答复送达", note=f"{delivery.get_method_display()}，{when}{'；' + note if note else ''}"
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=delivery,
        after=audit.snapshot(delivery),
        region_code=lead.handling_unit.region_id,
    )
    return delivery


@transaction.atomic
def public_answer(lead) -> str:
    """The answer the tracking page shows ("" while it is neither delivered nor released). A first
    reading of a released answer is recorded as its delivery by 网上查询."""
    if not publicly_visible(lead):
        return ""
    lead = _lock(lead)
    if not lead.deliveries.filter(answered_at=lead.answered_at, method=DeliveryMethod.ONLINE).exists():
        delivery = FeedbackDelivery.objects.create(
            lead=lead,
            method=DeliveryMethod.ONLINE,
            delivered_at=timezone.now(),
            answered_at=lead.answered_at,
            answer=lead.feedback,
        )
        _event(lead, None, "答复送达", note="举报人凭查询码网上查看")
        audit.record(
            action=audit.AuditAction.CREATE,
            target=delivery,
            after=audit.snapshot(delivery),
            region_code=lead.handling_unit.region_id,
        )
    return lead.feedback


def may_rate_online(lead) -> bool:
    return publicly_visible(lead) and not Satisfaction.objects.filter(lead=lead).exists()


@transaction.atomic
def satisfaction_record(*, actor, lead, rating: str, comment: str = "") -> Satisfaction:
    """Once per lead. `actor` None: the reporter on the tracking page (the answer must be visible to
    them); an officer records a rating given on the phone once the answer was delivered."""
    if actor is not None:
        _require_answerer(actor, lead)
    lead = _lock(lead)
    if rating not in Rating.values:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意"})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"意见不超过{COMMENT_MAX}字"})
    if Satisfaction.objects.filter(lead=lead).exists():
        raise ValidationError({"rating": "该举报已评价过，每件举报只能评价一次"})
    if actor is None and not publicly_visible(lead):
        raise ValidationError({"rating": "答复可查看后才能评价"})
    if actor is not None and not is_delivered(lead):
        raise ValidationError({"rating": "答复送达举报人后才能记录满意度"})
    satisfaction = Satisfaction(
        lead=lead,
        rating=rating,
        comment=comment.strip(),
        source=RatingSource.ONLINE if actor is None else RatingSource.PHONE,
        recorded_by=actor,
    )
    satisfaction.full_clean()
    satisfaction.save()
    _event(
        lead,
        actor,
        "满意度评价",
        note=f"{satisfaction.get_rating_display()}（{satisfaction.get_source_display()}）",
    )
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=satisfaction,
        after=audit.snapshot(satisfaction),
        region_code=lead.handling_unit.region_id,
    )
    return satisfaction


@dataclass(frozen=True)
class SatisfactionFigures:
    satisfied: int
    basically: int
    unsatisfied: int

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def rate(self) -> float | None:
        """满意度 in percent: (满意 + 基本满意) / rated; None with no rating."""
        if not self.rated:
            return None
        return round(100 * (self.satisfied + self.basically) / self.rated, 1)


def satisfaction_figures(leads) -> SatisfactionFigures:
    """Ratings of exactly the leads given (already scoped and filtered by the caller)."""
    counts = (
        Satisfaction.objects.filter(lead__in=leads.order_by().values("pk"))
        .order_by()
        .aggregate(
            satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)),
            basically=Count("pk", filter=Q(rating=Rating.BASICALLY)),
            unsatisfied=Count("pk", filter=Q(rating=Rating.UNSATISFIED)),
        )
    )
    return SatisfactionFigures(**counts)
