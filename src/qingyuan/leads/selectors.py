"""Read-only figures about leads, computed by the database (aggregates), never by looping rows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from .feedback import delivered_expression
from .models import Status, overdue_condition

# “Concluded” for the feedback rate: verified with a conclusion, or refused at intake; either
# way the real-name reporter is owed an answer (RULES.md: tell them within 5 working days).
CONCLUDED = ~Q(conclusion="") | Q(status=Status.REJECTED)
REAL_NAME = Q(is_anonymous=False)


@dataclass(frozen=True)
class LeadFigures:
    total: int
    overdue: int
    real_name_concluded: int
    real_name_answered: int
    # Answered and reached the reporter (leads.feedback): what the feedback rate counts.
    real_name_delivered: int
    by_status: list[tuple[str, str, int]]  # (code, label, count) in workflow order

    @property
    def feedback_rate(self) -> float | None:
        """实名举报反馈率 in percent: answers delivered to the reporter, not merely written; None when
        no real-name lead is concluded yet."""
        if not self.real_name_concluded:
            return None
        return round(100 * self.real_name_delivered / self.real_name_concluded, 1)


def lead_figures(queryset, today: dt.date | None = None) -> LeadFigures:
    """Figures for exactly the leads listed (already scoped and filtered by the caller); overdue on
    `today` (default: today), computed from the deadlines.

    The numerator counts answered leads among the concluded ones only, so a duplicate that
    received its original's answer without a conclusion of its own cannot push the rate past 100%.
    """
    queryset = queryset.order_by()  # the list's ordering would split the GROUP BY
    totals = queryset.annotate(_delivered=delivered_expression()).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_condition(today or timezone.localdate())),
        real_name_concluded=Count("pk", filter=REAL_NAME & CONCLUDED),
        real_name_answered=Count("pk", filter=REAL_NAME & CONCLUDED & Q(answered_at__isnull=False)),
        real_name_delivered=Count(
            "pk", filter=REAL_NAME & CONCLUDED & Q(answered_at__isnull=False, _delivered=True)
        ),
    )
    counts = dict(queryset.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return LeadFigures(
        by_status=[(code, label, counts.get(code, 0)) for code, label in Status.choices],
        **totals,
    )


@dataclass
class PenaltyHistory:
    """ "Penalised before, and how many times" for what a lead points at: the count decides whether a
    new offence meets 解释 第2条(4) (penalised twice for illegal practice, practising again)."""

    count: int
    last_date: object = None
    by_name_only: bool = False
    case_ids: frozenset = frozenset()  # never shown: lets the caller audit look-ups across regions
    # Penalties other regions' platforms sent (qingyuan.exchange), counted in `count`.
    external: tuple = ()

    @property
    def external_regions(self) -> list[str]:
        return list(dict.fromkeys(p.source_region_name for p in self.external))

    @property
    def repeat(self) -> bool:
        return self.count >= 2


def _history(case_ids: set, by_name_only=False, external=()) -> PenaltyHistory:
    from django.db.models import Max

    from qingyuan.cases.models import Case

    last = Case.objects.filter(pk__in=case_ids).aggregate(last=Max("decision__decided_on"))["last"]
    last = max([d for d in [last, *(p.decided_on for p in external)] if d is not None], default=None)
    return PenaltyHistory(
        count=len(case_ids) + len(external),
        last_date=last,
        by_name_only=by_name_only,
        case_ids=frozenset(case_ids),
        external=tuple(external),
    )


def record_outside_penalty_lookup(*, actor, lead, histories) -> int:
    """Audit a page's penalty-history look-up when it counted penalties imposed outside the actor's
    jurisdiction (SECURITY.md: such look-ups reveal counts and dates only, and are recorded).
    Returns how many such penalties were counted; the audit row holds that number, no details."""
    from qingyuan.cases.models import Case
    from qingyuan.core import audit

    ids = set().union(*(h.case_ids for h in histories if h is not None))
    if not ids:
        return 0
    visible = set(Case.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    outside = len(ids - visible)
    if outside:
        audit.record(
            actor=actor,
            action=audit.AuditAction.REVEAL,
            target=lead,
            region_code=lead.handling_unit.region_id,
            after={"outside_penalties": outside},
        )
    return outside


def subject_penalty_history(subject) -> PenaltyHistory:
    """Penalties for illegal practice of the site itself or of any of its persons, in every region
    (cases.history: counts only, never the other regions' details)."""
    from qingyuan.cases.history import external_of, penalties_of
    from qingyuan.cases.models import Case

    ids = set(penalties_of_subject(Case.objects.filter(subject=subject)).values_list("pk", flat=True))
    numbers = []
    for person in subject.persons.exclude(id_number_index=""):
        ids |= set(penalties_of(id_index=person.id_number_index).values_list("pk", flat=True))
        numbers.append(person.id_number)
    return _history(ids, external=external_of(id_numbers=numbers))


def penalties_of_subject(cases):
    """The decided, not revoked, illegal-practice cases among `cases` (the rule of cases.history)."""
    from qingyuan.cases.history import for_illegal_practice, penalised

    return for_illegal_practice(penalised(cases))


def candidate_penalty_history(candidate) -> PenaltyHistory | None:
    from qingyuan.cases.history import external_of, penalties_of
    from qingyuan.cases.models import Case

    if candidate.kind == "subject":
        return subject_penalty_history(candidate.obj)
    if candidate.kind == "practitioner" and candidate.obj.id_number_index:
        return _history(
            set(penalties_of(id_index=candidate.obj.id_number_index).values_list("pk", flat=True)),
            external=external_of(id_numbers=[candidate.obj.id_number]),
        )
    if candidate.kind == "institution":
        cases = Case.objects.filter(subject__institution=candidate.obj)
        return _history(set(penalties_of_subject(cases).values_list("pk", flat=True)))
    return None


def reported_person_history(lead) -> PenaltyHistory | None:
    """By the reported person's name alone: two people may share a name, so the page says so."""
    from qingyuan.cases.history import external_of, penalties_of

    name = (lead.reported_person or "").strip()
    if len(name) < 2:
        return None
    return _history(
        set(penalties_of(name=name).values_list("pk", flat=True)),
        by_name_only=True,
        external=external_of(name=name),
    )
