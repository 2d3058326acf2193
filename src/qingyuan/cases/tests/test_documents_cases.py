"""The documents officers serve, each rendered at the step where it is served and read back field by
field; hostile text printed exactly; numbers with the unit's 简称; templates checked at upload.

Cases are brought to a state by writing the step's rows directly (PenaltyProposal, PenaltyDecision…),
so these tests do not depend on how the steps' services record them."""

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingyuan.cases import documents
from qingyuan.cases.documents import samples
from qingyuan.cases.models import (
    CaseNumbering,
    CaseStatus,
    DecisionKind,
    Demand,
    Discretion,
    DocumentKind,
    DocumentTemplate,
    Hearing,
    LegalReview,
    MeasureKind,
    PenaltyDecision,
    PenaltyMeasure,
    PenaltyProposal,
    ProposedMeasure,
    StatementRecord,
)
from qingyuan.core.models import AuditEvent
from qingyuan.rules.selectors import offence_in_force

from .test_case_data import opened

TODAY = dt.date(2026, 11, 23)
HOSTILE = "华康&仁爱诊所<18岁>\"'𠮷"
HOSTILE_FACTS = "经查，当事人</w:t><w:t>x 为<18岁>患者输液。\n次日又为两名村民&家属注射。"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _aware(day, hour=9, minute=0):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def abbr(units):
    return CaseNumbering.objects.create(unit=units["wuzhong"], abbr="吴")


@pytest.fixture
def case(personas, regions, abbr):
    return opened(personas, regions)


def propose_penalty(case, personas, *, hearing_right=True, measures=True, status=CaseStatus.REVIEW, **fields):
    proposal = PenaltyProposal.objects.create(
        case=case,
        offence=offence_in_force("ZY-01", case.offence_date),
        facts=fields.pop("facts", "经查，当事人在金星村家中开设诊所，为村民输液，违法所得3,000元。"),
        discretion=fields.pop("discretion", Discretion.LIGHTER),
        discretion_reason=fields.pop("discretion_reason", "当事人初次违法，主动停止违法行为"),
        discretion_basis=fields.pop("discretion_basis", "行政处罚法 第32条"),
        hearing_right=hearing_right,
        created_by=personas["alice"],
        **fields,
    )
    if measures:
        ProposedMeasure.objects.create(proposal=proposal, kind=MeasureKind.FINE, amount=Decimal("100000.50"))
        ProposedMeasure.objects.create(
            proposal=proposal, kind=MeasureKind.CONFISCATE_INCOME, amount=Decimal("3000")
        )
        ProposedMeasure.objects.create(proposal=proposal, kind=MeasureKind.BAN)
    type(case).objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return proposal


def decide(case, personas, *, kind=DecisionKind.PENALTY, status=CaseStatus.DECIDED):
    proposal = case.proposals.order_by("-version").first() or propose_penalty(case, personas)
    decision = PenaltyDecision.objects.create(
        case=case,
        kind=kind,
        proposal=proposal,
        offence=proposal.offence,
        decided_on=dt.date(2026, 8, 20),
        decided_by=personas["chief"],
        discretion=proposal.discretion if kind == DecisionKind.PENALTY else Discretion.NONE,
        discretion_reason="违法行为轻微并及时改正，没有造成危害后果"
        if kind == DecisionKind.NO_PENALTY
        else "",
        discretion_basis="行政处罚法 第33条第1款" if kind == DecisionKind.NO_PENALTY else "",
    )
    if kind == DecisionKind.PENALTY:
        PenaltyMeasure.objects.create(decision=decision, kind=MeasureKind.FINE, amount=Decimal("10005"))
        PenaltyMeasure.objects.create(
            decision=decision, kind=MeasureKind.CONFISCATE_INCOME, amount=Decimal("3000")
        )
    type(case).objects.filter(pk=case.pk).update(status=status, decided_on=decision.decided_on)
    case.refresh_from_db()
    return decision


def render(case, kind, personas, **kwargs):
    return text_of(documents.document_render(actor=personas["alice"], kind=kind, case=case, **kwargs).content)


# --- 事先告知书 -------------------------------------------------------------------------------------


