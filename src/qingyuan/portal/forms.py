from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms

from qingyuan.core.forms import StyledForm
from qingyuan.leads.forms import MultipleFileField, ReporterFieldsMixin
from qingyuan.leads.models import Category, Lead
from qingyuan.leads.uploads import MAX_FILES


class TipForm(ReporterFieldsMixin, StyledForm):
    """Step 1: what the resident writes. Re-validated on the confirmation step from hidden fields,
    since anything that comes back from the browser may have been changed."""

    category = forms.ChoiceField(label="问题类别", choices=Category.choices)
    content = forms.CharField(
        label="反映内容",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="请写明时间、经过和您看到的情况",
    )
    place = forms.CharField(
        label="反映地点",
        max_length=300,
        help_text="写到区县、乡镇、村（社区）和门牌，例如：吴中区木渎镇金星村12号",
    )
    reported_person = forms.CharField(label="被反映人", max_length=100, required=False)
    practice_content = forms.ChoiceField(
        label="行医内容", choices=Lead._meta.get_field("practice_content").choices
    )
    anonymous = forms.TypedChoiceField(
        label="反映方式",
        choices=[("1", "匿名反映"), ("0", "实名反映（可收到答复，个人信息严格保密）")],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(label="姓名", max_length=50, required=False)
    reporter_phone = forms.CharField(
        label="联系电话", max_length=32, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    reporter_id_number = forms.CharField(label="身份证号（选填）", max_length=18, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].widget.attrs["autocomplete"] = "off"

    def hidden_items(self) -> list[tuple[str, str]]:
        """The submitted values, to carry to the confirmation step in hidden fields."""
        return [(name, self[name].value() or "") for name in self.fields]


class TipConfirmForm(StyledForm):
    """Step 2: photos and the captcha. Files are chosen here, on the step that sends, so that nothing
    has to be kept on the server between the two steps."""

    attachments = MultipleFileField(
        label="照片或文件（选填）",
        required=False,
        help_text=f"照片、录音、视频、PDF或Word/Excel文档，每个不超过10MB，最多{MAX_FILES}个",
    )
    captcha = CaptchaField(
        label="验证码",
        widget=CaptchaTextInput(attrs={"autocomplete": "off", "class": "form-control"}),
        error_messages={"invalid": "验证码错误，请重新输入", "required": "请输入验证码"},
        help_text="请输入图片中的字母，不区分大小写",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs["accept"] = (
            "image/*,audio/*,video/*,.pdf,.doc,.docx,.xls,.xlsx"
        )


class TrackForm(StyledForm):
    code = forms.CharField(
        label="查询码", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def clean_code(self):
        # People read the code off a screenshot or a note: spaces, dashes and case do not matter.
        return "".join(ch for ch in self.cleaned_data["code"].upper() if ch.isalnum())
