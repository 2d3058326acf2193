"""The spine (UX.md), walked by clicking only: a resident reports a back-room clinic on a phone → the
clerk finds the lead on the home page and in the lead list; the chief (who holds 受理 and 分派) accepts it
and assigns two inspectors → an inspector on a phone creates the
subject from the lead and records the inspection with a photo → the chief opens a case from the
inspection with the proposal filled in, approves it, proposes the penalty and serves the notice stating it;
the city leader makes the 法制审核 and the chief's unit the 集体讨论; the decision (fine and ban) follows, and the chief downloads
the decision document, registers payment and the re-inspection → the reporter gets the answer (recorded
as delivered) and reads and rates it on the public tracking page with the code.

After a login nobody types a URL: every page is reached from the home page, the navigation or the
record the user is on. A failure names the step it stopped at."""

import io
import os
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from qingyuan.leads.models import Lead

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = {"width": 375, "height": 740, "is_mobile": True, "has_touch": True}
FINDINGS = "民房内设两张输液床，现场查获输液器械、抗生素针剂，无《医疗机构执业许可证》"
ANSWER = "经核查，您反映的问题属实，已依法取缔并立案查处。感谢您的监督。"


@pytest.fixture
def patient():
    # The walk is long and the machine running it may be busy: wait longer than the default before
    # calling a step broken.
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def public(monkeypatch, settings, tmp_path, seed_data):
    # The live server runs in this process: the captcha's test mode ("PASSED") and a clean rate-limit
    # cache apply to it too, for this test only.
    monkeypatch.setattr("captcha.conf.settings.CAPTCHA_TEST_MODE", True)
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


class Walk:
    """Names the step under way, so that a failure says where the spine broke."""

    def __init__(self):
        self.step = "start"
        self.done = []
        self.pages = {}

    def __call__(self, name):
        if self.step != "start":
            self.done.append(self.step)
        self.step = name
        return self


