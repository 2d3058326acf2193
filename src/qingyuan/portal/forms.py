from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django import forms
from django.forms.utils import ErrorDict
from django.template import loader
from django.utils.safestring import mark_safe

from qingyuan.core.forms import StyledForm
from qingyuan.leads.forms import PRACTICE_CHOICES, MultipleFileField, ReporterFieldsMixin
from qingyuan.leads.models import Category
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
    practice_content = forms.ChoiceField(label="行医内容", choices=PRACTICE_CHOICES)
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


MATH_CHALLENGE = "captcha.helpers.math_challenge"
_SPOKEN_OPERATORS = {"+": "加", "-": "减", "*": "乘以"}


class TipCaptchaInput(CaptchaTextInput):
    """The library's widget drawn by a template of ours: a large answer box, a "换一张" button, and,
    in the arithmetic mode, the question as text instead of the image, so that a screen reader or a
    person who cannot make out the letters can answer it without any outside service."""

    template_name = "portal/_captcha_widget.html"

    def __init__(self, attrs=None, math=False):
        super().__init__(attrs, generator=MATH_CHALLENGE if math else None)
        self.math = math

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["math"] = self.math
        context["refresh_url"] = self.refresh_url()
        if self.math:
            challenge = (
                CaptchaStore.objects.filter(hashkey=self._key).values_list("challenge", flat=True).first()
            )
            context["question"] = spoken(challenge or "")
        return context

    def _render(self, template_name, context, renderer=None):
        # The form renderer searches only the apps' templates: it draws the two inputs, and the page's
        # template loader the rest, which lives with the portal's pages.
        inputs = super()._render("django/forms/widgets/multiwidget.html", context, renderer)
        return mark_safe(loader.render_to_string(template_name, {**context, "inputs": inputs}))  # noqa: S308


def spoken(challenge: str) -> str:
    """ "7*3=" as "7 乘以 3 等于多少？"."""
    for symbol, word in _SPOKEN_OPERATORS.items():
        left, found, right = challenge.rstrip("=").partition(symbol)
        if found:
            return f"{left} {word} {right} 等于多少？"
    return challenge


class TipConfirmForm(StyledForm):
    """Step 2: photos and the captcha. Files are chosen here, on the step that sends; when this step is
    refused they are kept for the visitor (portal.holding) and listed, so they need not be chosen again.
    `math`: the captcha is an arithmetic question written as text instead of the image."""

    attachments = MultipleFileField(
        label="照片或文件（选填）",
        required=False,
        help_text=f"照片、录音、视频、PDF或Word/Excel文档，每个不超过10MB，最多{MAX_FILES}个",
    )
    captcha = CaptchaField(
        label="验证码",
        error_messages={"invalid": "验证码错误，请重新输入", "required": "请输入验证码"},
    )

    def __init__(self, *args, math=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.math = math
        self.fields["attachments"].widget.attrs["accept"] = (
            "image/*,audio/*,video/*,.pdf,.doc,.docx,.xls,.xlsx"
        )
        captcha = self.fields["captcha"]
        attrs = {
            "autocomplete": "off",
            "class": "form-control form-control-lg captcha-answer",
            "autocapitalize": "off",
            "spellcheck": "false",
            "aria-describedby": "id_captcha_help",
        }
        if math:
            attrs["inputmode"] = "numeric"
            captcha.label = "算术题答案"
            captcha.help_text = "请计算上面的算术题，只填数字结果"
        else:
            captcha.label = "验证码"
            captcha.help_text = "请输入图片中的4个英文字母，不区分大小写；看不清可点“换一张”"
        captcha.widget = TipCaptchaInput(attrs=attrs, math=math)
        captcha.widget.is_required = True

    def refuse_files(self, error) -> None:
        """Show `error` at the file field, also on a fresh (unbound) form that carries a new captcha."""
        if not self.is_bound:
            self._errors, self.cleaned_data = ErrorDict(), {}
        self.add_error("attachments", error)


class TrackForm(StyledForm):
    code = forms.CharField(
        label="查询码", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def clean_code(self):
        # People read the code off a screenshot or a note: spaces, dashes and case do not matter.
        return "".join(ch for ch in self.cleaned_data["code"].upper() if ch.isalnum())
