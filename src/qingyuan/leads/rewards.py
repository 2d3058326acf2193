"""举报奖励: the standards per region, deciding a reward within the standard in force for the tip's
place, a leader's approval above the standard's threshold, the claim of an anonymous reporter with
the tip's 查询码, payment, and the list's figures.

A reward moves only through REWARD_WORKFLOW (core.workflow): 给予奖励 (up to the threshold) or 提请
审批 (above it) → 领导批准 / 不同意 → 登记支付; 不予奖励 ends it at once. No standard in force, an
amount outside the standard's range or over its cap, or an anonymous tip nobody has claimed, and the
reward is refused: the 100,000 yuan granted on an anonymous tip with no claimant cannot happen again."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from qingyuan.campaigns.models import ancestor_prefixes
from qingyuan.core import audit
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.core.workflow import NEW, NotPermitted, Transition, TransitionNotAllowed, Workflow

from .models import Conclusion, Lead, Reward, RewardClaim, RewardDecision, RewardStandard
from .models import RewardStatus as RS
from .workflow import lead_event

__all__ = [
    "REWARD_WORKFLOW",
    "NotPermitted",
    "TransitionNotAllowed",
    "can_see_claimant",
    "claimant_reveal",
    "reward_claim",
    "reward_decide",
    "reward_figures",
    "reward_pay",
    "reward_review",
    "standard_add_version",
    "standard_for",
    "standards_visible",
]

REWARDABLE = {Conclusion.TRUE, Conclusion.PARTLY_TRUE, Conclusion.CASE_OPENED}
STANDARD_FIELDS = [
    "region",
    "category",
    "amount_min",
    "amount_max",
    "cap",
    "approval_threshold",
    "basis",
    "unverified",
    "effective_from",
    "note",
]


def _require(actor, perm: str, message: str, lead=None) -> None:
    """Permission and jurisdiction, as the lead services check them: the actor holds `perm` and the
    lead is handled within their jurisdiction."""
    if actor is None or not getattr(actor, "can", None) or not actor.can(perm):
        raise NotPermitted(message)
    if lead is not None and not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
        raise NotPermitted("该线索不在您的管辖范围内")


# --- the workflow -------------------------------------------------------------------------------


def _claimant_known(reward, inputs) -> str | None:
    lead = reward.lead
    if lead.is_anonymous and not RewardClaim.objects.filter(lead=lead).exists():
        return "匿名举报的奖励须由举报人凭查询码申领、登记申领人身份后方可支付"
    if not lead.is_anonymous and lead.reporter_id is None:
        return "该举报没有登记举报人，不能支付奖励"
    return None


def _not_the_proposer(reward, user) -> str | None:
    if reward.decided_by_id == user.pk:
        return "提请人不能审批自己提请的奖励"
    return None


def _event(reward, actor, label, note, from_status, to_status):
    # The lead's timeline tells the reward's story; amounts, never the claimant's identity.
    text = f"{reward.amount}元" + (f"；{note}" if note else "")
    lead_event(reward.lead, actor, label, note=text[:2000])


def _in_scope(user, reward) -> bool:
    return Lead.objects.visible_to(user).filter(pk=reward.lead_id).exists()


def _leaders_over(reward) -> list:
    """The leaders of the handling unit's region and of the regions above it."""
    from qingyuan.accounts.models import User
    from qingyuan.accounts.roles import PERMISSIONS

    roles = [role for role, perms in PERMISSIONS.items() if "leads.reward_approve" in perms]
    prefixes = ancestor_prefixes(reward.lead.handling_unit.region.prefix)
    return list(User.objects.filter(role__in=roles, is_active=True, unit__region__prefix__in=prefixes))


def _notices(reward, action, transition):
    number = reward.lead.number
    if action == "propose":
        return [(_leaders_over(reward), f"线索 {number} 的举报奖励 {reward.amount} 元待您审批")]
    if action in {"approve", "refuse"}:
        return [([reward.decided_by], f"线索 {number} 的举报奖励{transition.label}")]
    return []


