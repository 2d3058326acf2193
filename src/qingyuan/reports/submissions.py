"""Submitting official forms up the hierarchy (上报 / 退回 / 审核): the workflow as data (on the one
mechanism, core.workflow), the services that move a submission through it, its deadline from the
campaign, and the figures frozen with it.

The workflow (SUBMISSION_WORKFLOW):
- 上报 (submit): the unit of the form's region sends the form as computed now; each 上报 creates a
  new version, following a 退回, never beside a live one (constraint submission_live_once).
- 退回 (return, with a reason) or 审核通过 (accept): by a reviewer of the unit one level up (county ->
  city -> province), never by the submitting unit itself.
- An accepted submission is locked: nothing changes its figures. The upper unit may reopen it only by
  returning it with a reason, and not while it is part of a live roll-up of its own (that roll-up
  must be returned first by the level above, or the upper figures would no longer match their
  sources). The unit then submits the next version.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qingyuan.accounts.models import User
from qingyuan.campaigns.models import Campaign, FormRequirement, Schedule, due_after_operation, due_dates
from qingyuan.core.workflow import NEW, Transition, Workflow

from . import validation
from .forms import FORM_CLASSES, get_form
from .forms.base import COUNT, MONEY, RATIO, TEXT, FormDefinition, FormResult, Ratio, Scope
from .models import Submission, SubmissionStatus
from .serialize import from_data, to_data

SUBMITTED, RETURNED, ACCEPTED = (
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.RETURNED,
    SubmissionStatus.ACCEPTED,
)

LIVE_MESSAGE = "该报表本期已上报（第{version}版，{status}），请勿重复上报；需要修改时请上级单位退回后重新上报"
RETURN_REASON_MESSAGE = "请填写退回理由"


# --- which form, which submissions ------------------------------------------------------------


def resolve(code: str | None = None, definition: FormDefinition | None = None) -> FormDefinition:
    if definition is not None:
        return definition
    if code not in FORM_CLASSES:
        raise ValidationError(f"报表“{code}”不存在")
    return get_form(code)


def compute(definition: FormDefinition, scope: Scope) -> FormResult:
    """The form computed now; a scope the form cannot take (S001-A1 without an operation) is bad input."""
    try:
        return definition.compute(scope)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def scope_key(code: str, scope: Scope) -> dict:
    return {
        "form_code": code,
        "region": scope.region,
        "period_start": scope.start,
        "period_end": scope.end,
        "campaign": scope.campaign,
        "operation": scope.operation,
    }


def versions(code: str, scope: Scope):
    """Every version submitted for this form and scope, the latest first."""
    return Submission.objects.filter(**scope_key(code, scope)).order_by("-version", "-submitted_at", "-pk")


def scope_of(submission: Submission) -> Scope:
    return Scope(
        submission.region,
        submission.period_start,
        submission.period_end,
        operation=submission.operation,
        campaign=submission.campaign,
    )


def versions_of(submission: Submission):
    return versions(submission.form_code, scope_of(submission)).select_related(
        "unit", "submitted_by", "reviewed_by"
    )


# --- who ---------------------------------------------------------------------------------------


def submitter_problem(user, region) -> str:
    """Why `user` may not submit forms for `region` ("" when they may)."""
    if not user.can("reports.submit"):
        return "您没有上报报表的权限"
    unit = getattr(user, "unit", None)
    if unit is None or unit.region_id != region.code:
        return f"只能由{region.full_name}的单位上报本区划的报表"
    if region.parent_id is None:
        return f"{region.full_name}没有上级区划，报表无需上报"
    return ""


def reviewer_problem(user, submission: Submission) -> str:
    """Why `user` may not return or accept `submission` ("" when they may): only the unit one level up."""
    if not user.can("reports.review"):
        return "您没有审核报表的权限"
    unit = getattr(user, "unit", None)
    if unit is None or unit.region_id != submission.region.parent_id or unit.pk == submission.unit_id:
        return f"{submission.region.full_name}的报表由上一级单位审核，本单位不能审核"
    return ""


def available(submission: Submission, user) -> list[str]:
    """The review actions `user` may take on `submission` now ("accept", "return")."""
    offered = {action for action, _ in SUBMISSION_WORKFLOW.available(submission, user)}
    return [action for action in ("accept", "return") if action in offered]


# --- the workflow ------------------------------------------------------------------------------


def reviewers_of(submission: Submission):
    """Who is told that a form waits for review: the users of the unit one level up who may review."""
    users = User.objects.filter(is_active=True, unit__region_id=submission.region.parent_id)
    return [u for u in users.select_related("unit") if u.can("reports.review")]


def _notices(submission: Submission, action: str, transition) -> list[tuple[list, str]]:
    """上报 tells the reviewers; a review tells the submitter the outcome (a return with the reason)."""
    if action == "submit":
        period = f"{submission.period_start:%Y-%m-%d}至{submission.period_end:%Y-%m-%d}"
        text = (
            f"{submission.region.full_name}上报了{submission.form_code}"
            f"（{period}，第{submission.version}版），请审核"
        )
        return [(reviewers_of(submission), text)]
    verdict = "审核通过" if submission.status == ACCEPTED else f"被退回：{submission.return_reason}"
    text = (
        f"您上报的{submission.form_code}（{submission.region.full_name}，第{submission.version}版）{verdict}"
    )
    told = [submission.submitted_by]
    if submission.status == RETURNED:
        # The whole county must redo the form, not only whoever pressed 上报 (they may be away).
        county = User.objects.filter(is_active=True, unit__region_id=submission.region_id)
        told += [u for u in county.select_related("unit") if u.can("reports.submit")]
    return [(told, text)]


def _no_live_version(submission: Submission, inputs) -> str | None:
    """A new version only follows a 退回: never a second live one for the same form and scope."""
    live = versions(submission.form_code, scope_of(submission)).exclude(status=RETURNED).first()
    if live is None:
        return None
    return LIVE_MESSAGE.format(version=live.version, status=live.get_status_display())


def _not_in_live_rollup(submission: Submission, inputs) -> str | None:
    """An accepted form summed into the upper unit's live roll-up stays until that one is returned."""
    if submission.status != ACCEPTED:
        return None
    upper = submission.rolled_into.exclude(status=RETURNED).select_related("region").first()
    if upper is None:
        return None
    return (
        f"该报表已汇总进{upper.region.full_name}第{upper.version}版报表"
        f"（{upper.get_status_display()}），须先由其上级退回该汇总表，才能退回本表"
    )


