"""Contexts of the documents about one record: the 现场笔录 of an inspection, and the 询问笔录,
先行登记保存, 卫生监督意见书/责令改正通知书, 听证通知书, 陈述申辩笔录, 法制审核意见书, 集体讨论记录,
催告书, 强制执行申请书 and 涉嫌犯罪案件移送书 of a case (or, for the first three, of an inspection).

Each builder takes (case, record); `case` is None for a record kept on an inspection only."""

from django.utils import timezone

from . import base
from . import formatting as fmt
from .case_kinds import _measures, _offence


def _owner_base(kind: str, case, record, *, stored: str = "", on=None) -> dict:
    inspection = None if case is not None else record.inspection
    return base.base(kind, case=case, inspection=inspection, stored_number=stored, on=on)


def site_record(case, inspection) -> dict:
    """现场笔录 of an inspection: time, place, officers with credentials, subject, what was found."""
    subject = inspection.subject
    period = fmt.day_time(inspection.started_at)
    if inspection.ended_at:
        period += f"至{fmt.day_time(inspection.ended_at)}"
    answers = inspection.answers.select_related("item").order_by("item__order", "item_id")
    return {
        **base.base("site_record", inspection=inspection),
        "inspection": {
            "period": period,
            "place": subject.address,
            "kind": inspection.get_kind_display(),
            "officers": base.officers(inspection.officers.all()),
            "persons_present": inspection.persons_present,
            "findings": inspection.findings,
            "outcome": inspection.get_outcome_display(),
        },
        "items": [
            {"number": str(i), "text": a.item.text, "result": a.get_result_display(), "note": a.note}
            for i, a in enumerate(answers, start=1)
        ],
    }


def inquiry(case, record) -> dict:
    ended = fmt.day_time(record.ended_at) if record.ended_at else ""
    return {
        **_owner_base("inquiry", case, record),
        "inquiry": {
            "person_name": record.person_name,
            "person_id_number": record.person_id_number,
            "person_phone": record.person_phone,
            "person_address": record.person_address,
            "relation": record.relation,
            "started": fmt.day_time(record.started_at),
            "ended": ended,
            "place": record.place,
            "officers": base.officers(record.officers.all()),
            "content": record.content,
        },
    }


def _hold(record) -> dict:
    return {
        "held_at": fmt.day_time(record.held_at),
        "goods": record.items,
        "place": record.place,
        "keeper": record.keeper,
        "approved_by": base.person(record.approved_by),
        "officers": base.officers(record.officers.all()),
    }


def hold_notice(case, record) -> dict:
    on = timezone.localtime(record.held_at).date()
    return {
        **_owner_base("hold_notice", case, record, stored=record.number, on=on),
        "hold": _hold(record),
        "handle_days": base.limit_words("SEIZURE_HANDLE", on),
        "date": fmt.day(on),
    }


def hold_decision(case, record) -> dict:
    on = timezone.localtime(record.held_at).date()
    return {
        **_owner_base("hold_decision", case, record, on=record.decided_on),
        "hold": {
            **_hold(record),
            "number": base.number_for(
                "hold_notice", unit=(case or record.inspection).unit, case=case, stored=record.number, on=on
            ),
        },
        "decision": {
            "kind": record.get_decision_display(),
            "text": record.decision_text,
            "on": fmt.day(record.decided_on),
        },
        "date": fmt.day(record.decided_on),
    }


def _order(kind: str, case, record) -> dict:
    return {
        **_owner_base(kind, case, record, stored=record.number, on=record.issued_on),
        "order": {
            "content": record.content,
            "basis": fmt.basis(record.basis) if record.basis else "",
            "correct_by": fmt.day(record.correct_by),
            "officers": base.officers(record.officers.all()),
            "issued_on": fmt.day(record.issued_on),
        },
        "date": fmt.day(record.issued_on),
    }


def supervision_opinion(case, record) -> dict:
    return _order("supervision_opinion", case, record)


def correction_order(case, record) -> dict:
    return _order("correction_order", case, record)


def hearing_notice(case, record) -> dict:
    return {
        **base.base("hearing_notice", case=case),
        "hearing": {
            "requested_on": fmt.day(record.requested_on),
            "at": fmt.day_time(record.scheduled_at),
            "place": record.place,
            "host": base.person(record.host),
            "clerk": base.person(record.clerk),
            "public": "公开" if record.public else "不公开",
        },
        "date": fmt.day(record.notice_served_on or timezone.localdate()),
    }


def statement_record(case, record) -> dict:
    return {
        **base.base("statement_record", case=case),
        "statement": {
            "at": fmt.day_time(record.taken_at),
            "place": record.place,
            "speaker": record.speaker,
            "content": record.content,
            "officers": base.officers(record.officers.all()),
            "adoption": record.get_adoption_display() if record.adoption else "",
            "adoption_reason": record.adoption_reason,
        },
    }