T = Transition
REWARD_WORKFLOW = Workflow(
    noun="举报奖励",
    model=Reward,
    transitions={
        "grant": T("给予奖励", frozenset({NEW}), RS.APPROVED, "leads.reward"),
        "propose": T("提请领导审批奖励", frozenset({NEW}), RS.PROPOSED, "leads.reward"),
        "decline": T("不予奖励", frozenset({NEW}), RS.NOT_GRANTED, "leads.reward"),
        "approve": T(
            "领导批准奖励",
            frozenset({RS.PROPOSED}),
            RS.APPROVED,
            "leads.reward_approve",
            actor_problem=_not_the_proposer,
        ),
        "refuse": T(
            "领导不同意奖励",
            frozenset({RS.PROPOSED}),
            RS.REFUSED,
            "leads.reward_approve",
            actor_problem=_not_the_proposer,
            needs_note="请填写不同意的理由",
        ),
        "pay": T("登记奖励支付", frozenset({RS.APPROVED}), RS.PAID, "leads.reward", (_claimant_known,)),
    },
    event=_event,
    in_scope=_in_scope,
    region_code=lambda r: r.lead.handling_unit.region_id,
    notices=_notices,
    related=("lead", "lead__handling_unit"),
)


# --- standards ----------------------------------------------------------------------------------


def standard_for(lead, on: dt.date | None = None) -> RewardStandard | None:
    """The standard in force on `on` for the tip's place (its handling unit's region where the place
    was not located): the nearest region above it with one, that region's scale for the tip's
    category before its general scale."""
    on = on or timezone.localdate()
    region = lead.region or lead.handling_unit.region
    candidates = (
        RewardStandard.objects.in_force(on)
        .filter(region__prefix__in=ancestor_prefixes(region.prefix))
        .filter(Q(category=lead.category) | Q(category=""))
        .select_related("region")
    )
    ranked = sorted(candidates, key=lambda s: (-s.region.level, s.category == "", -s.version))
    return ranked[0] if ranked else None


def standard_code(region, category: str) -> str:
    return f"{region.code}:{category or 'general'}"


def standard_add_version(*, actor, data: dict) -> RewardStandard:
    """Add the next version of a region's standard (version 1 for a new region or category), ending
    the version it replaces the day before; administrators (rules.manage) within their region."""
    from qingyuan.rules.services import _add_version

    if not actor.can("rules.manage"):
        raise NotPermitted("仅系统管理员可以制定举报奖励标准")
    region = data.get("region")
    prefix = jurisdiction_prefix(actor)
    if region is None or prefix is None or not region.code.startswith(prefix):
        raise ValidationError({"region": "区划不在您的管辖范围内"})
    code = standard_code(region, data.get("category") or "")
    return _add_version(model=RewardStandard, fields=STANDARD_FIELDS, actor=actor, code=code, data=data)


def standards_visible(user):
    """Every version of the standards of the user's region, the regions above it (which apply to
    it) and those below."""
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return RewardStandard.objects.none()
    qs = RewardStandard.objects.select_related("region")
    if prefix:
        qs = qs.filter(Q(region__prefix__in=ancestor_prefixes(prefix)) | Q(region__code__startswith=prefix))
    return qs.order_by("region_id", "category", "-version")


# --- deciding, approving, paying ----------------------------------------------------------------


def _check_amount(lead, amount: Decimal, reason: str) -> tuple[RewardStandard, str]:
    """The standard that applies and the step it calls for ("grant" or "propose"); refusals name
    the field and the figure."""
    standard = standard_for(lead)
    if standard is None:
        raise ValidationError(
            {"amount": "奖励金额：该线索所在地区尚未制定举报奖励标准，请系统管理员先在“举报奖励标准”中制定"}
        )
    scale = f"{standard.region.name}{standard.get_category_display() or '通用'}标准第{standard.version}版"
    if amount < standard.amount_min:
        raise ValidationError({"amount": f"奖励金额：不能低于{scale}的每件最低金额 {standard.amount_min} 元"})
    if amount > standard.cap:
        raise ValidationError({"amount": f"奖励金额：不能超过{scale}的单件封顶金额 {standard.cap} 元"})
    above_scale = amount > standard.amount_max
    if above_scale and not (reason or "").strip():
        raise ValidationError(
            {"reason": f"理由：金额超过{scale}的标准最高金额 {standard.amount_max} 元，须写明理由"}
        )
    needs_leader = above_scale or amount > standard.approval_threshold
    return standard, "propose" if needs_leader else "grant"