def _not_the_submitter(submission: Submission, user) -> str | None:
    """Only a unit of the form's own region sends it up, and the top region sends nothing."""
    return submitter_problem(user, submission.region) or None


def _the_reviewing_unit(submission: Submission, user) -> str | None:
    """Only the unit one level up reviews, never the submitting unit its own form."""
    return reviewer_problem(user, submission) or None


SUBMISSION_WORKFLOW = Workflow(
    noun="报表",
    model=Submission,
    transitions={
        # Each 上报 creates the next version.
        "submit": Transition(
            "上报",
            frozenset({NEW}),
            SUBMITTED,
            "reports.submit",
            conditions=(_no_live_version,),
            actor_problem=_not_the_submitter,
        ),
        "return": Transition(
            "退回",
            frozenset({SUBMITTED, ACCEPTED}),
            RETURNED,
            "reports.review",
            conditions=(_not_in_live_rollup,),
            actor_problem=_the_reviewing_unit,
            needs_note=RETURN_REASON_MESSAGE,
        ),
        "accept": Transition(
            "审核通过", frozenset({SUBMITTED}), ACCEPTED, "reports.review", actor_problem=_the_reviewing_unit
        ),
    },
    region_code=lambda submission: submission.region_id,
    notices=_notices,
    related=("region", "unit"),
)


# --- deadlines ---------------------------------------------------------------------------------


def _campaign_chain(campaign: Campaign) -> list[Campaign]:
    """A campaign and those above it: a county plan works under the city's requirements too."""
    chain = [campaign]
    while chain[-1].parent_id and len(chain) < 6:
        chain.append(chain[-1].parent)
    return chain


