"""One workflow mechanism for every process: leads, cases, referrals, form submissions, typical
cases, spot checks, jurisdiction disputes and joint operations.

Each process declares its steps once, as data (a `Workflow` holding `Transition`s): the states a
step starts from, the state it leads to, the permission it needs and the conditions that must hold.
One call, `Workflow.apply`, then does what every step needs, in one transaction:

1. locks the row (two officers acting on one record at once must not overwrite each other);
2. checks the state, the actor's jurisdiction and permission, and the step's conditions, on the
   locked row, so a stale page cannot take a step that is no longer allowed;
3. applies the step's changes and the new state;
4. writes the record's timeline event and the audit row;
5. sends the step's notifications once the transaction commits (never for a rolled-back step).

Pages and the API offer only what `available` returns; services call `apply`; imports call it too
(with the importing user as actor), so an imported record gets the same timeline, audit and
follow-up as one entered by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from . import audit

# The state of a record not yet in the database: only creating steps start from here.
NEW = ""


class TransitionNotAllowed(Exception):
    """A refused step, with a Chinese message the page shows as it is."""


class NotPermitted(PermissionDenied, TransitionNotAllowed):
    """The actor lacks the permission or the record is outside their jurisdiction: a 403 on the
    pages and in the API, and still a refused step for callers that only know TransitionNotAllowed."""


# A condition looks at the locked record and the step's inputs (the changes the caller passes) and
# returns why the step cannot be taken now, or None.
Condition = Callable[[object, dict], "str | None"]


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset
    # The state the step leads to. None: the step is recorded on the record (a review, a demand
    # notice) without changing its state. A frozenset: the caller names one of these (`to=`), as an
    # import of a record that is already further on.
    target: str | frozenset | None
    # The permission (accounts.permissions) the actor needs; None: anyone who may act on the record.
    perm: str | None
    conditions: tuple[Condition, ...] = ()
    # Who may take the step without the permission (e.g. the officers assigned to a lead).
    also_may: Callable[[object, object], bool] | None = None
    # A further rule on who acts (separation of duties: not one's own form, not one's own request):
    # returns why this actor may not, refused with a 403 like a missing permission.
    actor_problem: Callable[[object, object], str | None] | None = None
    # The step needs a written reason (`note`), e.g. a return or a refusal.
    needs_note: str = ""


@dataclass(frozen=True)
class Workflow:
    """The steps of one process. `noun` names the record in messages (“案件”, “线索”)."""

    noun: str
    model: type
    transitions: dict[str, Transition]
    state_field: str = "status"
    # Writes the record's own timeline entry: (record, actor, transition label, note, from, to).
    event: Callable | None = None
    # Whether the actor's jurisdiction holds the record; False refuses every step with a 403.
    in_scope: Callable[[object, object], bool] | None = None
    # The region code the audit row is filed under.
    region_code: Callable[[object], str] | None = None
    # Who is told of a step, and what: (record, action, transition) -> [(users, text), ...].
    notices: Callable | None = None
    # Run Django's model validation before saving.
    full_clean: bool = True
    # Related rows to lock-and-load with the record (select_related).
    related: tuple[str, ...] = field(default_factory=tuple)

    # --- reading ---------------------------------------------------------------------------------

    def state(self, obj) -> str:
        if obj is None or obj.pk is None:
            return NEW
        return getattr(obj, self.state_field)

    def state_label(self, obj) -> str:
        state = self.state(obj)
        if state == NEW:
            return "未登记"
        display = getattr(obj, f"get_{self.state_field}_display", None)
        return display() if display else state

    def check(self, obj, action: str, user, inputs: dict | None = None, *, conditions=True) -> Transition:
        """The transition if `user` may take `action` on `obj` now; raises with the reason if not."""
        transition = self.transitions[action]
        # Jurisdiction and permission come before the state: someone who may not take the step is
        # refused as such (403) and learns nothing of where the record stands.
        if user is not None:
            if self.in_scope is not None and obj is not None and obj.pk and not self.in_scope(user, obj):
                raise NotPermitted(f"该{self.noun}不在您的管辖范围内")
            allowed = transition.perm is None or user.can(transition.perm)
            if not allowed and transition.also_may is not None:
                allowed = transition.also_may(obj, user)
            if not allowed:
                raise NotPermitted(f"您没有“{transition.label}”的权限")
        if self.state(obj) not in transition.sources:
            raise TransitionNotAllowed(
                f"{self.noun}当前为“{self.state_label(obj)}”，不能执行“{transition.label}”"
            )
        # Separation of duties may depend on the record as it stands, so it follows the state.
        if user is not None and transition.actor_problem is not None:
            problem = transition.actor_problem(obj, user)
            if problem:
                raise NotPermitted(problem)
        if conditions:
            for condition in transition.conditions:
                problem = condition(obj, inputs or {})
                if problem:
                    raise TransitionNotAllowed(problem)
        return transition

    def available(self, obj, user) -> list[tuple[str, Transition]]:
        """The steps a page may offer: right state and permission (conditions are checked when the
        step is taken, and their message shown then)."""
        result = []
        for action, transition in self.transitions.items():
            try:
                self.check(obj, action, user, conditions=False)
            except TransitionNotAllowed:
                continue
            result.append((action, transition))
        return result

    def blocked(self, obj, action: str, inputs: dict | None = None) -> str | None:
        """Why the step's conditions refuse it now (for a page to show beside the button), or None."""
        for condition in self.transitions[action].conditions:
            problem = condition(obj, inputs or {})
            if problem:
                return problem
        return None

    # --- taking a step ---------------------------------------------------------------------------

    def lock(self, obj):
        queryset = self.model.objects.select_for_update()
        if self.related:
            # select_for_update(of=self) keeps PostgreSQL from locking the joined rows too.
            queryset = self.model.objects.select_related(*self.related).select_for_update(of=("self",))
        return queryset.get(pk=obj.pk)

    def apply(
        self,
        obj,
        action: str,
        *,
        actor,
        note: str = "",
        changes: dict | None = None,
        to: str | None = None,
        notify: Iterable[tuple[Iterable, str]] = (),
        after: Callable | None = None,
        audit_extra: dict | None = None,
        inputs: dict | None = None,
    ):
        """Take `action` on `obj` as `actor`; returns the saved record.

        `changes` are field values set with the step (checked by the conditions as the step's
        inputs); `to` picks the target where the transition allows several; `notify` adds
        (users, text) notices to the workflow's own; `after(record)` runs inside the transaction
        once the record is saved (to write the step's own rows: a review, a demand notice);
        `audit_extra` adds facts to the step's audit row (the sources of a roll-up, say);
        `inputs` are further facts the conditions judge that are not fields of the record (the
        date a demand was issued, say)."""
        changes = dict(changes or {})
        transition = self.transitions[action]
        if transition.needs_note and not (note or "").strip():
            raise ValidationError({"note": transition.needs_note})
        with transaction.atomic():
            record = self.lock(obj) if obj.pk else obj
            self.check(record, action, actor, {**changes, **(inputs or {})})
            before = audit.snapshot(record) if record.pk else None
            old_state = self.state(record)
            for name, value in changes.items():
                setattr(record, name, value)
            target = self._target(transition, to)
            if target is not None:
                setattr(record, self.state_field, target)
            if self.full_clean:
                record.full_clean()
            record.save()
            if after is not None:
                after(record)
            new_state = getattr(record, self.state_field)
            if self.event is not None:
                self.event(record, actor, transition.label, (note or "")[:2000], old_state, new_state)
            b, a = audit.diff(before, audit.snapshot(record))
            audit.record(
                actor=actor,
                action=audit.AuditAction.CREATE if before is None else audit.AuditAction.TRANSITION,
                target=record,
                before=b,
                after={**(a or {}), **(audit_extra or {}), "action": action},
                region_code=self.region_code(record) if self.region_code else "",
            )
            notices = list(self.notices(record, action, transition) if self.notices else []) + list(notify)
            url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
            for users, text in notices:
                _notify_on_commit(users, text, url)
        return record

    def take(self, obj, action: str, **kwargs):
        """`apply` for pages that show a refusal beside the form: a refused step is raised as a
        ValidationError; a refusal for want of permission or jurisdiction stays a PermissionDenied
        (403)."""
        try:
            return self.apply(obj, action, **kwargs)
        except NotPermitted:
            raise
        except TransitionNotAllowed as refused:
            raise ValidationError(str(refused)) from None

    def _target(self, transition: Transition, to: str | None) -> str | None:
        if isinstance(transition.target, frozenset):
            if to not in transition.target:
                raise TransitionNotAllowed(f"“{transition.label}”不能进入该状态")
            return to
        return transition.target


def _notify_on_commit(users, text: str, url: str) -> None:
    from .notifications import notify

    users = [u for u in users if u is not None]
    if users:
        transaction.on_commit(lambda: notify(users, text, url))


def table(workflow: Workflow) -> list[dict]:
    """The transitions as rows (for the documentation page and tests)."""
    return [
        {
            "action": action,
            "label": t.label,
            "sources": sorted(t.sources),
            "target": sorted(t.target) if isinstance(t.target, frozenset) else t.target,
            "perm": t.perm,
        }
        for action, t in workflow.transitions.items()
    ]
