"""What every document prints about its case or inspection: the unit, the document number, the
party, the officers; and the lookups the kind-specific contexts share (the current proposal, time
limits in words, measures with amounts in figures and 大写).

Contexts hold plain strings, booleans and lists of dicts only: templates run in a sandbox and
never see a model object. Text is cleaned of characters Word cannot store; the renderer escapes
the rest."""

import re

from django.utils import timezone

from . import formatting as fmt

# One word per document kind in its number (吴卫罚告〔2026〕12号). Records (笔录) carry no number.
NUMBER_WORDS = {
    "hold_notice": "登保",
    "hold_decision": "登保决",
    "supervision_opinion": "监意",
    "correction_order": "责改",
    "opening_approval": "罚立",
    "prior_notice": "罚告",
    "hearing_rights": "听告",
    "hearing_notice": "听通",
    "legal_review": "法审",
    "discussion": "集讨",
    "decision": "罚决",
    "no_penalty_decision": "不罚决",
    "demand": "催告",
    "court_application": "强执申",
    "crime_referral": "移送",
    "closing_report": "罚结",
}

# XML 1.0 forbids these; docxtpl would also read \a and \f as paragraph and page breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def text(value) -> str:
    """A value as document text: None → empty, CRLF → LF (a Word line break), no control chars."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))


def clean(context):
    """Apply `text` to every string of a context, in place of the values."""
    if isinstance(context, dict):
        return {key: clean(value) for key, value in context.items()}
    if isinstance(context, list):
        return [clean(value) for value in context]
    if isinstance(context, bool):
        return context
    return text(context)


def person(user) -> str:
    return (user.full_name or user.username) if user else ""


def officers(users) -> str:
    """李爱丽（执法证号32050601001）、王博（执法证号32050601002）"""
    return "、".join(
        f"{person(u)}（执法证号{u.credential_no}）" if u.credential_no else person(u) for u in users
    )


def abbr_of(unit) -> str:
    from ..models import CaseNumbering

    numbering = CaseNumbering.objects.filter(unit=unit).first()
    return numbering.abbr.strip() if numbering and numbering.abbr.strip() else ""


def number_for(kind: str, *, unit, case=None, stored: str = "", on=None) -> str:
    """The document's number: one already written on the record wins; otherwise the unit's 简称, the
    kind's word and the case's year and sequence (blank for the clerk to fill in without a case)."""
    if stored:
        return stored
    word = NUMBER_WORDS.get(kind)
    if word is None:
        return ""
    year, seq = fmt.sequence_of(case.number if case is not None else "")
    if not year:
        year = str((case.opened_on or on).year) if case is not None and (case.opened_on or on) else ""
        if not year and on:
            year = str(on.year)
    return fmt.document_number(abbr=abbr_of(unit), word=word, year=year, seq=seq)


def limit_words(code: str, on) -> str:
    """A time limit as documents write it (五个工作日, 十五日, 六个月), from the rules data in force."""
    from qingyuan.rules.models import LimitUnit, TimeLimit
    from qingyuan.rules.selectors import limit_in_force

    try:
        limit = limit_in_force(code, on or timezone.localdate())
    except TimeLimit.DoesNotExist:
        return ""
    amount = fmt.numeral(limit.amount)
    if limit.unit == LimitUnit.WORKING_DAYS:
        return f"{amount}个工作日"
    if limit.unit == LimitUnit.MONTHS:
        return f"{amount}个月"
    if limit.unit == LimitUnit.HOURS:
        return f"{amount}小时"
    return f"{amount}日"


def due_on(code: str, start):
    from qingyuan.rules.models import TimeLimit

    from .. import deadlines

    if not start:
        return None
    try:
        return deadlines.deadline(code, start)
    except TimeLimit.DoesNotExist:
        return None


def measure_rows(measures) -> list[dict]:
    """Measures (proposed or decided) as rows: kind, amount in figures and 大写, description, and the
    whole measure in one phrase (罚款50,000.00元（人民币伍万元整）)."""
    from ..models import MeasureKind

    rows = []
    for m in measures:
        label = MeasureKind(m.kind).label if m.kind in MeasureKind.values else m.kind
        amount = fmt.money(m.amount) if m.amount is not None else ""
        phrase = label + amount + (f"（{m.description}）" if m.description else "")
        rows.append(
            {
                "kind": label,
                "amount": fmt.figures(m.amount) if m.amount is not None else "",
                "amount_words": fmt.capital(m.amount) if m.amount is not None else "",
                "amount_text": amount,
                "description": m.description,
                "text": phrase,
            }
        )
    return rows


def measures_text(rows) -> str:
    return "；".join(row["text"] for row in rows)


def current_proposal(case):
    """The latest version of the proposed penalty (the one the party was, or will be, told of)."""
    return case.proposals.order_by("-version").prefetch_related("measures").first()


def party(case) -> dict:
    return {
        "name": case.party_name,
        "kind": case.get_party_kind_display(),
        "id_number": case.party_id_number,
        "address": case.party_address or case.subject.address,
    }


def subject_party(subject) -> dict:
    """An inspection's record without a case: the party is the subject inspected."""
    return {"name": subject.name, "kind": "", "id_number": "", "address": subject.address}


def case_part(case) -> dict:
    return {
        "number": case.number or "",
        "title": case.title,
        "source": case.get_source_display(),
        "offence_date": fmt.day(case.offence_date),
        "opened_on": fmt.day(case.opened_on),
        "officers": officers(case.officers.all()),
    }


EMPTY_CASE = {"number": "", "title": "", "source": "", "offence_date": "", "opened_on": "", "officers": ""}


def base(kind: str, *, case=None, inspection=None, stored_number: str = "", on=None) -> dict:
    """Unit, number, case, party and subject for a document of `kind` about a case, or about an
    inspection when there is no case."""
    owner = case if case is not None else inspection
    subject = owner.subject
    return {
        "unit": owner.unit.name,
        "number": number_for(kind, unit=owner.unit, case=case, stored=stored_number, on=on),
        "case": case_part(case) if case is not None else dict(EMPTY_CASE),
        "party": party(case) if case is not None else subject_party(subject),
        "subject": {"name": subject.name, "address": subject.address},
        "today": fmt.day(timezone.localdate()),
    }
