from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password

from qingyuan.regions.models import Unit

from .models import User
from .roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败5次将锁定30分钟。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


class UserForm(forms.ModelForm):
    """系统管理员 edits the account; 安全管理员 alone grants role and unit (三员分立)."""

    # The model field is an encrypted text column; the form keeps the one-line, bounded input.
    phone = forms.CharField(label="手机号", max_length=20, required=False)

    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "gender",
            "ethnicity",
            "phone",
            "credential_no",
            "unit",
            "role",
            "is_active",
        ]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(region__code__startswith=actor.unit.region.prefix)
        self.fields["full_name"].required = True
        if not actor.can("users.grant"):
            for name in ("unit", "role"):
                self.fields[name].disabled = True
        if not actor.can("users.manage"):
            for name in (
                "username",
                "full_name",
                "gender",
                "ethnicity",
                "phone",
                "credential_no",
                "is_active",
            ):
                self.fields[name].disabled = True
        if self.instance.pk is None:
            self.fields["initial_password"] = forms.CharField(
                label="初始密码", widget=forms.PasswordInput, help_text="首次登录时须修改"
            )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.INSPECTOR and not data.get("credential_no"):
            self.add_error("credential_no", "监督员必须填写执法证号")
        if data.get("initial_password"):
            try:
                validate_password(data["initial_password"], self.instance)
            except forms.ValidationError as exc:
                self.add_error("initial_password", exc)
        return data


class NotificationSettingsForm(forms.ModelForm):
    """The user's own choice of where notifications also go; the phone number is the administrator's."""

    email = forms.EmailField(
        label="电子邮箱",
        required=False,
        max_length=254,
        error_messages={"invalid": "请输入有效的电子邮箱地址"},
    )

    class Meta:
        model = User
        fields = ["email", "notify_by_email", "notify_by_sms"]

    def clean(self):
        data = super().clean()
        if data.get("notify_by_email") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "选择通过电子邮件接收通知时，请填写电子邮箱")
        if data.get("notify_by_sms") and not self.instance.phone:
            self.add_error("notify_by_sms", "您的账号未登记手机号，请联系系统管理员登记后再选择短信通知")
        return data