def test_prior_notice_on_a_case_in_review_prints_the_proposed_measures_in_figures_and_capitals(
    personas, case
):
    propose_penalty(case, personas)
    text = render(case, "prior_notice", personas)
    assert "吴卫罚告〔2026〕1号" in text
    assert "拟对你（单位）作出如下行政处罚：" in text
    assert "（一）罚款100,000.50元（人民币壹拾万元零伍角）；" in text
    assert "（二）没收违法所得3,000.00元（人民币叁仟元整）；" in text
    assert "（三）取缔/责令停止执业活动。" in text
    assert (
        "《中华人民共和国基本医疗卫生与健康促进法》第九十九条第一款、《医疗机构管理条例》第四十三条第一款"
        in text
    )
    assert "依据《中华人民共和国行政处罚法》第三十二条" not in text  # 鉴于…根据…
    assert "根据《中华人民共和国行政处罚法》第三十二条的规定，依法从轻处罚。" in text
    assert "为村民输液" in text
    # The broken wording of old is gone.
    assert "你（单位）经现场检查" not in text


def test_prior_notice_is_refused_when_the_proposal_lists_no_measures(personas, case, login):
    propose_penalty(case, personas, measures=False)
    assert DocumentKind.PRIOR_NOTICE not in documents.available_kinds(case)
    response = login("alice").get(f"/cases/{case.pk}/documents/prior_notice/")
    assert response.status_code == 409
    assert "须先补充拟处罚措施" in response.content.decode()


def test_prior_notice_before_a_proposal_names_the_step_to_record_first(personas, case, login):
    assert DocumentKind.PRIOR_NOTICE not in documents.available_kinds(case)
    response = login("alice").get(f"/cases/{case.pk}/documents/prior_notice/")
    assert response.status_code == 409
    assert "须先记录拟处罚意见" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export", target_id=str(case.pk)).exists()


def test_prior_notice_waits_for_the_case_to_reach_review(personas, case, login):
    propose_penalty(case, personas, status=CaseStatus.INVESTIGATING)
    response = login("alice").get(f"/cases/{case.pk}/documents/prior_notice/")
    assert response.status_code == 409 and "合议审理" in response.content.decode()


def test_hearing_right_is_told_only_when_due(personas, case):
    proposal = propose_penalty(case, personas, hearing_right=True)
    text = render(case, "prior_notice", personas)
    assert "有权进行陈述和申辩" in text and "有权要求举行听证" in text
    assert DocumentKind.HEARING_RIGHTS in documents.available_kinds(case)

    PenaltyProposal.objects.filter(pk=proposal.pk).update(hearing_right=False)
    text = render(case, "prior_notice", personas)
    assert "有权进行陈述和申辩" in text and "听证" not in text
    assert DocumentKind.HEARING_RIGHTS not in documents.available_kinds(case)


def test_statement_window_counts_working_days_from_the_notice(personas, case):
    # Served Monday 3 August 2026: five working days end Monday 10 August.
    propose_penalty(case, personas, notified_on=dt.date(2026, 8, 3), status=CaseStatus.NOTIFIED)
    text = render(case, "prior_notice", personas)
    assert "收到本告知书之日起五个工作日内（即2026年8月10日前）" in text
    assert "2026年8月3日" in text  # dated the day it was served


def test_the_current_proposal_is_the_one_printed(personas, case):
    propose_penalty(case, personas)
    second = PenaltyProposal.objects.create(
        case=case,
        version=2,
        offence=offence_in_force("ZY-01", case.offence_date),
        facts="补充调查后查明的事实。",
        created_by=personas["alice"],
    )
    ProposedMeasure.objects.create(proposal=second, kind=MeasureKind.FINE, amount=Decimal("60000"))
    text = render(case, "prior_notice", personas)
    assert "补充调查后查明的事实" in text and "60,000.00元（人民币陆万元整）" in text
    assert "100,000.50" not in text


def test_hearing_rights_notice_lists_measures_and_five_days(personas, case):
    propose_penalty(case, personas)
    text = render(case, "hearing_rights", personas)
    assert "吴卫听告〔2026〕1号" in text and "罚款100,000.50元（人民币壹拾万元零伍角）" in text
    assert "五个工作日内" in text and "第六十三条、第六十四条" in text


# --- 决定书 ------------------------------------------------------------------------------------------