@transaction.atomic
def reward_decide(*, actor, lead, decision: str, amount: Decimal, reason: str = "") -> Reward:
    """Decide a tip's reward: 不予奖励, or an amount within the standard in force, given at once up
    to the standard's approval threshold and proposed to a leader above it. An anonymous tip's
    reward needs its claimant first (reward_claim)."""
    _require(actor, "leads.reward", "您没有决定举报奖励的权限", lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.conclusion not in REWARDABLE:
        raise ValidationError({"decision": "只有核查属实或部分属实的举报才能给予奖励"})
    if Reward.objects.filter(lead=lead).exists():
        raise ValidationError({"decision": "该线索已作出奖励决定"})
    reward = Reward(lead=lead, decision=decision, reason=reason, decided_by=actor, amount=Decimal("0"))
    if decision != RewardDecision.GRANTED:
        return REWARD_WORKFLOW.apply(reward, "decline", actor=actor, note=reason)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "奖励金额：给予奖励时金额须大于0"})
    if lead.is_anonymous and not RewardClaim.objects.filter(lead=lead).exists():
        raise ValidationError(
            {
                "decision": "匿名举报的奖励只能由举报人凭查询码申领：请先登记申领（核对查询码和申领人身份），"
                "再作奖励决定"
            }
        )
    standard, action = _check_amount(lead, amount, reason)
    reward.amount, reward.standard = amount, standard
    return REWARD_WORKFLOW.apply(reward, action, actor=actor, note=reason)


def reward_review(*, actor, reward, approve: bool, note: str = "") -> Reward:
    """A leader's decision on a proposed reward (not the proposer's own)."""
    return REWARD_WORKFLOW.apply(
        reward,
        "approve" if approve else "refuse",
        actor=actor,
        note=note,
        changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": note},
    )


def reward_pay(*, actor, reward, paid_amount: Decimal, paid_at: dt.date, reference: str) -> Reward:
    """`reward` None: the lead has no reward decision yet, which is the caller's input error."""
    if reward is None:
        _require(actor, "leads.reward", "您没有登记奖励支付的权限")
        raise ValidationError({"paid_amount": "该线索尚未作出奖励决定，不能登记支付"})
    _require(actor, "leads.reward", "您没有登记奖励支付的权限", reward.lead)
    if reward.status == RS.NOT_GRANTED:
        raise ValidationError({"paid_amount": "不予奖励的举报不能登记支付"})
    if reward.status == RS.PAID:
        raise ValidationError({"paid_amount": "该奖励已登记支付"})
    if reward.status == RS.PROPOSED:
        raise ValidationError({"paid_amount": "该奖励尚待领导审批，批准后方可支付"})
    if paid_amount is None or paid_amount <= 0 or paid_amount > reward.amount:
        raise ValidationError({"paid_amount": f"实付金额应大于0且不超过决定金额{reward.amount}元"})
    return REWARD_WORKFLOW.take(
        reward,
        "pay",
        actor=actor,
        note=f"实付{paid_amount}元，凭证{reference}",
        changes={"paid_amount": paid_amount, "paid_at": paid_at, "payment_reference": reference},
    )


# --- the anonymous reporter's claim -------------------------------------------------------------


