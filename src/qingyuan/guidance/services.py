"""Writing guidance pages: drafts, publishing and taking down. An editor holds guidance.manage and
writes the pages of his own jurisdiction only (a county chief his county's, a city administrator the
city's and its counties'); the pages of the regions above are read, not changed, and a county
overrides them by writing its own page on the same topic."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from qingyuan.core import audit
from qingyuan.core.models import AuditAction
from qingyuan.core.scoping import jurisdiction_prefix

from .models import GuidePage, GuideVersion

EDITABLE = ("region", "topic", "title", "body")


def _require_editor(actor, region) -> None:
    if actor is None or not actor.can("guidance.manage"):
        raise PermissionDenied("您没有编辑办事指南的权限")
    prefix = jurisdiction_prefix(actor)
    if prefix is None or not region.code.startswith(prefix):
        raise PermissionDenied("只能编辑本辖区的办事指南")


def readable_pages(user):
    """The pages an editor may open: his jurisdiction's and those of the regions above it, which
    apply to his area too."""
    from qingyuan.campaigns.models import ancestor_prefixes

    if not user.can("guidance.manage"):
        return GuidePage.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return GuidePage.objects.none()
    own = GuidePage.objects.visible_to(user)
    if not prefix:
        return own
    return own | GuidePage.objects.filter(region__prefix__in=ancestor_prefixes(prefix))


def page_or_404(user, pk) -> GuidePage:
    """Missing and outside the editor's reach look the same."""
    try:
        return readable_pages(user).select_related("region", "current").get(pk=pk)
    except (GuidePage.DoesNotExist, ValueError):
        raise Http404 from None


def can_edit(user, page) -> bool:
    prefix = jurisdiction_prefix(user)
    return user.can("guidance.manage") and prefix is not None and page.region.code.startswith(prefix)


def _target(page):
    return {"target": page, "target_repr": str(page), "region_code": page.region_id}


@transaction.atomic
def page_create(*, actor, region, topic, title, body) -> GuidePage:
    _require_editor(actor, region)
    page = GuidePage(region=region, topic=topic, title=title, body=body, created_by=actor, updated_by=actor)
    page.full_clean()
    try:
        with transaction.atomic():
            page.save()
    except IntegrityError:
        raise ValidationError({"topic": "主题：该地区已有这一主题的指南，请在列表中打开它修改"}) from None
    audit.record(actor=actor, action=AuditAction.CREATE, after=audit.snapshot(page), **_target(page))
    return page


@transaction.atomic
def page_edit(*, actor, page, title, body) -> GuidePage:
    """Change the draft; the public keeps reading the published version until it is published."""
    page = GuidePage.objects.select_for_update(of=("self",)).select_related("region").get(pk=page.pk)
    _require_editor(actor, page.region)
    before = audit.snapshot(page)
    page.title, page.body, page.updated_by = title, body, actor
    page.full_clean()
    page.save()
    audit.record(
        actor=actor, action=AuditAction.UPDATE, before=before, after=audit.snapshot(page), **_target(page)
    )
    return page


@transaction.atomic
def page_publish(*, actor, page) -> GuideVersion:
    """Publish the draft as the next version; earlier versions stay in the history."""
    page = GuidePage.objects.select_for_update(of=("self",)).select_related("region").get(pk=page.pk)
    _require_editor(actor, page.region)
    if not page.draft_differs:
        raise ValidationError("草稿与正在公开的版本相同，无需再次发布")
    return _publish(page, actor)


def _publish(page, actor) -> GuideVersion:
    before = audit.snapshot(page)
    now = timezone.now()
    number = (page.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = GuideVersion.objects.create(
        page=page, number=number, title=page.title, body=page.body, published_at=now, published_by=actor
    )
    page.current = version
    page.first_published_at = page.first_published_at or now
    page.save(update_fields=["current", "first_published_at"])
    audit.record(
        actor=actor,
        action=AuditAction.TRANSITION,
        before=before,
        after={**audit.snapshot(page), "发布": f"第{number}版"},
        **_target(page),
    )
    return version


@transaction.atomic
def page_seed(*, region, topic, title, body) -> GuidePage | None:
    """An installation's starting text, written and published by the system (the loaders, no
    editor); a page already there is left as its editors made it."""
    if GuidePage.objects.filter(region=region, topic=topic).exists():
        return None
    page = GuidePage.objects.create(region=region, topic=topic, title=title, body=body)
    audit.record(action=AuditAction.CREATE, after=audit.snapshot(page), **_target(page))
    _publish(page, None)
    return page


@transaction.atomic
def page_unpublish(*, actor, page) -> GuidePage:
    """Take the page off the public site (the regions above then speak for the area again)."""
    page = GuidePage.objects.select_for_update(of=("self",)).select_related("region").get(pk=page.pk)
    _require_editor(actor, page.region)
    if page.current_id is None:
        raise ValidationError("该指南尚未发布")
    before = audit.snapshot(page)
    page.current = None
    page.save(update_fields=["current"])
    audit.record(
        actor=actor,
        action=AuditAction.TRANSITION,
        before=before,
        after={**audit.snapshot(page), "撤下": True},
        **_target(page),
    )
    return page
