"""Finding a party's earlier penalties for illegal practice (解释 第2条(4)) by who the party is.

The rule, as the case page states it:

- An earlier case with the same ID number (its blind index: never decrypted for the search) is the
  same person: "身份证号一致", counted.
- An earlier case with the same name is "姓名一致（须人工核实）" unless the two are known to differ:
  both have ID numbers and they differ, or both birth dates are known (from the ID numbers, the
  party's own or the linked person's) and differ. A matching birth date or phone number is shown as
  support, but a name match is still never counted on its own: an officer confirms it (then it
  counts as the same person) or rejects it (then it never counts), with the grounds, audited.
- While unresolved name matches could reach the threshold (rules: CRIME_PRIOR_PENALTIES) the case
  is flagged "涉嫌非法行医罪（须人工核实）": a possible crime is not closed before someone looks.

Searches cross every region on purpose (history.py explains why and how pages show them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from qingyuan.core import audit
from qingyuan.core.idcard import normalize_id_number

from . import history
from .models import Case, CaseEvent, CrimeMatchReview, MatchVerdict, PartyKind

BY_ID, BY_NAME = "id", "name"
KIND_LABELS = {BY_ID: "身份证号一致", BY_NAME: "姓名一致（须人工核实）"}
VERDICT_LABELS = {
    MatchVerdict.CONFIRMED: "姓名一致（已核实为同一人）",
    MatchVerdict.REJECTED: "姓名一致（已排除，不是同一人）",
}


@dataclass(frozen=True)
class Identity:
    id_index: str
    birth: dt.date | None
    phone_index: str


@dataclass
class Match:
    earlier: Case
    kind: str  # BY_ID or BY_NAME
    support: list[str]  # what else agrees: 出生日期一致, 联系电话一致
    verdict: str = ""  # MatchVerdict for a reviewed name match, "" otherwise
    review: CrimeMatchReview | None = None

    @property
    def counted(self) -> bool:
        return self.kind == BY_ID or self.verdict == MatchVerdict.CONFIRMED

    @property
    def pending(self) -> bool:
        return self.kind == BY_NAME and not self.verdict

    @property
    def label(self) -> str:
        if self.kind == BY_NAME and self.verdict:
            return VERDICT_LABELS[self.verdict]
        return KIND_LABELS[self.kind]


def _birth(id_number: str) -> dt.date | None:
    """The birth date an 18-digit ID number carries. A wrong check digit (a typo elsewhere in the
    number) still leaves the date readable, and the date is all that is compared here."""
    value = normalize_id_number(id_number)
    if len(value) != 18 or not value[:17].isdigit():
        return None
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def identity(case: Case) -> Identity:
    """What identifies the party beyond the name: the case's own ID number, else the linked person's."""
    person = case.party_person if case.party_person_id else None
    id_index = case.party_id_index or (person.id_number_index if person is not None else "")
    birth = None
    if case.party_kind != PartyKind.ORGANISATION:
        birth = _birth(case.party_id_number) or (_birth(person.id_number) if person is not None else None)
    return Identity(
        id_index=id_index, birth=birth, phone_index=person.phone_index if person is not None else ""
    )


class Pool:
    """Penalised illegal-practice cases found for many parties at once, by ID index and by name, with
    each one's identity worked out once (an import judges a thousand cases against one pool)."""

    def __init__(self, cases: list[Case]):
        self.identities = {c.pk: identity(c) for c in cases}
        self.by_index: dict[str, list[Case]] = {}
        self.by_name: dict[str, list[Case]] = {}
        for c in cases:
            if self.identities[c.pk].id_index:
                self.by_index.setdefault(self.identities[c.pk].id_index, []).append(c)
            self.by_name.setdefault(c.party_name, []).append(c)

    def of(self, id_index: str, name: str) -> list[Case]:
        found = {c.pk: c for c in self.by_index.get(id_index, [])} if id_index else {}
        found.update((c.pk, c) for c in self.by_name.get(name, []) if name)
        return sorted(found.values(), key=lambda c: (c.decision.decided_on, c.pk))


