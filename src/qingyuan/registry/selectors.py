"""Reads of the registry that are more than a filter: licence verification, and list searches."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from .models import (
    Institution,
    InstitutionStatus,
    Practitioner,
    PractitionerStatus,
    normalize_number,
)

# Shorter fragments have no full trigram: a contains-search could not use the trigram index and
# would scan millions of rows, so they match from the start of the name instead.
TRIGRAM_MIN = 3
_NUMBER = re.compile(r"^[0-9A-Z\-]{4,64}$")


@dataclass(frozen=True)
class LicenceMatch:
    """One licensed place or person, with public fields only (licence data is public; ID numbers are not)."""

    kind: str  # "institution" or "practitioner"
    pk: int
    name: str
    number: str
    number_label: str
    category: str
    scope: str
    valid_until: dt.date | None
    status: str
    status_label: str
    is_valid: bool
    region: str
    address: str
    institution_name: str
    institution_licence_no: str
    matched_by: str

    @property
    def kind_label(self) -> str:
        return "医疗机构" if self.kind == "institution" else "执业人员"


def _institution_match(obj: Institution, matched_by: str) -> LicenceMatch:
    status = obj.effective_status
    return LicenceMatch(
        kind="institution",
        pk=obj.pk,
        name=obj.name,
        number=obj.licence_no,
        number_label="诊所备案号" if obj.licence_kind == "filing" else "执业许可证号",
        category=obj.get_category_display(),
        scope=obj.departments,
        valid_until=obj.valid_until,
        status=status,
        status_label=InstitutionStatus(status).label,
        is_valid=status == InstitutionStatus.VALID,
        region=obj.region.full_name,
        address=obj.address,
        institution_name="",
        institution_licence_no="",
        matched_by=matched_by,
    )


def _practitioner_match(obj: Practitioner, matched_by: str) -> LicenceMatch:
    institution = obj.institution
    scope = "：".join(part for part in (obj.practice_category, obj.practice_scope) if part)
    return LicenceMatch(
        kind="practitioner",
        pk=obj.pk,
        name=obj.name,
        number=obj.certificate_no,
        number_label="执业证书编码",
        category=obj.get_kind_display(),
        scope=scope,
        valid_until=None,
        status=obj.status,
        status_label=PractitionerStatus(obj.status).label,
        is_valid=obj.status == PractitionerStatus.VALID,
        region=obj.region.full_name,
        address=institution.address if institution else "",
        institution_name=institution.name if institution else "",
        institution_licence_no=institution.licence_no if institution else "",
        matched_by=matched_by,
    )


def _institutions():
    return Institution.objects.select_related("region").order_by()


def _practitioners():
    # Never load the ID number (nor decrypt it) for a verification answer.
    return (
        Practitioner.objects.select_related("region", "institution")
        .defer("id_number", "id_number_index")
        .order_by()
    )


def verify_licence(query: str, limit: int = 20) -> list[LicenceMatch]:
    """Is this place or person licensed, for what, until when? Searches every region (licences are public).

    A licence or certificate number is looked up exactly first; otherwise names and addresses are
    searched by fragment (trigram index on PostgreSQL), or by prefix for one or two characters.
    """
    text = " ".join((query or "").split())
    if not text:
        return []
    limit = max(1, min(int(limit), 100))
    number = normalize_number(text)
    if _NUMBER.match(number):
        exact = [_institution_match(o, "证号") for o in _institutions().filter(licence_no=number)[:limit]]
        exact += [
            _practitioner_match(o, "证号") for o in _practitioners().filter(certificate_no=number)[:limit]
        ]
        if exact:
            return exact[:limit]
        found = [
            _institution_match(o, "证号")
            for o in _institutions().filter(licence_no__startswith=number)[:limit]
        ]
        found += [
            _practitioner_match(o, "证号")
            for o in _practitioners().filter(certificate_no__startswith=number)[:limit]
        ]
        if found:
            return found[:limit]
    if len(text) >= TRIGRAM_MIN:
        places = _institutions().filter(Q(name__contains=text) | Q(address__contains=text))[:limit]
        people = _practitioners().filter(name__contains=text)[:limit]
    else:
        places = _institutions().filter(name__startswith=text)[:limit]
        people = _practitioners().filter(name__startswith=text)[:limit]
    found = [_institution_match(o, "名称" if text in o.name else "地址") for o in places]
    found += [_practitioner_match(o, "姓名") for o in people]
    # Exact names first, then names that start with the query, then the rest.
    found.sort(key=lambda m: (m.name != text, not m.name.startswith(text)))
    return found[:limit]


def institution_status_q(status: str) -> Q:
    """Filter by status as the verification page shows it: a valid licence past its date counts as 过期."""
    today = timezone.localdate()
    if status == InstitutionStatus.EXPIRED:
        return Q(status=InstitutionStatus.EXPIRED) | Q(status=InstitutionStatus.VALID, valid_until__lt=today)
    if status == InstitutionStatus.VALID:
        return Q(status=InstitutionStatus.VALID) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return Q(status=status)


def registry_search_q(kind: str, text: str) -> Q:
    """The list pages' search box: a name fragment, or the start of a licence/certificate number."""
    text = " ".join((text or "").split())
    number = normalize_number(text)
    if kind == "institution":
        return Q(name__contains=text) | Q(licence_no__startswith=number)
    return Q(name__contains=text) | Q(certificate_no__startswith=number)


