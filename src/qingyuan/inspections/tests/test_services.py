import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.core.models import AuditEvent
from qingyuan.inspections import services
from qingyuan.inspections.checklists import items_for, template_for
from qingyuan.inspections.models import ChecklistAnswer, ChecklistScope, ChecklistTemplate, Inspection
from qingyuan.subjects.models import Subject, SubjectKind


def _record(personas, subject, when, officers, **extra):
    return services.inspection_record(
        actor=personas["alice"],
        subject=subject,
        kind=extra.pop("kind", "overt"),
        started_at=when,
        officers=officers,
        outcome="no_violation",
        **extra,
    )


def test_two_officers_with_credentials_record_an_inspection_with_checklist_and_audit(
    inspection, personas, subject
):
    assert set(inspection.officers.all()) == {personas["alice"], personas["bob"]}
    assert inspection.region == subject.region and inspection.unit == personas["alice"].unit
    assert inspection.answers.count() == 2
    assert inspection.answers.get(result="no").note == "未能出示"
    event = AuditEvent.objects.get(target_type="inspections.inspection", target_id=str(inspection.pk))
    assert event.region_code == subject.region_id
    assert "李爱丽（32050601001）" in event.after["officers"]


def test_one_officer_is_refused_and_nothing_is_saved(personas, subject, when):
    with pytest.raises(ValidationError) as exc:
        _record(personas, subject, when, [personas["alice"]])
    assert "至少2名执法人员" in str(exc.value.message_dict["officers"])
    assert (
        not Inspection.objects.exists()
        and not AuditEvent.objects.filter(target_type="inspections.inspection").exists()
    )


def test_the_same_officer_twice_counts_once(personas, subject, when):
    with pytest.raises(ValidationError, match="至少2名"):
        _record(personas, subject, when, [personas["alice"], personas["alice"]])


def test_an_officer_without_credential_is_refused_by_name(personas, subject, when, rookie):
    with pytest.raises(ValidationError) as exc:
        _record(personas, subject, when, [personas["alice"], rookie])
    assert "刘新没有执法证号" in str(exc.value.message_dict["officers"])
    assert not Inspection.objects.exists()


def test_an_officer_of_the_neighbouring_county_is_refused_by_name(personas, subject, when):
    with pytest.raises(ValidationError) as exc:
        _record(personas, subject, when, [personas["alice"], personas["carol"]])
    assert "陈可的管辖范围不包括" in str(exc.value.message_dict["officers"])
    assert not Inspection.objects.exists() and not ChecklistAnswer.objects.exists()


def test_an_inactive_officer_is_refused(personas, subject, when):
    personas["bob"].is_active = False
    personas["bob"].save()
    with pytest.raises(ValidationError, match="王博的账号已停用"):
        _record(personas, subject, when, [personas["alice"], personas["bob"]])


def test_actor_outside_the_subjects_jurisdiction_cannot_record(personas, xc_subject, when):
    with pytest.raises(PermissionDenied):
        _record(personas, xc_subject, when, [personas["alice"], personas["bob"]])
    assert not Inspection.objects.exists()


def test_clerk_cannot_record_an_inspection(personas, subject, when):
    with pytest.raises(PermissionDenied):
        services.inspection_record(
            actor=personas["clerk"],
            subject=subject,
            kind="overt",
            started_at=when,
            officers=[personas["alice"], personas["bob"]],
        )


def test_a_bad_answer_rolls_everything_back(personas, subject, when, hospital_subject):
    foreign_item = items_for(template_for(hospital_subject))[0]
    with pytest.raises(ValidationError) as exc:
        _record(personas, subject, when, [personas["alice"], personas["bob"]], answers={foreign_item: "yes"})
    assert "不属于该对象适用的检查表" in str(exc.value.message_dict["answers"])
    assert not Inspection.objects.exists()


def test_end_before_start_is_refused(personas, subject, when):
    import datetime as dt

    with pytest.raises(ValidationError) as exc:
        _record(
            personas,
            subject,
            when,
            [personas["alice"], personas["bob"]],
            ended_at=when - dt.timedelta(hours=1),
        )
    assert "不能早于开始时间" in str(exc.value.message_dict["ended_at"])


def test_the_record_keeps_its_region_when_the_subject_moves(inspection, subject, regions, personas):
    Subject.objects.filter(pk=subject.pk).update(region=regions["xc_village"])
    assert Inspection.objects.visible_to(personas["alice"]).filter(pk=inspection.pk).exists()
    assert not Inspection.objects.visible_to(personas["carol"]).filter(pk=inspection.pk).exists()


def test_a_recheck_is_recorded_with_the_kind_given(personas, subject, when):
    recheck = _record(personas, subject, when, [personas["alice"], personas["bob"]], kind="recheck")
    assert recheck.get_kind_display() == "复查"


def test_seeded_checklists_hold_the_18_core_systems_and_the_clinic_items(db):
    hospital = ChecklistTemplate.objects.get(applies_to=ChecklistScope.PRIVATE_HOSPITAL)
    texts = list(hospital.items.values_list("text", flat=True))
    assert len(texts) == 18 and all(t.endswith("制度") for t in texts)
    assert texts[0] == "首诊负责制度" and "信息安全管理制度" in texts
    clinic = ChecklistTemplate.objects.get(applies_to=ChecklistScope.CLINIC)
    assert "静脉输液备案" in clinic.items.values_list("text", flat=True)


@pytest.mark.parametrize(
    ("kind", "scope"),
    [
        (SubjectKind.UNLICENSED_CLINIC, ChecklistScope.CLINIC),
        (SubjectKind.ITINERANT, ChecklistScope.CLINIC),
        (SubjectKind.BEAUTY_SALON, ChecklistScope.BEAUTY_SALON),
        (SubjectKind.WELLNESS, ChecklistScope.WELLNESS),
        (SubjectKind.OTHER, ChecklistScope.CLINIC),  # no "other" checklist seeded: falls back to clinic
    ],
)
def test_checklist_is_chosen_by_subject_kind(regions, kind, scope):
    subject = Subject(name="x", kind=kind, address="y", region=regions["village"])
    assert template_for(subject).applies_to == scope


def test_a_licensed_hospital_gets_the_core_systems_and_a_licensed_clinic_the_clinic_list(hospital_subject):
    assert template_for(hospital_subject).applies_to == ChecklistScope.PRIVATE_HOSPITAL
    hospital_subject.institution.category = "outpatient"
    assert template_for(hospital_subject).applies_to == ChecklistScope.CLINIC


def test_a_deactivated_checklist_is_no_longer_offered(subject):
    ChecklistTemplate.objects.filter(applies_to=ChecklistScope.CLINIC).update(active=False)
    assert template_for(subject) is None
