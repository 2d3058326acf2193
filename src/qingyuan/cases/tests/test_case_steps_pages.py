"""The case page's steps as an officer uses them: a refused step comes back with what was typed and the
reason next to the field; step dates start on today; a case proposed from an inspection."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from qingyuan.cases import services
from qingyuan.cases.models import Case, CaseStatus, PenaltyDecision
from qingyuan.inspections import services as inspection_services
from qingyuan.subjects.models import SubjectPerson

from .test_case_data import make_subject, notified, opened, propose


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.QINGYUAN_EVIDENCE_DIR = tmp_path / "evidence"


def _value(page, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


def _decision_post(**changes):
    data = {
        "offence_code": "ZY-01",
        "procedure": "general",
        "decided_on": timezone.localdate().isoformat(),
        "fine": "1",
        "confiscate_income": "3000",
        "confiscate_goods": "输液器3套、头孢曲松钠12支",
        "ban": "on",
        "discretion_reason": "当事人初次违法，主动配合调查",
    }
    data.update(changes)
    return data


def test_a_refused_decision_keeps_what_was_typed_and_names_the_fine(personas, regions, login):
    case = notified(personas, regions, waived=True)
    response = login("chief").post(f"/cases/{case.pk}/actions/decide/", _decision_post())
    page = response.content.decode()
    assert response.status_code == 200
    assert "输液器3套、头孢曲松钠12支" in page
    assert "当事人初次违法，主动配合调查" in page
    assert _value(page, "fine") == "1"
    error = re.search(r'data-error-for="fine">([^<]*)<', page)
    assert error and "罚款金额须在" in error.group(1)
    assert "is-invalid" in re.search(r'<input[^>]*name="fine"[^>]*>', page).group(0)
    assert not PenaltyDecision.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOTIFIED


def test_a_form_error_is_shown_next_to_its_field_in_chinese(personas, regions, login):
    case = notified(personas, regions, waived=True)
    response = login("chief").post(f"/cases/{case.pk}/actions/decide/", _decision_post(fine="-5"))
    page = response.content.decode()
    assert response.status_code == 200
    error = re.search(r'data-error-for="fine">([^<]*)<', page)
    assert error and re.search(r"[\u4e00-\u9fff]", error.group(1))
    assert "当事人初次违法，主动配合调查" in page


def test_a_refusal_without_a_field_is_shown_at_the_top_of_its_form(personas, regions, login):
    case = notified(personas, regions, waived=True)
    post = {k: v for k, v in _decision_post().items() if k in ("offence_code", "procedure", "decided_on")}
    response = login("chief").post(f"/cases/{case.pk}/actions/decide/", post)
    page = response.content.decode()
    assert response.status_code == 200
    form = page[page.index('id="action-decide"') :]
    form = form[: form.index("</form>")]
    assert "请至少选择一种处罚" in form and "alert-danger" in form


def test_a_refused_date_step_is_shown_on_its_own_form(personas, regions, login):
    case = propose(personas, regions)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = login("chief").post(f"/cases/{case.pk}/actions/approve_open/", {"on": tomorrow})
    page = response.content.decode()
    assert response.status_code == 200
    form = page[page.index('id="action-approve_open"') :]
    form = form[: form.index("</form>")]
    assert tomorrow in form and "invalid-feedback" in form
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PROPOSED


def test_step_dates_start_on_today(personas, regions, login):
    today = timezone.localdate().isoformat()
    chief = login("chief")
    page = chief.get(propose(personas, regions).get_absolute_url()).content.decode()
    approve = page[page.index('id="action-approve_open"') :]
    assert _value(approve, "on") == today
    case = notified(personas, regions, waived=True)
    page = chief.get(case.get_absolute_url()).content.decode()
    decide = page[page.index('id="action-decide"') :]
    assert f'value="{today}"' in decide[: decide.index("</form>")]


def test_a_refused_referral_step_comes_back_with_the_input(personas, regions, login):
    case = opened(personas, regions)
    response = login("alice").post(
        f"/cases/{case.pk}/followup/referral_propose/",
        {"target": "police", "target_unit": "", "reason": "涉嫌非法行医罪，移送公安机关"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "涉嫌非法行医罪，移送公安机关" in page and "提请移送" in page
    assert not case.referrals.exists()


# --- proposing a case from an inspection -----------------------------------------------------------


@pytest.fixture
def inspection(personas, regions):
    subject = make_subject(regions["village"])
    SubjectPerson.objects.create(subject=subject, name="张某", id_number="320506198001011234")
    when = timezone.now() - dt.timedelta(days=2)
    found = inspection_services.inspection_record(
        actor=personas["alice"],
        subject=subject,
        kind="overt",
        started_at=when,
        officers=[personas["alice"], personas["bob"]],
        persons_present="张某（经营者）、李某",
        vehicles=1,
        findings="现场有输液器具和药品，无执业许可证。",
        outcome="violation",
    )
    inspection_services.evidence_add(
        actor=personas["alice"],
        subject=subject,
        inspection=found,
        kind="seized",
        description="输液器3套",
        quantity="3套",
        storage_place="局物证室",
    )
    return found


def test_proposing_from_an_inspection_fills_the_form(inspection, login):
    page = login("alice").get(f"/cases/new/?inspection={inspection.pk}").content.decode()
    assert _value(page, "party_name") == "张某"
    assert "现场有输液器具和药品，无执业许可证。" in page
    assert _value(page, "offence_date") == timezone.localtime(inspection.started_at).date().isoformat()
    assert re.search(r'value="ZY-01"[^>]*checked|checked[^>]*value="ZY-01"', page)
    assert "输液器3套" in page and "将关联到本案" in page
    assert inspection.get_absolute_url() in page


def test_the_proposed_case_links_its_inspection_and_evidence(inspection, personas, login):
    alice = login("alice")
    post = {
        "inspection": inspection.pk,
        "source": "inspection",
        "title": "未取得医疗机构执业许可证擅自执业案",
        "party_kind": "citizen",
        "party_name": "张某",
        "offence_date": timezone.localtime(inspection.started_at).date().isoformat(),
        "offence_codes": ["ZY-01"],
        "illegal_income": "0",
        "facts": inspection.findings,
        "officers": [personas["alice"].pk, personas["bob"].pk],
    }
    response = alice.post("/cases/new/", post)
    case = Case.objects.get(inspection=inspection)
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    evidence = inspection.evidence.get()
    assert list(case.evidence.all()) == [evidence]
    assert case.party_person.name == "张某"
    page = alice.get(case.get_absolute_url()).content.decode()
    assert "来源检查" in page and inspection.get_absolute_url() in page
    assert f"/inspections/evidence/{evidence.pk}/" in page


def test_a_second_proposal_from_the_same_inspection_goes_to_the_case(inspection, personas, login):
    case = services.case_propose(
        actor=personas["alice"],
        subject=inspection.subject,
        source="inspection",
        inspection=inspection,
        title="擅自执业案",
        party_kind="citizen",
        party_name="张某",
        offence_date=timezone.localtime(inspection.started_at).date(),
        offence_codes=["ZY-01"],
        illegal_income=Decimal("0"),
        officers=[personas["alice"], personas["bob"]],
    )
    response = login("alice").get(f"/cases/new/?inspection={inspection.pk}", follow=True)
    assert response.redirect_chain[-1][0] == case.get_absolute_url()
    assert "不能重复立案" in response.content.decode()
    with pytest.raises(Exception, match="不能重复立案"):
        services.case_propose(
            actor=personas["alice"],
            subject=inspection.subject,
            source="inspection",
            inspection=inspection,
            title="擅自执业案",
            party_kind="citizen",
            party_name="张某",
            offence_date=timezone.localtime(inspection.started_at).date(),
            offence_codes=["ZY-01"],
            officers=[personas["alice"], personas["bob"]],
        )
    assert Case.objects.filter(inspection=inspection).count() == 1


def test_offences_are_suggested_by_findings_then_by_the_kind_of_subject(inspection):
    from qingyuan.cases import proposal
    from qingyuan.subjects.models import SubjectKind

    offered = {"ZY-01", "YS-01", "MR-01"}
    assert proposal.suggested_codes(inspection, offered) == ["ZY-01"]
    inspection.findings = "店内为顾客注射玻尿酸，属医疗美容，操作人员无医师资格。"
    assert proposal.suggested_codes(inspection, offered) == ["MR-01", "YS-01"]
    inspection.findings = "现场未见异常。"
    inspection.subject.kind = SubjectKind.BEAUTY_SALON
    assert proposal.suggested_codes(inspection, offered) == ["MR-01"]
    assert proposal.present_names("张某（经营者）、李某; 王某") == ["张某", "李某", "王某"]
