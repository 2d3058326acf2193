"""The notification inbox, the nav badge, and delivery by e-mail and SMS for those who ask for it."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from qingyuan.accounts.roles import Role
from qingyuan.conftest import make_user
from qingyuan.core.models import AuditEvent, Notification
from qingyuan.core.notifications import LoggingSmsBackend, notify
from qingyuan.reports.forms.base import Scope
from qingyuan.reports.submissions import submission_return, submission_submit


def test_inbox_lists_newest_first_with_unread_in_bold_and_the_nav_badge(personas, login):
    alice = personas["alice"]
    notify([alice], "线索 L-1 已分派给您核查", "/leads/1/")
    notify([alice], "线索 L-2 已分派给您核查", "/leads/2/")
    Notification.objects.filter(text__contains="L-1").update(read_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    notify([personas["bob"]], "别人的通知", "/leads/3/")
    page = login("alice").get(reverse("core:notifications")).content.decode()
    assert page.index("L-2") < page.index("L-1") and "别人的通知" not in page
    newest = page[page.index('data-read="0"') : page.index("L-2")]
    assert "fw-bold" in newest and "未读" in newest
    assert "全部标为已读" in page
    assert 'href="/notifications/"' in page and 'data-unread="1"' in page  # 通知 with its badge


def test_home_nav_shows_the_unread_count(personas, login):
    notify([personas["alice"]], "一", "/")
    notify([personas["alice"]], "二", "/")
    page = login("alice").get(reverse("core:home")).content.decode()
    assert '通知 <span class="badge rounded-pill text-bg-danger" data-unread="2"' in page


def test_opening_marks_read_and_redirects_to_its_local_path_only(personas, login):
    alice = personas["alice"]
    client = login("alice")
    for url, expected in [
        ("/leads/7/", "/leads/7/"),
        ("https://evil.example.com/x", "/notifications/"),
        ("//evil.example.com/x", "/notifications/"),
        ("/\\evil.example.com", "/notifications/"),
        ("", "/notifications/"),
    ]:
        notify([alice], f"通知 {url}", url)
        note = Notification.objects.filter(user=alice).order_by("-pk").first()
        response = client.get(reverse("core:notification_open", args=[note.pk]))
        assert response.status_code == 302 and response["Location"] == expected, url
        note.refresh_from_db()
        assert note.read_at is not None
    # Someone else's notification is not found, and stays unread.
    notify([personas["bob"]], "王博的通知", "/leads/8/")
    theirs = Notification.objects.get(user=personas["bob"])
    assert client.get(reverse("core:notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(personas, login):
    for n in range(3):
        notify([personas["alice"]], f"通知{n}", "/")
    client = login("alice")
    assert client.get(reverse("core:notifications_read_all")).status_code == 405
    response = client.post(reverse("core:notifications_read_all"), follow=True)
    assert "已将 3 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_inbox_pages(personas, login):
    for n in range(35):
        notify([personas["alice"]], f"第{n}条", "/")
    client = login("alice")
    first = client.get(reverse("core:notifications")).content.decode()
    assert "第34条" in first and "第 1 / 2 页" in first and "第0条" not in first
    assert "第0条" in client.get(reverse("core:notifications"), {"page": 2}).content.decode()


def test_email_goes_out_when_the_preference_is_on_and_not_when_off(personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.QINGYUAN_SITE_URL = "https://qingyuan.example.gov.cn"
    alice, bob = personas["alice"], personas["bob"]
    alice.email, alice.notify_by_email = "alice@example.gov.cn", True
    alice.save()
    bob.email, bob.notify_by_email = "bob@example.gov.cn", False
    bob.save()
    mail.outbox.clear()
    notify([alice, bob], "线索 L-9 已分派给您核查", "/leads/9/")
    assert [m.to for m in mail.outbox] == [["alice@example.gov.cn"]]
    assert "线索 L-9 已分派给您核查" in mail.outbox[0].subject
    assert "https://qingyuan.example.gov.cn/leads/9/" in mail.outbox[0].body


def test_a_failing_mail_server_is_logged_not_raised(personas, settings, monkeypatch, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice = personas["alice"]
    alice.email, alice.notify_by_email = "alice@example.gov.cn", True
    alice.save()

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("qingyuan.core.notifications.send_mail", refuse)
    with caplog.at_level(logging.ERROR, logger="qingyuan.core.notifications"):
        assert notify([alice], "一条通知", "/") == 1
    assert Notification.objects.filter(user=alice).count() == 1
    assert "通知邮件发送失败" in caplog.text


def test_sms_logging_backend_masks_the_phone(personas, caplog):
    alice = personas["alice"]
    alice.phone, alice.notify_by_sms = "13912345678", True
    alice.save()
    with caplog.at_level(logging.INFO, logger="qingyuan.core.notifications"):
        notify([alice], "案件即将到期", "/cases/1/")
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text
    assert "案件即将到期" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="qingyuan.core.notifications"):
        LoggingSmsBackend().send("13800001111", "测试")
    assert "138****1111" in caplog.text


class RecordingSms:
    sent = []

    def send(self, phone, text):
        RecordingSms.sent.append((phone, text))


def test_a_bureau_plugs_its_own_sms_gateway(personas, settings):
    settings.QINGYUAN_SMS_BACKEND = f"{__name__}.RecordingSms"
    alice, bob = personas["alice"], personas["bob"]
    alice.phone, alice.notify_by_sms = "13912345678", True
    alice.save()
    bob.phone = "13900000000"  # has a phone, but did not ask for SMS
    bob.save()
    RecordingSms.sent.clear()
    notify([alice, bob], "报表被退回", "/")
    assert RecordingSms.sent == [("13912345678", "【清源】报表被退回")]


def test_the_user_sets_the_preference_with_chinese_errors_and_input_kept(personas, login):
    client = login("alice")
    url = reverse("accounts:notification_settings")
    page = client.get(url).content.decode()
    assert "通知同时发送电子邮件" in page and "未登记" in page
    refused = client.post(url, {"email": "不是邮箱", "notify_by_email": "on"}).content.decode()
    assert "请输入有效的电子邮箱地址" in refused and 'value="不是邮箱"' in refused
    refused = client.post(url, {"email": "", "notify_by_sms": "on"}).content.decode()
    assert "未登记手机号" in refused
    alice = personas["alice"]
    alice.refresh_from_db()
    assert not alice.notify_by_email and not alice.email
    response = client.post(url, {"email": "alice@example.gov.cn", "notify_by_email": "on"}, follow=True)
    assert "通知方式已保存" in response.content.decode()
    alice.refresh_from_db()
    assert alice.notify_by_email and alice.email == "alice@example.gov.cn"
    assert AuditEvent.objects.filter(target_type="accounts.user", target_id=str(alice.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_a_returned_form_notifies_the_submitting_countys_users(regions, units, personas):
    other_chief = make_user("chief2", units["wuzhong"], Role.CHIEF, "钱二")
    scope = Scope(regions["wuzhong"], dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    with transaction.atomic():
        submission = submission_submit(actor=personas["chief"], code="S003-A1", scope=scope)
    Notification.objects.all().delete()
    with transaction.atomic():
        submission_return(actor=personas["dave"], submission=submission, reason="口腔类罚款金额请核实")
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert {"chief", other_chief.username} <= told and "carol" not in told
    note = Notification.objects.get(user=other_chief)
    assert "被退回：口腔类罚款金额请核实" in note.text and note.url == submission.get_absolute_url()
