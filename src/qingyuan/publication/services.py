"""Publication of served penalty decisions: prepare, publish, change, withdraw. Every step goes through
the publication workflow (core.workflow): one transaction with the case's timeline line and the audit
row. A refused step reaches the pages as they expect it: a missing permission or a case outside the
jurisdiction as PermissionDenied (403), anything else as a ValidationError whose message they show.

What is published (行政处罚法 第48条第1款, 双公示): penalty decisions under the general procedure. Not
published: 简易程序 decisions (a warning or a small fine on the spot, 第51条, below the "一定社会影响"
the article asks for) and 不予行政处罚决定 (no penalty was imposed, so there is no 行政处罚决定 to
publish, and naming a party the authority decided not to punish would brand them for nothing)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingyuan.core.workdays import add_working_days
from qingyuan.core.workflow import NEW, NotPermitted, Transition, TransitionNotAllowed, Workflow
from qingyuan.portal.redaction import personal_data_problems

from . import text
from .models import ChangeKind, EntryChange, EntryStatus, Ground, PublicationEntry

DEFAULT_PUBLISH_DAYS = 7  # 双公示: within 7 working days of the decision taking effect (served)
DEFAULT_WITHDRAW_DAYS = 3  # 第48条第2款: 三日内撤回; 第85条: 三日 counts working days

WITHDRAW_GROUNDS = {
    Ground.REVOKED_BY_AUTHORITY,
    Ground.REVIEW_REVOKED,
    Ground.REVIEW_ILLEGAL,
    Ground.COURT_REVOKED,
    Ground.COURT_ILLEGAL,
    Ground.INVALID,
    Ground.ERROR,
}
CHANGE_GROUNDS = {Ground.CHANGED_BY_AUTHORITY, Ground.REVIEW_CHANGED, Ground.COURT_CHANGED, Ground.ERROR}


def _days(code: str, on: dt.date, default: int) -> int:
    """A number of working days from the rules data in force on `on` (rules 0006), its default where
    an installation has removed the row."""
    from qingyuan.rules.models import Threshold
    from qingyuan.rules.selectors import threshold

    try:
        return int(Decimal(threshold(code, on)))
    except Threshold.DoesNotExist:
        return default


def publish_due(served_on: dt.date) -> dt.date:
    return add_working_days(
        served_on, _days("PUBLISH_DECISION_WORKING_DAYS", served_on, DEFAULT_PUBLISH_DAYS)
    )


def withdraw_due(ground_on: dt.date) -> dt.date:
    return add_working_days(
        ground_on, _days("PUBLISH_WITHDRAW_WORKING_DAYS", ground_on, DEFAULT_WITHDRAW_DAYS)
    )


def is_published_kind(decision) -> bool:
    from qingyuan.cases.models import DecisionKind, Procedure

    return decision.procedure == Procedure.GENERAL and decision.kind == DecisionKind.PENALTY


def case_revoked(entry) -> bool:
    from qingyuan.cases.models import CaseStatus

    return entry.decision.case.status == CaseStatus.REVOKED


def text_problems(entry, values: dict | None = None) -> dict[str, list[str]]:
    """Per text field, what may not be published: the same checks as typical cases."""
    case = entry.decision.case
    problems = {}
    for name, label in text.TEXT_FIELDS.items():
        value = (values or {}).get(name, getattr(entry, name))
        if not (value or "").strip():
            problems[name] = [f"请填写{label}"]
        elif found := personal_data_problems(value, case):
            problems[name] = [f"{label}{'；'.join(found)}，不能公示"]
    return problems


# --- the workflow ----------------------------------------------------------------------------------


def _publishable(entry, inputs) -> str | None:
    # Checked on the locked row at the step itself, so nothing unchecked reaches the public site.
    if case_revoked(entry):
        return "该处罚决定已撤销，不能公示，请撤回"
    problems = text_problems(entry)
    return "；".join(p for found in problems.values() for p in found) or None


def _in_scope(user, entry) -> bool:
    from qingyuan.cases.models import Case

    return Case.objects.in_jurisdiction_of(user).filter(pk=entry.decision.case_id).exists()


def _event(entry, actor, label, note, old, new):
    from qingyuan.cases.models import CaseEvent

    CaseEvent.add(entry.decision.case, actor, f"处罚决定公示：{label}", note=note)


S = EntryStatus
PUBLICATION_WORKFLOW = Workflow(
    noun="公示条目",
    model=PublicationEntry,
    transitions={
        # Prepared by the system when the decision is served (or by the catch-up job).
        "prepare": Transition("生成公示条目", frozenset({NEW}), S.PENDING, None),
        "publish": Transition(
            "公示", frozenset({S.PENDING}), S.PUBLISHED, "cases.approve", conditions=(_publishable,)
        ),
        "change": Transition(
            "变更公示内容",
            frozenset({S.PUBLISHED}),
            None,
            "cases.approve",
            conditions=(_publishable,),
            needs_note="请填写变更说明",
        ),
        "withdraw": Transition(
            "撤回公示",
            frozenset({S.PENDING, S.PUBLISHED}),
            S.WITHDRAWN,
            "cases.approve",
            needs_note="请填写撤回说明",
        ),
    },
    event=_event,
    in_scope=_in_scope,
    region_code=lambda entry: entry.decision.case.region_id,
    related=("decision__case",),
)


def available(entry, user):
    return dict(PUBLICATION_WORKFLOW.available(entry, user))


# --- steps -----------------------------------------------------------------------------------------


def entry_prepare(*, decision, actor=None) -> PublicationEntry | None:
    """The entry of a served general-procedure penalty decision, prepared once: called in the serve
    step's transaction (cases.decisions.case_serve) and by the catch-up job. None for a decision that
    is not published."""
    if decision.served_on is None or not is_published_kind(decision):
        return None
    existing = PublicationEntry.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    prepared = text.prepared(decision)
    changes = {**prepared, "served_on": decision.served_on, "due_on": publish_due(decision.served_on)}
    entry = PublicationEntry(decision=decision)
    return PUBLICATION_WORKFLOW.apply(entry, "prepare", actor=actor, changes=changes)


def _texts(values: dict) -> dict:
    return {name: (values.get(name) or "").strip() for name in text.TEXT_FIELDS}


def _checked_texts(entry, values: dict) -> dict:
    texts = _texts(values)
    problems = text_problems(entry, texts)
    if problems:
        raise ValidationError(problems)
    return texts


def _checked_ground(entry, ground: str, ground_on, allowed: set) -> None:
    if ground not in allowed:
        raise ValidationError({"ground": "请选择事由"})
    if ground_on is None:
        raise ValidationError({"ground_on": "请填写事由发生日期"})
    if ground_on > timezone.localdate():
        raise ValidationError({"ground_on": "事由发生日期不能晚于今天"})
    if ground_on < entry.decision.decided_on:
        raise ValidationError({"ground_on": "事由发生日期不能早于处罚决定日期"})


def _take(entry, action, **kwargs):
    try:
        return PUBLICATION_WORKFLOW.apply(entry, action, **kwargs)
    except NotPermitted:
        raise
    except TransitionNotAllowed as refused:
        raise ValidationError(str(refused)) from None


def _guard(entry, action, actor):
    """Jurisdiction, permission and state before the inputs are judged: someone who may not take the
    step learns nothing from the form's messages."""
    try:
        PUBLICATION_WORKFLOW.check(entry, action, actor, conditions=False)
    except NotPermitted:
        raise
    except TransitionNotAllowed as refused:
        raise ValidationError(str(refused)) from None


