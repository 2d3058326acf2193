"""Documents about one record (询问笔录, 先行登记保存, 监督意见书/责令改正通知书, 听证通知书,
陈述申辩笔录, 法制审核, 集体讨论, 催告书, 强制执行申请书, 移送书), the 结案报告, the 送达回证 and the
现场笔录 of an inspection, each rendered at its step and read back field by field."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qingyuan.cases import documents
from qingyuan.cases.models import (
    CaseNumbering,
    CaseStatus,
    CloseKind,
    CollectiveDiscussion,
    CourtApplication,
    Demand,
    EvidenceHold,
    Hearing,
    HoldDecision,
    Inquiry,
    LegalReview,
    OrderKind,
    Payment,
    PaymentKind,
    PenaltyDecision,
    Referral,
    ReferralStatus,
    ReferralTarget,
    ReviewConclusion,
    StatementRecord,
    SupervisionOrder,
)
from qingyuan.core.models import AuditEvent
from qingyuan.inspections.models import Inspection

from .test_case_data import opened
from .test_documents_cases import HOSTILE, TODAY, _aware, decide, propose_penalty, render, text_of


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


@pytest.fixture
def abbr(units):
    return CaseNumbering.objects.create(unit=units["wuzhong"], abbr="吴")


@pytest.fixture
def case(personas, regions, abbr):
    return opened(personas, regions)


def test_inquiry_record_prints_the_person_the_officers_and_the_questions(personas, case, login):
    inquiry = Inquiry.objects.create(
        case=case,
        person_name="李某",
        person_id_number="320506199001011111",
        person_phone="13900001111",
        person_address="金星村8号",
        relation="证人",
        started_at=_aware(dt.date(2026, 6, 3), 10, 5),
        ended_at=_aware(dt.date(2026, 6, 3), 10, 50),
        place="金星村村委会",
        content="问：你在何处输液？\n答：在张三家中。",
        recorded_by=personas["alice"],
    )
    inquiry.officers.set([personas["alice"], personas["bob"]])
    response = login("alice").get(f"/cases/{case.pk}/documents/inquiry/{inquiry.pk}/")
    assert response.status_code == 200
    text = text_of(response.content)
    assert "询问笔录" in text and "李某" in text and "证人" in text and "13900001111" in text
    assert "2026年6月3日10时05分至2026年6月3日10时50分" in text
    assert "李爱丽（执法证号32050601001）、王博（执法证号32050601002）" in text
    assert "问：你在何处输液？\n答：在张三家中。" in text  # a Word line break, not run together
    assert "被询问人（签名）" in text
    assert AuditEvent.objects.filter(
        action="export", target_id=str(case.pk), after__record=inquiry.pk
    ).exists()


def test_a_record_of_another_case_is_not_found(personas, regions, case, login, abbr):
    other = opened(personas, regions)
    inquiry = Inquiry.objects.create(
        case=other,
        person_name="李某",
        relation="证人",
        started_at=_aware(dt.date(2026, 6, 3)),
        place="村委会",
        content="问答",
        recorded_by=personas["alice"],
    )
    assert login("alice").get(f"/cases/{case.pk}/documents/inquiry/{inquiry.pk}/").status_code == 404


def test_hold_notice_and_its_decision(personas, case, login):
    hold = EvidenceHold.objects.create(
        case=case,
        subject=case.subject,
        held_at=_aware(dt.date(2026, 6, 2), 10),
        items="输液架 2个\n头孢曲松钠 10支",
        place="吴中区卫生监督所物证室",
        keeper="王五",
        approved_by=personas["chief"],
        recorded_by=personas["alice"],
    )
    hold.officers.set([personas["alice"], personas["bob"]])
    text = render(case, "hold_notice", personas, record=hold)
    assert "吴卫登保〔2026〕1号" in text and "输液架 2个\n头孢曲松钠 10支" in text
    assert "经本机关负责人孙志强批准" in text and "七个工作日内" in text and "当事人签收" in text
    client = login("alice")
    assert client.get(f"/cases/{case.pk}/documents/hold_decision/{hold.pk}/").status_code == 409

    EvidenceHold.objects.filter(pk=hold.pk).update(
        decision=HoldDecision.CONFISCATE, decided_on=dt.date(2026, 6, 8), decision_text="上述物品依法没收。"
    )
    hold.refresh_from_db()
    text = render(case, "hold_decision", personas, record=hold)
    assert (
        "吴卫登保决〔2026〕1号" in text
        and "依法没收" in text
        and "吴卫登保〔2026〕1号《先行登记保存证据通知书》" in text
    )


@pytest.mark.parametrize(
    ("order_kind", "doc_kind", "word"),
    [(OrderKind.OPINION, "supervision_opinion", "监意"), (OrderKind.CORRECTION, "correction_order", "责改")],
)
def test_supervision_opinion_and_correction_order(personas, case, order_kind, doc_kind, word):
    order = SupervisionOrder.objects.create(
        kind=order_kind,
        subject=case.subject,
        case=case,
        issued_on=dt.date(2026, 6, 2),
        content="立即停止诊疗活动。",
        basis="医疗机构管理条例(2022) 第43条第1款",
        correct_by=dt.date(2026, 6, 3),
        issued_by=personas["alice"],
    )
    order.officers.set([personas["alice"]])
    text = render(case, doc_kind, personas, record=order)
    assert f"吴卫{word}〔2026〕1号" in text and "立即停止诊疗活动" in text
    assert "《医疗机构管理条例》第四十三条第一款" in text and "2026年6月3日前" in text
    # The other kind of order is not printed from this record.
    other = "correction_order" if doc_kind == "supervision_opinion" else "supervision_opinion"
    assert documents.record_of(case, other, order.pk) is None


def test_hearing_notice_once_scheduled(personas, case, login):
    propose_penalty(case, personas, status=CaseStatus.HEARING)
    hearing = Hearing.objects.create(
        case=case, requested_on=dt.date(2026, 8, 6), recorded_by=personas["alice"]
    )
    response = login("alice").get(f"/cases/{case.pk}/documents/hearing_notice/{hearing.pk}/")
    assert response.status_code == 409 and "须先安排听证" in response.content.decode()
    Hearing.objects.filter(pk=hearing.pk).update(
        scheduled_at=_aware(dt.date(2026, 8, 14), 9, 30),
        place="听证室",
        public=False,
        host=personas["chief"],
        clerk=personas["clerk"],
    )
    hearing.refresh_from_db()
    text = render(case, "hearing_notice", personas, record=hearing)
    assert "吴卫听通〔2026〕1号" in text
    assert "2026年8月6日提出的听证申请" in text and "2026年8月14日9时30分在听证室不公开举行" in text
    assert "听证主持人：孙志强" in text and "记录员：周晓" in text and "申请回避" in text


def test_statement_record(personas, case):
    statement = StatementRecord.objects.create(
        case=case,
        taken_at=_aware(dt.date(2026, 8, 5), 14),
        place="监督所",
        speaker="张三",
        content="请求从轻。",
        adoption=StatementRecord.Adoption.REJECTED,
        adoption_reason="理由不成立",
        recorded_by=personas["alice"],
    )
    statement.officers.set([personas["alice"]])
    text = render(case, "statement_record", personas, record=statement)
    assert "陈述申辩笔录" in text and "张三" in text and "请求从轻。" in text
    assert "不予采纳：理由不成立" in text and "陈述申辩人（签名）" in text


def test_legal_review_and_collective_discussion(personas, case):
    proposal = propose_penalty(case, personas)
    review = LegalReview.objects.create(case=case, proposal=proposal, submitted_by=personas["alice"])
    assert documents.record_missing("legal_review", review) == "须先记录法制审核意见和审核结论"
    LegalReview.objects.filter(pk=review.pk).update(
        reviewed_on=dt.date(2026, 7, 20), opinion="事实清楚，证据确凿。", conclusion=ReviewConclusion.AGREE
    )
    review.refresh_from_db()
    review.reviewers.set([personas["chief"]])
    text = render(case, "legal_review", personas, record=review)
    assert "吴卫法审〔2026〕1号" in text and "事实清楚，证据确凿。" in text and "同意" in text
    assert "罚款100,000.50元（人民币壹拾万元零伍角）" in text and "孙志强" in text

    discussion = CollectiveDiscussion.objects.create(
        case=case,
        proposal=proposal,
        held_on=dt.date(2026, 7, 22),
        place="第一会议室",
        chair=personas["chief"],
        opinions="孙志强：同意。",
        conclusion="as_proposed",
        recorded_by=personas["alice"],
    )
    discussion.participants.set([personas["chief"], personas["alice"]])
    text = render(case, "discussion", personas, record=discussion)
    assert "重大案件集体讨论记录" in text and "2026年7月22日" in text
    assert "参加人员：" in text and "孙志强" in text and "李爱丽" in text
    assert "同意拟处罚意见" in text and "孙志强：同意。" in text


def test_demand_and_court_application(personas, case):
    decide(case, personas, status=CaseStatus.DEMANDED)
    demand = Demand.objects.create(
        case=case,
        issued_on=dt.date(2026, 10, 9),
        served_on=dt.date(2026, 10, 10),
        amount=Decimal("23010"),
        surcharge=Decimal("10005"),
        issued_by=personas["alice"],
    )
    text = render(case, "demand", personas, record=demand)
    assert "吴卫催告〔2026〕1号" in text and "吴卫罚决〔2026〕1号《行政处罚决定书》" in text
    assert "十日内履行" in text and "23,010.00元（人民币贰万叁仟零壹拾元整）" in text
    assert "加处罚款10,005.00元（人民币壹万零伍元整）" in text
    assert "第三十五条、第五十四条" in text and "陈述和申辩" in text and "申请人民法院强制执行" in text

    application = CourtApplication.objects.create(
        case=case,
        court="苏州市吴中区人民法院",
        applied_on=dt.date(2026, 11, 20),
        amount=Decimal("23010"),
        applied_by=personas["alice"],
    )
    text = render(case, "court_application", personas, record=application)
    assert "吴卫强执申〔2026〕1号" in text and "苏州市吴中区人民法院" in text
    assert "吴卫催告〔2026〕1号" in text and "2026年10月10日送达" in text
    assert "第五十三条、第五十五条" in text and "被申请人：张三" in text


def test_crime_referral_after_approval_lists_reasons_and_attachments(personas, case, login):
    type(case).objects.filter(pk=case.pk).update(crime_reasons=["因非法行医被行政处罚两次以后，再次非法行医"])
    case.refresh_from_db()
    referral = Referral.objects.create(
        case=case,
        target=ReferralTarget.POLICE,
        target_unit="苏州市公安局吴中分局",
        reason="涉嫌非法行医罪",
        proposed_on=dt.date(2026, 6, 10),
        created_by=personas["alice"],
    )
    response = login("alice").get(f"/cases/{case.pk}/documents/crime_referral/{referral.pk}/")
    assert response.status_code == 409 and "负责人批准" in response.content.decode()
    Referral.objects.filter(pk=referral.pk).update(
        status=ReferralStatus.APPROVED, approved_on=dt.date(2026, 6, 11), approved_by=personas["chief"]
    )
    referral.refresh_from_db()
    text = render(case, "crime_referral", personas, record=referral)
    assert (
        "苏州市公安局吴中分局：" in text and "再次非法行医" in text and "涉嫌犯罪案件情况的调查报告" in text
    )
    assert "孙志强于2026年6月11日批准" in text and "吴卫移送〔2026〕1号" in text


def test_closing_report_once_closed(personas, case, login):
    decide(case, personas)
    response = login("alice").get(f"/cases/{case.pk}/documents/closing_report/")
    assert response.status_code == 409 and "须先结案" in response.content.decode()
    Payment.objects.create(
        case=case,
        kind=PaymentKind.FINE,
        amount=Decimal("10005"),
        paid_on=dt.date(2026, 9, 1),
        recorded_by=personas["alice"],
    )
    type(case).objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, close_kind=CloseKind.EXECUTED, closed_on=dt.date(2026, 9, 10)
    )
    case.refresh_from_db()
    text = render(case, "closing_report", personas)
    assert "执行完毕" in text and "2026年9月10日" in text and "罚款10,005.00元（人民币壹万零伍元整）" in text


def test_service_receipt_names_the_document_served(personas, case, login):
    decision = decide(case, personas)
    PenaltyDecision.objects.filter(pk=decision.pk).update(served_on=dt.date(2026, 8, 24))
    response = login("alice").get(f"/cases/{case.pk}/receipts/decision/")
    assert response.status_code == 200
    text = text_of(response.content)
    assert "行政处罚决定书　吴卫罚决〔2026〕1号" in text and "2026年8月24日" in text and "张三" in text
    assert "直接送达" in text and "受送达人签名或盖章" in text
    assert login("alice").get(f"/cases/{case.pk}/receipts/closing_report/").status_code == 409


def test_site_record_of_an_inspection(personas, case, login):
    inspection = Inspection.objects.create(
        kind="overt",
        started_at=_aware(dt.date(2026, 5, 20), 9),
        ended_at=_aware(dt.date(2026, 5, 20), 10, 30),
        subject=case.subject,
        region=case.region,
        unit=case.unit,
        officer_count=2,
        outcome="violation",
        findings="现场见输液架两个。",
        persons_present=HOSTILE,
        recorded_by=personas["alice"],
    )
    inspection.officers.set([personas["alice"], personas["bob"]])
    response = login("alice").get(f"/cases/inspections/{inspection.pk}/documents/site_record/")
    assert response.status_code == 200
    text = text_of(response.content)
    assert "现场笔录" in text and "2026年5月20日9时00分至2026年5月20日10时30分" in text
    assert "李爱丽（执法证号32050601001）" in text and "现场见输液架两个。" in text and HOSTILE in text
    assert "被检查人（签名）" in text
    assert login("carol").get(f"/cases/inspections/{inspection.pk}/documents/site_record/").status_code == 404
