"""Match a lead against known subjects, registry institutions and practitioners, and say why.

Candidates come from the lead's county when its place was resolved (a few hundred rows even at
national size, through the region-prefix index), else from the whole registry through PostgreSQL's
trigram index; SQLite, the embedded default, only matches within a resolved county and by phone
and name. Scores are computed in Python on that short list, so both databases rank alike.
"""

import datetime as dt
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.crypto import blind_index
from qingyuan.core.models import AuditAction
from qingyuan.registry.models import Institution, Practitioner
from qingyuan.subjects.models import Subject, SubjectPerson
from qingyuan.subjects.services import normalize_phone

MAX_ROWS = 2000  # per source, before scoring
MIN_SCORE = 0.35


@dataclass
class Candidate:
    kind: str  # subject / institution / practitioner
    obj: object
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return {"subject": "监管对象", "institution": "医疗机构", "practitioner": "执业人员"}[self.kind]

    def add(self, points: float, reason: str):
        self.score += points
        self.reasons.append(reason)


def common_ratio(needle: str, haystack: str) -> float:
    """Longest common run of characters, relative to the shorter text: 木渎镇金星村12号 vs a full address."""
    a, b = (needle or "").strip(), (haystack or "").strip()
    if len(a) < 2 or len(b) < 2:
        return 0.0
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size / min(len(a), len(b))


def _county_prefix(lead) -> str | None:
    region = lead.region
    if region is None:
        return None
    return region.code[:6] if region.level >= 3 else None


def _trigram(queryset, column: str, text: str):
    # word_similarity: is the tip's text similar to some part of the column? Uses the GIN trigram index.
    table = queryset.model._meta.db_table  # names from model metadata; the text goes in as a parameter
    return queryset.extra(where=[f"%s <%% {table}.{column}"], params=[text])  # noqa: S610


def _near(queryset, place: str, text: str):
    table = queryset.model._meta.db_table  # names from model metadata; the texts go in as parameters
    return queryset.extra(  # noqa: S610
        where=[f"(%s <%% {table}.address OR strpos(%s, {table}.name) > 0)"], params=[place, text]
    )


def match_lead(lead, limit: int = 10) -> list[Candidate]:
    prefix = _county_prefix(lead)
    place, person = (lead.place or "").strip(), (lead.reported_person or "").strip()
    phone = normalize_phone(lead.reported_phone)
    postgres = connection.vendor == "postgresql"
    found: dict[tuple[str, int], Candidate] = {}

    def candidate(kind, obj):
        return found.setdefault((kind, obj.pk), Candidate(kind, obj))

    # Exact keys first: a phone or a person's name recorded on a subject, anywhere in the country.
    person_q = Q()
    if phone:
        person_q |= Q(phone_index=blind_index(phone))
    if len(person) >= 2:
        person_q |= Q(name=person)
    if person_q:
        for p in SubjectPerson.objects.filter(person_q).select_related("subject__region")[:MAX_ROWS]:
            c = candidate("subject", p.subject)
            if phone and p.phone_index == blind_index(phone):
                c.add(1.0, f"电话与相关人员{p.name}相同")
            if person and p.name == person:
                c.add(0.6, f"被反映人与相关人员{p.name}同名")
    if len(person) >= 2:
        practitioners = Practitioner.objects.filter(name=person).select_related("institution")
        if prefix:
            practitioners = practitioners.filter(region__code__startswith=prefix[:4])
        for p in practitioners[:50]:
            candidate("practitioner", p).add(0.6, f"被反映人与执业人员{p.name}同名")

    # Places: subjects and institutions near the reported place, ranked by name and address.
    sources = []
    if prefix:
        sources = [
            ("subject", Subject.objects.filter(region__code__startswith=prefix)),
            ("institution", Institution.objects.filter(region__code__startswith=prefix)),
        ]
        if postgres and len(place) >= 3:
            # Only rows that can score: an address similar to the place, or a name found in the text.
            # Scoring every row of a county in Python cost ~100 ms at national size.
            sources = [(kind, _near(qs, place, f"{lead.content} {place}")) for kind, qs in sources]
    elif postgres and len(place) >= 3:
        sources = [
            ("subject", _trigram(Subject.objects.all(), "address", place)),
            ("institution", _trigram(Institution.objects.all(), "address", place)),
        ]
    for kind, queryset in sources:
        for obj in queryset.select_related("region")[:MAX_ROWS]:
            address_score = common_ratio(place, obj.address) if len(place) >= 3 else 0.0
            if address_score >= 0.5:
                candidate(kind, obj).add(address_score, f"地址相近（{address_score:.0%}）")
            if len(obj.name) >= 3 and (obj.name in lead.content or obj.name in place):
                candidate(kind, obj).add(0.8, f"名称“{obj.name}”出现在反映内容中")

    ranked = sorted((c for c in found.values() if c.score >= MIN_SCORE), key=lambda c: -c.score)
    return ranked[:limit]


@dataclass(frozen=True)
class OutsideMatches:
    """What the actor may learn of matches in other jurisdictions: a count and the latest date."""

    count: int = 0
    last_date: dt.date | None = None

    def __bool__(self):
        return self.count > 0

    @property
    def text(self) -> str:
        latest = f"，最近一次 {self.last_date:%Y-%m-%d}" if self.last_date else ""
        return f"其他辖区有 {self.count} 条相关记录{latest}"


def _record_date(obj) -> dt.date | None:
    stamp = getattr(obj, "updated_at", None) or getattr(obj, "created_at", None)
    if stamp is not None:
        return timezone.localdate(stamp)
    return getattr(obj, "found_on", None)


def match_lead_for(*, lead, actor, limit: int = 10) -> tuple[list[Candidate], OutsideMatches]:
    """Matches split by the actor's jurisdiction: those inside are shown in full; of those outside
    only a count and the latest date, and the look-up is audited (SECURITY.md: look-ups outside the
    jurisdiction reveal counts and dates only). Reasons name the matched person, so an outside
    candidate never reaches the page."""
    candidates = match_lead(lead, limit=limit)
    models_by_kind = {"subject": Subject, "institution": Institution, "practitioner": Practitioner}
    visible: set[tuple[str, int]] = set()
    for kind, model in models_by_kind.items():
        pks = [c.obj.pk for c in candidates if c.kind == kind]
        if pks:
            ids = model.objects.visible_to(actor).filter(pk__in=pks).values_list("pk", flat=True)
            visible |= {(kind, pk) for pk in ids}
    inside = [c for c in candidates if (c.kind, c.obj.pk) in visible]
    outside = [c for c in candidates if (c.kind, c.obj.pk) not in visible]
    if not outside:
        return inside, OutsideMatches()
    dates = [d for d in (_record_date(c.obj) for c in outside) if d is not None]
    summary = OutsideMatches(count=len(outside), last_date=max(dates) if dates else None)
    # The count and date only: the audit log must not become a way round the rule above.
    audit.record(
        actor=actor,
        action=AuditAction.REVEAL,
        target=lead,
        region_code=lead.region_id or "",
        after={
            "outside_matches": summary.count,
            "last_date": summary.last_date,
            "kinds": sorted({c.kind for c in outside}),
        },
    )
    return inside, summary
