import django_filters
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render

from qingyuan.core.forms import StyledFilterSet, style_fields
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404

from . import services
from .forms import LoginForm, UserForm
from .models import User
from .roles import Role


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style_fields(form)
        return form


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    style_fields(form)
    for field in form.fields.values():
        field.widget.attrs.pop("autofocus", None)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        # Other sessions of this account end (their auth hash no longer matches); this one stays.
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form, "title": "修改密码"})


class UserFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="姓名/账号", method="search")
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices)
    is_active = django_filters.BooleanFilter(label="启用")

    class Meta:
        model = User
        fields = []

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(full_name__icontains=value) | Q(username__icontains=value))


USER_COLUMNS = [
    Column("账号", lambda u: u.username),
    Column("姓名", lambda u: u.full_name),
    Column("角色", lambda u: u.get_role_display()),
    Column("单位", lambda u: u.unit),
    Column("执法证号", lambda u: u.credential_no),
    Column("启用", lambda u: u.is_active),
]


@register_list("accounts.user_list", perm="users.view")
def user_list_source(user):
    return ListSource(User.objects.visible_to(user).select_related("unit"), UserFilter, USER_COLUMNS, "用户")


@require_perm("users.view")
def user_list(request):
    extra = {"create_url": "accounts:user_create"} if request.user.can("users.manage") else {}
    return render_list(
        request, list_key="accounts.user_list", template="accounts/user_list.html", extra=extra
    )


@require_perm("users.view")
def user_detail(request, pk):
    account = get_visible_or_404(User.objects.select_related("unit__region"), request.user, pk=pk)
    can_edit = request.user.can("users.manage") or request.user.can("users.grant")
    return render(
        request,
        "accounts/user_detail.html",
        {"account": account, "title": str(account), "can_edit": can_edit},
    )


@require_perm("users.manage")
def user_create(request):
    form = UserForm(request.POST or None, actor=request.user)
    style_fields(form)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "initial_password"}
        account = services.user_create(
            actor=request.user, data=data, initial_password=form.cleaned_data["initial_password"]
        )
        messages.success(request, f"已创建账号 {account.username}，首次登录须修改密码。")
        return redirect("accounts:user_detail", pk=account.pk)
    return render(request, "includes/form.html", {"form": form, "title": "新建用户"})


@login_required
def user_edit(request, pk):
    if not (request.user.can("users.manage") or request.user.can("users.grant")):
        from django.http import Http404

        raise Http404
    account = get_visible_or_404(User.objects.all(), request.user, pk=pk)
    form = UserForm(request.POST or None, instance=account, actor=request.user)
    style_fields(form)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name, field in form.fields.items() if not field.disabled}
        services.user_update(actor=request.user, user=account, data=data)
        messages.success(request, "已保存。")
        return redirect("accounts:user_detail", pk=account.pk)
    return render(request, "includes/form.html", {"form": form, "title": f"编辑用户：{account}"})
