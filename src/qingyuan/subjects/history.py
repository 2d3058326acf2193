"""A subject's whole record in one timeline ("全部记录"): its leads, inspections, cases, penalty
decisions, referrals, re-inspections and look-backs, newest first, each scoped to what the viewer may
see and linking to its own page. The one place that reads the other apps for the subject page."""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

# Within one day the steps of a matter come in this order (a case is proposed after the inspection
# that found the offence, decided after it is proposed), which breaks ties between date-only records.
STAGE = {"lead": 0, "inspection": 1, "recheck": 2, "case": 3, "decision": 4, "referral": 5}
LABELS = {
    "lead": "线索",
    "inspection": "检查",
    "recheck": "复查",
    "lookback": "回头看",
    "case": "案件",
    "decision": "处罚",
    "referral": "移送",
}


@dataclass
class Entry:
    kind: str  # a key of LABELS
    on: dt.date
    at: dt.datetime | None  # None for records kept by date only
    text: str
    url: str
    officers: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def officer_names(self) -> str:
        return "、".join(self.officers)

    def sort_key(self):
        stage = STAGE.get("recheck" if self.kind == "lookback" else self.kind, 9)
        moment = timezone.localtime(self.at).time() if self.at else dt.time.max
        return (self.on, stage, moment)


@dataclass
class Timeline:
    entries: list[Entry]
    counts: dict[str, int]  # label -> how many, for the summary line; only kinds the viewer may see

    def __iter__(self):
        return iter(self.entries)

    def __len__(self):
        return len(self.entries)


def _names(users) -> list[str]:
    return [u.full_name for u in users if u.full_name]


def _local_date(value) -> dt.date:
    return timezone.localtime(value).date()


def _leads(subject, user):
    from qingyuan.leads.models import Lead

    leads = Lead.objects.visible_to(user).filter(subject=subject).prefetch_related("officers")
    for lead in leads:
        text = f"线索{lead.number}：{lead.get_category_display()}，{lead.get_status_display()}"
        if lead.conclusion:
            text += f"，核查结论：{lead.get_conclusion_display()}"
        yield Entry(
            "lead",
            _local_date(lead.received_at),
            lead.received_at,
            text,
            lead.get_absolute_url(),
            _names(lead.officers.all()),
        )


def _inspections(subject, user):
    from qingyuan.inspections.models import Inspection, InspectionKind

    inspections = (
        Inspection.objects.visible_to(user).filter(subject=subject).select_related("lead", "unit")
    ).prefetch_related("officers")
    for inspection in inspections:
        kind = {InspectionKind.RECHECK: "recheck", InspectionKind.LOOKBACK: "lookback"}.get(
            inspection.kind, "inspection"
        )
        text = f"{inspection.get_kind_display()}：{inspection.get_outcome_display()}"
        if inspection.lead_id:
            text += f"（核查线索{inspection.lead.number}）"
        yield Entry(
            kind,
            _local_date(inspection.started_at),
            inspection.started_at,
            text,
            inspection.get_absolute_url(),
            _names(inspection.officers.all()),
        )


def _cases(subject, user):
    """Cases, their penalty decisions and referrals, and the re-inspections and look-backs they owe."""
    from qingyuan.cases.models import Case, PenaltyDecision, Recheck, RecheckKind, RecheckResult, Referral

    cases = list(
        Case.objects.visible_to(user)
        .filter(subject=subject)
        .select_related("proposed_by")
        .order_by("-proposed_at")
    )
    for case in cases:
        number = case.number or "待编号"
        yield Entry(
            "case",
            _local_date(case.proposed_at),
            case.proposed_at,
            f"提请立案：{case.title}（{number}，{case.get_status_display()}）",
            case.get_absolute_url(),
            _names([case.proposed_by]),
        )
    by_pk = {case.pk: case for case in cases}
    decisions = (
        PenaltyDecision.objects.filter(case__in=list(by_pk))
        .select_related("decided_by")
        .prefetch_related("measures")
    )
    for decision in decisions:
        measures = "、".join(
            f"{m.get_kind_display()}{f'{m.amount:,.2f}元' if m.amount else ''}"
            for m in decision.measures.all()
        )
        case = by_pk[decision.case_id]
        yield Entry(
            "decision",
            decision.decided_on,
            None,
            f"行政处罚决定（{case.number or '待编号'}）：{measures or decision.get_procedure_display()}",
            case.get_absolute_url(),
            _names([decision.decided_by]),
        )
    referrals = Referral.objects.visible_to(user).filter(case__in=list(by_pk)).select_related("created_by")
    for referral in referrals:
        yield Entry(
            "referral",
            referral.proposed_on,
            None,
            f"移送{referral.get_target_display()}：{referral.target_unit}（{referral.get_outcome_display()}）",
            by_pk[referral.case_id].get_absolute_url(),
            _names([referral.created_by]),
        )
    rechecks = (
        Recheck.objects.visible_to(user)
        .filter(subject=subject)
        .select_related("case", "lookback", "inspection")
        .prefetch_related("inspection__officers")
    )
    for recheck in rechecks:
        kind = "lookback" if recheck.kind == RecheckKind.LOOKBACK else "recheck"
        if recheck.inspection_id:
            # The inspection itself is on the timeline already; this line says what it settled.
            url = recheck.inspection.get_absolute_url()
            officers = _names(recheck.inspection.officers.all())
        elif recheck.lookback_id:
            url, officers = reverse("cases:lookback_detail", args=[recheck.lookback_id]), []
        else:
            url, officers = recheck.case.get_absolute_url(), []
        what = f"回头看“{recheck.lookback.name}”" if recheck.lookback_id else recheck.get_kind_display()
        if recheck.result == RecheckResult.PENDING:
            text = f"{what}：应于{recheck.due_on:%Y-%m-%d}前检查（原案件{recheck.case.number or '待编号'}）"
        else:
            text = f"{what}：{recheck.get_result_display()}（原案件{recheck.case.number or '待编号'}）"
        yield Entry(kind, recheck.done_on or recheck.due_on, None, text, url, officers)


def subject_timeline(subject, user) -> Timeline:
    """Everything recorded about `subject` that `user` may see, newest first."""
    entries: list[Entry] = []
    if user.can("leads.view"):
        entries += _leads(subject, user)
    if user.can("inspections.view"):
        entries += _inspections(subject, user)
    if user.can("cases.view"):
        entries += _cases(subject, user)
    entries.sort(key=Entry.sort_key, reverse=True)
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.label] = counts.get(entry.label, 0) + 1
    return Timeline(entries, counts)
