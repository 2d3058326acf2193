"""The public guide (no login): how to recognise illegal practice, how to report, the hotlines of the
campaigns in force and the reward rules, for the area the visitor picks (?region=). Only published
versions are shown; drafts are seen through the officers' preview."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qingyuan.portal.ratelimit import over_limit, too_many_requests

from . import markup, selectors
from .forms import AreaForm
from .models import Topic


def _area(request):
    """The visitor's area from ?region=, or None for the whole installation. A code that is not
    one of the choices is said so in the form and the whole installation is shown."""
    form = AreaForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["region"]
    return form, None


def _context(request, area, form):
    return {
        "area_form": form,
        "area": area,
        "region_query": f"?region={area.code}" if area else "",
        "hotline": settings.QINGYUAN_PORTAL_HOTLINE,
        "campaigns": selectors.campaign_contacts(area),
        "standards": selectors.reward_standards(area),
    }


@require_GET
def index(request):
    if over_limit(request, "browse"):
        return too_many_requests(request, "browse")
    form, area = _area(request)
    pages = selectors.pages_for(area)
    context = _context(request, area, form)
    context.update(title="识别非法行医", pages=pages, topics=selectors.topics_in_order(pages))
    return render(request, "guidance/public_index.html", context)


def render_page(request, *, area, form, title, body, first_published_at, updated_at, banner="", back_url=""):
    """One guide page as the public sees it; the officers' preview renders the draft through here."""
    context = _context(request, area, form)
    context.update(
        title=title,
        blocks=markup.blocks(body),
        first_published_at=first_published_at,
        updated_at=updated_at,
        banner=banner,
        back_url=back_url,
        topics=Topic.choices,
    )
    return render(request, "guidance/public_page.html", context)


@require_GET
def page(request, topic):
    if over_limit(request, "browse"):
        return too_many_requests(request, "browse")
    if topic not in Topic.values:
        raise Http404
    form, area = _area(request)
    found = selectors.page_for(area, topic)
    if found is None:
        raise Http404
    version = found.current
    return render_page(
        request,
        area=area,
        form=form,
        title=version.title,
        body=version.body,
        first_published_at=found.first_published_at,
        updated_at=version.published_at,
    )
