"""Two-factor login with TOTP (django-otp): set up a device, enter a code after the password."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingyuan.core import audit
from qingyuan.core.forms import StyledForm

from .redirects import safe_next


class CodeForm(StyledForm):
    code = forms.CharField(
        label="6位动态验证码",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("验证码应为6位数字")
        return code


def _pending_device(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


@login_required
def otp_setup(request):
    if user_has_device(request.user, confirmed=True):
        messages.info(request, "已启用两步验证。")
        return redirect(safe_next(request))
    device = _pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record(
                    action=audit.AuditAction.UPDATE, target=request.user, after={"two_factor": "enabled"}
                )
            otp_login(request, device)
            messages.success(request, "两步验证已启用，以后登录时需输入手机验证器上的验证码。")
            return redirect(safe_next(request))
        form.add_error("code", "验证码不正确，请确认手机时间准确后重试")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "title": "启用两步验证",
            "qr_svg": qr.svg_inline(scale=4),
            "secret": _base32(device.bin_key),
        },
    )


@login_required
def otp_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(safe_next(request))
        audit.record(
            action=audit.AuditAction.LOGIN_FAILED,
            target=request.user,
            after={"step": "two_factor"},
            result="fail",
        )
        form.add_error("code", "验证码不正确" if allowed else "尝试次数过多，请稍后再试")
    return render(request, "accounts/otp_verify.html", {"form": form, "title": "两步验证"})


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")
