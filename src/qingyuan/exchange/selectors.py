"""Which external penalties (sent by other regions' platforms) belong to a party.

By identity hash: the same ID number / credit code, so the same party — counted as an earlier
penalty (解释 第2条(4)) like a local case with the same ID number.

By name alone: shown as "姓名一致（须人工核实）" and never counted. A local name match can be
confirmed by an officer (cases.CrimeMatchReview), but that review points at a local case; an
external record has no case of ours to point at, and the source region holds the files that could
settle it. So the officer sees it, asks the source region, and records the answer on the case.
"""

from dataclasses import dataclass, field

from django.conf import settings

from .models import ExternalPenalty, RecordStatus
from .signing import identity_hash


@dataclass
class ExternalMatches:
    counted: list = field(default_factory=list)  # same identity hash, decided before the offence
    by_name: list = field(default_factory=list)  # same name only: information, not counted

    @property
    def regions(self) -> list[str]:
        return list(dict.fromkeys(p.source_region_name for p in self.counted))


def party_identity_hash(case) -> str:
    """The exchange hash of the case's party: its own ID number (decrypted here, never stored), else
    the linked person's."""
    if not settings.QINGYUAN_EXCHANGE_ENABLED:
        return ""
    number = case.party_id_number
    if not number and case.party_person_id:
        number = case.party_person.id_number
    return identity_hash(number or "")


def for_case(case, *, id_hash: str | None = None) -> ExternalMatches:
    """External penalties of the case's party decided before its offence date; revoked ones never."""
    if not settings.QINGYUAN_EXCHANGE_ENABLED or not case.offence_date:
        return ExternalMatches()
    id_hash = party_identity_hash(case) if id_hash is None else id_hash
    name = (case.party_name or "").strip()
    qs = ExternalPenalty.objects.exclude(status=RecordStatus.REVOKED).filter(decided_on__lt=case.offence_date)
    result = ExternalMatches()
    if id_hash:
        result.counted = list(qs.filter(identity_hash=id_hash).order_by("decided_on", "pk"))
    if name:
        for row in qs.filter(party_name=name).order_by("decided_on", "pk"):
            if row.identity_hash and id_hash and row.identity_hash != id_hash:
                continue  # both numbers known and different: two people of one name
            if row.identity_hash and row.identity_hash == id_hash:
                continue  # already counted above
            result.by_name.append(row)
    return result


def external_of(*, id_numbers=(), name: str = "") -> list:
    """Not revoked external penalties of the parties with these ID numbers, else of this name."""
    if not settings.QINGYUAN_EXCHANGE_ENABLED:
        return []
    qs = ExternalPenalty.objects.exclude(status=RecordStatus.REVOKED).order_by("decided_on", "pk")
    hashes = {identity_hash(n) for n in id_numbers if n}
    if hashes:
        return list(qs.filter(identity_hash__in=hashes))
    name = (name or "").strip()
    return list(qs.filter(party_name=name)) if name else []