def _officer(new_page, log_in, username, **viewport):
    page = new_page(**viewport) if viewport else new_page(width=1366, height=800)
    page.set_default_timeout(60_000)
    log_in(page, username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    return page


def _open_from_home(page, text):
    """Click the work-list entry (home page) naming `text`."""
    page.locator("header, nav").get_by_role("link", name="清源", exact=True).first.click()
    page.locator("section.worklist").get_by_role("link", name=re.compile(re.escape(text))).first.click()


def _nav(page, label):
    """Click a navigation entry; on a phone the menu opens behind the toggler first."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator("#mainnav").get_by_role("link", name=label, exact=True).click()


def _submit(page, button):
    """Send a form and wait for the page it leads to, then check that it went through."""
    with page.expect_navigation():
        button.click()
    _ok(page)


def _ok(page):
    """The step went through: no error message on the page the click led to."""
    page.wait_for_load_state()
    errors = page.locator(".alert-danger, .invalid-feedback.d-block")
    try:
        expect(errors).to_have_count(0, timeout=2_000)
    except AssertionError:
        raise AssertionError(f"the page says: {errors.all_inner_texts()}") from None


def test_a_tip_walks_the_whole_spine_by_clicking(new_page, log_in, personas, public, patient):
    walk = Walk()
    try:
        _spine(walk, new_page, log_in)
    except Exception as exc:
        # What each person had on screen when the spine broke, for whoever reads the failure.
        shots = os.environ.get("SPINE_SCREENSHOTS")
        for who, page in walk.pages.items() if shots else ():
            page.screenshot(path=f"{shots}/{who}.png", full_page=True)
        raise AssertionError(
            f"the spine stopped at step «{walk.step}» (done: {' → '.join(walk.done) or 'nothing'}): {exc}"
        ) from exc


def _spine(walk, new_page, log_in):  # noqa: PLR0915 (one story, told in order)
    # 1. The resident, on a phone, reports the tip on the public site.
    walk("public tip on a phone")
    resident = walk.pages["resident"] = new_page(**PHONE)
    resident.set_default_timeout(60_000)
    resident.goto("/public/")
    resident.get_by_role("link", name="我要举报").click()
    resident.get_by_label("问题类别").select_option(label="无证行医（黑诊所）")
    resident.get_by_label("反映内容").fill("金星村东头一户人家天天有人去挂水，没有招牌")
    resident.get_by_label("反映地点").fill("吴中区木渎镇金星村东头")
    resident.get_by_label("反映地点").press("Tab")
    expect(resident.locator("#place-located")).to_contain_text("吴中区卫生监督所")
    resident.get_by_label("被反映人").fill("张某")
    resident.get_by_label("行医内容").select_option(label="内科")
    resident.get_by_label("实名反映（可收到答复，个人信息严格保密）").check()
    resident.get_by_label("姓名").fill("王举报")
    resident.get_by_label("联系电话").fill("13912345678")
    resident.get_by_role("button", name="下一步：核对").click()
    expect(resident.get_by_role("heading", level=1)).to_contain_text("核对并提交")
    resident.get_by_label("照片或文件（选填）").set_input_files(
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}]
    )
    resident.get_by_label("验证码").fill("PASSED")
    resident.get_by_role("button", name="确认提交").click()
    expect(resident.get_by_role("heading", level=1)).to_contain_text("提交成功")
    code = resident.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{12}", code), code
    lead = Lead.objects.get(tracking_code=code)
    assert resident.evaluate("document.documentElement.scrollWidth") <= 375

    # 2. The clerk, at the office, sees the new lead on the home page and in the lead list.
    walk("clerk sees the lead on the home page and the lead list")
    clerk = walk.pages["clerk"] = _officer(new_page, log_in, "clerk")
    expect(
        clerk.locator("section.worklist").get_by_role("link", name=re.compile(lead.number))
    ).to_be_visible()
    _nav(clerk, "线索")
    clerk.get_by_role("link", name=re.compile(re.escape(lead.number))).first.click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(lead.number)

    # 3. The chief accepts it and assigns two inspectors (checkbox list).
    walk("chief accepts the lead")
    chief = walk.pages["chief"] = _officer(new_page, log_in, "chief")
    _open_from_home(chief, lead.number)
    expect(chief.get_by_role("heading", level=1)).to_contain_text(lead.number)
    _submit(chief, chief.get_by_role("button", name="受理", exact=True))
    walk("chief assigns two inspectors")
    chief.get_by_label("李爱丽", exact=False).check()
    chief.get_by_label("王博", exact=False).check()
    _submit(chief, chief.get_by_role("button", name="分派", exact=True))
    expect(chief.locator("dl")).to_contain_text("李爱丽")

    # 4. The inspector, on a phone, opens the lead from the home page, creates the subject from it and
    #    records the inspection with a photo.
    walk("inspector opens the lead from the home page (375 px)")
    alice = walk.pages["alice"] = _officer(new_page, log_in, "alice", **PHONE)
    _open_from_home(alice, lead.number)
    expect(alice.get_by_role("heading", level=1)).to_contain_text(lead.number)
    walk("inspector starts verification")
    _submit(alice, alice.get_by_role("button", name="开始核查"))
    walk("inspector taps 建立监管对象 (pre-filled)")
    alice.get_by_role("link", name="建立监管对象").click()
    expect(alice.get_by_role("textbox", name=re.compile(r"^名称"))).to_have_value("张某")
    expect(alice.locator("main")).to_contain_text("被反映人")
    _submit(alice, alice.get_by_role("button", name="保存并关联"))
    expect(alice.get_by_role("heading", level=1)).to_contain_text(lead.number)
    lead.refresh_from_db()
    assert lead.subject is not None, "the lead is not linked to the new subject"
    walk("inspector taps 记录检查 and saves findings")
    alice.get_by_role("link", name="记录检查").click()
    expect(alice.locator("#inspection-reason")).to_contain_text(lead.number)
    alice.get_by_label("检查方式").select_option(label="明查")
    alice.get_by_label("王博", exact=False).check()
    alice.get_by_label("检查情况").fill(FINDINGS)
    alice.get_by_label("处理结果").select_option(label="发现违法行为")
    _submit(alice, alice.get_by_role("button", name="保存检查记录"))
    expect(alice.locator("#inspection-lead")).to_contain_text(lead.number)
    walk("inspector attaches a photo to the inspection")
    alice.get_by_label("证据类型").select_option(label="照片")
    alice.get_by_label("选择文件").set_input_files(
        files=[{"name": "输液床.png", "mimeType": "image/png", "buffer": PNG}]
    )
    _submit(alice, alice.get_by_role("button", name="上传"))
    expect(alice.locator("#evidence")).to_contain_text("输液床.png")
    assert alice.evaluate("document.documentElement.scrollWidth") <= 375
    walk("inspector concludes the verification")
    alice.locator("#inspection-lead").get_by_role("link").click()
    alice.get_by_label("核查结论").select_option(label="属实")
    alice.get_by_label("核查情况").fill("现场查获输液器械，已立案查处")
    _submit(alice, alice.get_by_role("button", name="提交结论"))

    # 5. The chief opens the inspection and clicks 立案: the proposal is filled in from it.
    walk("chief opens the inspection and clicks 立案")
    _nav(chief, "监督检查")
    chief.locator("table tbody tr").filter(has_text=lead.subject.name).first.get_by_role("link").first.click()
    chief.get_by_role("link", name="立案", exact=True).click()
    walk("the proposal is pre-filled (party and facts)")
    expect(chief.get_by_role("textbox", name=re.compile(r"^当事人\s*\*?$"))).to_have_value("张某")
    expect(chief.get_by_label("违法事实")).to_have_value(re.compile("输液器械"))
    walk("chief proposes the case")
    chief.get_by_label("李爱丽", exact=False).check()
    chief.get_by_label("王博", exact=False).check()
    _submit(chief, chief.get_by_role("button", name="提请立案"))
    expect(chief.locator("body")).to_contain_text("来源检查")
    walk("chief approves opening")
    _submit(chief, chief.get_by_role("button", name="批准立案"))
    expect(chief.get_by_role("heading", level=1)).not_to_contain_text("待立案")
    assert lead.subject.cases.get().opened_on is not None

    # 6. Through to the decision as the law orders it: review, the proposed penalty, the notice that
    # states it, 法制审核 by someone who did not investigate, 集体讨论 (a ban and a large fine), decision.
    walk("case to review")
    _submit(chief, chief.get_by_role("button", name="提交合议审理"))
    walk("proposed penalty: fine and ban")
    chief.locator("#penalty").get_by_role("link", name="拟定处罚意见").click()
    chief.get_by_label("罚款（元）").fill("50000")
    chief.get_by_label("取缔/责令停止执业活动").check()
    _submit(chief, chief.get_by_role("button", name="保存"))
    expect(chief.locator("#proposal")).to_contain_text("50000")
    walk("notice to the party, stating the proposed penalty")
    chief.locator("#penalty-steps").get_by_role("link", name=re.compile("^告知当事人")).click()
    chief.get_by_label("当事人书面放弃陈述申辩和听证").check()
    _submit(chief, chief.get_by_role("button", name="登记告知"))
    expect(chief.locator("#proposal")).to_contain_text("已于")
    walk("submitted for 法制审核")
    _submit(chief, chief.locator("#penalty-steps").get_by_role("button", name="提交法制审核"))
    walk("the city leader reviews it (法制审核)")
    dave = walk.pages["dave"] = _officer(new_page, log_in, "dave")
    _nav(dave, "案件")
    dave.locator("table tbody tr").filter(has_text="张某").first.get_by_role("link").first.click()
    dave.locator("#penalty-steps").get_by_role("link", name="法制审核").click()
    dave.get_by_label("审核结论").select_option(label="同意")
    dave.get_by_label("审核意见").fill("事实清楚，证据确凿，适用依据正确，程序合法，同意。")
    _submit(dave, dave.get_by_role("button", name="保存"))
    expect(dave.locator("#reviews")).to_contain_text("同意")
    walk("集体讨论 chaired by the chief")
    chief.reload()
    chief.locator("#penalty-steps").get_by_role("link", name="集体讨论").click()
    chair = chief.get_by_label("主持人")
    chair.select_option(label=next(t for t in chair.locator("option").all_inner_texts() if "孙志强" in t))
    for name in ("孙志强", "李爱丽", "王博"):
        chief.locator("fieldset, div").filter(has_text="参加人员").get_by_label(
            name, exact=False
        ).first.check()
    chief.get_by_label("讨论意见").fill("同意拟处罚意见。")
    chief.get_by_label("讨论结论").select_option(label="同意拟处罚意见")
    _submit(chief, chief.get_by_role("button", name="保存"))
    expect(chief.locator("#requirements")).not_to_contain_text("✘")
    walk("decision: fine and ban, as proposed")
    decide = chief.locator("form").filter(has=chief.get_by_role("button", name="保存决定"))
    decide.get_by_label("程序").select_option(label="一般程序")
    expect(decide.get_by_label("罚款（元）")).to_have_value(re.compile("^50000"))
    decide.get_by_label("自由裁量理由").fill("初次违法，违法所得不足1万元，按下限处罚。")
    _submit(chief, decide.get_by_role("button", name="保存决定"))
    expect(chief.locator("#decision")).to_contain_text("50000")

    # 7. The decision document opens in Word (python-docx reads it).
    walk("decision document (.docx)")
    chief.locator("#documents").get_by_role("button", name="文书").click()
    decision_doc = chief.locator("#documents li[data-document='行政处罚决定书']")
    with chief.expect_download() as download_info:
        decision_doc.get_by_role("link", name="Word").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx"), download.suggested_filename
    import docx

    document = docx.Document(io.BytesIO(open(download.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs) + "".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "张某" in text, text[:500]

    # 8. Served, paid; the ban schedules a re-inspection, which is recorded.
    walk("decision served")
    serve = chief.locator("form").filter(has_text="送达决定书")
    _submit(chief, serve.get_by_role("button", name="登记送达"))
    walk("payment")
    pay = (
        chief.locator("form")
        .filter(has=chief.get_by_role("button", name="登记", exact=True))
        .filter(has_text="登记缴款")
    )
    pay.get_by_label("款项").select_option(label="罚款")
    pay.get_by_label("金额（元）").fill("50000")
    pay.get_by_label("票据号").fill("PJ2024001")
    _submit(chief, pay.get_by_role("button", name="登记", exact=True))
    expect(chief.locator("#money")).to_contain_text("PJ2024001")
    walk("re-inspection after the ban: the inspector records it on the phone")
    expect(chief.locator("#rechecks")).to_contain_text("复查")
    alice.locator("dl").get_by_role("link", name="张某").first.click()
    alice.get_by_role("link", name="记录监督检查").first.click()
    alice.get_by_label("检查方式").select_option(label="复查")
    alice.get_by_label("王博", exact=False).check()
    alice.get_by_label("检查情况").fill("原址已关门停业，未发现再次行医")
    alice.get_by_label("处理结果").select_option(label="未发现违法")
    _submit(alice, alice.get_by_role("button", name="保存检查记录"))
    walk("re-inspection result registered on the case")
    chief.reload()
    recheck = chief.locator("#rechecks").locator("form").filter(has_text="登记检查结果")
    recheck.get_by_label("检查结果").select_option(label="未发现再次违法")
    record = recheck.get_by_label("检查记录")
    labels = record.locator("option").all_inner_texts()
    chosen = [label for label in labels if "复查" in label]
    assert chosen, f"the re-inspection is not offered: {labels}"
    record.select_option(label=chosen[0])
    _submit(chief, recheck.get_by_role("button", name="登记"))
    expect(chief.locator("#rechecks")).to_contain_text("未发现再次违法")

    # 9. The answer to the reporter, recorded as delivered.
    walk("answer to the reporter")
    _open_from_home(chief, lead.number)  # 待答复举报人 on the chief's work list
    answer = chief.locator("#action-answer")
    answer.get_by_label("答复内容", exact=False).fill(ANSWER)
    _submit(chief, answer.get_by_role("button", name="答复", exact=True))
    walk("answer recorded as delivered")
    deliver = chief.locator("#action-deliver")
    deliver.get_by_label("送达方式").select_option(label="电话")
    _submit(chief, deliver.get_by_role("button", name="登记送达"))
    expect(chief.locator("#answer")).to_contain_text("已送达")

    # 10. The reporter reads the answer with the code and rates it.
    walk("reporter reads the answer on the tracking page (375 px)")
    resident.goto("/public/")
    resident.get_by_role("link", name="凭查询码查询办理结果").click()
    resident.get_by_label("查询码").fill(code)
    resident.get_by_role("button", name="查询").click()
    expect(resident.locator("#track-answer")).to_contain_text(ANSWER)
    walk("reporter rates the answer")
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.get_by_role("status")).to_contain_text("感谢您的评价")
    assert resident.evaluate("document.documentElement.scrollWidth") <= 375
    walk("done")
