"""The reward pages: the list with its figures, the standards and their versions, the claim of an
anonymous tip's reward with its 查询码, a leader's review and the claimant's identity (audited)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qingyuan.core.permissions import require_area_perm, require_perm
from qingyuan.core.scoping import get_visible_or_404
from qingyuan.regions.models import Region

from . import rewards
from .models import Lead, Reward, RewardClaim
from .models import RewardStatus as RS
from .reward_forms import RewardClaimForm, RewardFilterForm, RewardReviewForm, RewardStandardForm
from .views import attach_errors, render_detail


def _lead_for(request, pk):
    return get_visible_or_404(
        Lead.objects.select_related("handling_unit", "region", "subject", "reporter"), request.user, pk=pk
    )


def panel(user, lead) -> dict:
    """What the lead page's reward card shows this user (leads.views.render_detail adds it)."""
    reward = Reward.objects.filter(lead=lead).select_related("standard__region", "decided_by").first()
    claim = RewardClaim.objects.filter(lead=lead).first()
    can_review = bool(
        reward
        and reward.status == RS.PROPOSED
        and user.can("leads.reward_approve")
        and reward.decided_by_id != user.pk
    )
    return {
        "reward": reward,
        "claim": claim,
        "may_claim": bool(
            user.can("leads.reward")
            and lead.is_anonymous
            and claim is None
            and lead.conclusion in rewards.REWARDABLE
            and reward is None
        ),
        "can_see_claimant": claim is not None and rewards.can_see_claimant(user, lead),
        "review_form": RewardReviewForm() if can_review else None,
        "may_pay": bool(reward and reward.status == RS.APPROVED and user.can("leads.reward")),
        "standard": rewards.standard_for(lead)
        if reward is None and lead.conclusion and user.can("leads.reward")
        else None,
    }


def _filtered(request):
    form = RewardFilterForm(request.GET or None, user=request.user)
    qs = Reward.objects.visible_to(request.user).select_related(
        "lead", "lead__handling_unit__region", "decided_by", "standard"
    )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["decided_from"]:
            qs = qs.filter(decided_at__date__gte=d["decided_from"])
        if d["decided_to"]:
            qs = qs.filter(decided_at__date__lte=d["decided_to"])
        region = Region.objects.filter(code=d["region"]).first() if d["region"] else None
        if region is not None:
            qs = qs.filter(lead__handling_unit__region__code__startswith=region.prefix)
    elif form.is_bound:
        qs = qs.none()
    return form, qs


@require_perm("leads.reward")
def reward_list(request):
    form, qs = _filtered(request)
    page = Paginator(qs.order_by("-decided_at", "-pk"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "leads/reward_list.html",
        {
            "title": "举报奖励",
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "figures": rewards.reward_figures(qs),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_perm("leads.reward")
def reward_stats(request):
    form, qs = _filtered(request)
    return render(
        request,
        "leads/reward_stats.html",
        {
            "title": "举报奖励统计",
            "form": form,
            "figures": rewards.reward_figures(qs),
            "querystring": request.GET.urlencode(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _may_see_standards(user) -> bool:
    return user.can("leads.reward") or user.can("rules.manage")


def reward_standards(request):
    if not request.user.is_authenticated or not _may_see_standards(request.user):
        raise PermissionDenied("您无权查看举报奖励标准")
    return render(
        request,
        "leads/reward_standards.html",
        {
            "title": "举报奖励标准",
            "standards": rewards.standards_visible(request.user),
            "can_manage": request.user.can("rules.manage"),
            "can_reward": request.user.can("leads.reward"),
        },
    )


@require_area_perm("rules.manage", "仅系统管理员可以制定举报奖励标准")
def reward_standard_add(request):
    form = RewardStandardForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            new = rewards.standard_add_version(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                f"已新增{new.region.name}举报奖励标准第{new.version}版，自{new.effective_from:%Y-%m-%d}起适用",
            )
            return redirect("leads:reward_standards")
    return render(
        request,
        "includes/form.html",
        {"form": form, "title": "制定或修订举报奖励标准", "cancel_url": reverse("leads:reward_standards")},
        status=400 if form.is_bound else 200,
    )


@require_perm("leads.view")
def reward_claim(request, pk):
    """An officer records the claim of an anonymous tip's reward by the person who gives its 查询码."""
    lead = _lead_for(request, pk)
    rewards._require(request.user, "leads.reward", "您没有登记奖励申领的权限", lead)
    form = RewardClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rewards.reward_claim(actor=request.user, lead=lead, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已登记奖励申领人，身份信息已加密保存。")
            return redirect(lead.get_absolute_url())
    return render(
        request,
        "leads/reward_claim.html",
        {"form": form, "title": f"登记奖励申领：{lead.number}", "lead": lead},
        status=400 if form.is_bound else 200,
    )


@require_POST
@require_perm("leads.view")
def reward_review(request, pk):
    lead = _lead_for(request, pk)
    reward = Reward.objects.filter(lead=lead).first()
    if not request.user.can("leads.reward_approve"):
        raise PermissionDenied("您没有审批举报奖励的权限")
    form = RewardReviewForm(request.POST)
    if reward is not None and form.is_valid():
        try:
            rewards.reward_review(
                actor=request.user,
                reward=reward,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except PermissionDenied:
            raise
        except (ValidationError, rewards.TransitionNotAllowed) as exc:
            rest = attach_errors(form, exc)
            return render_detail(request, lead, errors=rest, status=400)
        messages.success(request, "已审批。")
        return redirect(lead.get_absolute_url())
    errors = [e for errs in form.errors.values() for e in errs] or ["该线索没有待审批的奖励"]
    return render_detail(request, lead, errors=errors, status=400)


@require_POST
@require_perm("leads.view")
def claimant_reveal(request, pk):
    lead = _lead_for(request, pk)
    try:
        claimant = rewards.claimant_reveal(actor=request.user, lead=lead)
    except ValidationError:
        raise PermissionDenied from None
    return render(request, "leads/reward_claimant_revealed.html", {"claimant": claimant})
