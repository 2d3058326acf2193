"""This platform's side of the exchange: what a record says, the log of its versions, and a page.

A record is appended to the log when it first qualifies (a decided penalty for illegal practice) and
again whenever what it says changes (served, revoked, a changed decision). `refresh_log` finds those
by comparing a fingerprint of the record as it would be sent now with the last version logged, so
running it twice appends nothing the second time.
"""

import datetime as dt
import hashlib
import json
from datetime import timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language

from qingyuan.cases import history
from qingyuan.cases.models import Case, CaseEvent, CaseStatus, DecisionKind, MeasureKind, PartyKind

from . import signing
from .models import ExportEntry, ExportLogState, RecordStatus

FORMAT = "qingyuan-exchange/1"
DEFAULT_LIMIT = 500
MAX_LIMIT = 2000
# A case saved before a scan started may commit after it; the next scan looks this far back again.
RESCAN_OVERLAP = timedelta(minutes=30)
# The parts of a record that make "the decision" itself: when one of them differs from the first
# version sent, the record is "changed" (变更), not just served or corrected in passing.
DECISION_FIELDS = ("decided_on", "offence", "measures", "party")


def _canonical(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _fingerprint(data) -> str:
    return hashlib.sha256(_canonical(data)).hexdigest()


def exported_cases():
    """Every case whose decision is (or was, before revocation) a penalty for illegal practice."""
    cases = Case.objects.filter(decision__isnull=False, decision__kind=DecisionKind.PENALTY)
    return history.for_illegal_practice(cases)


def _revoked_on(case) -> dt.date | None:
    event = (
        CaseEvent.objects.filter(case=case, to_status=CaseStatus.REVOKED).order_by("-at").values("at").first()
    )
    return timezone.localdate(event["at"]) if event else None


@lru_cache(maxsize=4)
def _measure_names(language: str) -> dict:
    # Translating the label of every measure of 20,000 records took a third of the log's time.
    return {kind: str(label) for kind, label in MeasureKind.choices}


def build_record(case) -> dict:
    """The record as another region receives it (docs/exchange.md "记录"). Never the ID number,
    never a phone or an address: for matching, only the identity hash."""
    decision = case.decision
    record = {
        "record_id": str(case.pk),
        "source": {
            "region_code": case.region_id,
            "region_name": case.region.full_name,
            "authority": case.unit.name,
        },
        "decision_number": case.number or "",
        "decided_on": decision.decided_on.isoformat(),
        "served_on": decision.served_on.isoformat() if decision.served_on else None,
        "offence": {"code": decision.offence.code, "name": decision.offence.name},
        "measures": [
            {
                "kind": m.kind,
                "name": _measure_names(get_language())[m.kind],
                "amount": str(m.amount) if m.amount is not None else None,
            }
            for m in sorted(decision.measures.all(), key=lambda m: m.kind)
        ],
        "party": {
            "kind": "organisation" if case.party_kind == PartyKind.ORGANISATION else "person",
            "name": case.party_name,
            "identity_hash": signing.identity_hash(case.party_id_number or _person_id(case)),
        },
        "status": RecordStatus.EFFECTIVE.value,
        "status_on": decision.decided_on.isoformat(),
    }
    if case.status == CaseStatus.REVOKED:
        record["status"] = RecordStatus.REVOKED.value
        record["status_on"] = (_revoked_on(case) or timezone.localdate()).isoformat()
    return record


def _person_id(case) -> str:
    person = case.party_person if case.party_person_id else None
    return person.id_number if person is not None else ""


def _decision_part(record: dict) -> dict:
    return {name: record[name] for name in DECISION_FIELDS}


def _with_change(record: dict, first: dict | None, last: dict | None) -> dict:
    """Mark a record "changed" when its decision differs from the first version sent; the date is the
    day the change was first logged, kept on later versions."""
    if record["status"] == RecordStatus.REVOKED or first is None:
        return record
    if _decision_part(record) != _decision_part(first):
        if last is not None and last["status"] == RecordStatus.CHANGED:
            record["status_on"] = last["status_on"]
        else:
            record["status_on"] = timezone.localdate().isoformat()
        record["status"] = RecordStatus.CHANGED.value
    return record


def refresh_log(*, full: bool = False, batch_size: int = 1000) -> int:
    """Append a version for every exported record that is new or says something new; returns how
    many. Incremental (cases saved since the last scan, minus an overlap) unless `full`."""
    started = timezone.now()
    with transaction.atomic():
        # The state row's lock makes this the only writer of the log: ids commit in order.
        ExportLogState.objects.get_or_create(pk=1)
        # A write first: SQLite takes its write lock here, PostgreSQL the row lock.
        ExportLogState.objects.filter(pk=1).update(scanned_from=F("scanned_from"))
        state = ExportLogState.objects.select_for_update().get(pk=1)
        cases = exported_cases()
        if not full and state.scanned_from is not None:
            # From the start of the last scan: a case saved while it ran may have committed after it.
            since = state.scanned_from - RESCAN_OVERLAP
            cases = cases.filter(Q(updated_at__gte=since) | Q(decision__created_at__gte=since))
        ids = list(cases.order_by("pk").values_list("pk", flat=True))
        added = 0
        for start in range(0, len(ids), batch_size):
            added += _log_batch(ids[start : start + batch_size])
        state.scanned_from, state.scanned_at = started, timezone.now()
        state.save()
    return added


def _log_batch(ids: list[int]) -> int:
    cases = (
        Case.objects.filter(pk__in=ids)
        .select_related("decision__offence", "region", "unit", "party_person")
        .prefetch_related("decision__measures")
        .order_by("pk")
    )
    record_ids = [str(pk) for pk in ids]
    first, last = {}, {}
    for entry in (
        ExportEntry.objects.filter(record_id__in=record_ids)
        .order_by("id")
        .only("record_id", "record", "fingerprint")
    ):
        first.setdefault(entry.record_id, entry)
        last[entry.record_id] = entry
    new = []
    for case in cases:
        rid = str(case.pk)
        f, lst = first.get(rid), last.get(rid)
        record = _with_change(build_record(case), f.record if f else None, lst.record if lst else None)
        fp = _fingerprint(record)
        if lst is not None and lst.fingerprint == fp:
            continue
        new.append(ExportEntry(record_id=rid, case=case, fingerprint=fp, record=record))
    ExportEntry.objects.bulk_create(new)
    return len(new)


class BadCursor(ValueError):
    pass


def parse_cursor(value: str | None) -> int:
    value = (value or "").strip()
    if not value:
        return 0
    if not value.isdigit() or len(value) > 18:
        raise BadCursor("since 参数应为上一页应答中的 next 值")
    return int(value)


def page(*, since: int, limit: int, subscriber: str) -> bytes:
    """One page of the feed as the exact bytes that are signed and sent."""
    entries = list(ExportEntry.objects.filter(id__gt=since).order_by("id")[: limit + 1])
    has_more = len(entries) > limit
    entries = entries[:limit]
    body = {
        "format": FORMAT,
        "subscriber": subscriber,  # a page signed for one partner cannot pass as another's
        "since": str(since) if since else "",
        "next": str(entries[-1].id) if entries else (str(since) if since else ""),
        "has_more": has_more,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "records": [{**e.record, "entry": str(e.id)} for e in entries],
    }
    return _canonical(body)
