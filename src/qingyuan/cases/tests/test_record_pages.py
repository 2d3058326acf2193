"""The on-site record pages, reached by clicking from the case page and from the inspection page."""

import datetime as dt
import html
import re

from django.test import Client
from django.utils import timezone

from qingyuan.cases import records
from qingyuan.cases.models import Case, CaseStatus
from qingyuan.cases.models_procedure import EvidenceHold, Inquiry, SupervisionOrder

HOSTILE = "& < > = 𠮷"
ID_NUMBER = "11010519491231002X"


def _local(delta: dt.timedelta) -> str:
    return (timezone.localtime() - delta).strftime("%Y-%m-%dT%H:%M")


def _inquiry_form(personas, **fields):
    data = {
        "person_name": f"张{HOSTILE}",
        "relation": "当事人",
        "person_id_number": ID_NUMBER,
        "person_phone": "13912345678",
        "started_at": _local(dt.timedelta(hours=2)),
        "ended_at": _local(dt.timedelta(hours=1)),
        "place": "金星村12号",
        "officers": [personas["alice"].pk, personas["bob"].pk],
        "content": f"问：{HOSTILE}\n答：没有执业证。",
    }
    data.update(fields)
    return data


def _records_section(page: str) -> str:
    match = re.search(r'<section id="records".*?</section>', page, re.S)
    assert match, "the records panel is on the page"
    return match.group(0)


def _link(page: str, text: str) -> str:
    match = re.search(r'href="([^"]+)"[^>]*>' + re.escape(text), page)
    assert match, f"a link “{text}” is on the page"
    return html.unescape(match.group(1))


def _inquiry_round_trip(client, personas, start_url):
    """From a record page (case or inspection) to a new inquiry and back; returns the pages seen."""
    start = client.get(start_url)
    assert start.status_code == 200
    panel = _records_section(start.content.decode())
    assert "暂无记录" in panel
    form_url = _link(panel, "新增询问笔录")
    form_page = client.get(form_url)
    assert form_page.status_code == 200 and "被询问人姓名" in form_page.content.decode()
    saved = client.post(form_url, _inquiry_form(personas), follow=True)
    assert saved.status_code == 200
    record_page = saved.content.decode()
    assert "已记录询问笔录" in record_page
    back_url = re.search(r'<a href="([^"]+)" id="record-back">', record_page).group(1)
    assert back_url.startswith(start_url)
    listed = _records_section(client.get(back_url).content.decode())
    inquiry = Inquiry.objects.get()
    assert f'href="/cases/inquiries/{inquiry.pk}/"' in listed
    assert "询问笔录：张&amp; &lt; &gt; = 𠮷（当事人）" in listed
    return record_page, inquiry


def test_officer_clicks_from_the_case_page_to_a_new_inquiry_and_back(login, personas, case):
    record_page, inquiry = _inquiry_round_trip(login("alice"), personas, f"/cases/{case.pk}/")
    assert inquiry.case == case and inquiry.recorded_by == personas["alice"]
    # The numbers are shown masked, the hostile text escaped and kept.
    assert "1101**********002X" in record_page and ID_NUMBER not in record_page
    assert "139****5678" in record_page and "13912345678" not in record_page
    assert "问：&amp; &lt; &gt; = 𠮷<br>答：没有执业证。" in record_page
    assert inquiry.content == f"问：{HOSTILE}\n答：没有执业证。"
    assert 'data-document="询问笔录"' in record_page  # the 询问笔录 itself, to print and have signed
    timeline = Client()
    timeline.force_login(personas["bob"])
    assert "询问笔录：询问张" in timeline.get(f"/cases/{case.pk}/").content.decode()


def test_officer_clicks_from_the_inspection_page_to_a_new_inquiry_and_back(login, personas, inspection):
    record_page, inquiry = _inquiry_round_trip(login("alice"), personas, f"/inspections/{inspection.pk}/")
    assert inquiry.inspection == inspection and inquiry.case is None
    assert 'data-document="询问笔录"' in record_page and "1101**********002X" in record_page


def test_records_of_the_source_inspection_are_listed_on_the_case_page(login, personas, case, inspection):
    Case.objects.filter(pk=case.pk).update(inspection=inspection)
    records.record_inquiry(
        actor=personas["alice"],
        inspection=inspection,
        officers=[personas["alice"], personas["bob"]],
        person_name="李四",
        relation="就诊者",
        started_at=timezone.now() - dt.timedelta(hours=30),
        place="金星村12号",
        content="问：在此输液几次？答：三次。",
    )
    panel = _records_section(login("bob").get(f"/cases/{case.pk}/").content.decode())
    assert 'id="records-source"' in panel and "询问笔录：李四（就诊者）" in panel


def test_a_refused_form_keeps_what_was_typed_and_names_the_field(login, personas, case):
    client = login("alice")
    response = client.post(
        f"/cases/{case.pk}/records/inquiry/new/",
        _inquiry_form(personas, officers=[personas["alice"].pk], person_id_number="110105194912310021"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "身份证号码校验位错误" in page and "请选择至少2名执法人员（已选1名）" in page
    assert 'value="张&amp; &lt; &gt; = 𠮷"' in page and "没有执业证。" in page
    assert not Inquiry.objects.exists()


def test_correction_order_from_the_case_page_shows_its_deadline(login, personas, case):
    client = login("alice")
    url = _link(_records_section(client.get(f"/cases/{case.pk}/").content.decode()), "新增责令改正通知书")
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "number": "吴卫监改〔2026〕3号",
            "issued_on": today.isoformat(),
            "content": f"立即停止非法执业{HOSTILE}",
            "basis": "《医疗机构管理条例》第二十三条",
            "correct_by": (today + dt.timedelta(days=10)).isoformat(),
            "officers": [personas["alice"].pk, personas["bob"].pk],
        },
        follow=True,
    )
    page = response.content.decode()
    order = SupervisionOrder.objects.get()
    assert response.redirect_chain[-1][0] == f"/cases/orders/{order.pk}/"
    assert 'id="correct-by"' in page and "待复查" in page and "记录复查（监督检查）" in page
    panel = _records_section(client.get(f"/cases/{case.pk}/").content.decode())
    assert f'data-correct-by="{order.correct_by:%Y-%m-%d}"' in panel


