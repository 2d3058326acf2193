"""Typical cases (典型案例): propose from a decided case, review (by someone other than the proposer,
who may edit the redacted text), publish, withdraw. Each step is one transaction with its audit row."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.regions.models import Level

from .models import PublishedCase, PublishedStatus
from .redaction import ancestor_at, personal_data_problems, redact_case


def _visible_case(actor, case):
    from qingyuan.cases.models import Case

    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied("该案件不在您的管辖范围内")


def _lock(published) -> PublishedCase:
    return PublishedCase.objects.select_for_update().select_related("case").get(pk=published.pk)


def _audit(actor, published, before, note=""):
    after = audit.snapshot(published)
    if note:
        after["note"] = note
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE if before is None else audit.AuditAction.TRANSITION,
        target=published,
        before=before,
        after=after,
        region_code=published.case.region_id,
    )


def _require(actor, perm, message):
    if not getattr(actor, "can", None) or not actor.can(perm):
        raise PermissionDenied(message)


def _check_text(title: str, body: str, case) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = ["请填写标题"]
    if not body:
        errors["body"] = ["请填写正文"]
    problems = personal_data_problems(title, case)
    if problems:
        errors.setdefault("title", []).append("标题" + "；".join(problems) + "，不能公布")
    problems = personal_data_problems(body, case)
    if problems:
        errors.setdefault("body", []).append("正文" + "；".join(problems) + "，不能公布")
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def typical_propose(*, actor, case) -> PublishedCase:
    """Mark a decided case typical: a draft of the redacted text, waiting for review. A withdrawn one
    may be proposed again; it starts over from a fresh redaction."""
    from qingyuan.cases.models import Case, PenaltyDecision

    _require(actor, "cases.edit", "无权推荐典型案例")
    _visible_case(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not PenaltyDecision.objects.filter(case=case).exists():
        raise ValidationError("只有已作出处罚决定的案件可以作为典型案例")
    text = redact_case(case)
    existing = PublishedCase.objects.select_for_update().filter(case=case).first()
    if existing is not None and existing.status != PublishedStatus.WITHDRAWN:
        raise ValidationError("该案件已是典型案例")
    before = audit.snapshot(existing) if existing is not None else None
    published = existing or PublishedCase(case=case)
    published.title = text["title"]
    published.body = text["body"]
    published.region = ancestor_at(case.region, Level.COUNTY)
    published.status = PublishedStatus.DRAFT
    published.proposed_by = actor
    published.reviewed_by = None
    published.reviewed_at = published.published_at = published.withdrawn_at = None
    published.full_clean(exclude=["case"] if existing is not None else None)
    published.save()
    _audit(actor, published, before, note="推荐典型案例")
    return published


@transaction.atomic
def typical_review(*, actor, published, title: str, body: str) -> PublishedCase:
    """The reviewer reads (and may edit) the public text; the edited text is checked again, since the
    reviewer could put a name or number back."""
    _require(actor, "cases.approve", "无权审核典型案例")
    published = _lock(published)
    _visible_case(actor, published.case)
    if published.status != PublishedStatus.DRAFT:
        raise ValidationError("只有待审核的典型案例可以审核")
    if published.proposed_by_id == actor.pk:
        raise PermissionDenied("审核人不能是提出人：请由其他负责人审核")
    before = audit.snapshot(published)
    published.title, published.body = _check_text(title, body, published.case)
    published.status = PublishedStatus.REVIEWED
    published.reviewed_by = actor
    published.reviewed_at = timezone.now()
    published.full_clean(exclude=["case"])
    published.save()
    _audit(actor, published, before, note="审核典型案例")
    return published


@transaction.atomic
def typical_publish(*, actor, published) -> PublishedCase:
    _require(actor, "cases.approve", "无权公布典型案例")
    published = _lock(published)
    _visible_case(actor, published.case)
    if published.status != PublishedStatus.REVIEWED:
        raise ValidationError("典型案例须经审核后才能公布")
    # Checked once more at the last step: nothing unchecked reaches the public site.
    _check_text(published.title, published.body, published.case)
    before = audit.snapshot(published)
    published.status = PublishedStatus.PUBLISHED
    published.published_at = timezone.now()
    published.save()
    _audit(actor, published, before, note="公布典型案例")
    return published


@transaction.atomic
def typical_withdraw(*, actor, published) -> PublishedCase:
    _require(actor, "cases.approve", "无权撤回典型案例")
    published = _lock(published)
    _visible_case(actor, published.case)
    if published.status == PublishedStatus.WITHDRAWN:
        raise ValidationError("该典型案例已撤回")
    before = audit.snapshot(published)
    published.status = PublishedStatus.WITHDRAWN
    published.withdrawn_at = timezone.now()
    published.save()
    _audit(actor, published, before, note="撤回典型案例")
    return published
