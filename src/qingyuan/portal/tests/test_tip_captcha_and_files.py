"""The tip form's second step for people: a captcha that can be read (large image, a new one on
request, an arithmetic question as text for those who cannot read it), and photos that are not lost
when the captcha is wrong: kept privately for this visitor only, listed, removable, saved with the
lead or not at all, gone after success or expiry."""

import io
import json
import os
import time

from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from qingyuan.leads.models import Attachment, Lead
from qingyuan.portal import holding

from .test_tip import PNG, _tip


def _photo(name="a.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _step2(client, **extra):
    """The confirmation page for a valid tip; returns the response."""
    response = client.post("/public/tip/", {**_tip(), **extra})
    assert response.status_code == 200 and "核对并提交" in response.content.decode()
    return response


def _key(response):
    return response.context["confirm_form"]["captcha"].field.widget._key


def _answer(key):
    return CaptchaStore.objects.get(hashkey=key).response


def _confirm(client, key, answer, files=None, **extra):
    payload = {**_tip(), "step": "confirm", "captcha_0": key, "captcha_1": answer, **extra}
    if files:
        payload["attachments"] = files
    return client.post("/public/tip/", payload)


def test_the_captcha_image_is_large_enough_to_read_on_a_phone(units):
    client = Client()
    page = _step2(client)
    html = page.content.decode()
    assert 'width="200" height="72"' in html and "换一张" in html and "看不清？改用算术题" in html
    assert 'for="id_captcha_1"' in html and "请输入图片中的4个英文字母" in html
    image = client.get(f"/captcha/image/{_key(page)}/")
    width, height = Image.open(io.BytesIO(image.content)).size
    assert width >= 180 and height >= 66  # three times the package's 60×22


def test_refresh_gives_a_new_image_through_a_script_the_policy_allows(units):
    client = Client()
    page = _step2(client)
    html = page.content.decode()
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "/static/js/portal_captcha.js" in html and "<script>" not in html  # no inline script
    assert 'data-refresh-url="/captcha/refresh/"' in html
    response = client.get("/captcha/refresh/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["key"] != _key(page) and data["image_url"] == f"/captcha/image/{data['key']}/"
    assert client.get(data["image_url"])["Content-Type"] == "image/png"


def test_refresh_without_script_shows_the_step_again_with_a_new_image(units, media):
    client = Client()
    first = _key(_step2(client))
    again = client.post("/public/tip/", {**_tip(), "step": "refresh", "attachments": [_photo("a.png")]})
    assert again.status_code == 200 and _key(again) != first
    assert "a.png（保留）" in again.content.decode()


def test_the_arithmetic_question_is_text_and_its_answer_is_accepted(units, media):
    client = Client()
    page = client.post("/public/tip/", {**_tip(), "step": "math"})
    html = page.content.decode()
    assert "等于多少？" in html and 'class="captcha ' not in html and "改用图片验证码" in html
    assert 'inputmode="numeric"' in html and "算术题答案" in html
    key = _key(page)
    store = CaptchaStore.objects.get(hashkey=key)
    assert store.challenge.endswith("=") and store.response.lstrip("-").isdigit()
    response = _confirm(client, key, store.response, captcha_mode="math")
    assert response.status_code == 302 and Lead.objects.count() == 1


def test_a_wrong_arithmetic_answer_keeps_the_text_question(units, media):
    client = Client()
    page = client.post("/public/tip/", {**_tip(), "step": "math"})
    again = _confirm(client, _key(page), "999", captcha_mode="math")
    html = again.content.decode()
    assert "验证码错误" in html and "等于多少？" in html and not Lead.objects.exists()


def test_a_wrong_captcha_keeps_the_photos_and_the_right_one_saves_them_with_the_lead(units, media):
    client = Client()
    page = _step2(client)
    refused = _confirm(client, _key(page), "WRONG", files=[_photo("a.png"), _photo("b.png")])
    html = refused.content.decode()
    assert refused.status_code == 200 and "验证码错误" in html
    assert "已选择的照片：" in html and "a.png（保留）" in html and "b.png（保留）" in html
    assert not Lead.objects.exists() and not Attachment.objects.exists()

    # The visitor removes one and adds another, then answers right.
    stored = client.session[holding.SESSION_KEY]["files"][0]["stored"]
    removed = client.post("/public/tip/", {**_tip(), "step": f"drop:{stored}"})
    assert "a.png（保留）" not in removed.content.decode() and "b.png（保留）" in removed.content.decode()
    key = _key(removed)
    response = _confirm(client, key, _answer(key), files=[_photo("c.png")])
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert sorted(lead.attachments.values_list("original_name", flat=True)) == ["b.png", "c.png"]
    assert holding.SESSION_KEY not in client.session
    assert not any(holding._root().iterdir())  # the holding area is emptied after success


def test_held_files_are_private_to_the_visitor(units, media, _private_hold_dir):
    owner, other = Client(), Client()
    _confirm(owner, _key(_step2(owner)), "WRONG", files=[_photo("a.png")])
    folder = next(_private_hold_dir.iterdir())
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in folder.iterdir())
    assert str(media) not in str(folder)  # not in the storage that anything serves
    # Another visitor sees nothing and sends nothing of it.
    page = _step2(other)
    assert "a.png" not in page.content.decode()
    key = _key(page)
    assert _confirm(other, key, _answer(key)).status_code == 302
    assert not Attachment.objects.exists()
    # A forged file name to remove cannot reach outside the visitor's folder.
    response = owner.post("/public/tip/", {**_tip(), "step": "drop:../../x"})
    assert response.status_code == 200 and "a.png（保留）" in response.content.decode()


def test_held_files_expire(units, media, settings, _private_hold_dir):
    client = Client()
    _confirm(client, _key(_step2(client)), "WRONG", files=[_photo("a.png")])
    folder = next(_private_hold_dir.iterdir())
    old = time.time() - settings.QINGYUAN_PORTAL_HOLD_MINUTES * 60 - 5
    os.utime(folder, (old, old))
    # Anyone's next visit to the form clears what has expired; the owner's next try has nothing kept.
    assert Client().get("/public/tip/").status_code == 200
    assert not folder.exists()
    session = client.session
    session[holding.SESSION_KEY]["expires"] = old
    session.save()
    page = _step2(client)
    assert "（保留）" not in page.content.decode()
    key = _key(page)
    assert _confirm(client, key, _answer(key)).status_code == 302
    assert not Attachment.objects.exists()


def test_more_files_than_allowed_are_refused_with_the_kept_ones_counted(units, media):
    client = Client()
    page = _step2(client)
    _confirm(client, _key(page), "WRONG", files=[_photo(f"{n}.png") for n in range(4)])
    key = _key(client.post("/public/tip/", {**_tip(), "step": "refresh"}))
    response = _confirm(client, key, "WRONG", files=[_photo("x.png"), _photo("y.png")])
    html = response.content.decode()
    assert "附件最多5个" in html and "x.png（保留）" not in html and "0.png（保留）" in html
    assert not Lead.objects.exists()
