"""What the reporter is told about where their tip goes, before they send it. Uses the same routing
as registration (leads.services.route), so the preview and the registered lead cannot disagree."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from qingyuan.leads.services import route
from qingyuan.regions.addresses import resolve_address
from qingyuan.regions.models import Level, Unit

RESOLVED, CITY, UNRESOLVED = "resolved", "city", "unresolved"
ASK_FOR_MORE = "未能识别，请补充区县、乡镇名称"


@dataclass
class Location:
    kind: str  # RESOLVED: a county unit handles it; CITY: the city office assigns it; UNRESOLVED
    message: str
    unit: Unit | None = None

    @property
    def ok(self) -> bool:
        return self.unit is not None


def default_unit() -> Unit | None:
    unit_id = settings.QINGYUAN_PORTAL_DEFAULT_UNIT
    if not unit_id:
        return None
    return Unit.objects.filter(pk=unit_id, is_active=True).first()


def locate(place: str) -> Location:
    place = (place or "").strip()
    if not place:
        return Location(UNRESOLVED, "请填写反映地点")
    resolution = resolve_address(place)
    try:
        _region, unit, _note = route(place=place, fallback_unit=default_unit())
    except ValidationError:
        return Location(UNRESOLVED, ASK_FOR_MORE)
    if resolution.ambiguous:
        return Location(CITY, f"地址涉及多个区县，将由市级统一分派（{unit.name}）", unit)
    if resolution.region is None:
        # Only a configured default unit took it: the reporter should still try to be precise.
        return Location(CITY, f"未能识别具体地区，将由{unit.name}统一分派；建议补充区县、乡镇名称", unit)
    place_name = resolution.region.full_name or resolution.region.name
    if resolution.region.level < Level.COUNTY:
        return Location(CITY, f"识别为：{place_name}，未能确定区县，将由{unit.name}统一分派", unit)
    return Location(RESOLVED, f"识别为：{place_name}，将由{unit.name}处理", unit)
