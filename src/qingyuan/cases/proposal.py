"""What a proposal (提请立案) can take from the inspection that found the facts: the party, the facts,
the offence date, the offences to suggest and the evidence to attach.

The rules (rules.Offence) map no finding or checklist item to an offence, so the suggestion is made
here: by what the findings and the failed checklist items say, else by the kind of subject. The
officer confirms or changes it on the form; nothing is charged without being ticked there."""

import re

from django.utils import timezone

from qingyuan.subjects.models import SubjectKind

from .models import CaseSource, PartyKind

# Words in the findings or a failed checklist item, and the offence they point to.
FINDING_OFFENCES = (
    ("医疗美容", "MR-01"),
    ("胎儿性别", "LF-01"),
    ("终止妊娠", "LF-02"),
    ("产前诊断", "LF-02"),
    ("广告", "GG-01"),
    ("非卫生技术人员", "ZY-07"),
    ("护士", "HS-01"),
    ("无医师资格", "YS-01"),
    ("非医师", "YS-01"),
    ("未取得医师", "YS-01"),
    ("超范围", "ZY-06"),
    ("超出登记", "ZY-06"),
    ("未备案", "ZY-03"),
    ("许可证", "ZY-01"),
)
# Failing any other finding, what each kind of subject is most often charged with.
KIND_OFFENCES = {
    SubjectKind.UNLICENSED_CLINIC: ("ZY-01",),
    SubjectKind.ITINERANT: ("YS-01",),
    SubjectKind.BEAUTY_SALON: ("MR-01",),
    SubjectKind.WELLNESS: ("ZY-01",),
}
# 在场人员 is free text ("张某（经营者）、李某"): names are split on these and stripped of remarks.
_SEPARATORS = re.compile(r"[、，,；;/\s]+")
_REMARK = re.compile(r"[（(].*?[）)]")


def present_names(text: str) -> list[str]:
    names = []
    for part in _SEPARATORS.split(_REMARK.sub(" ", text or "")):
        part = part.strip()
        if part and part not in names:
            names.append(part)
    return names


def failed_items(inspection) -> list:
    from qingyuan.inspections.models import AnswerResult

    return list(inspection.answers.filter(result=AnswerResult.NO).select_related("item"))


def suggested_codes(inspection, offered: set[str]) -> list[str]:
    """Codes among `offered` (the offences the form lists) that the inspection points to."""
    texts = [inspection.findings or ""]
    texts += [f"{a.item.text} {a.note}" for a in failed_items(inspection)]
    found = []
    for text in texts:
        for word, code in FINDING_OFFENCES:
            if word in text and code in offered and code not in found:
                found.append(code)
    if not found:
        found = [c for c in KIND_OFFENCES.get(inspection.subject.kind, ()) if c in offered]
    return found


def party_person(inspection):
    """The subject's person first named as present at the inspection, if the subject records one."""
    names = present_names(inspection.persons_present)
    if not names:
        return None
    persons = {p.name: p for p in inspection.subject.persons.all()}
    return next((persons[n] for n in names if n in persons), None)


def facts_text(inspection) -> str:
    lines = [inspection.findings.strip()] if inspection.findings.strip() else []
    failed = failed_items(inspection)
    if failed:
        lines.append("检查中不符合的项目：")
        lines += [f"{a.item.text}{f'（{a.note}）' if a.note else ''}" for a in failed]
    return "\n".join(lines)


def initial_from_inspection(inspection, offered: set[str]) -> dict:
    """The proposal form's initial values for a case found by `inspection`."""
    from qingyuan.rules.selectors import offences_in_force

    subject = inspection.subject
    person = party_person(inspection)
    names = present_names(inspection.persons_present)
    initial = {
        "source": CaseSource.INSPECTION,
        "facts": facts_text(inspection),
        "offence_date": timezone.localtime(inspection.started_at).date(),
        "party_address": subject.address,
        # The officers who found it usually take the case; the form offers only the unit's
        # credentialed officers, so anyone else among them is simply not ticked.
        "officers": [officer.pk for officer in inspection.officers.all()],
    }
    if subject.kind == SubjectKind.LICENSED:
        initial.update(party_kind=PartyKind.ORGANISATION, party_name=subject.name)
    else:
        # An unlicensed practice is answered for by the person who runs it, not by the premises.
        name = person.name if person is not None else (names[0] if names else subject.name)
        initial.update(party_kind=PartyKind.CITIZEN, party_name=name)
        if person is not None and person.id_number:
            initial["party_id_number"] = person.id_number
    codes = suggested_codes(inspection, offered)
    if codes:
        initial["offence_codes"] = codes
        names_by_code = {o.code: o.name for o in offences_in_force(initial["offence_date"])}
        if codes[0] in names_by_code:
            initial["title"] = f"{names_by_code[codes[0]]}案"
    return initial