@transaction.atomic
def reward_claim(
    *, actor, lead, code: str, name: str, id_number: str, phone: str, bank_account: str = ""
) -> RewardClaim:
    """Record who claims an anonymous tip's reward, once they have given the tip's 查询码 (only the
    reporter was shown it). The identity is stored encrypted; the timeline and the audit row say a
    claim was recorded, never who."""
    _require(actor, "leads.reward", "您没有登记奖励申领的权限", lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if not lead.is_anonymous:
        raise ValidationError({"code": "实名举报的奖励发给登记的举报人，无需申领"})
    if RewardClaim.objects.filter(lead=lead).exists():
        raise ValidationError({"code": "该线索的奖励已有人申领"})
    given = (code or "").strip().upper()
    if not secrets.compare_digest(given.encode(), lead.tracking_code.encode()):
        raise ValidationError({"code": "查询码：与该线索的查询码不符，不能申领"})
    claim = RewardClaim(
        lead=lead,
        name=name.strip(),
        id_number=id_number.strip().upper(),
        phone=phone.strip(),
        bank_account=bank_account.strip(),
        recorded_by=actor,
    )
    claim.full_clean()
    claim.save()
    lead_event(lead, actor, "奖励申领", note="举报人凭查询码申领，已登记申领人身份")
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=claim,
        after=audit.snapshot(claim),
        region_code=lead.handling_unit.region_id,
    )
    return claim


def can_see_claimant(user, lead) -> bool:
    return bool(
        user.is_authenticated
        and user.can("leads.reporter")
        and Lead.objects.visible_to(user).filter(pk=lead.pk).exists()
    )


@transaction.atomic
def claimant_reveal(*, actor, lead) -> dict:
    """The claimant's identity for a holder of leads.reporter within the jurisdiction, each showing
    audited like the reporter's."""
    if not can_see_claimant(actor, lead):
        raise NotPermitted("您无权查看奖励申领人身份")
    claim = RewardClaim.objects.filter(lead=lead).first()
    if claim is None:
        raise ValidationError("该线索没有奖励申领人")
    audit.record(
        actor=actor,
        action=audit.AuditAction.REVEAL,
        target=claim,
        after={"fields": ["name", "id_number", "phone", "bank_account"]},
        region_code=lead.handling_unit.region_id,
    )
    return {
        "name": claim.name,
        "id_number": claim.id_number,
        "phone": claim.phone,
        "bank_account": claim.bank_account,
    }


# --- the list and its figures -------------------------------------------------------------------

GRANTED_STATES = (RS.APPROVED, RS.PAID)


@dataclass(frozen=True)
class RewardFigures:
    granted: int
    granted_amount: Decimal
    paid: int
    paid_amount: Decimal
    pending: int
    pending_amount: Decimal
    by_month: list  # (month, count granted, amount granted, amount paid)
    by_region: list  # (region name, count granted, amount granted, amount paid)


def reward_figures(rewards) -> RewardFigures:
    """Rewards granted (approved or paid) by month of decision and by the handling unit's region,
    with the amounts; proposals still waiting for a leader counted apart."""
    zero = Decimal("0")
    granted = rewards.filter(status__in=GRANTED_STATES)
    totals = granted.aggregate(n=Count("pk"), amount=Sum("amount"), paid=Sum("paid_amount"))
    paid_n = rewards.filter(status=RS.PAID).count()
    pending = rewards.filter(status=RS.PROPOSED).aggregate(n=Count("pk"), amount=Sum("amount"))
    sums = {"n": Count("pk"), "amount": Sum("amount"), "paid": Sum("paid_amount")}
    months = [
        (timezone.localtime(row["month"]).date() if isinstance(row["month"], dt.datetime) else row["month"],)
        + (row["n"], row["amount"] or zero, row["paid"] or zero)
        for row in granted.order_by()
        .annotate(month=TruncMonth("decided_at"))
        .values("month")
        .annotate(**sums)
        .order_by("month")
    ]
    regions = [
        (row["lead__handling_unit__region__name"], row["n"], row["amount"] or zero, row["paid"] or zero)
        for row in granted.order_by()
        .values("lead__handling_unit__region_id", "lead__handling_unit__region__name")
        .annotate(**sums)
        .order_by("lead__handling_unit__region_id")
    ]
    return RewardFigures(
        granted=totals["n"],
        granted_amount=totals["amount"] or zero,
        paid=paid_n,
        paid_amount=totals["paid"] or zero,
        pending=pending["n"],
        pending_amount=pending["amount"] or zero,
        by_month=months,
        by_region=regions,
    )
