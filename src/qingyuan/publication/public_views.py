"""The public 公示 of penalty decisions (no login): search by area, year and keyword, newest first, and
each decision's page. Only the entry's reviewed text is read, never the case; a withdrawn entry shows
only the fact of its withdrawal (第48条第2款), so its party and text are neither shown nor searchable."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from qingyuan.portal.ratelimit import over_limit, too_many_requests
from qingyuan.regions.models import Region

from .forms import SearchForm
from .models import EntryStatus, PublicationEntry

PER_PAGE = 20


def _public():
    return PublicationEntry.objects.public()


@require_GET
def decision_list(request):
    if over_limit(request, "decisions"):
        return too_many_requests(request, "decisions")
    regions = Region.objects.filter(code__in=_public().values("region_id")).order_by("code")
    form = SearchForm(request.GET or None, regions=regions)
    rows = _public().select_related("region").prefetch_related("changes")
    status = 200
    if form.is_bound and not form.is_valid():
        rows, status = rows.none(), 400
    elif form.is_bound:
        data = form.cleaned_data
        if data["region"]:
            rows = rows.filter(region_id=data["region"])
        if data["year"]:
            rows = rows.filter(decided_on__year=data["year"])
        if data["q"]:
            q = data["q"]
            rows = rows.filter(Q(number__icontains=q) | Q(party__icontains=q, status=EntryStatus.PUBLISHED))
    page = Paginator(rows.order_by("-published_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": "行政处罚决定公示",
        "form": form,
        "regions": regions,
        "page": page,
        "querystring": query.urlencode(),
    }
    return render(request, "publication/public_list.html", context, status=status)


@require_GET
def decision_detail(request, pk):
    if over_limit(request, "browse"):
        return too_many_requests(request, "browse")
    entry = get_object_or_404(_public().select_related("region"), pk=pk)
    changes = list(entry.changes.all())
    context = {
        "title": f"行政处罚决定公示 {entry.number}",
        "entry": entry,
        "withdrawn": entry.status == EntryStatus.WITHDRAWN,
        "changes": changes,
        "withdrawal": next((c for c in reversed(changes) if c.kind == "withdraw"), None),
    }
    return render(request, "publication/public_detail.html", context)
