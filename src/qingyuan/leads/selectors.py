"""Read-only figures about leads, computed by the database (aggregates), never by looping rows."""

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Status

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
    by_status: list[tuple[str, str, int]]  # (code, label, count) in workflow order

    @property
    def feedback_rate(self) -> float | None:
        """实名举报反馈率 in percent; None when no real-name lead is concluded yet."""
        if not self.real_name_concluded:
            return None
        return round(100 * self.real_name_answered / self.real_name_concluded, 1)


def lead_figures(queryset) -> LeadFigures:
    """Figures for exactly the leads listed (already scoped and filtered by the caller).

    The numerator counts answered leads among the concluded ones only, so a duplicate that
    received its original's answer without a conclusion of its own cannot push the rate past 100%.
    """
    queryset = queryset.order_by()  # the list's ordering would split the GROUP BY
    totals = queryset.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(overdue=True)),
        real_name_concluded=Count("pk", filter=REAL_NAME & CONCLUDED),
        real_name_answered=Count("pk", filter=REAL_NAME & CONCLUDED & Q(answered_at__isnull=False)),
    )
    counts = dict(queryset.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return LeadFigures(
        by_status=[(code, label, counts.get(code, 0)) for code, label in Status.choices],
        **totals,
    )
