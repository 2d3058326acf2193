"""Which documents a case (or an inspection) can print now, and, for one that it cannot, which step
must be recorded first. A document is offered from the step at which it is served: the 事先告知书
once a proposal exists and the case is in 合议审理 or later, the 决定书 once decided, a 催告书 for
each demand recorded. Documents about a record (an inquiry, a hold, a hearing…) are printed for
that record and listed beside it."""

from dataclasses import dataclass

from ..models import CaseStatus, DecisionKind, DocumentKind, ReferralStatus, ReferralTarget
from . import base

# The states from 合议审理 on, in which the proposal has been or is being notified.
FROM_REVIEW = {
    CaseStatus.REVIEW,
    CaseStatus.NOTIFIED,
    CaseStatus.HEARING,
    CaseStatus.DECIDED,
    CaseStatus.SERVED,
    CaseStatus.ENFORCING,
    CaseStatus.DEMANDED,
    CaseStatus.COURT,
    CaseStatus.CLOSED,
}

CASE_KINDS = (
    DocumentKind.OPENING_APPROVAL,
    DocumentKind.PRIOR_NOTICE,
    DocumentKind.HEARING_RIGHTS,
    DocumentKind.DECISION,
    DocumentKind.NO_PENALTY_DECISION,
    DocumentKind.CLOSING_REPORT,
)

# Record-level kinds: the case's related name holding the records, and any filter on them.
RECORD_KINDS = {
    DocumentKind.SITE_RECORD: None,  # the inspection itself
    DocumentKind.INQUIRY: ("inquiries", {}),
    DocumentKind.HOLD_NOTICE: ("holds", {}),
    DocumentKind.HOLD_DECISION: ("holds", {}),
    DocumentKind.SUPERVISION_OPINION: ("orders", {"kind": "opinion"}),
    DocumentKind.CORRECTION_ORDER: ("orders", {"kind": "correction"}),
    DocumentKind.HEARING_NOTICE: ("hearings", {}),
    DocumentKind.STATEMENT_RECORD: ("statements", {}),
    DocumentKind.LEGAL_REVIEW: ("legal_reviews", {}),
    DocumentKind.DISCUSSION: ("discussions", {}),
    DocumentKind.DEMAND: ("demands", {}),
    DocumentKind.COURT_APPLICATION: ("court_applications", {}),
    DocumentKind.CRIME_REFERRAL: ("referrals", {"target": ReferralTarget.POLICE}),
}

# Records kept on an inspection without a case (现场 documents).
INSPECTION_RECORD_KINDS = (
    DocumentKind.INQUIRY,
    DocumentKind.HOLD_NOTICE,
    DocumentKind.HOLD_DECISION,
    DocumentKind.SUPERVISION_OPINION,
    DocumentKind.CORRECTION_ORDER,
)

# The records a 送达回证 may be made for (the documents served on the party).
SERVED_CASE_KINDS = (
    DocumentKind.PRIOR_NOTICE,
    DocumentKind.HEARING_RIGHTS,
    DocumentKind.DECISION,
    DocumentKind.NO_PENALTY_DECISION,
)
SERVED_RECORD_KINDS = (DocumentKind.HEARING_NOTICE, DocumentKind.DEMAND)

REFERRAL_APPROVED = {
    ReferralStatus.APPROVED,
    ReferralStatus.TRANSFERRED,
    ReferralStatus.RECEIVED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.REFUSED,
    ReferralStatus.REVIEW_REQUESTED,
    ReferralStatus.REVIEWED,
}


def _proposal_missing(case) -> str | None:
    proposal = base.current_proposal(case)
    if proposal is None:
        return "须先记录拟处罚意见（违法事实、适用条款、拟处罚种类和金额），才能出具此文书"
    if case.status not in FROM_REVIEW:
        return f"案件须先提交合议审理（当前为“{case.get_status_display()}”）"
    from ..models_procedure import Discretion

    if not proposal.measures.exists() and proposal.discretion != Discretion.NONE:
        return "拟处罚意见未列出处罚种类和金额，须先补充拟处罚措施"
    return None


def _decision_missing(case, kind) -> str | None:
    decision = getattr(case, "decision", None)
    if decision is None:
        return "须先作出处罚决定（记录决定日期、适用条款和处罚措施），才能出具决定书"
    if kind == DocumentKind.DECISION and decision.kind == DecisionKind.NO_PENALTY:
        return "本案作出的是不予行政处罚决定，请出具不予行政处罚决定书"
    if kind == DocumentKind.NO_PENALTY_DECISION and decision.kind != DecisionKind.NO_PENALTY:
        return "本案作出的是行政处罚决定，请出具行政处罚决定书"
    if kind == DocumentKind.DECISION and not decision.measures.exists():
        return "处罚决定未列出处罚措施，须先补充"
    return None


