"""A party's administrative penalties across every region.

解释 第2条(4) counts penalties "for illegal practice" wherever they were imposed: a person banned
in one county and caught again in the next city is the case the rule was written for. So these
reads are deliberately NOT jurisdiction-scoped. Callers must show only counts and, for cases
outside the user's jurisdiction, the region and the date (see `for_display`), never the details.

Matching: by the blind index of the party's ID number when there is one (exact, never decrypted).
Without an ID number only the exact name is left; two people may share a name, so callers say in
their reasons that the match was by name and must be checked by hand.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Q

from qingyuan.core.scoping import jurisdiction_prefix

from .models import Case, CaseStatus

MATCH_ID = "id"
MATCH_NAME = "name"


def match_kind(*, id_index: str = "", name: str = "") -> str | None:
    if id_index:
        return MATCH_ID
    if (name or "").strip():
        return MATCH_NAME
    return None


def penalised(cases):
    """The cases among `cases` that ended in a penalty: a decision exists and the case was not revoked
    (a revoked decision is no penalty)."""
    return cases.filter(decision__isnull=False).exclude(status=CaseStatus.REVOKED)


def for_illegal_practice(cases):
    """The applied provision decides what the party was penalised for; a case charged under two
    provisions (行政处罚法 第29条) also counts when the other, applied one is illegal practice."""
    return cases.filter(
        Q(decision__offence__illegal_practice=True)
        | Q(offences__offence__illegal_practice=True, offences__applied=True)
    ).distinct()


def penalties_of(
    *,
    id_index: str = "",
    name: str = "",
    before: date | None = None,
    illegal_practice_only: bool = True,
):
    """Decided cases of the same party in every region: a penalty decision exists and the case was
    not revoked (a revoked decision is no penalty). `before` keeps decisions made strictly before
    that day (the offence date of the case being judged: only earlier penalties make a repeat)."""
    kind = match_kind(id_index=id_index, name=name)
    if kind is None:
        return Case.objects.none()
    qs = penalised(Case.objects.all())
    if kind == MATCH_ID:
        qs = qs.filter(party_id_index=id_index)
    else:
        qs = qs.filter(party_name=name.strip())
    if before is not None:
        qs = qs.filter(decision__decided_on__lt=before)
    if illegal_practice_only:
        qs = for_illegal_practice(qs)
    return qs.select_related("decision", "region").order_by("decision__decided_on", "pk")


def penalty_summary(*, id_index: str = "", name: str = "", illegal_practice_only: bool = True) -> dict:
    """For lead intake: "penalised before, how many times, last when, where". `matched_by` says
    whether the match was by ID number ("id") or only by name ("name"), or None without either."""
    qs = penalties_of(id_index=id_index, name=name, illegal_practice_only=illegal_practice_only)
    rows = list(qs.values_list("pk", "decision__decided_on", "region__full_name"))
    seen, regions = set(), []
    for _pk, _day, region in rows:
        if region not in seen:
            seen.add(region)
            regions.append(region)
    last = qs.aggregate(last=Max("decision__decided_on"))["last"] if rows else None
    return {
        "count": len({pk for pk, _d, _r in rows}),
        "last_date": last,
        "regions": regions,
        "matched_by": match_kind(id_index=id_index, name=name),
    }


def external_penalties(case):
    """Penalties for illegal practice decided in other provinces and cities and sent by their
    platforms (qingyuan.exchange): by the exchange identity hash of the party's ID number (counted)
    and by name only (shown "姓名一致（须人工核实）", never counted). Decided before the case's
    offence date, revoked ones left out."""
    from qingyuan.exchange.selectors import for_case

    return for_case(case)


def external_of(*, id_numbers=(), name: str = "") -> list:
    """For intake (a lead's site, person or practitioner): other regions' penalties by the ID numbers
    (counted) or, without one, by name only (the caller says the match must be checked by hand).
    Only date, source region and authority may be shown: they are outside every jurisdiction here."""
    from qingyuan.exchange.selectors import external_of as lookup

    return lookup(id_numbers=id_numbers, name=name)


@dataclass(frozen=True)
class PriorPenalty:
    """One earlier penalty as a user may see it: details only inside their jurisdiction."""

    decided_on: date
    region_name: str
    visible: bool
    case: Case | None  # None when outside the user's jurisdiction


def for_display(cases, user) -> list[PriorPenalty]:
    prefix = jurisdiction_prefix(user)
    result = []
    for case in cases:
        visible = prefix is not None and case.region_id.startswith(prefix)
        result.append(
            PriorPenalty(
                decided_on=case.decision.decided_on,
                region_name=case.region.full_name,
                visible=visible,
                case=case if visible else None,
            )
        )
    return result