@transaction.atomic
def entry_publish(*, actor, entry, values: dict) -> PublicationEntry:
    """The reviewer reads (and may edit) the prepared text; what they submit is checked again."""
    entry = PUBLICATION_WORKFLOW.lock(entry)
    _guard(entry, "publish", actor)
    texts = _checked_texts(entry, values)
    changes = {**texts, "published_at": timezone.now(), "published_by": actor}
    return _take(entry, "publish", actor=actor, changes=changes)


def _change_row(entry, *, actor, kind, ground, ground_on, note, before):
    def after(record):
        EntryChange.objects.create(
            entry=record,
            kind=kind,
            ground=ground,
            ground_on=ground_on,
            changed_on=timezone.localdate(),
            note=note,
            before=before,
            actor=actor,
        )

    return after


def _before(entry) -> dict:
    return {name: getattr(entry, name) for name in text.TEXT_FIELDS}


@transaction.atomic
def entry_change(*, actor, entry, values: dict, ground: str, ground_on, note: str) -> PublicationEntry:
    """变更: the new text replaces the old on the public page, with the change's date and note."""
    entry = PUBLICATION_WORKFLOW.lock(entry)
    _guard(entry, "change", actor)
    note = (note or "").strip()
    _checked_ground(entry, ground, ground_on, CHANGE_GROUNDS)
    texts = _checked_texts(entry, values)
    if problems := personal_data_problems(note, entry.decision.case):
        raise ValidationError({"note": "说明" + "；".join(problems) + "，不能公示"})
    after = _change_row(
        entry,
        actor=actor,
        kind=ChangeKind.CHANGE,
        ground=ground,
        ground_on=ground_on,
        note=note,
        before=_before(entry),
    )
    return _take(entry, "change", actor=actor, note=note, changes=texts, after=after)


@transaction.atomic
def entry_withdraw(*, actor, entry, ground: str, ground_on, note: str) -> PublicationEntry:
    """撤回: the public page keeps only the fact of the withdrawal, its date and ground."""
    entry = PUBLICATION_WORKFLOW.lock(entry)
    _guard(entry, "withdraw", actor)
    note = (note or "").strip()
    _checked_ground(entry, ground, ground_on, WITHDRAW_GROUNDS)
    if problems := personal_data_problems(note, entry.decision.case):
        raise ValidationError({"note": "说明" + "；".join(problems) + "，不能公示"})
    after = _change_row(
        entry,
        actor=actor,
        kind=ChangeKind.WITHDRAW,
        ground=ground,
        ground_on=ground_on,
        note=note,
        before=_before(entry),
    )
    return _take(
        entry, "withdraw", actor=actor, note=note, changes={"withdrawn_on": timezone.localdate()}, after=after
    )


def prepare_missing(limit: int = 2000) -> int:
    """Entries for served decisions that have none (served before publication existed, or imported):
    idempotent, so the daily job and a rerun prepare each once."""
    from qingyuan.cases.models import CaseStatus, DecisionKind, PenaltyDecision, Procedure

    missing = (
        PenaltyDecision.objects.filter(
            served_on__isnull=False,
            procedure=Procedure.GENERAL,
            kind=DecisionKind.PENALTY,
            publication__isnull=True,
        )
        .exclude(case__status=CaseStatus.REVOKED)
        .select_related("case__unit", "case__region", "case__subject", "offence", "proposal")
        .order_by("pk")[:limit]
    )
    count = 0
    for decision in missing:
        with transaction.atomic():
            if entry_prepare(decision=decision) is not None:
                count += 1
    return count
