"""The base of every list filter (pages and API): query parameters validated before they reach the
database, so hostile input is a Chinese form error (API: a 400 naming the parameter), never a 500.

Unchecked, `?year=-1` or `?year=32050` makes Django build an impossible date range (ValueError), a
40-digit id overflows SQLite's and PostgreSQL's integers (OverflowError, DataError), and
`?institution=-1.4e+176` passes django-filter's number field. Here ids are positive integers within
the database's range, years lie within the platform's working range, other numbers are bounded,
and free text is limited in length (SECURITY.md: every query parameter validated).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django_filters.fields import ModelChoiceField

MAX_ID = 2**63 - 1  # PostgreSQL bigint, SQLite INTEGER
YEARS = (1949, 2100)
MAX_NUMBER = 10**15  # larger than any amount or count the platform records
MAX_TEXT = 200


class BoundedModelChoiceField(ModelChoiceField):
    """A record chosen by id: anything but a positive integer in range is "not a valid choice" before
    the database is asked (a 40-digit id raises OverflowError there, which ModelChoiceField lets out)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        target = self.queryset.model._meta.pk if key == "pk" else self.queryset.model._meta.get_field(key)
        if isinstance(target, (models.AutoField, models.IntegerField)) or target.get_internal_type().endswith(
            "AutoField"
        ):
            text = str(value).strip()
            if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def _model_field(model, path: str):
    """The model field a filter's field_name ends at (`institution_id`, `region__code`), or None."""
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            field = next((f for f in model._meta.concrete_fields if f.attname == part), None)
            if field is None:
                return None
        model = field.related_model if field.is_relation else None
    return field


def _is_id(field) -> bool:
    if field is None:
        return False
    if field.is_relation:
        return True
    return field.primary_key or field.get_internal_type().endswith("AutoField")


def region_prefix_filter() -> django_filters.CharFilter:
    """`?region=3205`: the records of a region and every region below it (codes nest by prefix)."""
    return django_filters.CharFilter(
        field_name="region__code", lookup_expr="startswith", label="区划代码前缀（含下级）"
    )


class SafeFilterSet(django_filters.FilterSet):
    """A FilterSet whose fields refuse out-of-range input (module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model or getattr(self.queryset, "model", None)
        for filter_ in self.filters.values():
            self._harden(filter_, model)

    @staticmethod
    def _harden(filter_, model) -> None:
        # The field is built lazily from field_class and extra; drop any copy built before (the
        # schema generator builds them on the class), so the bounds below apply.
        filter_.__dict__.pop("_field", None)
        if isinstance(filter_, django_filters.ModelChoiceFilter):
            filter_.field_class = BoundedModelChoiceField
        elif isinstance(filter_, django_filters.NumberFilter):
            target = (
                _model_field(model, filter_.field_name) if model is not None and filter_.field_name else None
            )
            if filter_.lookup_expr in ("year", "iso_year"):
                filter_.field_class = forms.IntegerField
                filter_.extra.setdefault("min_value", YEARS[0])
                filter_.extra.setdefault("max_value", YEARS[1])
            elif _is_id(target):
                filter_.field_class = forms.IntegerField
                filter_.extra.setdefault("min_value", 1)
                filter_.extra.setdefault("max_value", MAX_ID)
            elif isinstance(target, models.IntegerField):
                filter_.field_class = forms.IntegerField
                filter_.extra.setdefault("min_value", -MAX_NUMBER)
                filter_.extra.setdefault("max_value", MAX_NUMBER)
            else:
                filter_.extra.setdefault("min_value", -MAX_NUMBER)
                filter_.extra.setdefault("max_value", MAX_NUMBER)
        elif isinstance(filter_, django_filters.CharFilter):
            filter_.extra.setdefault("max_length", MAX_TEXT)
