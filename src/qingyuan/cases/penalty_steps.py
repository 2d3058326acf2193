"""The writes of the penalty procedure before the decision: 拟处罚, 陈述申辩, 听证通知, 法制审核, 集体讨论
and the leader's record of a time-barred opening. Each is one step of the case workflow
(CASE_WORKFLOW.apply: lock, state, jurisdiction, permission, conditions, timeline, audit) whose own
row is written in the step's `after`, so a refused step leaves nothing behind. The rules they apply
are in cases.penalty; 告知, 听证申请 and 听证结束 stay in cases.services."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core import audit

from . import penalty, workflow
from .models import CaseStatus
from .models_procedure import (
    CollectiveDiscussion,
    Discretion,
    DiscussionConclusion,
    Hearing,
    LegalReview,
    PenaltyProposal,
    ProposedMeasure,
    ReviewConclusion,
    StatementRecord,
)
from .steps import _audit_change, _event, _lock, _notify_on_commit, _require, _today
from .workflow import NotPermitted, TransitionNotAllowed


def _created(actor, row, case):
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE,
        target=row,
        after=audit.snapshot(row),
        region_code=case.region_id,
    )


def _checked(case, action, actor):
    locked = _lock(case, actor)
    workflow.CASE_WORKFLOW.check(locked, action, actor, conditions=False)
    return locked


def _refuse(problem):
    if problem:
        raise TransitionNotAllowed(problem)


def _past(value, field, label):
    if value is None:
        raise ValidationError({field: f"请填写{label}"})
    if value > _today():
        raise ValidationError({field: f"{label}不能晚于今天"})


@transaction.atomic
def proposal_record(
    *,
    actor,
    case,
    offence_code: str,
    facts: str,
    measures: list[dict],
    discretion: str = Discretion.NORMAL,
    discretion_reason: str = "",
    discretion_basis: str = "",
) -> PenaltyProposal:
    """拟处罚: the next version of the proposed penalty, checked against the legal range of the chosen
    offence for its discretion; the hearing right follows from the measures and the thresholds."""
    locked = _checked(case, "propose_penalty", actor)
    charged = {co.offence.code: co.offence for co in locked.offences.select_related("offence")}
    if offence_code not in charged:
        raise ValidationError({"offence_code": "适用条款须为本案认定的违法行为之一"})
    _require(facts, "facts", "请填写违法事实及证据")
    offence = charged[offence_code]
    cleaned = penalty.measures_checked(
        locked, offence, measures, discretion, discretion_reason, discretion_basis
    )
    previous = locked.proposals.order_by("-version").first()
    proposal = PenaltyProposal(
        case=locked,
        version=(previous.version + 1) if previous else 1,
        offence=offence,
        facts=facts.strip(),
        discretion=discretion,
        discretion_reason=(discretion_reason or "").strip(),
        discretion_basis=(discretion_basis or "").strip()[:300],
        hearing_right=penalty.hearing_right(locked, cleaned),
        created_by=actor,
    )

    def record(saved):
        proposal.case = saved
        proposal.save()
        for m in cleaned:
            ProposedMeasure.objects.create(proposal=proposal, **m)
        audit.record(
            actor=actor,
            action=audit.AuditAction.CREATE,
            target=proposal,
            after={**audit.snapshot(proposal), "measures": cleaned},
            region_code=saved.region_id,
        )

    note = f"第{proposal.version}版：{offence.code}；{penalty.measures_text(cleaned)}"
    if discretion != Discretion.NORMAL:
        note += f"；{Discretion(discretion).label}"
    workflow.CASE_WORKFLOW.apply(locked, "propose_penalty", actor=actor, note=note, after=record)
    return proposal


@transaction.atomic
def statement_record(
    *,
    actor,
    case,
    taken_at,
    place: str,
    speaker: str,
    content: str,
    officers,
    adoption: str = "",
    adoption_reason: str = "",
) -> StatementRecord:
    """陈述申辩笔录 (第45条) and the unit's review of it: what is not adopted needs a reason."""
    locked = _checked(case, "record_statement", actor)
    if taken_at is None:
        raise ValidationError({"taken_at": "请填写陈述申辩时间"})
    if timezone.localtime(taken_at).date() > _today():
        raise ValidationError({"taken_at": "陈述申辩时间不能晚于今天"})
    if locked.notified_on and timezone.localtime(taken_at).date() < locked.notified_on:
        raise ValidationError({"taken_at": "陈述申辩时间不能早于告知日期"})
    _require(place, "place", "请填写地点")
    _require(speaker, "speaker", "请填写陈述申辩人")
    _require(content, "content", "请填写陈述申辩内容")
    officers = list(dict.fromkeys(officers or []))
    if len(officers) < 2:
        raise ValidationError({"officers": "记录陈述申辩须至少2名执法人员"})
    if adoption and adoption not in StatementRecord.Adoption.values:
        raise ValidationError({"adoption": "请选择复核意见"})
    if adoption and not (adoption_reason or "").strip():
        raise ValidationError({"adoption_reason": "请填写复核理由（采纳与否均须说明）"})
    row = StatementRecord(
        case=locked,
        taken_at=taken_at,
        place=place.strip(),
        speaker=speaker.strip(),
        content=content.strip(),
        adoption=adoption,
        adoption_reason=(adoption_reason or "").strip(),
        recorded_by=actor,
    )

    def record(saved):
        row.save()
        row.officers.set(officers)
        _created(actor, row, saved)

    note = f"{row.speaker}" + (f"；复核：{row.get_adoption_display()}" if adoption else "")
    workflow.CASE_WORKFLOW.apply(locked, "record_statement", actor=actor, note=note, after=record)
    return row


