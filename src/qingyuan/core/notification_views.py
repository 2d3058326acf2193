"""The notification inbox: the user's own notifications, newest first; opening one marks it read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification

PER_PAGE = 30


@login_required
def inbox(request):
    notes = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(notes, PER_PAGE).get_page(request.GET.get("page"))
    unread = notes.filter(read_at__isnull=True).count()
    return render(
        request,
        "core/notifications.html",
        {"title": "通知", "page": page, "unread": unread, "querystring": ""},
    )


def _local(url: str) -> bool:
    """Only a path on this site: never another host, a scheme, or a protocol-relative //host."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=False)
    )


@login_required
def open_notification(request, pk: int):
    # Another user's notification is as missing as one that does not exist.
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    if note.url and _local(note.url):
        return redirect(note.url)
    return redirect("core:notifications")


@login_required
@require_POST
def mark_all_read(request):
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(request, f"已将 {count} 条通知标为已读" if count else "没有未读通知")
    return redirect("core:notifications")
