import django_filters
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qingyuan.core.forms import StyledFilterSet, style_fields
from qingyuan.core.lists import Column, ListSource, register_list, render_list
from qingyuan.core.permissions import require_perm
from qingyuan.core.scoping import get_visible_or_404

from . import services
from .forms import LoginForm, NotificationSettingsForm, UserForm
from .models import ChangeStatus, User, UserChangeRequest
from .redirects import safe_next
from .roles import ADMIN_ROLES, Role


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
        return redirect(safe_next(request))
    return render(request, "accounts/password_change.html", {"form": form, "title": "修改密码"})


@login_required
def notification_settings(request):
    """Each user's own choice: notifications also by e-mail and/or SMS."""
    form = NotificationSettingsForm(request.POST or None, instance=request.user)
    style_fields(form)
    if request.method == "POST" and form.is_valid():
        services.user_notification_settings(
            user=request.user,
            email=form.cleaned_data["email"],
            notify_by_email=form.cleaned_data["notify_by_email"],
            notify_by_sms=form.cleaned_data["notify_by_sms"],
        )
        messages.success(request, "通知方式已保存。")
        return redirect("accounts:notification_settings")
    if request.method == "POST":
        # A refused form must not leave the edited values on the request's user (the nav shows it).
        request.user.refresh_from_db(fields=["email", "notify_by_email", "notify_by_sms"])
    return render(
        request,
        "accounts/notification_settings.html",
        {"form": form, "title": "通知方式", "phone_masked": request.user.phone_masked},
    )


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
    if request.user.can("users.manage") or request.user.can("users.grant"):
        extra["pending_changes"] = UserChangeRequest.objects.filter(
            status=ChangeStatus.PENDING, user__in=User.objects.visible_to(request.user)
        ).select_related("user")
    return render_list(
        request, list_key="accounts.user_list", template="accounts/user_list.html", extra=extra
    )


@require_perm("users.view")
def user_detail(request, pk):
    account = get_visible_or_404(User.objects.select_related("unit__region"), request.user, pk=pk)
    is_self_admin = account.pk == request.user.pk and request.user.role in ADMIN_ROLES
    can_edit = (request.user.can("users.manage") or request.user.can("users.grant")) and not is_self_admin
    changes = []
    if request.user.can("users.manage") or request.user.can("users.grant"):
        for change in account.change_requests.select_related("requested_by", "decided_by")[:20]:
            pending = change.status == ChangeStatus.PENDING
            change.can_approve = services.may_approve(request.user, change)
            change.can_reject = pending and (change.can_approve or change.requested_by_id == request.user.pk)
            change.rows = _change_rows(change)
            changes.append(change)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "title": str(account),
            "can_edit": can_edit,
            "is_self_admin": is_self_admin,
            "changes": changes,
        },
    )


def _change_rows(change):
    """(field label, before, after) for people to read: units by name, roles by label."""
    from qingyuan.regions.models import Unit

    def show(name, value):
        if name == "unit":
            return str(Unit.objects.filter(pk=value).first() or "—")
        if name == "role":
            return Role(value).label if value in Role.values else value
        if isinstance(value, bool):
            return "是" if value else "否"
        return value if value not in (None, "") else "—"

    return [
        (
            User._meta.get_field(name).verbose_name,
            show(name, services.shown(name, change.previous.get(name))),
            show(name, services.shown(name, value)),
        )
        for name, value in change.changes.items()
    ]


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
        raise Http404
    account = get_visible_or_404(User.objects.all(), request.user, pk=pk)
    form = UserForm(request.POST or None, instance=account, actor=request.user)
    style_fields(form)
    if account.pk == request.user.pk and request.user.role in ADMIN_ROLES:
        # Shown, not editable: 三员分立 forbids changing one's own account (services.py says why).
        for field in form.fields.values():
            field.disabled = True
        messages.error(request, "管理员不能修改自己的账号（包括角色、单位和辖区），须由另一名管理员办理。")
        if request.method == "POST":
            return redirect("accounts:user_detail", pk=account.pk)
    elif services.is_admin_change(account, {}):
        messages.info(request, "这是管理员账号：保存后形成变更申请，须由另一角色的管理员审批后才生效。")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name, field in form.fields.items() if not field.disabled}
        try:
            result = services.user_update(actor=request.user, user=account, data=data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            if isinstance(result, UserChangeRequest):
                messages.success(request, "已提交变更申请，须由另一角色的管理员审批后生效。")
            else:
                messages.success(request, "已保存。")
            return redirect("accounts:user_detail", pk=account.pk)
    return render(request, "includes/form.html", {"form": form, "title": f"编辑用户：{account}"})


@require_POST
@login_required
def change_decide(request, pk, decision):
    if not (request.user.can("users.manage") or request.user.can("users.grant")):
        raise Http404
    change = get_object_or_404(
        UserChangeRequest.objects.filter(user__in=User.objects.visible_to(request.user)).select_related(
            "requested_by"
        ),
        pk=pk,
    )
    try:
        if decision == "approve":
            services.user_change_approve(actor=request.user, change=change)
            messages.success(request, "已批准，变更已生效。")
        else:
            services.user_change_reject(actor=request.user, change=change)
            messages.success(request, "已驳回。")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    return redirect("accounts:user_detail", pk=change.user_id)
