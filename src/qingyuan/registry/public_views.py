"""The public licence look-up (no login): residents check whether a clinic or a doctor is licensed.

Seed 004 asks that institutions' and practitioners' 执业资格、执业范围 be published (向社会公示); this
shows exactly what the registry publishes and nothing else (no ID number, phone, legal
representative or qualification number). Every page counts against the "verify" rate per client
address. Each institution has a page and a QR code that inspectors print and post at its door."""

import io

import segno
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from qingyuan.portal.ratelimit import over_limit, too_many_requests

from . import selectors
from .forms import InstitutionLookupForm, PractitionerLookupForm
from .models import Institution, InstitutionCategory, InstitutionStatus, PractitionerKind, PractitionerStatus
from .public_api import label

SCOPE = "verify"


def _labelled(rows):
    """Chinese labels set once per row (get_FOO_display() translates every choice on each call)."""
    for row in rows:
        if isinstance(row, Institution):
            row.category_label = label(InstitutionCategory, row.category)
            row.status_label = label(InstitutionStatus, row.effective_status)
        else:
            row.kind_label = label(PractitionerKind, row.kind)
            row.status_label = label(PractitionerStatus, row.status)
    return rows


def public_url(request, institution: Institution) -> str:
    """The public page's absolute address, as printed in the QR code: the address the bureau
    publishes (QINGYUAN_SITE_URL) rather than whatever host an officer reached the platform by."""
    path = reverse("registry_public:institution", args=[institution.pk])
    if settings.QINGYUAN_SITE_URL:
        return settings.QINGYUAN_SITE_URL.rstrip("/") + path
    return request.build_absolute_uri(path)


def _institution_or_404(pk: int) -> Institution:
    if pk > selectors.PUBLIC_MAX_ID:
        raise Http404
    return get_object_or_404(Institution.objects.select_related("region"), pk=pk)


@require_GET
def lookup(request):
    kind = "practitioner" if request.GET.get("kind") == "practitioner" else "institution"
    form_class = PractitionerLookupForm if kind == "practitioner" else InstitutionLookupForm
    asked = any(request.GET.get(name) for name in ("q", "licence_no", "name", "institution"))
    form = form_class(request.GET if asked else None)
    context = {
        "title": "执业资格查询",
        "kind": kind,
        "form": form,
        "hotline": settings.QINGYUAN_PORTAL_HOTLINE,
    }
    if asked:
        if over_limit(request, SCOPE):
            return too_many_requests(request, SCOPE)
        if form.is_valid():
            data = form.cleaned_data
            if kind == "practitioner":
                rows, more = selectors.public_practitioners(
                    name=data["name"], institution=data["institution"]
                )
            else:
                rows, more = selectors.public_institutions(q=data["q"], licence_no=data["licence_no"])
            context.update(searched=True, results=_labelled(rows), more=more, limit=selectors.PUBLIC_LIMIT)
    return render(request, "registry/public/lookup.html", context, status=400 if form.errors else 200)


@require_GET
def institution(request, pk):
    if over_limit(request, SCOPE):
        return too_many_requests(request, SCOPE)
    place = _institution_or_404(pk)
    practitioners, total = selectors.public_institution_practitioners(place)
    _labelled([place, *practitioners])
    context = {
        "title": place.name,
        "institution": place,
        "practitioners": practitioners,
        "practitioner_count": total,
        "public_url": public_url(request, place),
    }
    return render(request, "registry/public/institution.html", context)


@require_GET
def institution_poster(request, pk):
    """A page to print and post at the door: the public facts and the QR code of the public page."""
    if over_limit(request, SCOPE):
        return too_many_requests(request, SCOPE)
    place = _labelled([_institution_or_404(pk)])[0]
    context = {
        "title": f"执业资格公示：{place.name}",
        "institution": place,
        "public_url": public_url(request, place),
        "hotline": settings.QINGYUAN_PORTAL_HOTLINE,
    }
    return render(request, "registry/public/poster.html", context)


@require_GET
def institution_qr(request, pk):
    """The QR code of the public page, as SVG: served as an image, so no script and no inline style."""
    if over_limit(request, SCOPE):
        return too_many_requests(request, SCOPE)
    place = _institution_or_404(pk)
    qr = segno.make(public_url(request, place), error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=8, border=2, dark="#000", light="#fff", title="执业资格公示页二维码")
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response
