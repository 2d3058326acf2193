import django_filters
from django import forms


def style_fields(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, so templates stay plain loops."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = (("unknown", "全部"), ("true", "是"), ("false", "否"))
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class StyledFilterSet(django_filters.FilterSet):
    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            style_fields(form)
            form._styled = True
        return form


class DateInput(forms.DateInput):
    input_type = "date"


class WorkdayOverrideForm(StyledModelForm):
    class Meta:
        from .models import WorkdayOverride

        model = WorkdayOverride
        fields = ["date", "is_workday", "note"]
        widgets = {"date": DateInput()}