def record_history(obj, limit: int = 50) -> list[tuple]:
    """What happened to one registry record, newest first: (audit event, the fields it changed, in Chinese)."""
    from qingyuan.core.models import AuditEvent

    labels = {f.name: str(f.verbose_name) for f in obj._meta.concrete_fields}
    events = AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk)).order_by(
        "-id"
    )
    history = []
    for event in events[:limit]:
        changed = [labels.get(name, name) for name in (event.after or {}) if name not in ("id", "updated_at")]
        history.append((event, "、".join(changed)))
    return history


# --- the public look-up (no account): capped answers, public fields only --------------------------------

PUBLIC_MIN_QUERY = 2
PUBLIC_LIMIT = 20
PUBLIC_LIMIT_MAX = 50
PUBLIC_PRACTITIONERS_PER_INSTITUTION = 200
PUBLIC_MAX_ID = 2**63 - 1  # a larger id in the URL is no row, and SQLite cannot even bind it


def _fragment_q(field: str, text: str) -> Q:
    """A name fragment of three characters or more uses the trigram index; one of two, the start of the name."""
    lookup = "contains" if len(text) >= TRIGRAM_MIN else "startswith"
    return Q(**{f"{field}__{lookup}": text})


def public_institutions(*, q: str = "", licence_no: str = "", region: str = "", limit: int = PUBLIC_LIMIT):
    """Institutions by licence number, name or address fragment, optionally within a region code prefix.

    Returns (rows, more): at most `limit` rows, and whether there were more. No paging: a resident
    narrows the query instead, and an unordered capped query stays fast over millions of rows
    (ordering every match of a common fragment would not)."""
    rows = Institution.objects.select_related("region").order_by()
    if region:
        rows = rows.filter(region__code__startswith=region)
    if licence_no:
        rows = rows.filter(licence_no__startswith=normalize_number(licence_no))
    text = " ".join((q or "").split())
    if text:
        number = normalize_number(text)
        if _NUMBER.match(number):
            by_number = list(rows.filter(licence_no__startswith=number)[: limit + 1])
            if by_number:
                return by_number[:limit], len(by_number) > limit
        rows = rows.filter(_fragment_q("name", text) | _fragment_q("address", text))
    found = list(rows[: limit + 1])
    # Exact names first, then names that start with the query.
    found.sort(key=lambda o: (o.name != text, not o.name.startswith(text)))
    return found[:limit], len(found) > limit


def _public_practitioners():
    # Not even loaded: the ID number and its index, the qualification certificate number.
    return (
        Practitioner.objects.select_related("institution")
        .defer("id_number", "id_number_index", "qualification_no")
        .order_by()
    )


def public_practitioners(*, name: str, institution: str = "", limit: int = PUBLIC_LIMIT):
    """Practitioners by name (its start: a full name or its first characters) and, optionally, a
    fragment of the name of the institution where they are registered. Returns (rows, more)."""
    rows = _public_practitioners().filter(name__startswith=" ".join(name.split()))
    if institution:
        # Among the few people of that name a contains-filter is cheap, even for two characters.
        rows = rows.filter(institution__name__contains=" ".join(institution.split()))
    found = list(rows[: limit + 1])
    found.sort(key=lambda o: (o.name != name, o.name))
    return found[:limit], len(found) > limit


def public_institution_practitioners(institution: Institution):
    """The practitioners registered at one institution, valid ones first; (rows, total)."""
    rows = _public_practitioners().filter(institution=institution)
    capped = list(rows.order_by("name")[:PUBLIC_PRACTITIONERS_PER_INSTITUTION])
    capped.sort(key=lambda p: (not p.is_valid, p.name))
    return capped, rows.count()