def _proposal_summary(proposal) -> dict:
    measures = _measures(proposal.measures.all())
    return {
        "version": str(proposal.version),
        "facts": proposal.facts,
        "offence": _offence(proposal.offence),
        "measures_text": base.measures_text(measures),
    }


def legal_review(case, record) -> dict:
    return {
        **base.base("legal_review", case=case, on=record.reviewed_on),
        "proposal": _proposal_summary(record.proposal),
        "review": {
            "submitted_by": base.person(record.submitted_by),
            "submitted_on": fmt.day(timezone.localtime(record.submitted_at).date()),
            "reviewers": "、".join(base.person(u) for u in record.reviewers.all()),
            "reviewed_on": fmt.day(record.reviewed_on),
            "opinion": record.opinion,
            "conclusion": record.get_conclusion_display() if record.conclusion else "",
        },
        "date": fmt.day(record.reviewed_on),
    }


def discussion(case, record) -> dict:
    participants = "、".join(base.person(u) for u in record.participants.all())
    if record.other_participants:
        participants = "、".join(p for p in (participants, record.other_participants) if p)
    return {
        **base.base("discussion", case=case, on=record.held_on),
        "proposal": _proposal_summary(record.proposal),
        "discussion": {
            "held_on": fmt.day(record.held_on),
            "place": record.place,
            "chair": base.person(record.chair),
            "participants": participants,
            "recorder": base.person(record.recorder),
            "opinions": record.opinions,
            "conclusion": record.get_conclusion_display(),
            "conclusion_text": record.conclusion_text,
        },
        "date": fmt.day(record.held_on),
    }


def _decision_ref(case) -> dict:
    decision = getattr(case, "decision", None)
    return {
        "number": base.number_for("decision", unit=case.unit, case=case) if decision else "",
        "decided_on": fmt.day(decision.decided_on) if decision else "",
        "served_on": fmt.day((decision.served_on if decision else None) or case.served_on),
        "measures_text": base.measures_text(_measures(decision.measures.all())) if decision else "",
    }


def demand(case, record) -> dict:
    principal = record.amount - record.surcharge
    return {
        **base.base("demand", case=case, stored_number=record.number, on=record.issued_on),
        "decision": _decision_ref(case),
        "demand": {
            "amount": fmt.money(record.amount),
            "principal": fmt.money(principal),
            "surcharge": fmt.money(record.surcharge) if record.surcharge else "",
            "days": base.limit_words("DEMAND_NOTICE", record.issued_on),
            "due_on": fmt.day(record.due_on),
            "issued_on": fmt.day(record.issued_on),
        },
        "date": fmt.day(record.issued_on),
    }


def court_application(case, record) -> dict:
    last_demand = case.demands.order_by("-issued_on", "-pk").first()
    return {
        **base.base("court_application", case=case, stored_number=record.number, on=record.applied_on),
        "decision": _decision_ref(case),
        "application": {
            "court": record.court,
            "amount": fmt.money(record.amount),
            "other_measures": record.other_measures,
            "applied_on": fmt.day(record.applied_on),
        },
        "demand": {
            "number": base.number_for("demand", unit=case.unit, case=case, stored=last_demand.number)
            if last_demand
            else "",
            "issued_on": fmt.day(last_demand.issued_on) if last_demand else "",
            "served_on": fmt.day(last_demand.served_on) if last_demand else "",
            "statement": last_demand.statement if last_demand else "",
        },
        "date": fmt.day(record.applied_on),
    }


# 行政执法机关移送涉嫌犯罪案件的规定 第6条: what goes with the referral.
REFERRAL_ATTACHMENTS = (
    "涉嫌犯罪案件情况的调查报告",
    "涉案物品清单",
    "有关检验报告或者鉴定结论",
    "其他有关涉嫌犯罪的材料",
)


def crime_referral(case, record) -> dict:
    on = record.approved_on or record.proposed_on
    return {
        **base.base("crime_referral", case=case, on=on),
        "referral": {
            "target_unit": record.target_unit,
            "reason": record.reason,
            "proposed_on": fmt.day(record.proposed_on),
            "approved_on": fmt.day(record.approved_on),
            "approved_by": base.person(record.approved_by),
        },
        "facts": case.facts,
        "crime_reasons": [str(r) for r in (case.crime_reasons or [])],
        "attachments": list(REFERRAL_ATTACHMENTS),
        "date": fmt.day(on),
    }


BUILDERS = {
    "site_record": site_record,
    "inquiry": inquiry,
    "hold_notice": hold_notice,
    "hold_decision": hold_decision,
    "supervision_opinion": supervision_opinion,
    "correction_order": correction_order,
    "hearing_notice": hearing_notice,
    "statement_record": statement_record,
    "legal_review": legal_review,
    "discussion": discussion,
    "demand": demand,
    "court_application": court_application,
    "crime_referral": crime_referral,
}