def form_due_on(*, code: str, scope: Scope) -> dt.date | None:
    """The deadline of the form for this scope: from the FormRequirement of the scope's campaign (or,
    without one, of every campaign applying to the region during the period), the first deadline on
    or after the period's end; for a requirement "after each joint operation", the operation's last
    day plus its days. The earliest when several requirements apply; None when none does."""
    if scope.campaign is not None:
        campaigns = _campaign_chain(scope.campaign)
    else:
        campaigns = Campaign.objects.applying_to(scope.region).filter(
            starts_on__lte=scope.end, ends_on__gte=scope.start
        )
    candidates = []
    for requirement in FormRequirement.objects.filter(campaign__in=campaigns, form_code=code).select_related(
        "campaign"
    ):
        if requirement.schedule == Schedule.AFTER_OPERATION:
            last = scope.operation.last_day if scope.operation is not None else None
            if last and requirement.days_after:
                candidates.append(due_after_operation(requirement, last))
            continue
        later = [d for d in due_dates(requirement, until=dt.date.max) if d >= scope.end]
        if later:
            candidates.append(later[0])
    return min(candidates, default=None)


# --- services ----------------------------------------------------------------------------------


def _check_findings(result: FormResult, note: str, extra_warnings: list[str]) -> list[str]:
    """Errors block; warnings pass only with the submitter's note. Returns the warnings to store."""
    findings = validation.validate(result)
    errors = validation.errors_of(findings)
    if errors:
        raise ValidationError(errors)
    warnings = validation.warnings_of(findings) + extra_warnings
    if warnings and not note:
        raise ValidationError({"note": [f"请在填报说明中说明：{w}" for w in warnings]})
    return warnings


def submission_submit(
    *,
    actor,
    scope: Scope,
    code: str | None = None,
    definition: FormDefinition | None = None,
    note: str = "",
    rolled_up: bool = False,
) -> Submission:
    """Send the form for `scope` up as computed now (or, `rolled_up`, as the sum of the lower units'
    accepted forms), after its validation rules; its figures are frozen from here on."""
    definition = resolve(code, definition)
    # Before anything is computed: who may send this region's forms at all.
    problem = submitter_problem(actor, scope.region)
    if problem:
        raise PermissionDenied(problem)
    if definition.mode == "document":
        raise ValidationError(f"{definition.code} 是Word文稿，请下载后按公文报送，不在此上报")
    if scope.end < scope.start:
        raise ValidationError({"end": "统计期止不能早于统计期起"})
    note = (note or "").strip()
    with transaction.atomic():
        sources, extra_warnings = [], []
        if rolled_up:
            from .rollup import rollup

            summary = rollup(definition=definition, scope=scope)
            # Lock the sources so that none is returned between summing it and recording the roll-up.
            ids = [s.pk for s in summary.sources]
            sources = list(Submission.objects.select_for_update().filter(pk__in=ids, status=ACCEPTED))
            if not sources:
                raise ValidationError("下级单位还没有审核通过的报表，无法汇总上报")
            if len(sources) != len(ids):
                raise ValidationError("下级报表的状态刚刚发生变化，请刷新汇总页面后重新上报")
            result = summary.result
            extra_warnings = summary.missing_messages()
        else:
            result = compute(definition, scope)
        warnings = _check_findings(result, note, extra_warnings)

        # Locked so that the version number and the live-version condition see the same rows.
        earlier = list(versions(definition.code, scope).select_for_update())
        submission = Submission(
            **scope_key(definition.code, scope),
            unit=actor.unit,
            version=sum(1 for s in earlier if s.status == RETURNED) + 1,
            data=to_data(result),
            rolled_up=rolled_up,
            note=note,
            warnings=warnings,
            due_on=form_due_on(code=definition.code, scope=scope),
            submitted_by=actor,
            submitted_at=timezone.now(),
        )
        try:
            # Two submitters at once: the constraint decides. The step runs in its own savepoint, so
            # the outer transaction (PostgreSQL) stays usable for the clear message.
            submission = SUBMISSION_WORKFLOW.take(
                submission,
                "submit",
                actor=actor,
                note=note,
                after=(lambda saved: saved.sources.set(sources)) if sources else None,
                audit_extra={"sources": [s.pk for s in sources]} if sources else None,
            )
        except IntegrityError:
            other = versions(definition.code, scope).exclude(status=RETURNED).first()
            raise ValidationError(
                LIVE_MESSAGE.format(
                    version=other.version if other else "", status=other.get_status_display() if other else ""
                )
            ) from None
    return submission


