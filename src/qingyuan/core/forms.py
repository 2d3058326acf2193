from django import forms
from django.utils import timezone

from . import concurrency, widgets
from .filters import SafeFilterSet

# Django's placeholder for "nothing chosen yet", in Chinese.
BLANK_LABEL = "请选择"
DASHES = "---------"


def _chinese_blank(field: forms.Field) -> None:
    if getattr(field, "empty_label", None) == DASHES:
        field.empty_label = BLANK_LABEL
        field.widget.choices = field.choices
        return
    if isinstance(field, forms.ModelChoiceField) or not isinstance(field, forms.ChoiceField):
        return
    choices = list(field.choices)
    if any(value == "" and label == DASHES for value, label in choices):
        field.choices = [
            (value, BLANK_LABEL if value == "" and label == DASHES else label) for value, label in choices
        ]


def _start_blank(form: forms.BaseForm, name: str, field: forms.Field) -> None:
    """A required single choice with nothing to preselect starts on an empty entry, so the first option
    is never saved because nobody looked at it."""
    if (
        isinstance(field, (forms.ModelChoiceField, forms.MultipleChoiceField))
        or not isinstance(field, forms.ChoiceField)
        or type(field.widget) is not forms.Select
        or not field.required
        or field.initial is not None
        or form.initial.get(name) is not None
    ):
        return
    choices = list(field.choices)
    if choices and not any(value in field.empty_values for value, _label in choices):
        field.choices = [("", BLANK_LABEL), *choices]


def style_fields(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, so templates stay plain loops; ISO dates, option lists as
    form-checks, people by name and unit, regions by the cascading picker (core.widgets)."""
    for name, field in form.fields.items():
        if widgets.is_user_field(field):
            widgets.label_people(field)
        if widgets.is_region_field(field):
            widgets.region_picker(field)
        _chinese_blank(field)
        _start_blank(form, name, field)
        widget = field.widget
        widgets.iso_dates(widget)
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = (("unknown", "全部"), ("true", "是"), ("false", "否"))
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            widgets.option_list(widget)
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class VersionedFormMixin:
    """An edit form that carries the version token of the record it edits (core.concurrency), so the
    service can refuse a save made from a form opened before someone else's. Model forms track their
    Meta.fields; other forms name the model fields they overwrite in `version_fields` and, where a form
    field has another name, map it in `version_field_map`. Pass `record=` to a form that is not a
    ModelForm. After a refusal, `show_conflict` keeps the user's input, lists what changed and carries
    the current token, so a second submit after reading the differences saves."""

    version_fields: tuple[str, ...] = ()
    version_field_map: dict[str, str] = {}

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        record = record if record is not None else getattr(self, "instance", None)
        self.record = record if record is not None and record.pk else None
        self.stale = None
        self.conflict = []
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.record is not None:
            self.fields["version"].initial = concurrency.version_token(self.record, self.tracked_fields())

    def tracked_fields(self) -> list[str]:
        if self.version_fields:
            return list(self.version_fields)
        return list(getattr(getattr(self, "Meta", None), "fields", None) or [])

    @property
    def version(self) -> str | None:
        """The token the form was opened with; None on a create form."""
        if self.record is None:
            return None
        return self.cleaned_data.get("version") or None

    def _mine(self, name: str) -> str:
        form_name = self.version_field_map.get(name, name)
        if isinstance(self, forms.ModelForm) and form_name == name:
            # After validation the form's instance holds the user's values (masked where confidential).
            return concurrency.display(self.instance, name)
        field = self.fields.get(form_name)
        value = self.cleaned_data.get(form_name)
        choices = dict(getattr(field, "choices", None) or []) if field is not None else {}
        if value in choices and not hasattr(value, "pk"):
            return str(choices[value])
        return concurrency.show(value)

    def show_conflict(self, exc: concurrency.StaleEdit) -> None:
        current = exc.instance
        self.stale = exc.messages[0]
        self.conflict = []
        for name in exc.changed:
            field = self.fields.get(self.version_field_map.get(name, name))
            label = field.label if field is not None else current._meta.get_field(name).verbose_name
            self.conflict.append(
                {"label": label, "mine": self._mine(name), "current": concurrency.display(current, name)}
            )
        data = self.data.copy()
        data[self.add_prefix("version")] = concurrency.version_token(current, self.tracked_fields())
        self.data = data


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class StyledFilterSet(SafeFilterSet):
    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            style_fields(form)
            form._styled = True
        return form


def today():
    """A field's "today" default. Looked up on each call rather than bound as `initial=timezone.localdate`
    at class definition, which would keep whatever localdate was when the module was first imported
    (a test's frozen date, if that is when the forms module was loaded)."""
    return timezone.localdate()


# Apps import the date widget from here.
DateInput = widgets.DateInput
DateTimeInput = widgets.DateTimeInput


class WorkdayOverrideForm(StyledModelForm):
    class Meta:
        from .models import WorkdayOverride

        model = WorkdayOverride
        fields = ["date", "is_workday", "note"]
        widgets = {"date": DateInput()}