@transaction.atomic
def hearing_schedule(
    *,
    actor,
    case,
    notice_served_on: dt.date,
    scheduled_at,
    place: str,
    host,
    clerk=None,
    public: bool = True,
) -> Hearing:
    """听证通知 (第64条): served at least seven days before, held by a host who did not investigate the
    case; the clerk is someone else than the host."""
    locked = _checked(case, "schedule_hearing", actor)
    hearing = (
        Hearing.objects.select_for_update().filter(case=locked, held_on__isnull=True).order_by("-pk").first()
    )
    if hearing is None:
        raise TransitionNotAllowed("当事人尚未申请听证")
    _past(notice_served_on, "notice_served_on", "听证通知书送达日期")
    if notice_served_on < hearing.requested_on:
        raise ValidationError({"notice_served_on": "听证通知书送达日期不能早于申请听证日期"})
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": "请填写听证时间"})
    _require(place, "place", "请填写听证地点")
    if host is None:
        raise ValidationError({"host": "请选择听证主持人"})
    if locked.officers.filter(pk=host.pk).exists():
        raise ValidationError({"host": "听证主持人不能是本案调查人员（行政处罚法第64条第4项）"})
    if clerk is not None and clerk.pk == host.pk:
        raise ValidationError({"clerk": "记录员不能由听证主持人兼任"})
    _refuse(penalty.hearing_notice_problem(locked, notice_served_on, timezone.localtime(scheduled_at).date()))
    before = audit.snapshot(hearing)

    def record(saved):
        hearing.notice_served_on = notice_served_on
        hearing.scheduled_at = scheduled_at
        hearing.place = place.strip()
        hearing.host = host
        hearing.clerk = clerk
        hearing.public = bool(public)
        hearing.save()
        _audit_change(actor, hearing, before, region_code=saved.region_id)

    when = timezone.localtime(scheduled_at)
    note = f"{when:%Y-%m-%d %H:%M} {place.strip()}；主持人 {host.full_name}" + ("" if public else "；不公开")
    workflow.CASE_WORKFLOW.apply(locked, "schedule_hearing", actor=actor, note=note, after=record)
    return hearing


@transaction.atomic
def legal_review_submit(*, actor, case) -> LegalReview:
    """提交法制审核 of the current proposal."""
    locked = _checked(case, "submit_legal_review", actor)
    proposal = penalty.current_proposal(locked)
    if proposal is None:
        raise TransitionNotAllowed("尚未拟定处罚意见，不能提交法制审核")
    if locked.legal_reviews.filter(proposal=proposal, conclusion="").exists():
        raise TransitionNotAllowed(f"拟处罚意见第{proposal.version}版已提交法制审核，尚待审核")
    review = LegalReview(case=locked, proposal=proposal, submitted_by=actor)

    def record(saved):
        review.save()
        _created(actor, review, saved)

    workflow.CASE_WORKFLOW.apply(
        locked, "submit_legal_review", actor=actor, note=f"拟处罚意见第{proposal.version}版", after=record
    )
    from .steps import _chiefs

    _notify_on_commit(_chiefs(locked), f"案件 {locked.number} 待法制审核", locked)
    return review


