"""Writing a checked ledger: one transaction, bulk inserts per kind of record, one audit row per
record created (and per earlier record changed), and the LedgerImport row naming the file.

Imported records are the ones the forms count (FORMS.md), filled the way the forms read them:
an inspection's date and 出动人次, a decision's measures and amounts, a referral's transfer date,
a judgment's date and its criminally liable persons, a case's 立案 and 录入全国信息系统 dates.
What a ledger does not hold is filled from the importing officer (unit, recorder, approver), and
every record carries the import mark (历史台账导入（文件名）) in its notes, facts or findings, for
officers to read. The ledger's own keys (对象编号, 案件编号) are LedgerKey rows, not text: later
ledgers find the records by them however the text is edited.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from qingyuan.campaigns.models import MediaReport, OutreachEvent
from qingyuan.cases import crime, crime_matches
from qingyuan.cases.deadlines import first_decide_due, open_due
from qingyuan.cases.models import (
    AccountablePerson,
    Case,
    CaseOffence,
    CaseSource,
    CaseStatus,
    Judgment,
    LiabilityKind,
    MeasureKind,
    PenaltyDecision,
    PenaltyMeasure,
    Recheck,
    RecheckKind,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    ReferralTarget,
)
from qingyuan.cases.workflow import CASE_WORKFLOW, OPEN_STATES
from qingyuan.core import audit
from qingyuan.core.crypto import blind_index
from qingyuan.core.models import AuditEvent
from qingyuan.inspections.models import Inspection, InspectionKind
from qingyuan.regions.models import LocationType, Unit
from qingyuan.rules.selectors import time_limits_preloaded
from qingyuan.subjects.models import PersonRole, Subject, SubjectPerson, SubjectStatus

from ..models import LedgerImport, LedgerKey, LedgerKeyKind
from .checking import CaseRef, Checked, Row, SubjectRef, import_mark
from .columns import MEDIA, SHEETS

MEASURES = {
    "warning": MeasureKind.WARNING,
    "fine": MeasureKind.FINE,
    "confiscate_income": MeasureKind.CONFISCATE_INCOME,
    "confiscate_goods": MeasureKind.CONFISCATE_GOODS,
    "ban": MeasureKind.BAN,
}
REFERRAL_STATUS = {
    ReferralOutcome.ACCEPTED: ReferralStatus.ACCEPTED,
    ReferralOutcome.REFUSED: ReferralStatus.REFUSED,
}
# Ledgers give days; an event is put at 09:00 of its day in the platform's time zone, so that the
# forms' day boundaries (Asia/Shanghai) place it on that day.
EVENT_HOUR = 9


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(EVENT_HOUR), tzinfo=timezone.get_current_timezone())


def earlier_import_of(sha256: str) -> LedgerImport | None:
    return LedgerImport.objects.filter(sha256=sha256).select_related("unit", "imported_by").first()


def refuse_same_file(sha256: str) -> None:
    """The check before writing; the constraint on LedgerImport.sha256 stands behind it."""
    earlier = earlier_import_of(sha256)
    if earlier is not None:
        raise ValidationError([already_imported(earlier)])


def already_imported(earlier: LedgerImport) -> str:
    who = earlier.imported_by.full_name or earlier.imported_by.username
    return (
        f"该文件已于{timezone.localtime(earlier.imported_at):%Y-%m-%d %H:%M}由{earlier.unit}{who}导入"
        f"（文件名“{earlier.file_name}”，导入记录#{earlier.pk}），同一文件不能重复导入"
    )


class Writer:
    def __init__(self, checked: Checked, *, actor, file_name: str, sha256: str):
        self.rows = checked.rows
        self.warnings = checked.warnings
        self.filled = checked.filled
        self.actor = actor
        self.unit = actor.unit
        self.file_name = file_name
        self.sha256 = sha256
        self.mark = import_mark(file_name)
        self.created: list[tuple[object, str, str]] = []  # (record, repr, region code)
        self.keys: list[LedgerKey] = []
        self.changed: list[tuple[object, dict, str]] = []  # (record, snapshot before, region code)
        self.imported_cases: list[Case] = []  # audited by the workflow step, not in `created`
        self.decided_earlier: list[Case] = []  # cases of earlier imports this file decides
        self.required: dict[dt.date, int] = {}  # CRIME_PRIOR_PENALTIES by offence date

    # -- references ----------------------------------------------------------------------------

    @staticmethod
    def subject(ref: SubjectRef) -> Subject:
        return ref.obj if ref.obj is not None else ref.row.refs["record"]

    @staticmethod
    def case(ref: CaseRef) -> Case:
        return ref.obj if ref.obj is not None else ref.row.refs["record"]

    def _add(self, model, records: list, describe, region_of) -> list:
        if records:
            model.objects.bulk_create(records, batch_size=500)
        self.created.extend((r, describe(r), region_of(r)) for r in records)
        return records

    def _change(self, record, fields: dict, region_code: str) -> None:
        before = audit.snapshot(record)
        for name, value in fields.items():
            setattr(record, name, value)
        record.save(update_fields=[*fields, "updated_at"])
        self.changed.append((record, before, region_code))

    # -- the records ---------------------------------------------------------------------------

    def run(self) -> LedgerImport:
        # Two officers of one unit importing at once: the second waits, then sees the first's
        # LedgerImport (same file refused). Officers of two units are not serialised here: the
        # unique constraints (file, key per county) stop the second, whose transaction rolls back.
        Unit.objects.select_for_update().filter(pk=self.unit.pk).first()
        refuse_same_file(self.sha256)
        # The import row first: its keys point to it, and a twin import of the same file meets the
        # constraint here, before writing anything else.
        self.record = LedgerImport.objects.create(
            unit=self.unit,
            region=self.unit.region,
            file_name=self.file_name,
            sha256=self.sha256,
            counts={s.name: len(self.rows[s.key]) for s in SHEETS if self.rows[s.key]},
            imported_by=self.actor,
        )
        self.write_subjects(banned=self._banned_subject_rows())
        inspections = self.write_inspections()
        self.write_cases()
        self.write_decisions()
        police = self.write_referrals()
        self.write_judgments(police)
        self.write_lookbacks(inspections)
        self.write_outreach()
        self.check_crimes()
        LedgerKey.objects.bulk_create(self.keys, batch_size=500)
        self._audit(self.record)
        # For the result the caller shows (job page, command); the audit row keeps them too.
        self.record.warnings = self.warnings
        return self.record

    def _key(self, kind: str, key: str, record) -> None:
        self.keys.append(
            LedgerKey(
                ledger_import=self.record,
                kind=kind,
                key=key,
                county_id=LedgerKey.county_of(record.region_id),
                **{kind: record},
            )
        )

    def _banned_subject_rows(self) -> set[int]:
        """Rows of 监管对象 whose site a decision of this ledger bans (取缔): they are 已取缔."""
        banned = set()
        for row in self.rows["decisions"]:
            case_ref: CaseRef = row.refs["case_key"]
            if not row.values["ban"]:
                continue
            subject_ref = case_ref.row.refs["subject"] if case_ref.row is not None else None
            if subject_ref is not None and subject_ref.row is not None:
                banned.add(id(subject_ref.row))
        return banned

    def write_subjects(self, *, banned: set[int]) -> None:
        subjects = []
        for row in self.rows["subjects"]:
            v, region = row.values, row.refs["region"]
            subject = Subject(
                name=v["name"],
                kind=v["kind"],
                address=v["address"],
                region=region,
                # Subject.save() would derive it; bulk_create does not call save().
                location_type=v["location_type"] or region.default_location_type or LocationType.RURAL,
                practice_content=v["practice_content"],
                institution_type=v["institution_type"],
                border_area=v["border_area"],
                needs_joint_action=v["needs_joint_action"],
                status=SubjectStatus.BANNED if id(row) in banned else SubjectStatus.ACTIVE,
                notes=self._subject_notes(row),
                found_on=v["found_on"],
            )
            row.refs["record"] = subject
            subjects.append(subject)
        self._add(Subject, subjects, str, lambda s: s.region_id)
        for row in self.rows["subjects"]:
            self._key(LedgerKeyKind.SUBJECT, row.values["key"], row.refs["record"])
        persons = [
            SubjectPerson(subject=row.refs["record"], name=row.values["operator"], role=PersonRole.OPERATOR)
            for row in self.rows["subjects"]
            if row.values["operator"]
        ]
        self._add(SubjectPerson, persons, str, lambda p: p.subject.region_id)

    def _subject_notes(self, row: Row) -> str:
        stated = row.refs.get("stated_found_on")
        if stated is None:
            return self.mark
        return (
            f"{self.mark}；台账所填发现日期{stated:%Y-%m-%d}晚于该对象最早的检查或立案日期，"
            f"按{row.values['found_on']:%Y-%m-%d}登记"
        )

    def write_inspections(self) -> dict[tuple[int, dt.date], Inspection]:
        inspections, lookbacks = [], {}
        for row in self.rows["inspections"]:
            v = row.values
            subject = self.subject(row.refs["subject"])
            inspection = Inspection(
                kind=v["kind"],
                started_at=at(v["day"]),
                subject=subject,
                region_id=subject.region_id,
                unit=self.unit,
                officer_count=v["officer_count"],
                vehicles=v["vehicles"],
                findings=self.mark,
                outcome=v["outcome"],
                recorded_by=self.actor,
            )
            inspections.append(inspection)
            if v["kind"] == InspectionKind.LOOKBACK:
                lookbacks[(subject.pk, v["day"])] = inspection
        self._add(Inspection, inspections, str, lambda i: i.region_id)
        return lookbacks

    @staticmethod
    def _status(row: Row, *, decided: bool, to_police: bool) -> str:
        """Where the ledger leaves the case: 结案, else 已决定, else 已移送 (police), else 调查取证."""
        if row.values["closed_on"]:
            return CaseStatus.CLOSED
        if decided:
            return CaseStatus.DECIDED
        if to_police:
            return CaseStatus.TRANSFERRED
        return CaseStatus.INVESTIGATING

    def write_cases(self) -> None:
        """Each case enters through the case workflow's `import` step, in the state the ledger leaves
        it: the step checks the permission, writes the case's timeline event and its audit row (the
        ledger key in the note), exactly as for a case entered by hand. The crime check follows in
        `check_crimes`, once the ledger's decisions are written."""
        decided_on = {
            id(r.refs["case_key"].row): r.values["decided_on"]
            for r in self.rows["decisions"]
            if r.refs["case_key"].row is not None
        }
        to_police = {
            id(r.refs["case_key"].row)
            for r in self.rows["referrals"]
            if r.values["target"] == ReferralTarget.POLICE and r.refs["case_key"].row is not None
        }
        with time_limits_preloaded():
            # Stored as the services store them (cases.services): the ledger's 立案 date stands for the
            # day the facts were checked, so the opening clock is met, and the 90-day clock runs from it.
            days = {r.values["opened_on"] for r in self.rows["cases"]}
            open_dues = {day: open_due(day) for day in days}
            decide_dues = {day: first_decide_due(day) for day in days}
        cases = []
        for row in self.rows["cases"]:
            v = row.values
            subject = self.subject(row.refs["subject"])
            id_number = v["party_id_number"] or ""
            case = Case(
                number=v["number"] or None,
                unit=self.unit,
                region_id=subject.region_id,
                subject=subject,
                source=CaseSource.DIRECT,
                title=v["title"],
                facts=self.mark,
                party_kind=v["party_kind"],
                party_name=v["party_name"],
                party_id_number=id_number,
                party_id_index=blind_index(id_number),
                # Ledgers do not record the day of the act; the day of 立案 stands for it, and picks
                # the version of the rule in force (rules.models.Offence).
                offence_date=v["opened_on"],
                checked_on=v["opened_on"],
                open_due=open_dues[v["opened_on"]],
                proposed_by=self.actor,
                opened_on=v["opened_on"],
                opened_by=self.actor,
                decide_due=decide_dues[v["opened_on"]],
                national_entry_on=v["national_entry_on"],
                decided_on=decided_on.get(id(row)),
                closed_on=v["closed_on"],
            )
            row.refs["record"] = case
            cases.append(case)
        # The crime check against the history already in the platform, stored by the import step
        # itself (one timeline event and audit row per case, not two); `check_crimes` judges again
        # once this file's own decisions are written.
        earlier = crime_matches.pool(cases)
        for row, case in zip(self.rows["cases"], cases, strict=True):
            result = crime.evaluate(case, candidates=earlier, reviews={}, required=self._required(case))
            case.crime_suspected, case.crime_reasons = result.suspected, result.reasons
            CASE_WORKFLOW.apply(
                case,
                "import",
                actor=self.actor,
                to=self._status(row, decided=id(row) in decided_on, to_police=id(row) in to_police),
                note=f"{self.mark}；台账案件编号 {row.values['key']}",
            )
            self.imported_cases.append(case)
        for row in self.rows["cases"]:
            self._key(LedgerKeyKind.CASE, row.values["key"], row.refs["record"])

    def _required(self, case: Case) -> int:
        day = case.offence_date
        if day not in self.required:
            self.required[day] = crime.required_priors(case)
        return self.required[day]

    def check_crimes(self) -> None:
        """解释 第2条(4) for every case the ledger touches: its own cases, whose earlier penalties may
        be in this very file, and the open cases of the same parties, which the imported penalties may
        make a repeat offence. crime_refresh writes (event, audit, the leaders told) only where the
        judgment changed."""
        imported = {c.pk for c in self.imported_cases}
        earlier = crime_matches.pool(self.imported_cases)
        for case in self.imported_cases:
            result = crime.evaluate(case, candidates=earlier, reviews={}, required=self._required(case))
            if (result.suspected, result.reasons) != (case.crime_suspected, case.crime_reasons):
                crime.crime_refresh(case=case, actor=self.actor, assessment=result)
        # Parties with a penalty in this file: its own cases', and earlier cases it gave a decision.
        penalised = [*self.imported_cases, *self.decided_earlier]
        indexes = {c.party_id_index for c in penalised if c.party_id_index}
        names = {c.party_name for c in penalised}
        others = (
            Case.objects.filter(status__in=OPEN_STATES)
            .filter(Q(party_id_index__in=indexes) | Q(party_name__in=names))
            .exclude(pk__in=imported)
        )
        for case in others:
            crime.crime_refresh(case=case, actor=self.actor)

    def write_decisions(self) -> None:
        decisions, measures, offences, banned = [], [], [], set()
        for row in self.rows["decisions"]:
            v, ref = row.values, row.refs["case_key"]
            case = self.case(ref)
            decision = PenaltyDecision(
                case=case,
                offence=row.refs["offence"],
                decided_on=v["decided_on"],
                decided_by=self.actor,
                discretion_reason=self.mark,
            )
            decisions.append(decision)
            offences.append(CaseOffence(case=case, offence=row.refs["offence"], applied=True))
            for key, kind in MEASURES.items():
                value = v[key]
                if value:
                    amount = None if value is True else value
                    measures.append(PenaltyMeasure(decision=decision, kind=kind, amount=amount))
            if ref.obj is not None:
                if case.status in CASE_WORKFLOW.transitions["import_decision"].sources:
                    CASE_WORKFLOW.apply(
                        case,
                        "import_decision",
                        actor=self.actor,
                        changes={"decided_on": v["decided_on"]},
                        note=f"历史台账导入（{self.file_name}）",
                    )
                else:
                    # Already decided or further on: only the date comes from the ledger.
                    self._change(case, {"decided_on": v["decided_on"]}, case.region_id)
                self.decided_earlier.append(case)
                subject = case.subject
                if v["ban"] and subject.status != SubjectStatus.BANNED and subject.pk not in banned:
                    banned.add(subject.pk)
                    self._change(subject, {"status": SubjectStatus.BANNED}, subject.region_id)
        self._add(
            PenaltyDecision, decisions, lambda d: f"{_case_name(d.case)} 处罚决定", lambda d: d.case.region_id
        )
        self._add(
            CaseOffence,
            offences,
            lambda o: f"{_case_name(o.case)} {o.offence.code}",
            lambda o: o.case.region_id,
        )
        self._add(PenaltyMeasure, measures, str, lambda m: m.decision.case.region_id)

    def write_referrals(self) -> dict[int, list[Referral]]:
        referrals, police = [], {}
        for row in self.rows["referrals"]:
            v = row.values
            case = self.case(row.refs["case_key"])
            referral = Referral(
                case=case,
                target=v["target"],
                target_unit=v["target_unit"],
                reason=self.mark,
                proposed_on=v["day"],
                approved_on=v["day"],
                approved_by=self.actor,
                transferred_at=at(v["day"]),
                outcome=v["outcome"],
                # The referral's state as its dates and outcome show it (cases.referrals): a ledger
                # records referrals already made, so they enter as 已移送 or with the body's answer.
                status=REFERRAL_STATUS.get(v["outcome"], ReferralStatus.TRANSFERRED),
                created_by=self.actor,
            )
            referrals.append(referral)
            if v["target"] == ReferralTarget.POLICE:
                police.setdefault(case.pk, []).append(referral)
        self._add(Referral, referrals, str, lambda r: r.case.region_id)
        return police

    def write_judgments(self, police: dict[int, list[Referral]]) -> None:
        judgments, persons = [], []
        for row in self.rows["judgments"]:
            v = row.values
            case = self.case(row.refs["case_key"])
            # The court judged what the police received: the last referral to them before the judgment.
            before = [r for r in police.get(case.pk, []) if r.transferred_at <= at(v["judged_on"])]
            judgment = Judgment(
                case=case,
                referral=max(before, key=lambda r: r.transferred_at) if before else None,
                court=v["court"],
                judged_on=v["judged_on"],
                verdict=v["verdict"],
                recorded_by=self.actor,
            )
            judgments.append(judgment)
            persons.extend(
                AccountablePerson(
                    case=case,
                    judgment=judgment,
                    name=name,
                    liability=LiabilityKind.CRIMINAL,
                    outcome=v["verdict"][:300],
                    recorded_by=self.actor,
                )
                for name in v["persons"]
            )
        self._add(Judgment, judgments, str, lambda j: j.case.region_id)
        self._add(AccountablePerson, persons, str, lambda p: p.case.region_id)

    def write_lookbacks(self, inspections: dict[tuple[int, dt.date], Inspection]) -> None:
        rechecks, relinked = [], []
        for row in self.rows["lookbacks"]:
            v = row.values
            original = self.case(row.refs["case_key"])
            new_ref: CaseRef | None = row.refs.get("new_case_key")
            new_case = self.case(new_ref) if new_ref is not None else None
            rechecks.append(
                Recheck(
                    kind=RecheckKind.LOOKBACK,
                    case=original,
                    subject=original.subject,
                    region_id=original.region_id,  # the county whose register this is
                    due_on=v["done_on"],
                    inspection=inspections.get((original.subject_id, v["done_on"])),
                    result=v["result"],
                    new_case=new_case,
                    done_on=v["done_on"],
                )
            )
            if new_case is None:
                continue
            if new_ref.obj is None:
                new_case.earlier_case = original
                relinked.append(new_case)
            elif new_case.earlier_case_id != original.pk:
                self._change(new_case, {"earlier_case": original}, new_case.region_id)
        if relinked:
            Case.objects.bulk_update(relinked, ["earlier_case"], batch_size=500)
        self._add(Recheck, rechecks, str, lambda r: r.subject.region_id)

    def write_outreach(self) -> None:
        events, reports = [], []
        for row in self.rows["outreach"]:
            v, region = row.values, row.refs["region"]
            if v["kind"] == MEDIA:
                reports.append(
                    MediaReport(
                        region=region,
                        published_on=v["day"],
                        outlet=v["outlet"],
                        title=v["title"],
                        count=v["amount"],
                        recorded_by=self.actor,
                    )
                )
            else:
                events.append(
                    OutreachEvent(
                        region=region,
                        held_on=v["day"],
                        title=v["title"],
                        people_reached=v["amount"],
                        recorded_by=self.actor,
                    )
                )
        self._add(OutreachEvent, events, str, lambda e: e.region_id)
        self._add(MediaReport, reports, str, lambda r: r.region_id)

    def _audit(self, record: LedgerImport) -> None:
        # The key is part of what the import wrote for a subject or case: its audit row says so.
        keys = {(k.kind, (k.subject or k.case).pk): k.key for k in self.keys}
        kinds = {Subject: LedgerKeyKind.SUBJECT, Case: LedgerKeyKind.CASE}
        entries = []
        for obj, text, region in self.created:
            after = {**audit.snapshot(obj), "ledger_import": self.file_name}
            key = keys.get((kinds.get(type(obj)), obj.pk))
            if key is not None:
                after["ledger_key"] = key
            entries.append(
                {
                    "action": audit.AuditAction.IMPORT,
                    "target_type": obj._meta.label_lower,
                    "target_id": obj.pk,
                    "target_repr": text[:200],
                    "region_code": region,
                    "after": after,
                }
            )
        for obj, before, region in self.changed:
            b, a = audit.diff(before, audit.snapshot(obj))
            entries.append(
                {
                    "action": audit.AuditAction.UPDATE,
                    "target_type": obj._meta.label_lower,
                    "target_id": obj.pk,
                    "target_repr": str(obj)[:200],
                    "region_code": region,
                    "before": b,
                    "after": a,
                }
            )
        entries.append(
            {
                "action": audit.AuditAction.CREATE,
                "target_type": record._meta.label_lower,
                "target_id": record.pk,
                "target_repr": str(record)[:200],
                "region_code": record.region_id,
                "after": {
                    "file_name": record.file_name,
                    "sha256": record.sha256,
                    "counts": record.counts,
                    "warnings": self.warnings,
                    "found_on_filled": self.filled,
                },
            }
        )
        audit.record_many(entries, actor=self.actor)


def import_warnings(record: LedgerImport) -> list[str]:
    """The warnings of an import: kept on the record the import returned, else read from its audit
    row (the detail page, any time later)."""
    if hasattr(record, "warnings"):
        return record.warnings
    row = (
        AuditEvent.objects.filter(
            action=audit.AuditAction.CREATE, target_type=record._meta.label_lower, target_id=str(record.pk)
        )
        .values_list("after", flat=True)
        .first()
    )
    return list((row or {}).get("warnings") or [])


def _case_name(case: Case) -> str:
    return case.number or case.title
