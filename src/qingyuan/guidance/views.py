"""The editors' pages of the public guide (guidance.manage): the pages of my region and of the regions
above it, writing a draft, previewing it as the public would see it, publishing, taking down, and the
history of published versions. A page outside the editor's reach is a 404 like a missing one; a page
of a region above can be read and overridden by writing one's own, not changed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingyuan.core.permissions import require_area_perm

from . import public_views, services
from .forms import AreaForm, PageCreateForm, PageEditForm
from .models import GuideVersion, Topic

PERM = "guidance.manage"


def _errors_into(form, exc):
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_area_perm(PERM)
def page_list(request):
    user = request.user
    pages = services.readable_pages(user).select_related("region", "current", "updated_by")
    order = {value: n for n, value in enumerate(Topic.values)}
    pages = sorted(pages, key=lambda p: (p.region_id, order.get(p.topic, 99)))
    rows = [{"page": p, "editable": services.can_edit(user, p)} for p in pages]
    return render(request, "guidance/page_list.html", {"title": "办事指南", "rows": rows})


@require_area_perm(PERM)
def page_create(request):
    user = request.user
    initial = {"topic": request.GET.get("topic")} if request.GET.get("topic") in Topic.values else {}
    form = PageCreateForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.page_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "草稿已保存。请预览后发布，发布前公众看不到。")
            return redirect("guidance:detail", pk=page.pk)
    return render(
        request,
        "includes/form.html",
        {"title": "新写办事指南", "form": form, "cancel_url": reverse("guidance:list")},
        status=400 if form.errors else 200,
    )


@require_area_perm(PERM)
def page_detail(request, pk):
    page = services.page_or_404(request.user, pk)
    return render(
        request,
        "guidance/page_detail.html",
        {
            "title": page.title,
            "page": page,
            "editable": services.can_edit(request.user, page),
            "versions": page.versions.select_related("published_by"),
        },
    )


@require_area_perm(PERM)
def page_edit(request, pk):
    user = request.user
    page = services.page_or_404(user, pk)
    if not services.can_edit(user, page):
        raise PermissionDenied("上级地区的指南只能查看；如需本地区的说法，请新写同一主题的指南")
    form = PageEditForm(request.POST or None, initial={"title": page.title, "body": page.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.page_edit(actor=user, page=page, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "草稿已保存。公众仍看到已发布的版本，发布后才更新。")
            return redirect("guidance:detail", pk=page.pk)
    return render(
        request,
        "includes/form.html",
        {
            "title": f"修改：{page.region.name}·{page.get_topic_display()}",
            "form": form,
            "cancel_url": reverse("guidance:detail", args=[page.pk]),
        },
        status=400 if form.errors else 200,
    )


@require_area_perm(PERM)
def page_preview(request, pk):
    """The draft laid out as the public page, for the editor only (never cached, never public)."""
    page = services.page_or_404(request.user, pk)
    response = public_views.render_page(
        request,
        area=page.region,
        form=AreaForm(initial={"region": page.region_id}),
        title=page.title,
        body=page.body,
        first_published_at=page.first_published_at,
        updated_at=page.current.published_at if page.current else None,
        banner="预览：这是草稿，尚未发布，公众看不到。",
        back_url=reverse("guidance:detail", args=[page.pk]),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_area_perm(PERM)
def version_detail(request, pk, number):
    page = services.page_or_404(request.user, pk)
    version = get_object_or_404(GuideVersion.objects.select_related("published_by"), page=page, number=number)
    return public_views.render_page(
        request,
        area=page.region,
        form=AreaForm(initial={"region": page.region_id}),
        title=version.title,
        body=version.body,
        first_published_at=page.first_published_at,
        updated_at=version.published_at,
        banner=f"历史版本：第{version.number}版，{version.published_by.full_name if version.published_by else '系统'}"
        f"发布于{timezone.localtime(version.published_at):%Y-%m-%d %H:%M}。",
        back_url=reverse("guidance:detail", args=[page.pk]),
    )


def _step(request, pk, service, done):
    user = request.user
    page = services.page_or_404(user, pk)
    try:
        service(actor=user, page=page)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("guidance:detail", pk=page.pk)


@require_POST
@require_area_perm(PERM)
def page_publish(request, pk):
    return _step(request, pk, services.page_publish, "已发布，公众网站即时更新。")


@require_POST
@require_area_perm(PERM)
def page_unpublish(request, pk):
    return _step(request, pk, services.page_unpublish, "已从公众网站撤下。")
