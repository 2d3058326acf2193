"""Notifications: one row per user in the inbox (/notifications/), and, for users who asked for it,
the same text by e-mail and by SMS.

Sending happens on the task queue (deliver_task), never in the request: a slow mail server or SMS
gateway must not slow a page, and a failure is logged, never raised into the change that caused it.

SMS goes through settings.QINGYUAN_SMS_BACKEND, the dotted path of a class with `send(phone, text)`;
a bureau plugs in its own gateway by writing such a class. The default one only logs (with the phone
number masked), so nothing leaves the machine until a gateway is configured.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from huey.contrib.djhuey import db_task

from .crypto import mask_phone
from .models import Notification

logger = logging.getLogger(__name__)

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def notify(users, text: str, url: str = "") -> int:
    """Tell each user once. Called from transaction.on_commit, so nothing is sent for a rolled-back change."""
    rows = [Notification(user=u, text=text[:300], url=url) for u in dict.fromkeys(users) if u is not None]
    Notification.objects.bulk_create(rows)
    wanted = [
        n.user.pk
        for n in rows
        if (getattr(n.user, "notify_by_email", False) and n.user.email and email_configured())
        or (getattr(n.user, "notify_by_sms", False) and n.user.phone)
    ]
    if wanted:
        try:
            deliver_task(wanted, text[:300], url)
        except Exception:  # the queue being down must not undo or break the change itself
            logger.exception("通知外发任务入队失败")
    return len(rows)


def email_configured() -> bool:
    """E-mail goes out once an SMTP server is set (EMAIL_HOST), or a non-SMTP backend is chosen."""
    return bool(settings.EMAIL_HOST) or settings.EMAIL_BACKEND != SMTP_BACKEND


def _link(url: str) -> str:
    site = getattr(settings, "QINGYUAN_SITE_URL", "").rstrip("/")
    if url and site and url.startswith("/"):
        return f"{site}{url}"
    return ""


class LoggingSmsBackend:
    """The default SMS backend: writes the message to the log, the number masked."""

    def send(self, phone: str, text: str) -> None:
        logger.info("短信（未配置短信网关，仅记录）：%s %s", mask_phone(phone), text)


def sms_backend():
    return import_string(
        getattr(settings, "QINGYUAN_SMS_BACKEND", "qingyuan.core.notifications.LoggingSmsBackend")
    )()


@db_task()
def deliver_task(user_ids: list[int], text: str, url: str = "") -> int:
    """Send one notification by e-mail and SMS to those of `user_ids` who asked for it. Each failure is
    logged and the others still go out. Returns how many messages were sent."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    link = _link(url)
    body = f"{text}\n\n{'查看：' + link if link else '请登录清源平台查看。'}\n\n（本邮件由系统自动发送，请勿回复）"
    sent = 0
    for user in users:
        if user.notify_by_email and user.email and email_configured():
            try:
                sent += send_mail(f"清源通知：{text[:60]}", body, None, [user.email])
            except Exception:
                logger.exception("通知邮件发送失败：用户%s", user.pk)
        if user.notify_by_sms and user.phone:
            try:
                sms_backend().send(user.phone, f"【清源】{text}")
                sent += 1
            except Exception:
                logger.exception("通知短信发送失败：用户%s %s", user.pk, mask_phone(user.phone))
    return sent
