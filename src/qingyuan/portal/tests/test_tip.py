"""The public tip form: two steps, routed by the place, real-name identity encrypted, files checked
by content, captcha and rate limit in front of it. Nobody is logged in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from qingyuan.leads.models import Attachment, Lead, Reporter

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
VALID_ID = "11010519491231002X"


def _tip(**extra):
    data = {
        "category": "unlicensed",
        "content": "金星村东头有人在家里给人挂水，没有招牌",
        "place": "吴中区木渎镇金星村12号",
        "reported_person": "张某",
        "practice_content": "internal",
        "anonymous": "1",
    }
    data.update(extra)
    return data


def _send(client, data, captcha="PASSED", files=None):
    """Both steps as the browser does them: check, then confirm with files and the captcha."""
    first = client.post("/public/tip/", data)
    assert first.status_code == 200
    assert "核对并提交" in first.content.decode(), first.content.decode()
    key = first.context["confirm_form"]["captcha"].field.widget._key
    payload = {**data, "step": "confirm", "captcha_0": key, "captcha_1": captcha}
    if files:
        payload["attachments"] = files
    return client.post("/public/tip/", payload)


def test_form_is_public_and_shows_the_fields(db):
    page = Client().get("/public/tip/").content.decode()
    for label in (
        "问题类别",
        "反映内容",
        "反映地点",
        "被反映人",
        "行医内容",
        "匿名反映",
        "实名反映",
        "联系电话",
    ):
        assert label in page
    assert "vendor/bootstrap/bootstrap.min.css" in page
    assert "退出" not in page and "修改密码" not in page  # no officer navigation


def test_first_step_shows_where_the_tip_goes_and_keeps_the_input(units, captcha_test_mode):
    response = Client().post("/public/tip/", _tip())
    page = response.content.decode()
    assert "识别为：江苏省苏州市吴中区木渎镇金星村委会，将由吴中区卫生监督所处理" in page
    assert 'name="content" value="金星村东头有人在家里给人挂水，没有招牌"' in page  # carried in hidden fields
    assert 'name="captcha_1"' in page and not Lead.objects.exists()


def test_anonymous_tip_is_routed_to_the_county_of_the_place(units, captcha_test_mode, media):
    client = Client()
    response = _send(client, _tip(), files=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
    assert response.status_code == 302 and response["Location"] == "/public/tip/done/"
    lead = Lead.objects.get()
    assert lead.channel == "web" and lead.is_anonymous and lead.reporter is None
    assert lead.handling_unit == units["wuzhong"] and lead.region.name == "金星村委会"
    assert lead.created_by is None and lead.attachments.get().content_type == "image/png"
    done = client.get("/public/tip/done/").content.decode()
    assert lead.number in done and lead.tracking_code in done and "保存查询码" in done


def test_going_back_to_edit_keeps_everything(units):
    response = Client().post("/public/tip/", {**_tip(reported_person="李四"), "step": "edit"})
    page = response.content.decode()
    assert "第1步" in page and "金星村东头有人在家里给人挂水" in page and 'value="李四"' in page


def test_real_name_tip_requires_name_and_phone(units, captcha_test_mode):
    response = Client().post("/public/tip/", _tip(anonymous="0"))
    page = response.content.decode()
    assert "实名举报请填写姓名" in page and "实名举报请填写联系电话" in page
    assert "金星村东头有人在家里给人挂水" in page  # input kept
    assert not Lead.objects.exists()


def test_real_name_tip_checks_the_id_number(units, captcha_test_mode):
    data = _tip(
        anonymous="0",
        reporter_name="王举报",
        reporter_phone="13912345678",
        reporter_id_number="110105194912310021",
    )
    page = Client().post("/public/tip/", data).content.decode()
    assert "身份证" in page and "第1步" in page


def test_real_name_tip_stores_the_reporter_encrypted(units, captcha_test_mode, media):
    data = _tip(
        anonymous="0", reporter_name="王举报", reporter_phone="139 1234 5678", reporter_id_number=VALID_ID
    )
    assert _send(Client(), data).status_code == 302
    lead = Lead.objects.select_related("reporter").get()
    assert not lead.is_anonymous
    assert (lead.reporter.name, lead.reporter.phone, lead.reporter.id_number) == (
        "王举报",
        "13912345678",
        VALID_ID,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, phone, id_number FROM {Reporter._meta.db_table}")  # noqa: S608
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "王举报" not in raw and "13912345678" not in raw and VALID_ID not in raw


def test_a_disguised_file_is_refused_and_nothing_is_saved(units, captcha_test_mode, media):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = _send(Client(), _tip(), files=[fake])
    page = response.content.decode()
    assert response.status_code == 200 and "类型不允许" in page
    assert "金星村东头有人在家里给人挂水" in page  # still on the confirmation step, input kept
    assert not Lead.objects.exists() and not Attachment.objects.exists() and not Reporter.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_wrong_captcha_is_refused(units, media):
    response = _send(Client(), _tip(), captcha="WXYZ")
    page = response.content.decode()
    assert "验证码错误" in page and not Lead.objects.exists()


def test_test_mode_answer_is_refused_outside_test_mode(units, media):
    response = _send(Client(), _tip(), captcha="PASSED")
    assert "验证码错误" in response.content.decode() and not Lead.objects.exists()


def test_the_right_captcha_answer_is_accepted(units, media):
    from captcha.models import CaptchaStore

    client = Client()
    first = client.post("/public/tip/", _tip())
    key = first.context["confirm_form"]["captcha"].field.widget._key
    answer = CaptchaStore.objects.get(hashkey=key).response
    response = client.post(
        "/public/tip/", {**_tip(), "step": "confirm", "captcha_0": key, "captcha_1": answer.upper()}
    )
    assert response.status_code == 302 and Lead.objects.count() == 1


def test_captcha_image_is_drawn_locally(units):
    client = Client()
    first = client.post("/public/tip/", _tip())
    key = first.context["confirm_form"]["captcha"].field.widget._key
    image = client.get(f"/captcha/image/{key}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


def test_border_area_goes_to_the_city_office(units, captcha_test_mode, media):
    assert _send(Client(), _tip(place="木渎镇和黄埭镇交界处")).status_code == 302
    assert Lead.objects.get().handling_unit == units["city"]


def test_unresolvable_place_asks_for_more_without_a_default_unit(units, captcha_test_mode, settings):
    settings.QINGYUAN_PORTAL_DEFAULT_UNIT = None
    response = Client().post("/public/tip/", _tip(place="我家楼下"))
    page = response.content.decode()
    assert "请补充区县、乡镇名称" in page and "第1步" in page and "我家楼下" in page
    assert not Lead.objects.exists()


def test_unresolvable_place_goes_to_the_configured_default(units, captcha_test_mode, settings, media):
    settings.QINGYUAN_PORTAL_DEFAULT_UNIT = units["wuzhong"].pk
    assert _send(Client(), _tip(place="我家楼下")).status_code == 302
    # route() prefers the city office above the default unit: it assigns unplaced tips.
    assert Lead.objects.get().handling_unit == units["city"]


def test_tips_are_rate_limited_per_client_address(units, captcha_test_mode, settings, media):
    settings.QINGYUAN_PORTAL_RATES = {**settings.QINGYUAN_PORTAL_RATES, "tip": (2, 3600)}
    client = Client()
    for _ in range(2):
        assert _send(client, _tip()).status_code == 302
    response = _send(client, _tip())
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()
    assert Lead.objects.count() == 2
    # Another address has its own allowance.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert _send(other, _tip()).status_code == 302


def test_done_page_without_a_tip_goes_back_to_the_form(db):
    response = Client().get("/public/tip/done/")
    assert response.status_code == 302 and response["Location"] == "/public/tip/"


@pytest.mark.parametrize("url", ["/public/", "/public/tip/", "/public/track/"])
def test_public_pages_need_no_login(db, url):
    response = Client().get(url)
    assert response.status_code == 200 and "清源" in response.content.decode()
