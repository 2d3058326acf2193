"""Small helpers the operations services share."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.utils import timezone

# Operation periods are whole days in the city's local time, whatever the server's zone.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _require(actor, perm):
    if actor is None or not actor.can(perm):
        raise PermissionDenied


def _in_jurisdiction(actor, region_code: str) -> bool:
    prefix = actor.unit.region.prefix if actor.unit_id else None
    if prefix is None:
        return False
    return actor.unit.region.level == 0 or region_code.startswith(prefix)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def _campaign_checked(actor, campaign):
    """An operation or spot check belongs to a campaign in force for the actor's region (or none)."""
    from qingyuan.campaigns.selectors import check_campaign_tag

    check_campaign_tag(campaign, region=actor.unit.region, on=timezone.localdate())
    return campaign
