"""Contexts of the documents about the case as a whole: 立案报告, 事先告知书, 听证告知书, 决定书,
不予行政处罚决定书, 送达回证 and 结案报告. Each builder assumes availability.missing() found nothing
missing; it reads the records of the step at which the document is served."""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from . import base
from . import formatting as fmt

ORDINALS = "一二三四五六七八九十"


def _ordinal(index: int) -> str:
    return f"（{ORDINALS[index]}）" if index < len(ORDINALS) else f"（{index + 1}）"


def _measures(measures) -> list[dict]:
    rows = base.measure_rows(measures)
    last = len(rows) - 1
    for index, row in enumerate(rows):
        row["ordinal"] = _ordinal(index)
        row["end"] = "。" if index == last else "；"
    return rows


def _offence(offence) -> dict:
    return {"name": offence.name, "basis": fmt.basis(offence.basis)}


def _discretion(record) -> dict:
    """裁量: the circumstance, the reason and the article relied on, and one sentence saying so."""
    from ..models_procedure import Discretion

    kind = record.discretion or Discretion.NORMAL
    label = Discretion(kind).label if kind in Discretion.values else kind
    reason = (record.discretion_reason or "").strip().rstrip("。")
    article = fmt.basis(record.discretion_basis) if record.discretion_basis else ""
    sentence = ""
    if reason or kind != Discretion.NORMAL:
        sentence = f"鉴于{reason}，" if reason else ""
        if article:
            sentence += f"根据{article}的规定，"
        sentence += "依法不予行政处罚。" if kind == Discretion.NONE else f"依法{label}处罚。"
    return {"kind": label, "reason": record.discretion_reason, "basis": article, "text": sentence}


def _rights(case, proposal) -> dict:
    """The party's rights after the notice: 陈述、申辩 (and 听证 when due) within the HEARING_REQUEST
    window, counted from the day the notice is served."""
    notified = proposal.notified_on or case.notified_on
    days = base.limit_words("HEARING_REQUEST", notified)
    due = base.due_on("HEARING_REQUEST", notified)
    window = f"收到本告知书之日起{days}内" + (f"（即{fmt.day(due)}前）" if due else "")
    return {"days": days, "due": fmt.day(due), "window": window, "hearing": bool(proposal.hearing_right)}


def _contact(case) -> dict:
    return {
        "address": case.unit.address,
        "phone": case.unit.phone,
        "officers": base.officers(case.officers.all()),
    }


def opening_approval(case, record=None) -> dict:
    from ..models import CaseOffence

    offences = [co.offence for co in CaseOffence.objects.filter(case=case).select_related("offence")]
    proposed_on = timezone.localtime(case.proposed_at).date() if case.proposed_at else None
    return {
        **base.base("opening_approval", case=case),
        "facts": case.facts,
        "offences": [_offence(o) for o in offences],
        "illegal_income": fmt.money(case.illegal_income),
        "proposed_by": base.person(case.proposed_by),
        "proposed_on": fmt.day(proposed_on),
        "opened_by": base.person(case.opened_by),
        "opened_on": fmt.day(case.opened_on),
        "approval": "同意立案。" if case.opened_on else "",
    }


def _proposal_part(case, proposal) -> dict:
    measures = _measures(proposal.measures.all())
    return {
        "facts": proposal.facts,
        "offence": _offence(proposal.offence),
        "discretion": _discretion(proposal),
        "measures": measures,
        "measures_text": base.measures_text(measures),
    }


def prior_notice(case, record=None) -> dict:
    proposal = base.current_proposal(case)
    return {
        **base.base("prior_notice", case=case, stored_number=proposal.notice_number),
        "proposal": _proposal_part(case, proposal),
        "evidence": _evidence(case),
        "no_penalty": not proposal.measures.exists(),
        "rights": _rights(case, proposal),
        "contact": _contact(case),
        "date": fmt.day(proposal.notified_on or case.notified_on or timezone.localdate()),
    }