def test_decision_prints_facts_basis_measures_payment_surcharge_and_remedies(personas, case):
    decide(case, personas)
    assert DocumentKind.DECISION in documents.available_kinds(case)
    assert DocumentKind.NO_PENALTY_DECISION not in documents.available_kinds(case)
    text = render(case, "decision", personas)
    assert "吴卫罚决〔2026〕1号" in text
    assert "当事人：张三（公民）" in text and "320506198001011234" in text
    assert "为村民输液" in text
    assert "当事人在法定期限内未提出陈述、申辩意见，也未申请听证。" in text
    assert "构成未取得《医疗机构执业许可证》擅自执业" in text
    assert "（一）罚款10,005.00元（人民币壹万零伍元整）；" in text
    assert "（二）没收违法所得3,000.00元（人民币叁仟元整）。" in text
    assert "收到本决定书之日起十五日内" in text and "13,005.00元（人民币壹万叁仟零伍元整）" in text
    assert "第七十二条第一款第一项" in text and "百分之三加处罚款" in text
    assert "六十日内依法申请行政复议" in text and "六个月内依法向人民法院提起行政诉讼" in text
    assert "2026年8月20日" in text and "（印章）" in text and "当事人签收" in text


def test_decision_states_how_the_statement_and_hearing_were_handled(personas, case):
    decide(case, personas)
    statement = StatementRecord.objects.create(
        case=case,
        taken_at=_aware(dt.date(2026, 8, 5), 14),
        place="吴中区卫生监督所",
        speaker="张三",
        content="家庭困难，请求从轻。",
        adoption=StatementRecord.Adoption.PARTLY,
        adoption_reason="初次违法属实",
        recorded_by=personas["alice"],
    )
    statement.officers.set([personas["alice"]])
    Hearing.objects.create(
        case=case,
        requested_on=dt.date(2026, 8, 6),
        held_on=dt.date(2026, 8, 14),
        recorded_by=personas["alice"],
    )
    text = render(case, "decision", personas)
    assert (
        "当事人于2026年8月5日提出陈述、申辩意见，本机关经复核，决定部分采纳，理由是：初次违法属实。" in text
    )
    assert "本机关于2026年8月14日依法举行了听证。" in text
    assert "未提出陈述、申辩" not in text


def test_no_penalty_decision_gives_reason_and_basis(personas, case):
    propose_penalty(case, personas, measures=False, discretion=Discretion.NONE)
    decide(case, personas, kind=DecisionKind.NO_PENALTY)
    kinds = documents.available_kinds(case)
    assert DocumentKind.NO_PENALTY_DECISION in kinds and DocumentKind.DECISION not in kinds
    text = render(case, "no_penalty_decision", personas)
    assert "吴卫不罚决〔2026〕1号" in text
    assert (
        "鉴于违法行为轻微并及时改正，没有造成危害后果，依据《中华人民共和国行政处罚法》第三十三条第一款的规定"
        in text
    )
    assert "不予行政处罚" in text and "六十日内" in text
    assert "罚款" not in text


def test_decision_before_deciding_names_the_step(personas, case, login):
    propose_penalty(case, personas)
    response = login("alice").get(f"/cases/{case.pk}/documents/decision/pdf/")
    assert response.status_code == 409 and "须先作出处罚决定" in response.content.decode()


# --- hostile text, numbers, layout ---------------------------------------------------------------------


def test_hostile_text_is_printed_exactly_and_cannot_add_word_markup(personas, regions, abbr):
    case = opened(personas, regions, party_name=HOSTILE, party_address=HOSTILE, facts=HOSTILE_FACTS)
    propose_penalty(case, personas, facts=HOSTILE_FACTS)
    content = documents.document_render(actor=personas["alice"], kind="prior_notice", case=case).content
    document = docx.Document(io.BytesIO(content))  # still a valid document
    text = text_of(content)
    assert f"{HOSTILE}：" in text
    assert "经查，当事人</w:t><w:t>x 为<18岁>患者输液。\n次日又为两名村民&家属注射。" in text
    decide(case, personas)
    text = render(case, "decision", personas)
    assert f"当事人：{HOSTILE}（公民）" in text and f"住址：{HOSTILE}" in text
    # The text stayed text: escaped inside one run, no element was added to the Word XML.
    assert "&lt;/w:t&gt;&lt;w:t&gt;x" in document.element.xml
    assert not [r for p in document.paragraphs for r in p.runs if r.text == "x"]


