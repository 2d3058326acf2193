"""Forms of publication: the officer's review of the text, a change or withdrawal with its ground, and
the public search (every parameter checked: a bad one is named in Chinese, never a 500)."""

from django import forms
from django.utils import timezone

from qingyuan.core.forms import StyledForm
from qingyuan.core.widgets import DateInput

from .models import Ground
from .services import CHANGE_GROUNDS, WITHDRAW_GROUNDS
from .text import TEXT_FIELDS


class EntryTextForm(StyledForm):
    """The public text as the officer reviews it; field lengths follow the model."""

    number = forms.CharField(label=TEXT_FIELDS["number"], max_length=100)
    party = forms.CharField(label=TEXT_FIELDS["party"], max_length=200)
    facts = forms.CharField(
        label=TEXT_FIELDS["facts"], max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    legal_basis = forms.CharField(
        label=TEXT_FIELDS["legal_basis"], max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    penalty = forms.CharField(
        label=TEXT_FIELDS["penalty"], max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    authority = forms.CharField(label=TEXT_FIELDS["authority"], max_length=200)


def _grounds(allowed) -> list:
    return [(g.value, g.label) for g in Ground if g in allowed]


class GroundFields(forms.Form):
    ground_on = forms.DateField(label="事由发生日期（撤销决定、复议决定或判决的日期）", widget=DateInput)
    note = forms.CharField(label="说明（公开）", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ChangeForm(EntryTextForm, GroundFields):
    ground = forms.ChoiceField(label="变更事由", choices=_grounds(CHANGE_GROUNDS))
    field_order = ["ground", "ground_on", "note", *TEXT_FIELDS]


class WithdrawForm(StyledForm, GroundFields):
    ground = forms.ChoiceField(label="撤回事由", choices=_grounds(WITHDRAW_GROUNDS))
    field_order = ["ground", "ground_on", "note"]


class SearchForm(forms.Form):
    """The public search. Region codes and years are checked against what exists; the keyword is
    matched on party and number only."""

    q = forms.CharField(label="当事人或文号", max_length=50, required=False)
    region = forms.CharField(label="区县", max_length=12, required=False)
    year = forms.IntegerField(label="年份", required=False, min_value=2000)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region_codes = {r.code for r in regions}
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "placeholder": "当事人名称或决定书文号"}
        )
        self.fields["year"].widget.attrs.update({"class": "form-control"})
        self.fields["year"].error_messages.update(
            {"invalid": "年份须为四位数字", "min_value": "年份须为2000年以后"}
        )
        self.fields["q"].error_messages["max_length"] = "关键词不能超过50个字"
        self.fields["region"].error_messages["max_length"] = "区县无效"

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        if code and code not in self.region_codes:
            raise forms.ValidationError("区县无效，请从列表中选择")
        return code

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError("年份不能晚于今年")
        return year

    def clean_q(self):
        # Control characters have no place in a search and some databases refuse a NUL.
        return "".join(ch for ch in self.cleaned_data["q"] if ch.isprintable()).strip()