def case_missing(case, kind: str) -> str | None:
    """Why the case-level document `kind` cannot be printed yet (the step to record first), or None."""
    if kind == DocumentKind.OPENING_APPROVAL:
        return None
    if kind == DocumentKind.PRIOR_NOTICE:
        return _proposal_missing(case)
    if kind == DocumentKind.HEARING_RIGHTS:
        missing = _proposal_missing(case)
        if missing:
            return missing
        if not base.current_proposal(case).hearing_right:
            return "拟处罚意见未告知听证权利（不属于应当告知听证的处罚），不出具听证告知书"
        return None
    if kind in (DocumentKind.DECISION, DocumentKind.NO_PENALTY_DECISION):
        return _decision_missing(case, kind)
    if kind == DocumentKind.CLOSING_REPORT:
        if case.status != CaseStatus.CLOSED:
            return f"案件须先结案（当前为“{case.get_status_display()}”）"
        return None
    return "此文书针对具体记录出具，请在该记录旁下载"


def record_missing(kind: str, record) -> str | None:
    """Why the document `kind` about `record` cannot be printed yet, or None."""
    if kind == DocumentKind.HOLD_DECISION and not record.decision:
        return "须先记录先行登记保存物品的处理决定"
    if kind == DocumentKind.HEARING_NOTICE and not (record.scheduled_at and record.place and record.host_id):
        return "须先安排听证（听证时间、地点和主持人）"
    if kind == DocumentKind.LEGAL_REVIEW and not (record.reviewed_on and record.conclusion):
        return "须先记录法制审核意见和审核结论"
    if kind == DocumentKind.CRIME_REFERRAL and record.status not in REFERRAL_APPROVED:
        return "移送须先经负责人批准"
    return None


def available_kinds(case) -> list[str]:
    """The case-level documents the case can print now, in the order the case meets them."""
    return [kind for kind in CASE_KINDS if case_missing(case, kind) is None]


def records_of(case, kind: str):
    related, filters = RECORD_KINDS[kind]
    return getattr(case, related).filter(**filters)


def record_of(owner, kind: str, record_id):
    """The record `record_id` of `kind` belonging to `owner` (a case or an inspection), or None."""
    spec = RECORD_KINDS.get(kind)
    if spec is None:
        return None
    related, filters = spec
    if not hasattr(owner, related):
        return None
    return getattr(owner, related).filter(pk=record_id, **filters).first()


@dataclass(frozen=True)
class RecordDocument:
    kind: str
    label: str
    record: object
    description: str


def _describe(kind, record) -> str:
    from django.utils import timezone

    def local(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""

    describe = {
        DocumentKind.INQUIRY: lambda r: f"{r.person_name} {local(r.started_at)}",
        DocumentKind.HOLD_NOTICE: lambda r: f"{r.number or ''} {local(r.held_at)}",
        DocumentKind.HOLD_DECISION: lambda r: f"{r.number or ''} {r.decided_on or ''}",
        DocumentKind.SUPERVISION_OPINION: lambda r: f"{r.number or ''} {r.issued_on}",
        DocumentKind.CORRECTION_ORDER: lambda r: f"{r.number or ''} {r.issued_on}",
        DocumentKind.HEARING_NOTICE: lambda r: f"{local(r.scheduled_at)} {r.place}",
        DocumentKind.STATEMENT_RECORD: lambda r: f"{r.speaker} {local(r.taken_at)}",
        DocumentKind.LEGAL_REVIEW: lambda r: f"{r.reviewed_on or ''}",
        DocumentKind.DISCUSSION: lambda r: f"{r.held_on}",
        DocumentKind.DEMAND: lambda r: f"{r.number or ''} {r.issued_on}",
        DocumentKind.COURT_APPLICATION: lambda r: f"{r.court} {r.applied_on}",
        DocumentKind.CRIME_REFERRAL: lambda r: f"{r.target_unit}",
    }
    return describe[kind](record).strip()


def record_documents(case) -> list[RecordDocument]:
    """Every record-level document of the case that can be printed now."""
    found = []
    for kind, spec in RECORD_KINDS.items():
        if spec is None:
            continue
        for record in records_of(case, kind):
            if record_missing(kind, record) is None:
                found.append(RecordDocument(kind, DocumentKind(kind).label, record, _describe(kind, record)))
    return found


def inspection_documents(inspection) -> list[RecordDocument]:
    """The 现场笔录 and the on-site documents kept on the inspection itself (no case)."""
    found = [RecordDocument(DocumentKind.SITE_RECORD, DocumentKind.SITE_RECORD.label, inspection, "")]
    for kind in INSPECTION_RECORD_KINDS:
        related, filters = RECORD_KINDS[kind]
        for record in getattr(inspection, related).filter(case__isnull=True, **filters):
            if record_missing(kind, record) is None:
                found.append(RecordDocument(kind, DocumentKind(kind).label, record, _describe(kind, record)))
    return found


def receipts(case) -> list[tuple[str, str, object]]:
    """The 送达回证 the case can print: (served kind, label, record or None)."""
    found = [(k, DocumentKind(k).label, None) for k in SERVED_CASE_KINDS if case_missing(case, k) is None]
    for kind in SERVED_RECORD_KINDS:
        for record in records_of(case, kind):
            if record_missing(kind, record) is None:
                found.append((kind, f"{DocumentKind(kind).label} {_describe(kind, record)}", record))
    return found