def hearing_rights(case, record=None) -> dict:
    proposal = base.current_proposal(case)
    return {
        **base.base("hearing_rights", case=case),
        "proposal": _proposal_part(case, proposal),
        "rights": _rights(case, proposal),
        "contact": _contact(case),
        "date": fmt.day(proposal.notified_on or case.notified_on or timezone.localdate()),
    }


def _evidence(case) -> list[str]:
    items = []
    for e in case.evidence.all():
        label = e.get_kind_display()
        what = e.description or e.original_name
        items.append(f"{label}：{what}{'（' + e.quantity + '）' if e.quantity else ''}")
    return items


def _heard(case, proposal) -> str:
    """How the party's 陈述、申辩 and 听证 were dealt with, as the decision states it (第62条)."""
    from ..models_procedure import StatementRecord

    if case.statement_waived:
        return "当事人书面放弃陈述、申辩和听证的权利。"
    parts = []
    notified = (proposal.notified_on if proposal else None) or case.notified_on
    for s in case.statements.all():
        said = f"当事人于{fmt.day(timezone.localtime(s.taken_at).date())}提出陈述、申辩意见"
        if s.adoption:
            said += f"，本机关经复核，决定{StatementRecord.Adoption(s.adoption).label}"
            if s.adoption_reason:
                said += f"，理由是：{s.adoption_reason.strip().rstrip('。')}"
        parts.append(said + "。")
    for h in case.hearings.all():
        if h.held_on:
            parts.append(f"应当事人申请，本机关于{fmt.day(h.held_on)}依法举行了听证。")
    if not parts:
        rights = "陈述、申辩意见，也未申请听证" if proposal and proposal.hearing_right else "陈述、申辩意见"
        served = f"本机关于{fmt.day(notified)}向当事人送达了《行政处罚事先告知书》，" if notified else ""
        parts.append(f"{served}当事人在法定期限内未提出{rights}。")
    return "".join(parts)


def _remedies(on) -> dict:
    review = base.limit_words("APPEAL_REVIEW", on)
    litigation = base.limit_words("APPEAL_LITIGATION", on)
    return {
        "review_days": review,
        "litigation_months": litigation,
        "text": f"如不服本决定，可以在收到本决定书之日起{review}内依法申请行政复议，或者在{litigation}内"
        "依法向人民法院提起行政诉讼。行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。",
    }


def _payment(decision, measures) -> dict:
    from qingyuan.rules.models import Threshold
    from qingyuan.rules.selectors import threshold

    from ..models import MeasureKind

    owed = [m for m in decision.measures.all() if m.kind in (MeasureKind.FINE, MeasureKind.CONFISCATE_INCOME)]
    total = sum((m.amount or Decimal(0) for m in owed), Decimal(0))
    fine = next((m.amount for m in owed if m.kind == MeasureKind.FINE and m.amount), None)
    try:
        percent = threshold("LATE_PAYMENT_PERCENT", decision.decided_on)
    except Threshold.DoesNotExist:
        percent = None
    surcharge = ""
    if fine and percent is not None:
        surcharge = (
            f"到期不缴纳罚款的，本机关将依据《中华人民共和国行政处罚法》第七十二条第一款第一项的规定，"
            f"每日按罚款数额的百分之{fmt.numeral(int(percent))}加处罚款，加处罚款的数额不超出罚款的数额。"
        )
    account = getattr(settings, "QINGYUAN_FINE_ACCOUNT", "") or "本机关指定的罚没款代收银行"
    return {
        "due": bool(owed),
        "total": fmt.money(total) if owed else "",
        "fine": fmt.money(fine) if fine else "",
        "days": base.limit_words("FINE_PAYMENT", decision.decided_on),
        "account": account,
        "surcharge": surcharge,
    }


def decision(case, record=None) -> dict:
    decision = case.decision
    proposal = decision.proposal or base.current_proposal(case)
    measures = _measures(decision.measures.all())
    # The decision's own discretion when recorded, otherwise the one proposed and notified.
    source = decision if (decision.discretion or decision.discretion_reason) else proposal
    return {
        **base.base("decision", case=case),
        "facts": proposal.facts if proposal else case.facts,
        "evidence": _evidence(case),
        "heard": _heard(case, proposal),
        "offence": _offence(decision.offence),
        "discretion": _discretion(source) if source else {"kind": "", "reason": "", "basis": "", "text": ""},
        "procedure": decision.get_procedure_display(),
        "measures": measures,
        "measures_text": base.measures_text(measures),
        "payment": _payment(decision, measures),
        "remedies": _remedies(decision.decided_on),
        "decided_on": fmt.day(decision.decided_on),
        "date": fmt.day(decision.decided_on),
    }