def test_a_unit_without_a_short_name_gets_a_marker_never_its_full_name(personas, regions):
    case = opened(personas, regions)
    propose_penalty(case, personas)
    text = render(case, "prior_notice", personas)
    number_line = text.splitlines()[2]
    assert number_line.startswith("【未设置文号简称】卫罚告〔2026〕")
    assert case.unit.name not in number_line


def test_default_templates_are_a4_with_the_official_margins_and_fonts():
    from docx.shared import Mm, Pt

    for kind in DocumentKind.values:
        document = docx.Document(str(documents.render.DEFAULTS_DIR / f"{kind}.docx"))
        section = document.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297), kind
        margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
        assert [round(m.mm) for m in margins] == [37, 35, 28, 26], kind
        title = document.paragraphs[1]
        run = title.runs[0]
        fonts = run._element.rPr.rFonts
        assert title.alignment == 1 and run.bold and run.font.size == Pt(22), kind
        assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"
        normal = document.styles["Normal"]
        body = normal.element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        assert body == "仿宋" and normal.font.size in (Pt(16), Pt(14)), kind
        assert normal.paragraph_format.line_spacing == Pt(28), kind
        assert Mm(0) < section.left_margin


# --- availability and the case page ----------------------------------------------------------------------


def test_documents_are_offered_from_the_step_at_which_they_are_served(personas, case):
    assert documents.available_kinds(case) == [DocumentKind.OPENING_APPROVAL]
    propose_penalty(case, personas)
    assert documents.available_kinds(case) == [
        DocumentKind.OPENING_APPROVAL,
        DocumentKind.PRIOR_NOTICE,
        DocumentKind.HEARING_RIGHTS,
    ]
    decide(case, personas)
    assert DocumentKind.DECISION in documents.available_kinds(case)


def test_case_page_lists_word_and_pdf_links_per_document(personas, case, login):
    propose_penalty(case, personas)
    Demand.objects.create(
        case=case, issued_on=dt.date(2026, 10, 9), amount=Decimal("1"), issued_by=personas["alice"]
    )
    page = login("alice").get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/documents/prior_notice/" in page
    assert f"/cases/{case.pk}/documents/prior_notice/pdf/" in page
    demand = case.demands.get()
    assert f"/cases/{case.pk}/documents/demand/{demand.pk}/pdf/" in page
    assert f"/cases/{case.pk}/receipts/prior_notice/" in page


def test_document_links_tag_beside_a_record(personas, case):
    from django.template import Context, Template

    hearing = Hearing.objects.create(
        case=case, requested_on=dt.date(2026, 8, 6), recorded_by=personas["alice"]
    )
    tag = Template("{% load documents %}{% document_links record kind %}")
    html = tag.render(Context({"record": hearing, "kind": "hearing_notice"}))
    assert "须先安排听证" in html and "href" not in html
    Hearing.objects.filter(pk=hearing.pk).update(
        scheduled_at=_aware(dt.date(2026, 8, 14)), place="听证室", host=personas["chief"]
    )
    hearing.refresh_from_db()
    html = tag.render(Context({"record": hearing, "kind": "hearing_notice"}))
    assert f"/cases/{case.pk}/documents/hearing_notice/{hearing.pk}/pdf/" in html
    assert f"/cases/{case.pk}/receipts/hearing_notice/{hearing.pk}/" in html


def test_reporter_never_appears_and_export_is_audited(personas, case, login):
    from qingyuan.leads import services as lead_services
    from qingyuan.leads.models import Lead

    lead = lead_services.lead_register(
        actor=personas["clerk"],
        channel="phone",
        content="有人在家中开设诊所",
        place="金星村12号",
        reporter={"name": "王举报", "phone": "13912345678"},
    )
    type(case).objects.filter(pk=case.pk).update(lead=Lead.objects.get(pk=lead.pk), source="lead")
    case.refresh_from_db()
    decide(case, personas)
    for kind in documents.available_kinds(case):
        response = login("alice").get(f"/cases/{case.pk}/documents/{kind}/")
        assert response.status_code == 200, kind
        text = text_of(response.content)
        assert "王举报" not in text and "13912345678" not in text
        assert AuditEvent.objects.filter(
            action="export", target_id=str(case.pk), after__document=kind
        ).exists()


