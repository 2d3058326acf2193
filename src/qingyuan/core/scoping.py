"""Jurisdiction scoping: the one queryset method every list, detail, export and API call goes through."""

from django.db import models
from django.http import Http404


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a region; `visible_to(user)` keeps the user's subtree only.

    Subclasses name the path to the region code in `region_lookup` (e.g. "region_id" or
    "subject__region_id"). Region codes are prefixes of their descendants' codes, so the subtree
    is one indexed `LIKE 'prefix%'`.
    """

    region_lookup = "region__code"

    def visible_to(self, user):
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
