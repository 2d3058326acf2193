"""Jurisdiction scoping: the one queryset method every list, detail, export and API call goes through."""

from django.db import models
from django.db.models import Q
from django.http import Http404


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a region; `visible_to(user)` keeps the user's subtree only.

    Subclasses name the path to the region code in `region_lookup` (e.g. "region_id" or
    "subject__region_id"). Region codes are prefixes of their descendants' codes, so the subtree
    is one indexed `LIKE 'prefix%'`.
    """

    region_lookup = "region__code"
    # Path to the supervised site's id on rows about one site (the site itself, its cases,
    # inspections, evidence). An active cross-jurisdiction grant for the site (指定管辖 held by the
    # user's unit, 联动执法 held by the user) opens those rows to the holder, history included.
    subject_lookup: str | None = None
    # Which grants open the rows: any (None), or one GrantReason. Cases and what hangs off them open
    # to a designated unit only; a joint operation's visitors see the site, not its case files.
    subject_grant_reason: str | None = None

    def visible_to(self, user):
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        own = Q(**{f"{self.region_lookup}__startswith": prefix})
        if self.subject_lookup:
            from qingyuan.operations.access import granted_subject_ids

            if ids := granted_subject_ids(user, reason=self.subject_grant_reason):
                own |= Q(**{f"{self.subject_lookup}__in": sorted(ids)})
        return self.filter(own)

    def in_jurisdiction_of(self, user):
        """The rows the user's own jurisdiction holds, grants aside: what a write to a case may
        touch. A grant opens a site's history to read; the cases a designated county runs carry its
        own region (operations.access.responsible_region)."""
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(**{f"{self.region_lookup}__startswith": prefix})


def jurisdiction_prefix(user) -> str | None:
    """The region-code prefix a user may see; None means nothing, "" means the whole country."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    unit = getattr(user, "unit", None)
    if unit is None:
        return None
    return unit.region.prefix if unit.region.level > 0 else ""


def get_visible_or_404(queryset, user, **lookup):
    """ "Missing" and "not yours" look the same: both are 404."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None
