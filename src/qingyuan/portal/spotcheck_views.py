"""双随机、一公开 on the public site (no login): the spot checks the organising level has published, with
how the sample was drawn (ratio, seed, method, so that anyone can redraw it) and what each check found.

Only plans marked published appear; anything else is 404 for the public. The text is cleared of
personal data as typical cases are (portal.redaction): institutions by name, a citizen party as 张某,
person names in the results masked, ID and phone numbers removed; officers are counted, never named."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from qingyuan.operations.models import Population, SpotCheckPlan
from qingyuan.registry.models import Practitioner
from qingyuan.subjects.models import Subject

from .ratelimit import over_limit, too_many_requests

# _party is the typical cases' own rule for naming a party in public (a citizen as 张某, person names
# inside an organisation's name masked): one rule for every public page.
from .redaction import ID_NUMBER_RE, LANDLINE_RE, MOBILE_RE, REMOVED, _party, mask_name, person_names

METHOD = (
    "按区县分层随机抽样：每个区县的对象按编号排序，抽取数为对象数乘以抽查比例后向上取整（合计不低于抽查比例）；"
    "以公布的随机种子与区县代码为种子，用梅森旋转伪随机数算法抽取，同一种子可复现同一样本。"
    "督查人员以同一种子从抽查单位辖区持证人员中随机抽取，回避被抽查区划的人员和办理过抽中对象案件的人员。"
)


def _published():
    return SpotCheckPlan.objects.filter(published=True).select_related("unit", "region")


def _clean(text: str, names) -> str:
    """The result as the public reads it: known person names masked, ID and phone numbers removed."""
    text = text or ""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    text = ID_NUMBER_RE.sub(REMOVED, text)
    text = MOBILE_RE.sub(REMOVED, text)
    return LANDLINE_RE.sub(REMOVED, text).strip()


def _public_item(item) -> dict:
    if item.institution_id:
        institution = item.institution
        names = [institution.legal_representative]
        names += [p.name for p in institution.practitioners.all()]
        names += [person.name for subject in institution.subjects.all() for person in subject.persons.all()]
        target = institution.name
    else:
        case = item.case
        names = person_names(case)
        target = f"{case.number or '已结案件'}（当事人：{_party(case)}）"
    return {
        "county": item.county.name,
        "target": target,
        "result": _clean(item.result, names) if item.recorded_at else "",
        "compliant": item.compliant if item.recorded_at else None,
    }


@require_GET
def public_spotchecks(request):
    if over_limit(request, "browse"):
        return too_many_requests(request, "browse")
    rows = _published().annotate(
        n_items=Count("items", distinct=True),
        n_failed=Count("items", filter=Q(items__compliant=False), distinct=True),
    )
    page = Paginator(rows.order_by("-published_at", "-pk"), 20).get_page(request.GET.get("page"))
    return render(request, "portal/spotcheck_list.html", {"title": "双随机抽查公示", "page": page})


@require_GET
def public_spotcheck(request, pk):
    if over_limit(request, "browse"):
        return too_many_requests(request, "browse")
    plan = get_object_or_404(_published(), pk=pk)
    items = plan.items.select_related(
        "county", "institution", "case__subject", "case__lead__reporter", "case__party_person"
    ).order_by("county_id", "pk")
    if plan.population == Population.INSTITUTIONS:
        items = items.prefetch_related(
            Prefetch(
                "institution__practitioners", queryset=Practitioner.objects.only("pk", "name", "institution")
            ),
            Prefetch("institution__subjects", queryset=Subject.objects.prefetch_related("persons")),
        )
    public = [_public_item(item) for item in items]
    context = {
        "title": f"抽查公示：{plan.name}",
        "plan": plan,
        "items": public,
        "method": METHOD,
        "inspectors": plan.inspectors.count(),
        "passed": sum(1 for i in public if i["compliant"] is True),
        "failed": sum(1 for i in public if i["compliant"] is False),
    }
    return render(request, "portal/spotcheck_detail.html", context)