def submission_return(*, actor, submission: Submission, reason: str) -> Submission:
    """退回 with a reason: the unit may then submit a new version. Reopens an accepted one too."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": RETURN_REASON_MESSAGE})
    return SUBMISSION_WORKFLOW.take(
        submission,
        "return",
        actor=actor,
        note=reason,
        changes={"return_reason": reason, "reviewed_by": actor, "reviewed_at": timezone.now()},
    )


def submission_accept(*, actor, submission: Submission) -> Submission:
    """审核通过: the figures are locked and count in the upper region's roll-up."""
    return SUBMISSION_WORKFLOW.take(
        submission, "accept", actor=actor, changes={"reviewed_by": actor, "reviewed_at": timezone.now()}
    )


# --- the frozen figures and their differences from the records now ------------------------------


@dataclass(frozen=True)
class Difference:
    """One figure that is not the same in two versions of a form (submitted or rolled up vs live)."""

    table: str
    row: str
    column: str
    submitted: object
    live: object
    kind: str = COUNT


def stored_result(submission: Submission, template: FormResult | None = None) -> FormResult:
    """The submitted figures as a FormResult, laid out like the form (`template`: the form computed
    for the same scope, computed here when not given)."""
    scope = scope_of(submission)
    if template is None:
        template = compute(get_form(submission.form_code), scope)
    return from_data(submission.data, template, scope)


def _same(a, b, kind) -> bool:
    if kind == RATIO:
        return (a or Ratio(0, 0)) == (b or Ratio(0, 0))
    if kind in (COUNT, MONEY):
        return (a or 0) == (b or 0)
    return (a if a is not None else "") == (b if b is not None else "")


def _line(table, item) -> tuple:
    return tuple(str(item.get(c.key, "")) for c in table.columns if c.label != "序号")


def compare_results(submitted: FormResult, live: FormResult) -> list[Difference]:
    """Every figure of `submitted` that differs from `live`: grid cells one by one; in a list, the
    lines present in one and not the other (序号 aside, as it only numbers them)."""
    found = []
    for mine in submitted.tables:
        theirs = live.table(mine.key)
        if mine.is_grid:
            for row in mine.rows:
                for column in mine.columns:
                    a = mine.cells.get(row.key, {}).get(column.key)
                    b = theirs.cells.get(row.key, {}).get(column.key)
                    if not _same(a, b, column.kind):
                        found.append(Difference(mine.title, row.label, column.label, a, b, column.kind))
            continue
        left = Counter(_line(mine, i) for i in mine.items)
        right = Counter(_line(theirs, i) for i in theirs.items)
        for line, n in (left - right).items():
            found.extend([Difference(mine.title, "上报的名单行", "整行", " ".join(line), None, TEXT)] * n)
        for line, n in (right - left).items():
            found.extend([Difference(mine.title, "现有记录中的行", "整行", None, " ".join(line), TEXT)] * n)
    return found


def submission_figures(submission: Submission) -> tuple[FormResult, FormResult, list[Difference]]:
    """(stored figures, the form computed now, their differences): one computation for both."""
    live = compute(get_form(submission.form_code), scope_of(submission))
    stored = stored_result(submission, live)
    return stored, live, compare_results(stored, live)


def submission_diff(submission: Submission) -> list[Difference]:
    """Every cell whose value computed now differs from the submitted one. The stored figures stay."""
    return submission_figures(submission)[2]


def status_events(submission: Submission):
    """The audit rows of every version of this form and scope, oldest first: the submission's history."""
    from qingyuan.core.models import AuditEvent

    ids = [str(pk) for pk in versions_of(submission).values_list("pk", flat=True)]
    return AuditEvent.objects.filter(target_type="reports.submission", target_id__in=ids).order_by("id")
