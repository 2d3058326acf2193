"""{% load penalty %}{% penalty_panel %}: the penalty procedure before the decision on the case page —
the current proposal, statements, hearings, reviews, discussions, what is still required before the
decision, and links to the step pages the user may take now (from `actions` in the page's context)."""

from django import template
from django.urls import reverse
from django.utils import timezone

from qingyuan.cases import penalty as rules
from qingyuan.cases.models import CaseStatus, MeasureKind

register = template.Library()

# The step pages, in the order of the procedure, with their labels on the case page.
LINKS = [
    ("propose_penalty", "拟定处罚意见"),
    ("notify", "告知当事人"),
    ("renotify", "重新告知"),
    ("record_statement", "记录陈述申辩"),
    ("request_hearing", "登记听证申请"),
    ("schedule_hearing", "通知听证"),
    ("end_hearing", "听证结束"),
    ("legal_review", "法制审核"),
    ("discuss", "集体讨论"),
]


@register.inclusion_tag("cases/penalty/panel.html", takes_context=True)
def penalty_panel(context):
    case, actions = context["case"], context.get("actions") or {}
    user = context["request"].user
    data = {"case": case, "show": False}
    if case.status == CaseStatus.PROPOSED:
        problem = rules.time_bar_problem(case, timezone.localdate())
        data.update(
            show=bool(problem or case.time_bar_reason),
            time_bar_problem=problem,
            time_bar_due=rules.time_bar_due(case),
            can_override=user.can("cases.override") and not case.time_bar_reason,
            time_bar_url=reverse("cases:penalty_time_bar", args=[case.pk]),
        )
        return data
    if case.opened_on is None:
        return data
    proposal = rules.current_proposal(case)
    before_decision = case.status in {CaseStatus.REVIEW, CaseStatus.NOTIFIED, CaseStatus.HEARING}
    links = []
    for action, label in LINKS:
        if action in actions:
            links.append(
                {
                    "label": label,
                    "url": reverse("cases:penalty_step", args=[case.pk, action]),
                    "blocked": rules_blocked(case, action),
                }
            )
    data.update(
        show=proposal is not None or bool(links) or before_decision,
        proposal=proposal,
        versions=case.proposals.count(),
        statements=list(case.statements.prefetch_related("officers")),
        hearings=list(case.hearings.select_related("host", "clerk")),
        reviews=list(case.legal_reviews.select_related("proposal").prefetch_related("reviewers")),
        discussions=list(
            case.discussions.select_related("proposal", "chair").prefetch_related("participants")
        ),
        requirements=rules.requirements(case) if before_decision else [],
        links=links,
        can_submit_review="submit_legal_review" in actions and proposal is not None,
        submit_url=reverse("cases:penalty_submit_review", args=[case.pk]),
        proposal_url=reverse("cases:penalty_step", args=[case.pk, "propose_penalty"]),
    )
    return data


@register.filter
def measure_label(kind) -> str:
    """ProposedMeasure.kind is a plain code: its Chinese name."""
    return str(MeasureKind(kind).label) if kind in MeasureKind.values else str(kind)


def rules_blocked(case, action):
    from qingyuan.cases.workflow import CASE_WORKFLOW

    return CASE_WORKFLOW.blocked(case, action)