def no_penalty_decision(case, record=None) -> dict:
    decision = case.decision
    proposal = decision.proposal or base.current_proposal(case)
    reason = decision.discretion_reason or (proposal.discretion_reason if proposal else "")
    article = decision.discretion_basis or (proposal.discretion_basis if proposal else "")
    return {
        **base.base("no_penalty_decision", case=case),
        "facts": proposal.facts if proposal else case.facts,
        "evidence": _evidence(case),
        "heard": _heard(case, proposal),
        "offence": _offence(decision.offence),
        "reason": reason,
        "basis": fmt.basis(article),
        "remedies": _remedies(decision.decided_on),
        "decided_on": fmt.day(decision.decided_on),
        "date": fmt.day(decision.decided_on),
    }


def closing_report(case, record=None) -> dict:
    from ..models import PaymentKind

    decision = getattr(case, "decision", None)
    measures = _measures(decision.measures.all()) if decision else []
    paid = {}
    for p in case.payments.all():
        paid[p.kind] = paid.get(p.kind, Decimal(0)) + p.amount
    executed = [f"{PaymentKind(kind).label}{fmt.money(amount)}" for kind, amount in paid.items()]
    court = case.court_applications.exclude(outcome="pending").last()
    if court is not None:
        executed.append(f"{court.court}：{court.get_ruling_display()}，{court.get_outcome_display()}")
    return {
        **base.base("closing_report", case=case),
        "close_kind": case.get_close_kind_display() if case.close_kind else "",
        "decision_kind": decision.get_kind_display() if decision else "",
        "decided_on": fmt.day(decision.decided_on) if decision else "",
        "served_on": fmt.day(case.served_on or (decision.served_on if decision else None)),
        "measures_text": base.measures_text(measures),
        "executed": executed,
        "closed_on": fmt.day(case.closed_on),
        "date": fmt.day(case.closed_on or timezone.localdate()),
    }


# The documents a 送达回证 may be for, with the day each was served where the record keeps it.
SERVED_KINDS = (
    "prior_notice",
    "hearing_rights",
    "decision",
    "no_penalty_decision",
    "hearing_notice",
    "demand",
)


def service_receipt(case, record=None, served_kind: str = "") -> dict:
    """送达回证 for a case-level document (`served_kind`); `record` is a served record (a hearing
    notice, a demand) when the receipt is for one."""
    from ..models import DocumentKind

    served_on = None
    number = ""
    if served_kind in ("prior_notice", "hearing_rights"):
        proposal = base.current_proposal(case)
        served_on = proposal.notified_on or case.notified_on
        number = base.number_for(served_kind, unit=case.unit, case=case, stored=proposal.notice_number)
    elif served_kind in ("decision", "no_penalty_decision"):
        served_on = case.decision.served_on or case.served_on
        number = base.number_for(served_kind, unit=case.unit, case=case)
    elif served_kind == "hearing_notice" and record is not None:
        served_on = record.notice_served_on
        number = base.number_for(served_kind, unit=case.unit, case=case)
    elif served_kind == "demand" and record is not None:
        served_on = record.served_on
        number = base.number_for(served_kind, unit=case.unit, case=case, stored=record.number)
    return {
        **base.base("service_receipt", case=case),
        "served": {
            "name": DocumentKind(served_kind).label if served_kind in DocumentKind.values else "",
            "number": number,
            "on": fmt.day(served_on),
        },
    }


BUILDERS = {
    "opening_approval": opening_approval,
    "prior_notice": prior_notice,
    "hearing_rights": hearing_rights,
    "decision": decision,
    "no_penalty_decision": no_penalty_decision,
    "closing_report": closing_report,
}