@transaction.atomic
def legal_review_record(
    *, actor, case, reviewed_on: dt.date, opinion: str, conclusion: str, co_reviewers=()
) -> LegalReview:
    """法制审核 (第58条) by people who neither investigated the case nor proposed the penalty. 退回补充
    调查 sends the case back to investigation at once (the 补充调查 step, with the opinion as the
    matters to investigate)."""
    locked = _checked(case, "legal_review", actor)
    reviewers = list(dict.fromkeys([actor, *(co_reviewers or [])]))
    for reviewer in reviewers:
        _refuse(penalty.legal_review_problem(locked, {"reviewer": reviewer}))
    _past(reviewed_on, "reviewed_on", "审核日期")
    if conclusion not in ReviewConclusion.values:
        raise ValidationError({"conclusion": "请选择审核结论"})
    _require(opinion, "opinion", "请填写审核意见")
    review = locked.legal_reviews.select_for_update().filter(conclusion="").order_by("-pk").first()
    before = audit.snapshot(review) if review is not None else None

    def record(saved):
        review.reviewed_on = reviewed_on
        review.opinion = opinion.strip()
        review.conclusion = conclusion
        review.save()
        review.reviewers.set(reviewers)
        _audit_change(actor, review, before, region_code=saved.region_id)

    label = ReviewConclusion(conclusion).label
    locked = workflow.CASE_WORKFLOW.apply(locked, "legal_review", actor=actor, note=label, after=record)
    if conclusion == ReviewConclusion.SUPPLEMENT:
        workflow.CASE_WORKFLOW.apply(
            locked, "reinvestigate", actor=actor, note=f"法制审核：{opinion.strip()}"
        )
    return review


@transaction.atomic
def discussion_record(
    *,
    actor,
    case,
    held_on: dt.date,
    chair,
    participants,
    opinions: str,
    conclusion: str,
    place: str = "",
    other_participants: str = "",
    recorder=None,
    conclusion_text: str = "",
) -> CollectiveDiscussion:
    """集体讨论 (第57条第2款) of the current proposal. 补充调查 sends the case back to investigation."""
    locked = _checked(case, "discuss", actor)
    _past(held_on, "held_on", "讨论日期")
    if chair is None:
        raise ValidationError({"chair": "请选择主持人"})
    participants = list(dict.fromkeys(participants or []))
    _refuse(penalty.discussion_problem(locked, {"chair": chair, "participants": participants}))
    _require(opinions, "opinions", "请填写讨论意见")
    if conclusion not in DiscussionConclusion.values:
        raise ValidationError({"conclusion": "请选择讨论结论"})
    if conclusion == DiscussionConclusion.CHANGED and not (conclusion_text or "").strip():
        raise ValidationError({"conclusion_text": "变更处罚意见的，请写明变更后的处罚内容"})
    proposal = penalty.current_proposal(locked)
    row = CollectiveDiscussion(
        case=locked,
        proposal=proposal,
        held_on=held_on,
        place=(place or "").strip(),
        chair=chair,
        other_participants=(other_participants or "").strip(),
        recorder=recorder,
        opinions=opinions.strip(),
        conclusion=conclusion,
        conclusion_text=(conclusion_text or "").strip(),
        recorded_by=actor,
    )

    def record(saved):
        row.save()
        row.participants.set(list(dict.fromkeys([chair, *participants])))
        _created(actor, row, saved)

    label = DiscussionConclusion(conclusion).label
    locked = workflow.CASE_WORKFLOW.apply(
        locked, "discuss", actor=actor, note=f"第{proposal.version}版：{label}", after=record
    )
    if conclusion == DiscussionConclusion.REINVESTIGATE:
        workflow.CASE_WORKFLOW.apply(
            locked, "reinvestigate", actor=actor, note=f"集体讨论：{opinions.strip()}"
        )
    return row


@transaction.atomic
def time_bar_override(*, actor, case, reason: str):
    """A leader records why a case is opened although the 时效 (第36条) seems to have run (e.g. the act
    continued, or the facts show harm): approve_open then accepts it."""
    locked = _lock(case, actor)
    if not actor.can("cases.override"):
        raise NotPermitted("只有领导可以批准超过追责期限立案")
    if locked.status != CaseStatus.PROPOSED:
        raise TransitionNotAllowed("只有待立案审批的案件可以登记超期立案理由")
    _require(reason, "time_bar_reason", "请填写超过追责期限仍立案的理由")
    before = audit.snapshot(locked)
    locked.time_bar_reason = reason.strip()
    locked.time_bar_by = actor
    locked.save(update_fields=["time_bar_reason", "time_bar_by", "updated_at"])
    _event(locked, actor, "批准超期立案", note=reason.strip())
    _audit_change(actor, locked, before, region_code=locked.region_id)
    return locked