def pool(cases) -> Pool:
    """Every penalised illegal-practice case that may be an earlier penalty of one of `cases`' parties,
    in one query."""
    indexes, names = set(), set()
    for case in cases:
        ident = identity(case)
        if ident.id_index:
            indexes.add(ident.id_index)
        if (case.party_name or "").strip():
            names.add(case.party_name.strip())
    if not indexes and not names:
        return Pool([])
    qs = history.for_illegal_practice(
        history.penalised(Case.objects.filter(Q(party_id_index__in=indexes) | Q(party_name__in=names)))
    )
    return Pool(list(qs.select_related("decision", "region", "party_person")))


def matches(case: Case, candidates: Pool | None = None, reviews: dict | None = None) -> list[Match]:
    """The earlier penalties of the case's party, decided before its offence date, each with how it
    was found. `candidates` (a Pool) and `reviews` (earlier case pk -> review) may be passed in bulk."""
    if not case.offence_date:
        return []
    if candidates is None:
        candidates = pool([case])
    if reviews is None:
        reviews = {r.earlier_id: r for r in case.match_reviews.all()} if case.pk else {}
    mine = identity(case)
    name = (case.party_name or "").strip()
    found = []
    for earlier in candidates.of(mine.id_index, name):
        if earlier.pk == case.pk or earlier.decision.decided_on >= case.offence_date:
            continue
        theirs = candidates.identities[earlier.pk]
        if mine.id_index and theirs.id_index == mine.id_index:
            found.append(Match(earlier, BY_ID, []))
            continue
        if not name or earlier.party_name != name:
            continue
        if mine.id_index and theirs.id_index:
            continue  # two ID numbers that differ: two people of one name
        if mine.birth and theirs.birth and mine.birth != theirs.birth:
            continue
        support = []
        if mine.birth and theirs.birth:
            support.append("出生日期一致")
        if mine.phone_index and mine.phone_index == theirs.phone_index:
            support.append("联系电话一致")
        review = reviews.get(earlier.pk)
        found.append(Match(earlier, BY_NAME, support, review.verdict if review else "", review))
    return found


# --- the officer's word on a name match -----------------------------------------------------------


@transaction.atomic
def review_match(*, actor, case: Case, earlier_pk: int, verdict: str, note: str) -> CrimeMatchReview:
    """An officer confirms or rejects one name-only match, with the grounds (e.g. 核对户籍信息/照片);
    a later review replaces the earlier one, and both stay in the audit log and on the timeline.
    The case is judged again at once, so the flag follows the verdict."""
    from . import crime
    from .services import require_in_scope

    if not actor.can("cases.edit"):
        raise PermissionDenied("您没有核实处罚记录的权限")
    if verdict not in MatchVerdict.values:
        raise ValidationError({"verdict": "请选择核实结论"})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写核实依据（如核对户籍信息、照片、联系电话）"})
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require_in_scope(actor, locked)
    match = next((m for m in matches(locked) if m.earlier.pk == earlier_pk), None)
    if match is None or match.kind != BY_NAME:
        raise ValidationError({"verdict": "该处罚记录不是本案当事人仅按姓名匹配的记录"})
    review = match.review
    before = audit.snapshot(review) if review is not None else None
    if review is None:
        review = CrimeMatchReview(case=locked, earlier=match.earlier)
    review.verdict, review.note, review.reviewed_by = verdict, note, actor
    review.full_clean()
    review.save()
    b, a = audit.diff(before, audit.snapshot(review))
    audit.record(
        actor=actor,
        action=audit.AuditAction.CREATE if before is None else audit.AuditAction.UPDATE,
        target=review,
        before=b,
        after=a,
        region_code=locked.region_id,
    )
    earlier = match.earlier
    CaseEvent.add(
        locked,
        actor,
        "核实此前处罚记录",
        f"{earlier.region.full_name} {earlier.decision.decided_on:%Y-%m-%d} 的处罚记录"
        f"{MatchVerdict(verdict).label}：{note}",
    )
    crime.crime_refresh(case=locked, actor=actor)
    return review
