"""Forms of the guidance pages. They parse input; who may write what is the services' business."""

from django import forms

from qingyuan.core.forms import StyledForm, style_fields
from qingyuan.core.scoping import jurisdiction_prefix
from qingyuan.regions.models import Level, Region

from .models import GuidePage, Topic
from .selectors import area_choices

BODY_HELP = GuidePage._meta.get_field("body").help_text


class PageEditForm(StyledForm):
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(
        label="正文", max_length=20000, help_text=BODY_HELP, widget=forms.Textarea(attrs={"rows": 18})
    )


class PageCreateForm(PageEditForm):
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.none())
    topic = forms.ChoiceField(label="主题", choices=Topic.choices)

    field_order = ["region", "topic", "title", "body"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # An editor writes for his own region and the ones below it, down to counties.
        prefix = jurisdiction_prefix(user) or ""
        regions = Region.objects.filter(code__startswith=prefix, is_active=True, level__lte=Level.COUNTY)
        if user.unit_id:
            regions = regions.filter(level__gte=user.unit.region.level)
        self.fields["region"].queryset = regions.order_by("code")
        self.fields["region"].widget.choices = self.fields["region"].choices
        if len(own := list(regions[:2])) == 1:
            self.fields["region"].initial = own[0].pk  # a county chief writes for his county only


class AreaForm(forms.Form):
    """The visitor's area on the public guide (?region=), chosen with the cascading picker."""

    region = forms.ModelChoiceField(
        label="所在地区", queryset=Region.objects.none(), required=False, empty_label="全部地区"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        field.queryset = area_choices()
        field.error_messages["invalid_choice"] = "所在地区：没有这个地区，已显示全部地区的内容"
        style_fields(self)
