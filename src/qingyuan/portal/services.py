"""Typical cases (典型案例): propose from a decided case, review (by someone other than the proposer,
who may edit the redacted text), publish, withdraw. Each step goes through the typical-case workflow
(TYPICAL_WORKFLOW, on core.workflow): one transaction with its audit row.

A refused step reaches the pages as they expect it: a missing permission or a case outside the
jurisdiction as PermissionDenied (403), a step the record's state or text does not allow as a
ValidationError whose message the page shows."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core.workflow import NEW, NotPermitted, Transition, TransitionNotAllowed, Workflow
from qingyuan.regions.models import Level

from .models import PublishedCase, PublishedStatus
from .redaction import ancestor_at, personal_data_problems, redact_case


def _case_in_scope(user, published) -> bool:
    from qingyuan.cases.models import Case

    return Case.objects.in_jurisdiction_of(user).filter(pk=published.case_id).exists()


def _visible_case(actor, case):
    from qingyuan.cases.models import Case

    if not Case.objects.in_jurisdiction_of(actor).filter(pk=case.pk).exists():
        raise PermissionDenied("该案件不在您的管辖范围内")


def _text_publishable(published, inputs) -> str | None:
    # Checked once more at the last step: nothing unchecked reaches the public site.
    problems = [
        f"{name}{'；'.join(found)}，不能公布"
        for name, text in (("标题", published.title), ("正文", published.body))
        if (found := personal_data_problems(text, published.case))
    ]
    return "；".join(problems) or None


S = PublishedStatus
TYPICAL_WORKFLOW = Workflow(
    noun="典型案例",
    model=PublishedCase,
    transitions={
        # A withdrawn one may be proposed again; it starts over from a fresh redaction.
        "propose": Transition("推荐典型案例", frozenset({NEW, S.WITHDRAWN}), S.DRAFT, "cases.edit"),
        "review": Transition("审核", frozenset({S.DRAFT}), S.REVIEWED, "cases.approve"),
        "publish": Transition(
            "公布", frozenset({S.REVIEWED}), S.PUBLISHED, "cases.approve", conditions=(_text_publishable,)
        ),
        "withdraw": Transition(
            "撤回", frozenset({S.DRAFT, S.REVIEWED, S.PUBLISHED}), S.WITHDRAWN, "cases.approve"
        ),
    },
    in_scope=_case_in_scope,
    region_code=lambda published: published.case.region_id,
    related=("case",),
)


@contextmanager
def _refusals_as_errors():
    """The pages show a ValidationError's message; a refusal for want of permission stays a 403."""
    try:
        yield
    except NotPermitted:
        raise
    except TransitionNotAllowed as exc:
        raise ValidationError(str(exc)) from exc


def _lock(published) -> PublishedCase:
    return TYPICAL_WORKFLOW.lock(published)


def _check_text(title: str, body: str, case) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = ["请填写标题"]
    if not body:
        errors["body"] = ["请填写正文"]
    problems = personal_data_problems(title, case)
    if problems:
        errors.setdefault("title", []).append("标题" + "；".join(problems) + "，不能公布")
    problems = personal_data_problems(body, case)
    if problems:
        errors.setdefault("body", []).append("正文" + "；".join(problems) + "，不能公布")
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def typical_propose(*, actor, case) -> PublishedCase:
    """Mark a decided case typical: a draft of the redacted text, waiting for review."""
    from qingyuan.cases.models import Case, PenaltyDecision

    _visible_case(actor, case)  # a new record has no case of its own yet for the workflow to check
    case = Case.objects.select_for_update().get(pk=case.pk)
    existing = PublishedCase.objects.select_for_update().filter(case=case).first()
    published = existing or PublishedCase(case=case)
    with _refusals_as_errors():
        # State and permission before the redaction, which reads the whole case.
        TYPICAL_WORKFLOW.check(published, "propose", actor, conditions=False)
    if not PenaltyDecision.objects.filter(case=case).exists():
        raise ValidationError("只有已作出处罚决定的案件可以作为典型案例")
    text = redact_case(case)
    changes = {
        "title": text["title"],
        "body": text["body"],
        "region": ancestor_at(case.region, Level.COUNTY),
        "proposed_by": actor,
        "reviewed_by": None,
        "reviewed_at": None,
        "published_at": None,
        "withdrawn_at": None,
    }
    with _refusals_as_errors():
        return TYPICAL_WORKFLOW.apply(published, "propose", actor=actor, changes=changes)


@transaction.atomic
def typical_review(*, actor, published, title: str, body: str) -> PublishedCase:
    """The reviewer reads (and may edit) the public text; the edited text is checked again, since the
    reviewer could put a name or number back."""
    published = _lock(published)
    with _refusals_as_errors():
        TYPICAL_WORKFLOW.check(published, "review", actor)
    # Separation of duties: the workflow's conditions see the record, not who acts, so it is here.
    if published.proposed_by_id == actor.pk:
        raise PermissionDenied("审核人不能是提出人：请由其他负责人审核")
    title, body = _check_text(title, body, published.case)
    changes = {"title": title, "body": body, "reviewed_by": actor, "reviewed_at": timezone.now()}
    with _refusals_as_errors():
        return TYPICAL_WORKFLOW.apply(published, "review", actor=actor, changes=changes)


@transaction.atomic
def typical_publish(*, actor, published) -> PublishedCase:
    with _refusals_as_errors():
        return TYPICAL_WORKFLOW.apply(
            published, "publish", actor=actor, changes={"published_at": timezone.now()}
        )


@transaction.atomic
def typical_withdraw(*, actor, published) -> PublishedCase:
    with _refusals_as_errors():
        return TYPICAL_WORKFLOW.apply(
            published, "withdraw", actor=actor, changes={"withdrawn_at": timezone.now()}
        )
