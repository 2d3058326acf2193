"""The rules of the penalty procedure before the decision (行政处罚法 2021) and the conditions the case
workflow (cases.workflow) checks with them: the 时效 at 立案 (第36条), the proposed penalty before the
notice (第44条), the hearing right and its window (第63、64条), 法制审核 (第58条), 集体讨论 (第57条),
the discretion of 从轻/减轻 (第32条) and 不予处罚 (第33条), and a decision no harsher than what the
party was told.

Every amount and list comes from the rules data (rules.selectors.threshold, time limits); the writes
that record each step are in cases.penalty_steps. A condition returns why a step cannot be taken
now, in Chinese, or None."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import CaseStatus, DecisionKind, MeasureKind, PartyKind, Procedure
from .models_procedure import (
    Discretion,
    DiscussionConclusion,
    Hearing,
    PenaltyProposal,
    ReviewConclusion,
)

# 集体讨论 conclusions after which a decision may be made (a 不予处罚 one for NO_PENALTY).
DISCUSSION_ALLOWS = {DiscussionConclusion.AS_PROPOSED, DiscussionConclusion.CHANGED}


def _today() -> dt.date:
    return timezone.localdate()


def _threshold(code: str, on: dt.date | None = None):
    from qingyuan.rules.selectors import threshold

    return threshold(code, on or _today())


def _party_suffix(case) -> str:
    return "CITIZEN" if case.party_kind == PartyKind.CITIZEN else "ORG"


def _kind_label(kind: str) -> str:
    return str(MeasureKind(kind).label) if kind in MeasureKind.values else kind


def _amounts(measures) -> dict:
    """{kind: amount or None} of measure rows or dicts."""
    result = {}
    for m in measures:
        kind = m["kind"] if isinstance(m, dict) else m.kind
        amount = m.get("amount") if isinstance(m, dict) else m.amount
        result[kind] = None if amount in (None, "") else Decimal(str(amount))
    return result


# --- 时效 (第36条) -----------------------------------------------------------------------------------


def time_bar_due(case) -> dt.date | None:
    """The last day the act may still be pursued: two years (TIME_BAR) from the act or the end of a
    continuing act, five (TIME_BAR_HARM) where life and health were endangered with harmful
    consequences. The five-year rule applies only to acts on or after it took effect, so an older act
    falls back to the general limit."""
    from qingyuan.rules.limits import deadline
    from qingyuan.rules.models import TimeLimit

    start = case.act_ended_on or case.offence_date
    if start is None:
        return None
    codes = ["TIME_BAR_HARM", "TIME_BAR"] if case.endangers_health else ["TIME_BAR"]
    for code in codes:
        try:
            return deadline(code, start)
        except TimeLimit.DoesNotExist:
            continue
    return None


def time_bar_problem(case, opened_on: dt.date) -> str | None:
    due = time_bar_due(case)
    if due is None or opened_on <= due:
        return None
    start = case.act_ended_on or case.offence_date
    what = "终了" if case.act_ended_on else "发生"
    years = "五年" if case.endangers_health else "二年"
    return (
        f"违法行为于{start:%Y年%m月%d日}{what}，追责期限（{years}，行政处罚法第36条）至{due:%Y年%m月%d日}届满，"
        "立案日期已超过期限，不予立案；确需立案的，须由领导登记超期立案的理由"
    )


def open_problem(case, inputs):
    if case.time_bar_reason.strip() and case.time_bar_by_id:
        return None
    opened_on = inputs.get("opened_on") or _today()
    return time_bar_problem(case, opened_on)


# --- the proposal ----------------------------------------------------------------------------------


def current_proposal(case) -> PenaltyProposal | None:
    return case.proposals.order_by("-version").prefetch_related("measures").first() if case.pk else None


def last_notified(case) -> PenaltyProposal | None:
    if not case.pk:
        return None
    return (
        case.proposals.filter(notified_on__isnull=False)
        .order_by("-version")
        .prefetch_related("measures")
        .first()
    )


def hearing_right(case, measures) -> bool:
    """行政处罚法 第63条: the party must be told of the hearing right for the measures listed in
    HEARING_MEASURES and for a large fine or confiscation (the amounts by party kind)."""
    amounts = _amounts(measures)
    if set(amounts) & set(_threshold("HEARING_MEASURES")):
        return True
    suffix = _party_suffix(case)
    fine = amounts.get(MeasureKind.FINE)
    if fine and fine >= _threshold(f"LARGE_FINE_{suffix}"):
        return True
    income = amounts.get(MeasureKind.CONFISCATE_INCOME)
    return bool(income and income >= _threshold(f"LARGE_CONFISCATION_{suffix}"))


def harsher(measures, hearing: bool, than: PenaltyProposal) -> list[str]:
    """How `measures` (with the hearing right they carry) are harsher than the proposal `than` the
    party was told of: a measure kind added, a higher amount, a hearing right not told."""
    new, old = _amounts(measures), _amounts(than.measures.all())
    reasons = []
    for kind, amount in new.items():
        if kind not in old:
            reasons.append(f"增加了“{_kind_label(kind)}”")
        elif amount is not None and (old[kind] is None or amount > old[kind]):
            reasons.append(f"“{_kind_label(kind)}”{amount}元高于已告知的{old[kind]}元")
    if hearing and not than.hearing_right:
        reasons.append("应告知听证权利而已告知的意见未告知")
    return reasons


def fine_checked(offence, income, fine, discretion: str):
    """The fine against the legal range (rules.fines.check_fine). 减轻 (第32条) may go below the
    minimum, never above the maximum; every other discretion stays within the range."""
    from qingyuan.rules.fines import check_fine, fine_range

    if discretion != Discretion.MITIGATED:
        return check_fine(offence, income, fine)
    rng = fine_range(offence, income)
    if fine and rng is not None and fine > rng.maximum:
        raise ValidationError(
            f"减轻处罚的罚款不能超过法定上限{rng.maximum}元（{offence.code}：{rng.explanation}）",
            code="fine_out_of_range",
        )
    if fine and rng is None:
        return check_fine(offence, income, fine)
    return rng


def measures_checked(case, offence, measures, discretion: str, reason: str, basis: str) -> list[dict]:
    """The measures of a proposal (or a decision) checked as the law requires for its discretion."""
    from .decisions import _measures_checked

    if discretion not in Discretion.values:
        raise ValidationError({"discretion": "请选择裁量情节"})
    reason, basis = (reason or "").strip(), (basis or "").strip()
    if discretion == Discretion.NONE:
        if measures:
            raise ValidationError({"measures": "不予处罚的意见不能列出处罚种类"})
        if not reason:
            raise ValidationError({"discretion_reason": "不予处罚须填写理由（行政处罚法第33条等）"})
        if not basis:
            raise ValidationError({"discretion_basis": "不予处罚须填写依据，如“行政处罚法第33条第1款”"})
        return []
    if discretion != Discretion.NORMAL and not reason:
        label = Discretion(discretion).label
        raise ValidationError({"discretion_reason": f"{label}处罚须填写理由"})
    if discretion == Discretion.MITIGATED and not basis:
        raise ValidationError({"discretion_basis": "减轻处罚须填写依据，如“行政处罚法第32条第1项”"})
    cleaned = _measures_checked(case, measures)
    by_kind = {m["kind"]: m for m in cleaned}
    # Raised as it comes (with its code), so a page puts it beside the fine field.
    fine_checked(offence, case.illegal_income, by_kind.get(MeasureKind.FINE, {}).get("amount"), discretion)
    income = by_kind.get(MeasureKind.CONFISCATE_INCOME)
    if income is not None and income["amount"] != case.illegal_income:
        raise ValidationError({"measures": f"没收违法所得金额应与认定的违法所得{case.illegal_income}元一致"})
    return cleaned


def measures_text(measures) -> str:
    parts = []
    for kind, amount in _amounts(measures).items():
        parts.append(_kind_label(kind) + ("" if amount is None else f" {amount}元"))
    return "；".join(parts) or "不予处罚"


def notify_problem(case, inputs):
    proposal = current_proposal(case)
    if proposal is None:
        return "尚未拟定处罚意见：请先拟定拟处罚意见（行政处罚法第44条，告知书须载明拟作出的处罚）"
    if proposal.discretion == Discretion.NONE:
        return "拟处罚意见为不予处罚，无需送达行政处罚事先告知书，可直接作出不予行政处罚决定"
    if case.status == CaseStatus.NOTIFIED and proposal.notified_on:
        return f"当前拟处罚意见（第{proposal.version}版）已于{proposal.notified_on:%Y年%m月%d日}告知，无需重新告知"
    return None


# --- hearing ---------------------------------------------------------------------------------------


def hearing_window_problem(case, requested_on: dt.date) -> str | None:
    from . import deadlines

    if case.statement_waived:
        return "当事人已书面放弃陈述申辩和听证"
    window = deadlines.hearing_window_due(case)
    if window and requested_on > window:
        return f"听证申请期限已于{window:%Y年%m月%d日}届满，不能再申请听证（重新告知后期限重新起算）"
    return None


def hearing_problem(case, inputs):
    notified = last_notified(case)
    if notified is not None and not notified.hearing_right:
        return "已告知的拟处罚意见不属于应当告知听证权利的情形，当事人不能要求听证（行政处罚法第63条）"
    requested_on = inputs.get("requested_on")
    return hearing_window_problem(case, requested_on) if requested_on else None


def hearing_notice_problem(case, notice_served_on: dt.date, scheduled_on: dt.date) -> str | None:
    """第64条: the party is told of the hearing at least seven (working) days before it."""
    from . import deadlines

    earliest = deadlines.deadline("HEARING_NOTICE", notice_served_on)
    if scheduled_on < earliest:
        return (
            f"听证通知书于{notice_served_on:%Y年%m月%d日}送达，听证最早可于{earliest:%Y年%m月%d日}举行"
            "（须在举行听证的七日前通知当事人，行政处罚法第64条）"
        )
    return None


def last_hearing_on(case) -> dt.date | None:
    """The day the last hearing was held: a review or discussion before it did not see its report."""
    row = Hearing.objects.filter(case=case, held_on__isnull=False).order_by("-held_on").first()
    return row.held_on if row else None


def hearing_was_held(case) -> bool:
    from .decisions import hearing_held

    return Hearing.objects.filter(case=case, held_on__isnull=False).exists() or hearing_held(case)


# --- 法制审核 and 集体讨论 ------------------------------------------------------------------------------


def _flag(code: str) -> bool:
    return _threshold(code) == 1


def legal_review_required(case, proposal) -> list[str]:
    """Why 法制审核 (第58条) is required for `proposal`; empty when it is not."""
    if proposal is None:
        return []
    amounts = _amounts(proposal.measures.all())
    suffix = _party_suffix(case)
    reasons = [f"拟{_kind_label(k)}" for k in amounts if k in set(_threshold("LEGAL_REVIEW_MEASURES"))]
    fine, income = amounts.get(MeasureKind.FINE), amounts.get(MeasureKind.CONFISCATE_INCOME)
    if fine and fine >= _threshold(f"LARGE_FINE_{suffix}"):
        reasons.append("较大数额罚款")
    if income and income >= _threshold(f"LARGE_CONFISCATION_{suffix}"):
        reasons.append("没收较大数额违法所得")
    if hearing_was_held(case) and _flag("LEGAL_REVIEW_AFTER_HEARING"):
        reasons.append("经过听证程序")
    return reasons


def collective_required(case, proposal) -> list[str]:
    """Why 集体讨论 (第57条第2款) is required for `proposal`; empty when it is not."""
    if proposal is None:
        return []
    amounts = _amounts(proposal.measures.all())
    reasons = [f"拟{_kind_label(k)}" for k in amounts if k in set(_threshold("COLLECTIVE_MEASURES"))]
    fine = amounts.get(MeasureKind.FINE)
    if fine and fine >= _threshold(f"COLLECTIVE_FINE_{_party_suffix(case)}"):
        reasons.append("罚款数额达到集体讨论标准")
    if hearing_was_held(case) and _flag("COLLECTIVE_AFTER_HEARING"):
        reasons.append("经过听证程序")
    return reasons


def latest_review(proposal):
    return proposal.legal_reviews.order_by("-submitted_at", "-pk").first() if proposal else None


def latest_discussion(proposal):
    return proposal.discussions.order_by("-held_on", "-pk").first() if proposal else None


def legal_review_problem(case, inputs):
    proposal = current_proposal(case)
    pending = case.legal_reviews.filter(conclusion="").order_by("-pk").first()
    if pending is None:
        return "尚未提交法制审核"
    if proposal is None or pending.proposal_id != proposal.pk:
        return "送审的拟处罚意见已不是当前版本，请就当前版本重新提交法制审核"
    reviewer = inputs.get("reviewer")
    return legal_reviewer_problem(case, reviewer) if reviewer is not None else None


def legal_reviewer_problem(case, user) -> str | None:
    """Who may not review: the case's own officers (第58条第2款) and whoever proposed the penalty.
    The workflow refuses them with a 403 whatever the form says."""
    if case.officers.filter(pk=user.pk).exists():
        return "案件承办人不能担任本案的法制审核人员（行政处罚法第58条第2款）"
    proposal = current_proposal(case)
    if proposal is not None and proposal.created_by_id == user.pk:
        return "拟定处罚意见的人员不能审核本案"
    return None


def discussion_problem(case, inputs):
    if current_proposal(case) is None:
        return "尚未拟定处罚意见，不能提交集体讨论"
    chair, participants = inputs.get("chair"), inputs.get("participants")
    if chair is not None and participants is not None:
        people = {p.pk for p in participants} | {chair.pk}
        # The unit's own rule on who must sit; the law (第57条第2款) only says "负责人集体讨论".
        least = int(_threshold("COLLECTIVE_MIN_PEOPLE"))
        if len(people) < least:
            return f"集体讨论参加人员（含主持人）不能少于{least}人（本单位集体讨论制度）"
    return None


# --- before the decision ---------------------------------------------------------------------------


def _window_detail(case, notified, blocked) -> str:
    if notified is None or case.status == CaseStatus.REVIEW:
        return "告知后起算"
    if blocked:
        return blocked
    if case.status == CaseStatus.HEARING:
        return "听证尚未结束"
    return "当事人已书面放弃" if case.statement_waived else "已届满"


def requirements(case, on: dt.date | None = None) -> list[dict]:
    """What the law still asks before a general-procedure decision, each with whether it is done:
    the case page lists them and decide_problem refuses on the first one not done."""
    from .decisions import decide_blocked_reason

    on = on or _today()
    proposal = current_proposal(case)
    items = [
        {
            "key": "proposal",
            "label": "拟定处罚意见",
            "done": proposal is not None,
            "detail": f"第{proposal.version}版" if proposal else "尚未拟定处罚意见",
        }
    ]
    if proposal is None:
        return items
    no_penalty = proposal.discretion == Discretion.NONE
    if not no_penalty:
        notified = last_notified(case)
        reasons = harsher(proposal.measures.all(), proposal.hearing_right, notified) if notified else []
        if notified is None:
            detail = "尚未告知当事人拟处罚意见"
        elif reasons:
            detail = f"第{proposal.version}版重于已告知的第{notified.version}版（{'；'.join(reasons)}），须重新告知"
        else:
            detail = f"已告知第{notified.version}版（{notified.notified_on:%Y-%m-%d}）"
        items.append(
            {
                "key": "notice",
                "label": "告知当事人",
                "done": notified is not None and not reasons,
                "detail": detail,
            }
        )
        blocked = (
            decide_blocked_reason(case, on, Procedure.GENERAL) if case.status != CaseStatus.REVIEW else None
        )
        items.append(
            {
                "key": "window",
                "label": "陈述申辩、听证期限",
                "done": notified is not None and blocked is None and case.status != CaseStatus.HEARING,
                "detail": _window_detail(case, notified, blocked),
            }
        )
    needed = legal_review_required(case, proposal)
    if needed:
        review = latest_review(proposal)
        heard = last_hearing_on(case)
        done = review is not None and review.conclusion == ReviewConclusion.AGREE
        if done and heard and review.reviewed_on < heard:
            done, needed = False, [*needed, f"听证后须重新审核（听证于{heard:%Y-%m-%d}举行）"]
        detail = f"须审核：{'、'.join(needed)}；" + (
            f"结论：{review.get_conclusion_display()}" if review and review.conclusion else "尚未审核同意"
        )
        items.append({"key": "legal_review", "label": "法制审核", "done": done, "detail": detail})
    needed = collective_required(case, proposal)
    if needed:
        discussion = latest_discussion(proposal)
        allowed = DISCUSSION_ALLOWS | ({DiscussionConclusion.NO_PENALTY} if no_penalty else set())
        done = discussion is not None and discussion.conclusion in allowed
        heard = last_hearing_on(case)
        if done and heard and discussion.held_on < heard:
            done, needed = False, [*needed, f"听证后须重新讨论（听证于{heard:%Y-%m-%d}举行）"]
        detail = f"须讨论：{'、'.join(needed)}；" + (
            f"结论：{discussion.get_conclusion_display()}" if discussion else "尚未集体讨论"
        )
        items.append({"key": "discussion", "label": "集体讨论", "done": done, "detail": detail})
    return items


def _decision_inputs(case, inputs) -> dict:
    """The decision being made: from the caller's inputs, else the decision row already written in
    this transaction (decisions.decision_record writes it before the step), else the proposal."""
    decision = getattr(case, "decision", None) if case.pk else None
    proposal = current_proposal(case)
    result = {
        "procedure": inputs.get("procedure") or (decision.procedure if decision else Procedure.GENERAL),
        "kind": inputs.get("kind") or (decision.kind if decision else None),
        "decided_on": inputs.get("decided_on") or _today(),
        "measures": inputs.get("measures"),
    }
    if result["measures"] is None:
        if decision is not None:
            result["measures"] = list(decision.measures.all())
        elif proposal is not None:
            result["measures"] = list(proposal.measures.all())
        else:
            result["measures"] = []
    if result["kind"] is None:
        no_penalty = proposal is not None and proposal.discretion == Discretion.NONE
        result["kind"] = DecisionKind.NO_PENALTY if no_penalty else DecisionKind.PENALTY
    return result


def decide_problem(case, inputs):
    from .decisions import decide_blocked_reason

    data = _decision_inputs(case, inputs)
    if data["procedure"] == Procedure.SIMPLIFIED:
        # 简易程序 (第51条): decided on the spot, without a proposal, notice or review, but only for a
        # warning or a small fine (SIMPLIFIED_FINE_* in the rules data).
        from .decisions import SIMPLIFIED_MEASURES, simplified_limit

        amounts = _amounts(data["measures"])
        others = set(amounts) - set(SIMPLIFIED_MEASURES)
        if others:
            return (
                f"简易程序只能给予警告或较小数额罚款，不能{'、'.join(_kind_label(k) for k in sorted(others))}"
            )
        fine, limit = amounts.get(MeasureKind.FINE), simplified_limit(case.party_kind, data["decided_on"])
        if fine and fine > limit:
            return f"简易程序对{PartyKind(case.party_kind).label}罚款不能超过{limit}元，请适用一般程序"
        return decide_blocked_reason(case, data["decided_on"], data["procedure"])
    proposal = current_proposal(case)
    if proposal is None:
        blocked = decide_blocked_reason(case, data["decided_on"], data["procedure"])
        return blocked or "尚未拟定处罚意见，不能作出决定"
    discussion = latest_discussion(proposal)
    if data["kind"] == DecisionKind.NO_PENALTY:
        said_no = proposal.discretion == Discretion.NONE or (
            discussion is not None and discussion.conclusion == DiscussionConclusion.NO_PENALTY
        )
        if not said_no:
            return "拟处罚意见或集体讨论结论不是不予处罚，不能作出不予行政处罚决定"
        pending = [
            r for r in requirements(case, data["decided_on"]) if not r["done"] and r["key"] == "legal_review"
        ]
        return f"{pending[0]['label']}：{pending[0]['detail']}" if pending else None
    if proposal.discretion == Discretion.NONE:
        return "当前拟处罚意见为不予处罚，只能作出不予行政处罚决定"
    if discussion is not None and discussion.conclusion == DiscussionConclusion.NO_PENALTY:
        return "集体讨论决定不予行政处罚，只能作出不予行政处罚决定"
    blocked = decide_blocked_reason(case, data["decided_on"], data["procedure"])
    if blocked:
        return blocked
    notified = last_notified(case)
    if notified is None:
        return "尚未告知当事人拟处罚意见，不能作出决定（行政处罚法第44条）"
    reasons = harsher(data["measures"], hearing_right(case, data["measures"]), notified)
    if reasons:
        return f"处罚决定重于已告知当事人的拟处罚意见（{'；'.join(reasons)}），须重新告知当事人"
    for item in requirements(case, data["decided_on"]):
        if item["key"] in {"legal_review", "discussion"} and not item["done"]:
            return f"{item['label']}：{item['detail']}"
    return None
