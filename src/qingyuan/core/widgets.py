"""The widgets every form gets through style_fields: dates the browser's date input accepts, option
lists drawn as Bootstrap form-checks, people by name and unit, and the cascading region picker.

The Chinese locale writes dates as "2026/12/03", which <input type=date> rejects (the field then
comes up empty), so date and datetime widgets always render ISO; the forms parse ISO back
(Django adds the ISO input formats to the locale's).
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib.auth import get_user_model
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

# Checkbox and radio lists everywhere (also fields a form adds after style_fields) render through the
# templates under form_templates/, which take precedence over Django's own: one Bootstrap form-check
# per option, the class on the inputs and never on the list around them.
FORM_TEMPLATES = Path(__file__).resolve().parent / "form_templates"


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's renderer with the platform's widget templates first."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [FORM_TEMPLATES, Path(forms.__file__).resolve().parent / "templates"],
                "NAME": "qingyuanforms",
                "OPTIONS": {},
            }
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's argument name
        super().__init__(attrs, format=DATE_FORMAT)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's argument name
        super().__init__(attrs, format=DATETIME_FORMAT)


def iso_dates(widget: forms.Widget) -> None:
    """Any date or datetime widget (also one an app declared itself) renders the ISO value."""
    if isinstance(widget, forms.DateTimeInput):
        widget.input_type = "datetime-local"
        widget.format = DATETIME_FORMAT
    elif isinstance(widget, forms.DateInput):
        widget.input_type = "date"
        widget.format = DATE_FORMAT


def option_list(widget: forms.Widget) -> None:
    """Checkbox and radio lists: the class belongs on each input (the templates put form-check-input
    there unless a form chose another, such as btn-check), never on the list around them, where it
    squeezed the list into one checkbox's box."""
    if widget.attrs.get("class") == "form-check-input":
        del widget.attrs["class"]


# --- people ---------------------------------------------------------------------------------------


def person_label(user) -> str:
    """姓名（单位）: how a person is offered in a choice, never by the login name."""
    name = getattr(user, "full_name", "") or "（未填姓名）"
    unit = getattr(user, "unit", None)
    return f"{name}（{unit.name}）" if unit is not None else name


class PersonChoiceIterator(forms.models.ModelChoiceIterator):
    """Loads each option's unit with the option (one query, however many people)."""

    def __init__(self, field):
        super().__init__(field)
        if self.queryset is not None:
            self.queryset = self.queryset.select_related("unit")


def is_user_field(field: forms.Field) -> bool:
    queryset = getattr(field, "queryset", None)
    return (
        isinstance(field, forms.ModelChoiceField)
        and queryset is not None
        and queryset.model is get_user_model()
    )


def label_people(field: forms.ModelChoiceField) -> None:
    # A form that words its own label (name and credential number) sets it after this, and wins.
    own = "label_from_instance" in field.__dict__ or (
        type(field).label_from_instance is not forms.ModelChoiceField.label_from_instance
    )
    if not own:
        field.label_from_instance = person_label
    if field.iterator is forms.models.ModelChoiceIterator:
        field.iterator = PersonChoiceIterator
        field.widget.choices = field.choices


# --- regions --------------------------------------------------------------------------------------


class RegionSelect(forms.Select):
    """A region chosen level by level (省 → 市 → 区县 → 乡镇), among the field's own choices only.

    It renders the plain select (all the choices, usable without JavaScript) and, beside it, the
    branch of the administrative tree those choices hang on as JSON; static/js/pickers.js turns
    that into one select per level and keeps the plain one, hidden, as what the form submits.
    """

    template_name = "core/widgets/region_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        tree_id = f"{widget['attrs'].get('id') or name}-tree"
        widget["tree_id"] = tree_id
        widget["tree"] = self.tree()
        widget["attrs"]["data-region-picker"] = tree_id
        return context

    def tree(self) -> dict:
        from qingyuan.regions.models import Region

        nodes: dict[str, dict] = {}
        for value, _label in self.choices:
            instance = getattr(value, "instance", None)
            if instance is None:
                continue
            nodes[instance.code] = {"n": instance.name, "p": instance.parent_id, "l": instance.level, "s": 1}
        missing = {n["p"] for n in nodes.values() if n["p"] and n["p"] not in nodes}
        # The ancestors that are not themselves choices name the levels above (at most four hops).
        while missing:
            found = Region.objects.filter(code__in=missing).values_list("code", "name", "parent_id", "level")
            for code, name, parent, level in found:
                nodes[code] = {"n": name, "p": parent, "l": level, "s": 0}
            missing = {n["p"] for n in nodes.values() if n["p"] and n["p"] not in nodes} - missing
        return nodes


def is_region_field(field: forms.Field) -> bool:
    from qingyuan.regions.models import Region

    queryset = getattr(field, "queryset", None)
    return (
        isinstance(field, forms.ModelChoiceField)
        and not isinstance(field, forms.ModelMultipleChoiceField)
        and queryset is not None
        and queryset.model is Region
        and type(field.widget) is forms.Select
    )


def region_picker(field: forms.ModelChoiceField) -> None:
    old = field.widget
    widget = RegionSelect(attrs=old.attrs)
    widget.is_required = old.is_required
    widget.is_localized = old.is_localized
    field.widget = widget
    widget.choices = field.choices