# --- templates -------------------------------------------------------------------------------------------


def _keys(value):
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(value[0])] if value and isinstance(value[0], dict) else "list"
    return "value"


def test_each_sample_context_has_the_keys_of_the_real_context(personas, case):
    """An upload checked against the sample renders against real cases too."""
    proposal = propose_penalty(case, personas)
    decision = decide(case, personas)
    hearing = Hearing.objects.create(
        case=case,
        requested_on=dt.date(2026, 8, 6),
        scheduled_at=_aware(dt.date(2026, 8, 14)),
        place="听证室",
        host=personas["chief"],
        recorded_by=personas["alice"],
    )
    demand = Demand.objects.create(
        case=case, issued_on=dt.date(2026, 10, 9), amount=Decimal("1"), issued_by=personas["alice"]
    )
    review = LegalReview.objects.create(
        case=case,
        proposal=proposal,
        submitted_by=personas["alice"],
        reviewed_on=dt.date(2026, 7, 1),
        conclusion="agree",
    )
    builds = {
        "opening_approval": {},
        "prior_notice": {},
        "hearing_rights": {},
        "decision": {},
        "hearing_notice": {"record": hearing},
        "demand": {"record": demand},
        "legal_review": {"record": review},
        "service_receipt": {"served": "decision"},
    }
    for kind, extra in builds.items():
        real = documents.build_context(kind, case=case, **extra)
        assert _keys(real) == _keys(samples.sample_context(kind)), kind
    assert decision


def _template(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_replacement_template_is_used_after_upload(personas, case, login):
    decide(case, personas)
    client = login("sam")
    upload = SimpleUploadedFile(
        "决定书.docx", _template("新版决定书 {{ number }} {{ party.name }} {{ payment.total }}")
    )
    response = client.post("/cases/templates/", {"kind": "decision", "file": upload})
    assert response.status_code == 302
    assert DocumentTemplate.objects.get(kind="decision").original_name == "决定书.docx"
    text = render(case, "decision", personas)
    assert text.startswith("新版决定书 吴卫罚决〔2026〕1号 张三 13,005.00元（人民币壹万叁仟零伍元整）")
    client.post("/cases/templates/", {"reset": "decision"})
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("decision", _template("{{ number "), "模板语法错误"),
        ("decision", _template("{{ reporter.name }}"), "不存在的占位符"),
        # A placeholder of another kind: the 告知书 has no payment.
        ("prior_notice", _template("{{ payment.days }}"), "不存在的占位符"),
        ("decision", _template("{{ number.__class__.__mro__ }}"), "模板"),
        ("decision", b"not a docx", "不是有效的 .docx"),
    ],
)
def test_broken_template_is_refused_with_the_reason(personas, login, kind, content, message):
    response = login("sam").post(
        "/cases/templates/", {"kind": kind, "file": SimpleUploadedFile("坏模板.docx", content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_templates_page_lists_every_kind_with_its_placeholders(login):
    page = login("sam").get("/cases/templates/").content.decode()
    for kind, label in DocumentKind.choices:
        assert f'data-kind="{kind}"' in page and str(label) in page
    assert (
        "proposal.measures[].amount_text" in page and "rights.hearing" in page and "payment.surcharge" in page
    )


def test_shipped_default_can_be_downloaded_even_when_replaced(personas, login):
    client = login("sam")
    client.post(
        "/cases/templates/",
        {"kind": "demand", "file": SimpleUploadedFile("催告.docx", _template("{{ number }}"))},
    )
    current = client.get("/cases/templates/demand/")
    assert text_of(current.content).strip() == "{{ number }}"
    default = client.get("/cases/templates/demand/?default=1")
    assert default.status_code == 200 and "催告书" in text_of(default.content)


@pytest.mark.parametrize("persona", ["alice", "chief", "dave"])
def test_only_the_system_administrator_replaces_templates(login, persona):
    assert login(persona).get("/cases/templates/").status_code == 404