def test_hold_page_marks_a_late_decision(login, personas, case):
    hold = records.record_hold(
        actor=personas["alice"],
        case=case,
        officers=[personas["alice"], personas["bob"]],
        approved_by=personas["chief"],
        held_at=timezone.now() - dt.timedelta(days=30),
        items="输液器 3 套",
        place="证物室",
    )
    client = login("alice")
    page = client.get(f"/cases/holds/{hold.pk}/").content.decode()
    assert "现在作出的处理决定将标记为逾期" in page and "孙志强" in page
    response = client.post(
        f"/cases/holds/{hold.pk}/decide/",
        {"decided_on": timezone.localdate().isoformat(), "decision": "release", "decision_text": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "本决定已逾期" in page and 'id="hold-late"' in page
    assert EvidenceHold.objects.get(pk=hold.pk).decision == "release"


def test_hold_form_refuses_an_approver_who_is_one_of_the_officers(login, personas, units, case):
    from qingyuan.accounts.roles import Role
    from qingyuan.conftest import make_user

    field_chief = make_user("field_chief", units["wuzhong"], Role.CHIEF, "周科长", "32050601009")
    response = login("alice").post(
        f"/cases/{case.pk}/records/hold/new/",
        {
            "held_at": _local(dt.timedelta(hours=1)),
            "items": "输液器 3 套",
            "place": "证物室",
            "approved_by": field_chief.pk,
            "officers": [personas["alice"].pk, field_chief.pk],
        },
    )
    assert response.status_code == 200
    assert "批准负责人不能是实施保存的执法人员" in response.content.decode()
    assert not EvidenceHold.objects.exists()


def test_neighbouring_county_gets_404_for_every_page(login, personas, case, inspection):
    inquiry = records.record_inquiry(
        actor=personas["alice"],
        case=case,
        officers=[personas["alice"], personas["bob"]],
        person_name="张三",
        relation="当事人",
        started_at=timezone.now() - dt.timedelta(hours=1),
        place="金星村12号",
        content="问答",
    )
    client = login("carol")
    for url in (
        f"/cases/{case.pk}/records/inquiry/new/",
        f"/cases/inspection-records/{inspection.pk}/hold/new/",
        f"/cases/inquiries/{inquiry.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cases/{case.pk}/records/inquiry/new/", _inquiry_form(personas)).status_code == 404
    assert Inquiry.objects.count() == 1


def test_roles_without_the_permission_get_403_and_no_links(login, personas, case, inspection):
    clerk = login("clerk")
    assert clerk.get(f"/cases/{case.pk}/records/inquiry/new/").status_code == 403
    assert clerk.get(f"/cases/inspection-records/{inspection.pk}/inquiry/new/").status_code == 403
    assert "新增询问笔录" not in _records_section(clerk.get(f"/cases/{case.pk}/").content.decode())
    sam = login("sam")
    hold = records.record_hold(
        actor=personas["alice"],
        case=case,
        officers=[personas["alice"], personas["bob"]],
        approved_by=personas["chief"],
        held_at=timezone.now() - dt.timedelta(hours=1),
        items="输液器",
        place="证物室",
    )
    assert sam.get(f"/cases/holds/{hold.pk}/").status_code == 403
    assert clerk.post(f"/cases/holds/{hold.pk}/decide/", {"decision": "release"}).status_code == 403


def test_unknown_record_kind_is_404(login, case):
    assert login("alice").get(f"/cases/{case.pk}/records/seizure/new/").status_code == 404


def test_closed_case_offers_no_new_records(login, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    client = login("alice")
    assert "新增询问笔录" not in _records_section(client.get(f"/cases/{case.pk}/").content.decode())
    response = client.get(f"/cases/{case.pk}/records/inquiry/new/", follow=True)
    assert "案件状态为“已结案”，不能再记录询问笔录" in response.content.decode()


def test_a_form_resent_after_a_lost_connection_saves_one_record_and_clears_the_draft(login, personas, case):
    client = login("alice")
    url = f"/cases/{case.pk}/records/inquiry/new/"
    form_page = client.get(url).content.decode()
    assert 'data-draft="record:case:' in form_page and "js/drafts.js" in form_page
    data = _inquiry_form(personas, client_id="5f0c6d1e-7a4b-4c2d-9e8f-0a1b2c3d4e5f")
    first = client.post(url, data)
    inquiry = Inquiry.objects.get()
    assert first["Location"] == f"/cases/inquiries/{inquiry.pk}/?saved=5f0c6d1e-7a4b-4c2d-9e8f-0a1b2c3d4e5f"
    again = client.post(url, data, follow=True)
    page = again.content.decode()
    assert "该记录已经保存过，本次没有重复保存" in page
    assert 'data-drafts-done="5f0c6d1e-7a4b-4c2d-9e8f-0a1b2c3d4e5f"' in page
    assert Inquiry.objects.count() == 1 and case.events.filter(action="询问笔录").count() == 1
