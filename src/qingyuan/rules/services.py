"""Corrections and changes of the rules. History is never edited: a new version is added with its
effective date, and the version it replaces ends the day before, in one transaction with audit."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from qingyuan.core import audit
from qingyuan.core.models import AuditAction

from .models import Offence, Threshold, TimeLimit

# What an administrator may set on a new version; code, version and effective_to follow from it.
OFFENCE_FIELDS = [
    "name",
    "basis",
    "measures",
    "fine_kind",
    "multiplier_min",
    "multiplier_max",
    "income_floor",
    "income_threshold",
    "fine_min",
    "fine_max",
    "fine_optional",
    "illegal_practice",
    "referral_only",
    "applies_codes",
    "unverified",
    "effective_from",
    "note",
]
LIMIT_FIELDS = ["name", "amount", "unit", "basis", "unverified", "effective_from", "note"]
THRESHOLD_FIELDS = ["name", "value", "basis", "unverified", "effective_from", "note"]


def _add_version(*, model, fields, actor, code: str, data: dict):
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"不可设置的字段：{', '.join(sorted(unknown))}")
    effective_from = data.get("effective_from")
    if not isinstance(effective_from, date):
        raise ValidationError({"effective_from": "请填写生效日期"})
    with transaction.atomic():
        # Two administrators adding a version at once must not both get the same number.
        versions = list(model.objects.select_for_update().filter(code=code).order_by("-version"))
        current = versions[0] if versions else None
        if current is not None and effective_from <= current.effective_from:
            raise ValidationError(
                {
                    "effective_from": f"生效日期须晚于现行第{current.version}版的生效日期"
                    f"（{current.effective_from:%Y-%m-%d}）"
                }
            )
        new = model(code=code, version=current.version + 1 if current else 1, **data)
        new.full_clean()
        if current is not None and (current.effective_to is None or current.effective_to >= effective_from):
            before = audit.snapshot(current)
            current.effective_to = effective_from - timedelta(days=1)
            current.save(update_fields=["effective_to"])
            b, a = audit.diff(before, audit.snapshot(current))
            audit.record(actor=actor, action=AuditAction.UPDATE, target=current, before=b, after=a)
        new.save()
        audit.record(actor=actor, action=AuditAction.CREATE, target=new, after=audit.snapshot(new))
    return new


def _clean_applies_codes(code: str, data: dict) -> dict:
    raw = data.get("applies_codes") or ""
    codes = [c.strip().upper() for c in raw.replace("，", ",").split(",") if c.strip()]
    if code in codes:
        raise ValidationError({"applies_codes": "不能按事实适用本条自身"})
    known = set(Offence.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError({"applies_codes": f"违法行为代码不存在：{'、'.join(unknown)}"})
    return {**data, "applies_codes": ",".join(dict.fromkeys(codes))} if "applies_codes" in data else data


def offence_add_version(*, actor, code: str, data: dict) -> Offence:
    """Add the next version of offence `code` (version 1 if the code is new) from `data` (fields in
    OFFENCE_FIELDS, effective_from required and later than the current version's)."""
    data = _clean_applies_codes(code, data)
    return _add_version(model=Offence, fields=OFFENCE_FIELDS, actor=actor, code=code, data=data)


def time_limit_add_version(*, actor, code: str, data: dict) -> TimeLimit:
    """Add the next version of time limit `code` (fields in LIMIT_FIELDS)."""
    return _add_version(model=TimeLimit, fields=LIMIT_FIELDS, actor=actor, code=code, data=data)


def threshold_add_version(*, actor, code: str, data: dict) -> Threshold:
    """Add the next version of threshold `code` (fields in THRESHOLD_FIELDS). A threshold keeps its
    kind: a number stays a number, a list of penalty kinds stays a list."""
    current = Threshold.objects.filter(code=code).order_by("-version").first()
    value = data.get("value")
    if current is not None and isinstance(current.value, list) != isinstance(value, list):
        raise ValidationError({"value": "请按原有形式填写：数额或处罚种类"})
    return _add_version(model=Threshold, fields=THRESHOLD_FIELDS, actor=actor, code=code, data=data)
