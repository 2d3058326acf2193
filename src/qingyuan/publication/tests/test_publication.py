"""Publication of penalty decisions (行政处罚法 第48条, 双公示): an entry prepared when a general-procedure
decision is served, due within N working days; reviewed against the redaction rules and published by a
chief of the case's county; changed or withdrawn with dates; read and searched by the public."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyuan.cases import services as case_services
from qingyuan.cases.models import CaseStatus, DecisionKind, PartyKind, PenaltyDecision, Procedure
from qingyuan.cases.tests.test_case_data import decided, served
from qingyuan.core.models import AuditEvent, WorkdayOverride
from qingyuan.core.worklist import work_list
from qingyuan.publication import services
from qingyuan.publication.models import EntryStatus, Ground, PublicationEntry
from qingyuan.publication.text import TEXT_FIELDS

ID_NUMBER = "320506198001011234"
MOBILE = "13912345678"
SERVED_ON = dt.date(2026, 8, 24)  # a Monday


def _values(entry, **changes):
    return {**{name: getattr(entry, name) for name in TEXT_FIELDS}, **changes}


@pytest.fixture
def entry(personas, regions):
    case = served(
        personas,
        regions,
        served_on=SERVED_ON,
        party_name="李小明",
        party_id_number=ID_NUMBER,
        facts=f"当事人李小明（身份证号{ID_NUMBER}，电话{MOBILE}）在木渎镇金星村12号家中开设诊所，为村民输液。",
    )
    return PublicationEntry.objects.get(decision__case=case)


def _publish(personas, entry, **changes):
    return services.entry_publish(actor=personas["chief"], entry=entry, values=_values(entry, **changes))


# --- preparing -------------------------------------------------------------------------------------


def test_serving_a_general_decision_prepares_an_entry_due_in_seven_working_days(entry):
    assert entry.status == EntryStatus.PENDING
    # Seven working days after Monday 24 August: Wednesday 2 September (calendar days would say 31 August).
    assert entry.due_on == dt.date(2026, 9, 2)
    assert entry.served_on == SERVED_ON
    assert entry.region.name == "吴中区"  # the county, not the village
    assert entry.decision.case.events.filter(action__contains="处罚决定公示").exists()
    assert AuditEvent.objects.filter(target_type="publication.publicationentry", action="create").exists()


def test_due_date_follows_the_holiday_calendar_and_the_rules_data(personas, regions):
    from qingyuan.rules.models import Threshold

    WorkdayOverride.objects.create(date=dt.date(2026, 8, 26), is_workday=False, note="测试调休")
    row = Threshold.objects.get(code="PUBLISH_DECISION_WORKING_DAYS", version=1)
    assert row.value == 7
    case = served(personas, regions, served_on=SERVED_ON)
    assert PublicationEntry.objects.get(decision__case=case).due_on == dt.date(2026, 9, 3)


def test_prepared_text_is_as_printed_and_masks_the_natural_person(entry):
    assert entry.party == "李某某"
    assert entry.number.startswith("吴中区卫生监督所卫罚决〔2026〕") or "罚决〔2026〕" in entry.number
    assert "罚款50,000.00元（人民币伍万元整）" in entry.penalty
    assert "取缔" in entry.penalty
    assert entry.authority == "吴中区卫生监督所"
    assert entry.decided_on == dt.date(2026, 8, 20)
    assert "《" in entry.legal_basis  # the law's full name as the decision document prints it
    text = " ".join(_values(entry).values())
    for secret in ("李小明", ID_NUMBER, MOBILE, "金星村", "12号"):
        assert secret not in text, secret
    assert services.text_problems(entry) == {}


def test_organisation_is_named_in_full(personas, regions):
    case = served(
        personas,
        regions,
        party_kind=PartyKind.ORGANISATION,
        party_name="吴中区康乐美容有限公司",
        party_id_number="",
    )
    assert PublicationEntry.objects.get(decision__case=case).party == "吴中区康乐美容有限公司"


@pytest.mark.parametrize(
    "change",
    [{"procedure": Procedure.SIMPLIFIED}, {"kind": DecisionKind.NO_PENALTY}],
    ids=["simple", "no_penalty"],
)
def test_simple_procedure_and_no_penalty_decisions_are_not_published(personas, regions, change):
    case = decided(personas, regions)
    PenaltyDecision.objects.filter(case=case).update(**change)
    case_services.case_serve(actor=personas["alice"], case=case, served_on=SERVED_ON)
    assert not PublicationEntry.objects.exists()
    assert services.prepare_missing() == 0


def test_decisions_served_before_publication_existed_are_caught_up_once(personas, entry):
    decision = entry.decision
    PublicationEntry.objects.all().delete()
    assert services.prepare_missing() == 1
    assert services.prepare_missing() == 0
    assert PublicationEntry.objects.get(decision=decision).due_on == dt.date(2026, 9, 2)


# --- publishing ------------------------------------------------------------------------------------


def test_chief_publishes_and_the_public_reads_it(client, personas, entry):
    _publish(personas, entry)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED and entry.published_by == personas["chief"]
    listing = client.get("/public/decisions/").content.decode()
    page = client.get(f"/public/decisions/{entry.pk}/").content.decode()
    assert entry.number in listing and "李某某" in listing
    for shown in ("李某某", "罚款50,000.00元", "吴中区卫生监督所", "2026年8月20日"):
        assert shown in page, shown
    for secret in ("李小明", ID_NUMBER, MOBILE, "320506198"):
        assert secret not in page and secret not in listing, secret


def test_pending_entry_is_not_public(client, entry):
    assert client.get(f"/public/decisions/{entry.pk}/").status_code == 404
    assert entry.number not in client.get("/public/decisions/").content.decode()


def test_reviewer_putting_a_full_name_or_number_back_is_refused_in_chinese(login, personas, entry):
    chief = login("chief")
    values = _values(entry, party="李小明", facts=f"当事人电话{MOBILE}")
    response = chief.post(f"/publication/{entry.pk}/publish/", values)
    html = response.content.decode()
    assert response.status_code == 400
    assert "含有当事人或相关人员的全名“李小明”，请改为“李某某”" in html
    assert "含有电话号码" in html
    assert 'value="李小明"' in html  # the input is kept
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_inspector_and_other_county_cannot_publish(login, personas, entry):
    with pytest.raises(PermissionDenied):
        services.entry_publish(actor=personas["alice"], entry=entry, values=_values(entry))
    assert login("alice").post(f"/publication/{entry.pk}/publish/", _values(entry)).status_code == 404
    # 相城区's inspector does not even see it; nor does the public.
    assert login("carol").get(f"/publication/{entry.pk}/").status_code == 404
    from django.test import Client

    assert Client().post(f"/publication/{entry.pk}/publish/", _values(entry)).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_other_county_chief_is_refused(personas, units, entry):
    from qingyuan.accounts.roles import Role
    from qingyuan.conftest import make_user

    xc_chief = make_user("xc_chief", units["xiangcheng"], Role.CHIEF, "相城科长")
    with pytest.raises(PermissionDenied):
        services.entry_publish(actor=xc_chief, entry=entry, values=_values(entry))


def test_hostile_text_round_trips(client, personas, entry):
    hostile = "当事人 & <b>x</b> = 𠮷 \"'"
    _publish(personas, entry, facts=hostile)
    entry.refresh_from_db()
    assert entry.facts == hostile.strip()
    html = client.get(f"/public/decisions/{entry.pk}/").content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html and "𠮷" in html


# --- work list -------------------------------------------------------------------------------------


def test_work_list_shows_the_due_entry_to_the_chief_red_when_overdue(personas, entry):
    items = [
        i for i in work_list(personas["chief"], today=dt.date(2026, 9, 3)).overdue if i.kind == "处罚公示"
    ]
    assert len(items) == 1 and "处罚决定待公示" in items[0].text and items[0].due == dt.date(2026, 9, 2)
    assert items[0].badge.css_class == "badge-due-red"
    assert not [
        i
        for s in ("overdue", "near", "today")
        for i in getattr(work_list(personas["alice"]), s)
        if i.kind == "处罚公示"
    ]
    _publish(personas, entry)
    assert not [
        i for i in work_list(personas["chief"], today=dt.date(2026, 9, 3)).overdue if i.kind == "处罚公示"
    ]


# --- changes and withdrawal ------------------------------------------------------------------------


def test_revoked_decision_is_withdrawn_within_three_working_days(client, login, personas, entry):
    _publish(personas, entry)
    case = case_services.case_revoke(actor=personas["chief"], case=entry.decision.case, reason="认定事实有误")
    assert case.status == CaseStatus.REVOKED
    entry.refresh_from_db()
    items = [
        i
        for s in ("overdue", "near", "today")
        for i in getattr(work_list(personas["chief"]), s)
        if i.kind == "处罚公示"
    ]
    assert len(items) == 1 and "待撤回公示" in items[0].text
    from qingyuan.core.workdays import add_working_days

    assert items[0].due == add_working_days(case.closed_on, 3)
    response = login("chief").post(
        f"/publication/{entry.pk}/withdraw/",
        {
            "withdraw-ground": Ground.REVOKED_BY_AUTHORITY,
            "withdraw-ground_on": case.closed_on.isoformat(),
            "withdraw-note": "处罚决定已撤销",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN and entry.withdrawn_on is not None
    page = client.get(f"/public/decisions/{entry.pk}/").content.decode()
    assert (
        "已撤回" in page and f"{entry.withdrawn_on:%Y年%-m月%-d日}" in page and "本机关撤销处罚决定" in page
    )
    # The original text is no longer shown, and the party is no longer found by name.
    assert "李某某" not in page and "罚款50,000.00元" not in page
    assert "共 0 条" in client.get("/public/decisions/", {"q": "李某某"}).content.decode()
    assert client.get("/public/decisions/", {"q": entry.number[:6]}).content.decode().count("已撤回") >= 1
    assert not [
        i
        for s in ("overdue", "near", "today")
        for i in getattr(work_list(personas["chief"]), s)
        if i.kind == "处罚公示"
    ]
    assert (
        AuditEvent.objects.filter(target_type="publication.publicationentry", action="transition").count()
        == 2
    )


def test_change_by_review_shows_new_text_date_and_note(client, personas, entry):
    _publish(personas, entry)
    services.entry_change(
        actor=personas["chief"],
        entry=entry,
        values=_values(entry, penalty="罚款30,000.00元（人民币叁万元整）"),
        ground=Ground.REVIEW_CHANGED,
        ground_on=dt.date(2026, 10, 9),
        note="经行政复议变更罚款数额",
    )
    entry.refresh_from_db()
    change = entry.changes.get()
    assert change.before["penalty"].startswith("罚款50,000.00元")
    page = client.get(f"/public/decisions/{entry.pk}/").content.decode()
    assert "罚款30,000.00元" in page and "罚款50,000.00元" not in page
    assert "行政复议决定变更" in page and "2026年10月9日" in page and "经行政复议变更罚款数额" in page


def test_change_needs_a_ground_and_date(personas, entry):
    _publish(personas, entry)
    with pytest.raises(ValidationError) as refused:
        services.entry_change(
            actor=personas["chief"],
            entry=entry,
            values=_values(entry),
            ground="court_revoked",
            ground_on=None,
            note="x",
        )
    assert "请选择事由" in str(refused.value)
    with pytest.raises(ValidationError, match="不能早于处罚决定日期"):
        services.entry_change(
            actor=personas["chief"],
            entry=entry,
            values=_values(entry),
            ground=Ground.COURT_CHANGED,
            ground_on=dt.date(2020, 1, 1),
            note="x",
        )


def test_revoked_pending_entry_cannot_be_published(personas, entry):
    case_services.case_revoke(actor=personas["chief"], case=entry.decision.case, reason="认定事实有误")
    with pytest.raises(ValidationError, match="已撤销，不能公示"):
        _publish(personas, entry)


# --- public search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abcd"}, "年份须为四位数字"),
        ({"year": "1999"}, "年份须为2000年以后"),
        ({"year": "9999"}, "年份不能晚于今年"),
        ({"region": "999999"}, "区县无效"),
        ({"region": "' OR 1=1 --"}, "区县无效"),
        ({"q": "x" * 51}, "关键词不能超过50个字"),
    ],
)
def test_bad_search_parameters_are_named_in_chinese(client, personas, entry, params, message):
    _publish(personas, entry)
    response = client.get("/public/decisions/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and entry.number not in html


def test_search_by_region_year_and_keyword(client, personas, regions, entry):
    _publish(personas, entry)
    found = lambda **p: entry.number in client.get("/public/decisions/", p).content.decode()  # noqa: E731
    assert found(region="320506") and found(year="2026") and found(q="李某某") and found(q=entry.number[-6:])
    assert not found(year="2025") and not found(q="李小明") and not found(q="<script>&=𠮷")
    assert client.get("/public/decisions/", {"page": "x<>"}).status_code == 200


def test_search_is_rate_limited(client, settings, personas, entry):
    settings.QINGYUAN_PORTAL_RATES = {**settings.QINGYUAN_PORTAL_RATES, "decisions": (3, 600)}
    codes = [client.get("/public/decisions/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_case_page_links_to_the_entry_and_list_is_scoped(login, personas, entry):
    html = login("alice").get(entry.decision.case.get_absolute_url()).content.decode()
    assert entry.get_absolute_url() in html and "处罚决定公示" in html
    assert entry.number in login("chief").get("/publication/").content.decode()
    assert entry.number not in login("carol").get("/publication/").content.decode()


def test_home_page_and_navigation_link_the_public_section(client, regions):
    html = client.get("/public/").content.decode()
    assert "/public/decisions/" in html
    spot = client.get("/public/spotchecks/").content.decode()
    assert "/public/decisions/" in spot  # the 公示 tabs present both
